"""The command line: `tuinews [PATH...]` opens the reader; subcommands script the cache.

Exit status: 0 on success, 1 when the thing asked for failed (a bad file, an unknown id, every source
failed), 2 for a bad config or bad arguments. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tuinews import __version__
from tuinews import cli_subscriptions as subs
from tuinews.config import Config, ConfigError, config_argument, load_config
from tuinews.i18n import _, ngettext, set_ui_language
from tuinews.model import Article, LoadFailure
from tuinews.store import HeadlineFilter, Store, StoreError

CREATES_CONFIG = ("add", "import")
"""Commands that may create the config file named by --config."""
COMMANDS = (
    "read",
    "list",
    "search",
    "fetch",
    "add",
    "remove",
    "sources",
    "import",
    "export",
    "vacuum",
    "sync",
)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")
"""A URL's scheme (`ftp:`, `file:`, `data:`): only http and https feeds are read."""
_HOST_LIKE = re.compile(r"^(?:www\.[\w-]|[\w-]+(?:\.[\w-]+)+(?::\d+)?/)")
"""`example.org/feed.xml`: a URL without its scheme."""


# argparse looks up its module-global `_` and `ngettext` whenever it words something ("usage:",
# "the following arguments are required: %s"): point them at our catalogs, which hold argparse's
# msgids too (`tuinews.argparse_messages`), so its help and errors follow the interface language.
argparse._ = _  # type: ignore[attr-defined]
argparse.ngettext = ngettext  # type: ignore[attr-defined]


