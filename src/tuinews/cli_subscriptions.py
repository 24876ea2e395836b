"""The subscription commands: `add`, `remove`, `sources`, `import` and `export`.

Each handler takes the parsed arguments and the loaded config and returns the exit status (0 ok,
1 failed, 2 bad arguments); `tuinews.cli` registers them. The config file edited is `--config FILE`,
else the default `$XDG_CONFIG_HOME/tuinews/config.toml`, created when missing. Heavy libraries
(tomlkit, httpx, selectolax, rich) are imported by the modules that need them, when they run.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from tuinews.config import Config
from tuinews.i18n import _, ngettext
from tuinews.model import LoadFailure, Source, SourceKind
from tuinews.paths import default_config_path
from tuinews.redact import redact_text, redact_url
from tuinews.textclean import clean_line

_MAX_SKIPPED_SHOWN = 20


def cmd_add(args: argparse.Namespace, config: Config) -> int:
    """`tuinews add URL`: subscribe to a feed, or to the feed an HTML page links to."""
    from tuinews.sources.discover import probe
    from tuinews.sources.opml import language_code
    from tuinews.subscriptions import SubscriptionError, add_sources, feed_source, url_key

    if config.sync.enabled and not getattr(args, "local", False):
        from tuinews.cli_sync import cmd_add_server

        return cmd_add_server(args, config)
    language = args.language
    if language is not None and language_code(language) is None:
        _error(
            _("--language: not a language code: {code} (e.g. en, uk, pt-BR)").format(
                code=repr(language)
            )
        )
        return 2
    try:
        source = feed_source(args.url, args.name, language_code(language), _split_tags(args.tags))
    except ValueError as exc:
        _error(str(exc))
        return 2
    subscribed = {url_key(s.location) for s in config.sources if s.kind is SourceKind.URL}
    if url_key(source.location) in subscribed:
        _say(_("Already subscribed: {url}").format(url=source.location))
        return 0

    warning = None
    if not args.no_discover:
        try:
            found = probe(source.location, timeout=config.network.timeout)
        except LoadFailure as failure:
            _error(str(failure.error))
            return 1
        if found.problem:
            warning = _("warning: could not check {url} ({problem}); subscribed anyway").format(
                url=source.location, problem=found.problem
            )
        if found.discovered:
            _say(_("Found feed: {url}").format(url=found.url))
            name = source.name if source.name != source.location else found.url
            source = replace(source, location=found.url, name=name)

    path = _config_path(args, config)
    try:
        added, _existing = add_sources(path, [source])
    except SubscriptionError as exc:
        _error(str(exc))
        return 1
    if not added:
        _say(_("Already subscribed: {url}").format(url=source.location))
        return 0
    if warning:
        _error(warning)
    _say(_("Subscribed to {url} in {path}").format(url=source.location, path=path))
    return 0


def cmd_remove(args: argparse.Namespace, config: Config) -> int:
    """`tuinews remove URL|NAME`: drop a source from the config (its cached articles stay)."""
    from tuinews.subscriptions import SubscriptionError, remove_source

    path = _config_path(args, config)
    try:
        removed = remove_source(path, args.target)
    except SubscriptionError as exc:
        _error(str(exc))
        return 1
    if removed is None and config.sync.enabled:
        from tuinews.cli_sync import cmd_remove_server

        status = cmd_remove_server(args, config)
        if status is not None:
            return status
    if removed is None:
        _error(
            _("{target}: no such source in {path}").format(
                target=clean_line(args.target), path=path
            )
        )
        return 1
    name = clean_line(removed.name)
    shown = removed.location if name == removed.location else f"{name} ({removed.location})"
    _say(_("Removed {source}").format(source=shown))
    return 0


def cmd_sources(args: argparse.Namespace, config: Config) -> int:
    """`tuinews sources`: the configured sources with their counts from the cache."""
    rows = [_source_row(source, counts) for source, counts in _with_counts(config)]
    if config.sync.enabled:
        from tuinews.cli_sync import server_source_rows

        rows += server_source_rows(config)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(_("No sources configured. Subscribe with: tuinews add URL"))
        return 0
    _print_table(rows)
    return 0


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    """`tuinews import FILE`: subscribe to every feed of an OPML or newsboat urls file."""
    from tuinews.sources.decode import decode_bytes
    from tuinews.sources.opml import MAX_BYTES, looks_like_opml, parse_opml
    from tuinews.sources.urls_file import parse_urls_file
    from tuinews.subscriptions import SubscriptionError, add_sources

    where = args.file
    try:
        if where == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(Path(where).expanduser(), "rb") as file:
                data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        _error(_("{file}: cannot read: {reason}").format(file=where, reason=reason))
        return 2 if isinstance(exc, FileNotFoundError) else 1  # no such file: a bad argument
    try:
        if looks_like_opml(data):
            result = parse_opml(data, where)
        else:
            result = parse_urls_file(decode_bytes(data, where), where)
    except LoadFailure as failure:
        _error(str(failure.error))
        return 1
    for skipped in result.skipped[:_MAX_SKIPPED_SHOWN]:
        _error(str(skipped))
    if len(result.skipped) > _MAX_SKIPPED_SHOWN:
        more = len(result.skipped) - _MAX_SKIPPED_SHOWN
        _error(
            ngettext(
                "{file}: {count} more line skipped", "{file}: {count} more lines skipped", more
            ).format(file=where, count=more)
        )
    if not result.sources:
        _error(_("{file}: no http(s) feed URLs found").format(file=where))
        return 1
    try:
        added, existing = add_sources(_config_path(args, config), result.sources)
    except SubscriptionError as exc:
        _error(str(exc))
        return 1
    parts = [
        ngettext("{count} added", "{count} added", len(added)).format(count=len(added)),
        ngettext("{count} already subscribed", "{count} already subscribed", len(existing)).format(
            count=len(existing)
        ),
    ]
    duplicates = len(result.sources) - len(added) - len(existing)
    if duplicates:
        parts.append(
            ngettext("{count} listed twice", "{count} listed twice", duplicates).format(
                count=duplicates
            )
        )
    if result.skipped:
        skipped = len(result.skipped)
        parts.append(ngettext("{count} skipped", "{count} skipped", skipped).format(count=skipped))
    print(", ".join(parts))
    return 0


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    """`tuinews export`: the feed sources as OPML 2.0 on stdout."""
    from tuinews.sources.opml import write_opml

    text = write_opml(config.sources)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def _config_path(args: argparse.Namespace, config: Config) -> Path:
    return args.config or config.path or default_config_path()


def _split_tags(text: str | None) -> list[str]:
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


def _with_counts(config: Config) -> list[tuple[Source, Any]]:
    """Each configured source with its `SourceCount` from the cache (None when not cached yet)."""
    counts: dict[str, Any] = {}
    if config.sources and config.cache.path.exists():
        from tuinews import library
        from tuinews.cache_notes import recovery_note
        from tuinews.store import Store

        with Store(config.cache.path) as store:
            if (note := recovery_note(store)) is not None:
                _error(note)
            # Counted as the reader shows them: without what `hide` rules keep out.
            hide = library.cached_hide_rules(store, config.sources)
            counts = {count.source.key: count for count in store.source_counts(hide=hide)}
    return [(source, counts.get(source.key)) for source in config.sources]


def _source_row(source: Source, counts: Any) -> dict[str, Any]:
    cached = counts.source if counts is not None else None
    last_fetch = cached.last_fetch if cached is not None else None
    # A URL's user name and password never leave the config file.
    return {
        "name": redact_text(source.name),
        "kind": source.kind.value,
        "location": redact_url(source.location),
        "tags": list(source.tags),
        "language": source.language,
        "articles": counts.total if counts is not None else 0,
        "unread": counts.unread if counts is not None else 0,
        "last_fetch": last_fetch.isoformat() if last_fetch is not None else None,
        "last_error": redact_text(cached.last_error) if cached and cached.last_error else None,
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    from datetime import datetime

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or redirected: one line per source, however long, rather than Rich's 80 columns.
        console = Console(highlight=False, width=1000)
    show_errors = any(row["last_error"] for row in rows)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(_("Name"), max_width=40)
    table.add_column(_("Kind"))
    table.add_column(_("Location"), overflow="fold")
    table.add_column(_("Articles"), justify="right")
    table.add_column(_("Unread"), justify="right")
    table.add_column(_("Last fetch"))
    if show_errors:
        table.add_column(_("Last error"), max_width=60)
    never = _("never")
    for row in rows:
        fetched = never
        if row["last_fetch"]:
            stamp = datetime.fromisoformat(row["last_fetch"]).astimezone()
            fetched = stamp.strftime("%Y-%m-%d %H:%M")
        cells = [
            Text(clean_line(row["name"])),
            Text(row["kind"]),
            Text(clean_line(row["location"])),
            Text(str(row["articles"])),
            Text(str(row["unread"]), style="bold" if row["unread"] else ""),
            Text(fetched, style="dim" if fetched == never else ""),
        ]
        if show_errors:
            cells.append(Text(clean_line(row["last_error"] or ""), style="red"))
        table.add_row(*cells)
    console.print(table)


def _error(message: str) -> None:
    print(f"tuinews: {redact_text(message)}", file=sys.stderr)


def _say(message: str) -> None:
    """A line on stdout, without the credentials of any URL in it."""
    print(redact_text(message))
