"""The command line: `tuinews [PATH...]` opens the reader; subcommands script the cache.

Exit status: 0 on success, 1 when the thing asked for failed (a bad file, an unknown id, every source
failed), 2 for a bad config or bad arguments. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tuinews import __version__
from tuinews import cli_subscriptions as subs
from tuinews.config import Config, ConfigError, load_config
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
)


class UsageError(Exception):
    """Bad arguments; argparse's own errors are turned into this."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(
        prog="tuinews",
        usage="tuinews [--config FILE] [PATH|URL ...]\n       tuinews [--config FILE] COMMAND ...",
        description="A terminal news reader. With no command, opens the reader on the given files, "
        "folders or feed URLs, else on the configured sources, else on the bundled demo library.",
        epilog="Run 'tuinews COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"tuinews {__version__}")
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="config file (default: $XDG_CONFIG_HOME/tuinews/config.toml)",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="tuinews"
    )

    read = commands.add_parser("read", help="print one article (a file path or a cached id)")
    read.add_argument("target", metavar="PATH|ID")
    read.add_argument("--json", action="store_true", help="print a JSON object")

    listing = commands.add_parser("list", help="list cached articles, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--lang", metavar="CODE", help="only this language (e.g. uk, pt-BR)")
    listing.add_argument("--unread", action="store_true", help="only unread articles")
    listing.add_argument("--starred", action="store_true", help="only starred articles")
    listing.add_argument("--source", metavar="NAME", help="only the source with this name")
    listing.add_argument("--limit", metavar="N", type=_positive_int, help="at most N articles")

    search = commands.add_parser(
        "search",
        help="search the cached articles, newest first",
        description='Words (all must match, also as word starts), "phrases", -excluded, and '
        "filters lang:CODE source:NAME tag:TAG is:unread|read|starred before:DATE after:DATE "
        "(YYYY-MM-DD or 7d).",
    )
    search.add_argument("query", metavar="QUERY", nargs="+", help="the search (quote it)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.add_argument("--limit", metavar="N", type=_positive_int, help="at most N articles")

    fetch = commands.add_parser(
        "fetch", help="refresh every source: new and changed files, and every feed"
    )
    fetch.add_argument("--quiet", "-q", action="store_true", help="print only errors (for cron)")

    add = commands.add_parser(
        "add",
        help="subscribe to a feed (or to the feed a web page links to)",
        description="Add a [[sources]] table for URL to the config file. When URL is a web page, "
        "the feed it links to is subscribed instead.",
    )
    add.add_argument("url", metavar="URL", help="a feed or web page URL (http:// or https://)")
    add.add_argument("--name", metavar="NAME", help="the name shown in the sources pane")
    add.add_argument("--language", metavar="CODE", help="the feed's language (e.g. uk, pt-BR)")
    add.add_argument("--tags", metavar="A,B", help="comma-separated tags")
    add.add_argument(
        "--no-discover", action="store_true", help="do not look at the URL; subscribe to it as is"
    )

    remove = commands.add_parser("remove", help="unsubscribe from a source (by URL or name)")
    remove.add_argument("target", metavar="URL|NAME")

    sources = commands.add_parser("sources", help="list the configured sources with their counts")
    sources.add_argument("--json", action="store_true", help="print a JSON array")

    importing = commands.add_parser(
        "import", help="subscribe to the feeds of an OPML file or a newsboat urls file"
    )
    importing.add_argument("file", metavar="FILE", help="the file to read ('-' for stdin)")

    commands.add_parser("export", help="print the feed sources as OPML 2.0")
    commands.add_parser(
        "vacuum", help="remove old read articles ([cache] keep_days) and compact the cache"
    )
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
    try:
        args, paths = _parse(args_list)
        if args.command in CREATES_CONFIG and args.config and not args.config.exists():
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
        }[args.command]
        return handler(args, config)
    except (UsageError, ConfigError) as exc:
        _error(str(exc))
        return 2
    except StoreError as exc:
        _error(str(exc))
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
    parser.add_argument("--config", metavar="FILE", type=Path)
    parser.add_argument("paths", nargs="+", metavar="PATH|URL")
    return parser


def _open_store(config: Config) -> Store:
    store = Store(config.cache.path)
    if store.recovered_from is not None:
        _error(
            _("{path}: the cache was damaged; moved aside to {backup}").format(
                path=config.cache.path, backup=store.recovered_from
            )
        )
    return store


def _run_app(config: Config, paths: list[str]) -> int:
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.keymap import check_ui_config

    check_ui_config(config)  # an unknown [keys] id or [ui] theme stops here, before the screen
    app = TuinewsApp(config, paths)
    app.run()
    return app.return_code or 0


def cmd_read(args: argparse.Namespace, config: Config) -> int:
    """`tuinews read PATH|ID`: load a file (caching it) or read a cached article."""
    from tuinews import library

    target = args.target
    with _open_store(config) as store:
        path = Path(target).expanduser()
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

    configured = {source.key: source for source in config.sources if source.hide}
    if not configured:
        return ()
    for cached in store.sources():
        if cached.key in configured:
            configured[cached.key].id = cached.id
    return library.hide_rules(configured.values())


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
    from tuinews.refresh import refresh_feeds

    sources = library.session_sources(config)
    with _open_store(config) as store:
        library.register_sources(store, sources)
        report = library.load_path_sources(store, sources, max_bytes=config.reader.max_file_bytes)
        feeds = [s for s in sources if s.kind.value == "url"]
        if feeds:
            with progress_reporter(len(feeds), quiet=args.quiet) as progress:
                report.merge(refresh_feeds(store, feeds, config.network, progress=progress))
        library.apply_retention(store, config.cache)
    if not args.quiet:
        for note in report.notes:
            print(f"tuinews: {note}", file=sys.stderr)
    for error in report.errors:
        _error(str(error))
    if not args.quiet:
        line = ngettext("{count} source: {summary}", "{count} sources: {summary}", len(sources))
        print(line.format(count=len(sources), summary=report.summary()))
    return 1 if sources and report.failed_sources >= len(sources) else 0


def _error(message: str) -> None:
    print(f"tuinews: {message}", file=sys.stderr)
