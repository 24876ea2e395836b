"""The messages of the standard library's argparse, marked so that they land in tuinews's catalogs.

`tuinews.cli` points argparse's module-global `_` and `ngettext` at `tuinews.i18n`, so "usage:",
"positional arguments", "the following arguments are required: %s" and the rest come out in the
interface language. This module only lists their msgids, exactly as argparse spells them, for
`pybabel extract`: those of Python 3.11 and of later versions (3.12 to 3.14 added a few and stopped
translating some that only a programmer sees). Nothing imports it at run time.
"""

from __future__ import annotations

from tuinews.i18n import N_, ngettext

MESSAGES = (
    # Help output
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("%(heading)s:"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_(" (default: %(default)s)"),
    # Errors in the command line
    N_("%(prog)s: error: %(message)s\n"),
    N_("%(prog)s: warning: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("option '%(option)s' is deprecated"),
    N_("argument '%(argument_name)s' is deprecated"),
    N_("command '%(parser_name)s' is deprecated"),
    # Mistakes in a parser's definition (Python 3.11 translates these too)
    N_("%r is not callable"),
    N_("'required' is an invalid argument for positionals"),
    N_(".__call__() not defined"),
    N_('argument "-" with mode %r'),
    N_("cannot have multiple subparser arguments"),
    N_("cannot merge actions - two groups are named %r"),
    N_("conflicting subparser: %s"),
    N_("conflicting subparser alias: %s"),
    N_("dest= is required for options like %r"),
    N_("invalid conflict_resolution value: %r"),
    N_("invalid option string %(option)r: must start with a character %(prefix_chars)r"),
    N_("mutually exclusive arguments must be optional"),
)

PLURAL_MESSAGES = (
    # Never called: `ngettext(...)` is how extraction finds a plural msgid.
    lambda n: ngettext("expected %s argument", "expected %s arguments", n),
    lambda n: ngettext("conflicting option string: %s", "conflicting option strings: %s", n),
)
