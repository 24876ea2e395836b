"""Textual's own words that the reader shows, in the interface language.

The command palette lists Textual's system commands (Theme, Quit, Keys, Screenshot...) next to the
reader's actions, and its search box has a placeholder; Textual words them in English. Their msgids
are marked here, exactly as Textual 8 spells them, and `translated_commands` translates them when
the palette asks (a string without a translation stays as Textual wrote it).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand

from tuinews.i18n import N_, _

COMMANDS_PLACEHOLDER = N_("Search for commands…")
THEMES_PLACEHOLDER = N_("Search for themes…")

SYSTEM_COMMANDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def translated_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands with their titles and help in the interface language."""
    for command in commands:
        yield command._replace(title=_(command.title), help=_(command.help))