class UsageError(Exception):
    """Bad arguments; argparse's own errors are turned into this."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    # The second usage line lines up under the first, after "usage: " in the interface language.
    indent = " " * len(_("usage: "))
    parser = _Parser(
        prog="tuinews",
        usage=f"tuinews [--config FILE] [PATH|URL ...]\n{indent}tuinews [--config FILE] COMMAND ...",
        description=_(
            "A terminal news reader. With no command, opens the reader on the given files, "
            "folders or feed URLs, else on the configured sources, else on the bundled demo library."
        ),
        epilog=_("Run 'tuinews COMMAND --help' for a command's options."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"tuinews {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help=_("config file (default: $XDG_CONFIG_HOME/tuinews/config.toml)"),
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="tuinews"
    )

    read = commands.add_parser("read", help=_("print one article (a file path or a cached id)"))
    read.add_argument("target", metavar="PATH|ID")
    read.add_argument("--json", action="store_true", help=_("print a JSON object"))

    listing = commands.add_parser("list", help=_("list cached articles, newest first"))
    listing.add_argument("--json", action="store_true", help=_("print a JSON array"))
    listing.add_argument("--lang", metavar="CODE", help=_("only this language (e.g. uk, pt-BR)"))
    listing.add_argument("--unread", action="store_true", help=_("only unread articles"))
    listing.add_argument("--starred", action="store_true", help=_("only starred articles"))
    listing.add_argument("--source", metavar="NAME", help=_("only the source with this name"))
    listing.add_argument("--limit", metavar="N", type=_positive_int, help=_("at most N articles"))

    search = commands.add_parser(
        "search",
        help=_("search the cached articles, newest first"),
        description=_(
            'Words (all must match, also as word starts), "phrases", -excluded, and '
            "filters lang:CODE source:NAME tag:TAG is:unread|read|starred before:DATE after:DATE "
            "(YYYY-MM-DD or 7d)."
        ),
    )
    search.add_argument("query", metavar="QUERY", nargs="+", help=_("the search (quote it)"))
    search.add_argument("--json", action="store_true", help=_("print a JSON array"))
    search.add_argument("--limit", metavar="N", type=_positive_int, help=_("at most N articles"))

    fetch = commands.add_parser(
        "fetch", help=_("refresh every source: new and changed files, and every feed")
    )
    fetch.add_argument("--quiet", "-q", action="store_true", help=_("print only errors (for cron)"))

    add = commands.add_parser(
        "add",
        help=_("subscribe to a feed (or to the feed a web page links to)"),
        description=_(
            "Add a [[sources]] table for URL to the config file. When URL is a web page, "
            "the feed it links to is subscribed instead."
        ),
    )
    add.add_argument("url", metavar="URL", help=_("a feed or web page URL (http:// or https://)"))
    add.add_argument("--name", metavar="NAME", help=_("the name shown in the sources pane"))
    add.add_argument("--language", metavar="CODE", help=_("the feed's language (e.g. uk, pt-BR)"))
    add.add_argument("--tags", metavar="A,B", help=_("comma-separated tags"))
    add.add_argument(
        "--no-discover",
        action="store_true",
        help=_("do not look at the URL; subscribe to it as is"),
    )
    add.add_argument(
        "--local",
        action="store_true",
        help=_("with [sync] configured: add to the config file, not to the feed server"),
    )

    remove = commands.add_parser("remove", help=_("unsubscribe from a source (by URL or name)"))
    remove.add_argument("target", metavar="URL|NAME")

    sources = commands.add_parser(
        "sources", help=_("list the configured sources with their counts")
    )
    sources.add_argument("--json", action="store_true", help=_("print a JSON array"))

    importing = commands.add_parser(
        "import", help=_("subscribe to the feeds of an OPML file or a newsboat urls file")
    )
    importing.add_argument("file", metavar="FILE", help=_("the file to read ('-' for stdin)"))

    commands.add_parser("export", help=_("print the feed sources as OPML 2.0"))
    commands.add_parser(
        "vacuum", help=_("remove old read articles ([cache] keep_days) and compact the cache")
    )
    sync = commands.add_parser(
        "sync",
        help=_("bring the cache and the feed server of [sync] in step"),
        description=_(
            "Send the read, starred and subscription changes made here (queued while "
            "offline), then pull the server's subscriptions, new articles and read and "
            "starred state."
        ),
    )
    sync.add_argument("--quiet", "-q", action="store_true", help=_("print only errors (for cron)"))
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a number: {text}").format(text=repr(text))
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be at least 1: {text}").format(text=text))
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tuinews` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    set_ui_language("auto")
    config: Config | None = None
    try:
        early = _early_config(args_list)
        if early is not None:  # --help and argparse's errors speak the config's ui_language too
            set_ui_language(early[1].reader.ui_language)
        args, paths = _parse(args_list)
        if early is not None and early[0] == args.config:
            config = early[1]
        elif args.command in CREATES_CONFIG and args.config and not args.config.exists():
            config = load_config(None)  # defaults; the command creates the file
        else:
            config = load_config(args.config)
        set_ui_language(config.reader.ui_language)
        if args.command is None:
            return _run_app(config, paths)
        handler = {
            "read": cmd_read,
            "list": cmd_list,
            "search": cmd_search,
            "fetch": cmd_fetch,
            "add": subs.cmd_add,
            "remove": subs.cmd_remove,
            "sources": subs.cmd_sources,
            "import": subs.cmd_import,
            "export": subs.cmd_export,
            "vacuum": cmd_vacuum,
            "sync": _cmd_sync,
        }[args.command]
        return handler(args, config)
    except (UsageError, ConfigError) as exc:
        _error(str(exc))
        return 2
    except StoreError as exc:
        _error(str(exc))
        return 1
    except sqlite3.DatabaseError as exc:  # found while reading rows, past what Store words itself
        if config is None:
            raise
        from tuinews.store.faults import after_unhandled

        _error(after_unhandled(config.cache.path, exc))
        return 1
    except KeyboardInterrupt:
        return 130


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Subcommands and paths share the first positional slot: a known command name wins."""
    parser = build_parser()
    first = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), None)
    if first is not None and first > 0 and argv[first - 1] == "--config":
        first = next(
            (i for i, arg in enumerate(argv) if i > first and not arg.startswith("-")), None
        )
    if first is None or argv[first] in COMMANDS:
        return parser.parse_args(argv), []
    args = _reader_parser().parse_args(argv)
    args.command = None
    return args, args.paths


def _reader_parser() -> argparse.ArgumentParser:
    """`tuinews [--config FILE] PATH|URL...`: the reader on files, folders or feed URLs."""
    parser = _Parser(prog="tuinews")
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help=_("config file (default: $XDG_CONFIG_HOME/tuinews/config.toml)"),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH|URL", help=_("files, folders or feed URLs to read")
    )
    return parser


def _early_config(argv: list[str]) -> tuple[Path | None, Config] | None:
    """The config that `--config` names (else the default one) with its path, read before the
    arguments are parsed; None when it cannot be read yet (its error comes after parsing)."""
    path = config_argument(argv)
    try:
        return path, load_config(path)
    except ConfigError:
        return None


def _open_store(config: Config) -> Store:
    from tuinews.cache_notes import recovery_note

    store = Store(config.cache.path)
    if (note := recovery_note(store)) is not None:
        _error(note)
    return store


def _run_app(config: Config, paths: list[str]) -> int:
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.background_work import keep_heap_frozen
    from tuinews.ui.keymap import check_ui_config

    check_ui_config(config)  # an unknown [keys] id or [ui] theme stops here, before the screen
    _check_reader_paths(paths)
    app = TuinewsApp(config, paths)
    keep_heap_frozen()  # see `background_work`: shorter garbage collections while reading
    app.run()
    return app.return_code or 0


def _check_reader_paths(paths: list[str]) -> None:
    """Each reader argument is an http(s) URL or an existing file or folder, else UsageError."""
    for raw in paths:
        text = raw.strip()
        if text.lower().startswith(("http://", "https://")) or Path(text).expanduser().exists():
            continue
        if _URL_SCHEME.match(text):
            message = _("{arg}: only http:// and https:// feed URLs are read").format(arg=raw)
        elif _HOST_LIKE.match(text):
            message = _(
                "{arg}: no such file or folder (a feed URL must start with http:// or https://)"
            ).format(arg=raw)
        else:
            message = _("{arg}: no such file or folder").format(arg=raw)
        raise UsageError(message)


def cmd_read(args: argparse.Namespace, config: Config) -> int:
    """`tuinews read PATH|ID`: load a file (caching it) or read a cached article."""
    from tuinews import library

    target = args.target
    path = Path(target).expanduser()
    if not path.exists() and (any(sep in target for sep in ("/", "\\")) or "." in target):
        raise UsageError(_("{target}: no such file").format(target=target))
    with _open_store(config) as store:
        if path.exists() or any(sep in target for sep in ("/", "\\")) or "." in target:
            try:
                article = library.read_path(store, path, max_bytes=config.reader.max_file_bytes)
            except LoadFailure as failure:
                _error(str(failure.error))
                return 1
        else:
            found = store.article_by_uid(target)
            if found is None:
                _error(_("{target}: no such file or cached article id").format(target=target))
                return 1
            article = found
    if args.json:
        print(json.dumps(article_json(article), ensure_ascii=False, indent=2))
    else:
        _print_article(article)
    return 0


def article_json(article: Article) -> dict[str, Any]:
    """The `read --json` object: the exact contract other tools rely on."""
    return {
        "id": article.uid,
        "title": article.title,
        "language": article.language,
        "published": article.published.isoformat() if article.published else None,
        "link": article.link,
        "author": article.author,
        "source": article.source_name,
        "paragraphs": article.paragraphs,
        "translations": [
            {"language": t.language, "id": t.uid, "title": t.title} for t in article.translations
        ],
    }


def _print_article(article: Article) -> None:
    from rich.console import Console

    from tuinews.render.article import render_article

    Console(highlight=False).print(render_article(article))


def cmd_list(args: argparse.Namespace, config: Config) -> int:
    """`tuinews list`: cached articles, newest first, from the cache only."""
    with _open_store(config) as store:
        sources = {source.id: source for source in store.sources()}
        source_ids: tuple[int, ...] = ()
        if args.source:
            wanted = args.source.casefold()
            source_ids = tuple(
                sid for sid, source in sources.items() if source.name.casefold() == wanted
            )
            if not source_ids:
                _error(_("{source}: no such source in the cache").format(source=args.source))
                return 1
        view = HeadlineFilter(
            source_ids=source_ids,
            language=args.lang,
            unread=args.unread,
            starred=args.starred,
            hide=_hide_rules(store, config),
        )
        rows = _headline_rows(store, view, args.limit)
    _print_headlines(rows, as_json=args.json)
    return 0


def cmd_search(args: argparse.Namespace, config: Config) -> int:
    """`tuinews search QUERY`: full-text search of the cache, newest first (as `list` prints)."""
    from tuinews.search_query import QueryError, parse_query

    try:
        query = parse_query(" ".join(args.query))
    except QueryError as exc:
        _error(str(exc))
        return 2
    with _open_store(config) as store:
        view = HeadlineFilter(query=query, hide=_hide_rules(store, config))
        rows = _headline_rows(store, view, args.limit)
    _print_headlines(rows, as_json=args.json)
    return 0


def _hide_rules(store: Store, config: Config) -> tuple[tuple[int, str], ...]:
    """The configured `hide` regexes, for the cached sources they belong to (as the reader hides)."""
    from tuinews import library

    return library.cached_hide_rules(store, config.sources)


def _headline_rows(store: Store, view: HeadlineFilter, limit: int | None) -> list[dict[str, Any]]:
    """The `list --json` objects of a view's headlines, newest first."""
    rows = []
    for headline in store.headlines(view, limit=limit):
        article = store.article(headline.id)
        if article is None:
            continue
        rows.append(
            {
                "id": article.uid,
                "title": article.title,
                "source": article.source_name,
                "language": article.language,
                "published": article.published.isoformat() if article.published else None,
                "link": article.link,
                "read": article.read,
                "starred": article.starred,
            }
        )
    return rows


def _print_headlines(rows: list[dict[str, Any]], *, as_json: bool) -> None:
    """`list` output: a JSON array, or one line per article."""
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for row in rows:
        mark = " " if row["read"] else "●"
        date = (row["published"] or "")[:10]
        console.print(
            Text.assemble(
                (row["id"], "dim"),
                f" {mark} ",
                (f"{date:10}", "cyan"),
                f" {row['language']:5} ",
                row["title"],
                (f"  ({row['source']})", "dim"),
            ),
            overflow="ellipsis",
            no_wrap=True,
        )


def cmd_vacuum(args: argparse.Namespace, config: Config) -> int:
    """`tuinews vacuum`: apply retention now and give the freed space back."""
    from tuinews import library

    path = config.cache.path
    before = _file_size(path)
    with _open_store(config) as store:
        removed = library.apply_retention(store, config.cache)
        store.vacuum()
    after = _file_size(path)
    print(
        ngettext(
            "Removed {n} old article; the cache went from {before} to {after}.",
            "Removed {n} old articles; the cache went from {before} to {after}.",
            removed,
        ).format(n=removed, before=_mib(before), after=_mib(after))
    )
    return 0


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += path.with_name(path.name + suffix).stat().st_size
    return total


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def cmd_fetch(args: argparse.Namespace, config: Config) -> int:
    """`tuinews fetch`: new and changed files of every path source, then every feed.

    Ends with one line per failed file or feed on stderr; exits 1 only when every source failed.
    """
    from tuinews import library
    from tuinews.cli_progress import progress_reporter
    from tuinews.refresh import refresh_feeds, start_workers_early

    sources = library.session_sources(config)
    with _open_store(config) as store:
        library.register_sources(store, sources)
        start_workers_early(store, sources)
        report = library.load_path_sources(store, sources, max_bytes=config.reader.max_file_bytes)
        feeds = [s for s in sources if s.kind.value == "url"]
        if feeds:
            with progress_reporter(
                _("Refreshing feeds"),
                lambda done, total: ngettext(
                    "refreshed {done}/{total} feed", "refreshed {done}/{total} feeds", total
                ).format(done=done, total=total),
                quiet=args.quiet,
            ) as progress:
                report.merge(refresh_feeds(store, feeds, config.network, progress=progress))
        if config.sync.enabled:  # the server's subscriptions come through the server
            from tuinews.cli_sync import sync_in_fetch

            report.merge(sync_in_fetch(store, config, quiet=args.quiet))
        library.apply_retention(store, config.cache)
    if not args.quiet:
        for note in report.notes:
            _error(note)
    for error in report.errors:
        _error(str(error))
    if not args.quiet and (sources or not config.sync.enabled):
        line = ngettext("{count} source: {summary}", "{count} sources: {summary}", len(sources))
        print(line.format(count=len(sources), summary=report.summary()))
    total = len(sources) + (1 if config.sync.enabled else 0)
    return 1 if total and report.failed_sources >= total else 0


def _cmd_sync(args: argparse.Namespace, config: Config) -> int:
    from tuinews.cli_sync import cmd_sync

    return cmd_sync(args, config)


def _error(message: str) -> None:
    from tuinews.redact import redact_text

    print(f"tuinews: {redact_text(message)}", file=sys.stderr)
