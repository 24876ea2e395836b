"""The sync commands: `tuinews sync`, and `add` / `remove` / `fetch` when `[sync]` is configured.

`tuinews sync` sends the queued changes and pulls everything new (see `tuinews.sync.engine`), with
progress on stderr like `tuinews fetch`, one line per error, and exit status 1 when it failed (the
queue and the cache stay as they were). With sync configured, `tuinews add URL` subscribes on the
server and `tuinews remove` unsubscribes there (both queued when the server cannot be reached), and
`tuinews fetch` syncs after fetching the local and `url` sources.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from tuinews.config import Config
from tuinews.i18n import _, ngettext
from tuinews.library import LoadReport
from tuinews.model import LoadError
from tuinews.textclean import clean_line


def cmd_sync(args: argparse.Namespace, config: Config) -> int:
    """`tuinews sync`: bring the cache and the feed server in step."""
    from tuinews.cli import _open_store

    if not config.sync.enabled:
        _error(_not_configured(config))
        return 2
    with _open_store(config) as store:
        _start_first_sync_workers(store, config)
        from tuinews.sync.engine import SyncError, sync_account
        from tuinews.sync.password import PasswordError

        try:
            with sync_progress(quiet=args.quiet) as progress:
                report = sync_account(
                    store, config.sync, _password(config), config.network, progress=progress
                )
        except (SyncError, PasswordError) as exc:
            _error(str(exc))
            _queued_note(store, config)
            return 1
    for line in report.refused:
        _error(line)
    for note in report.notes:
        _error(f"{_server(config)}: {note}")
    if not args.quiet:
        for title in report.new_subscriptions:
            print(_("New subscription: {title}").format(title=clean_line(title)), file=sys.stderr)
        for title in report.gone_subscriptions:
            print(
                _("Subscription removed on the server: {title}").format(title=clean_line(title)),
                file=sys.stderr,
            )
        print(
            _("Synced with {server}: {summary}").format(
                server=_server(config), summary=report.summary()
            )
        )
    return 1 if report.refused else 0


def _start_first_sync_workers(store: Any, config: Config) -> None:
    """Before a first sync (which downloads everything), start the fork server of its parsing
    workers first thing: it imports the parsers while the rest of the sync is imported and logs
    in."""
    import os

    from tuinews.store.sync_state import SyncState, account_key

    if (os.cpu_count() or 1) < 2:
        return
    if SyncState(store, account_key(config.sync.url, config.sync.user)).state().since is None:
        from tuinews.sync.worker import start_fork_server

        start_fork_server()


def sync_in_fetch(store: Any, config: Config, *, quiet: bool) -> LoadReport:
    """`tuinews fetch` with sync configured: sync after the other sources; a report to merge."""
    from tuinews.sync.engine import SyncError, sync_account
    from tuinews.sync.password import PasswordError

    report = LoadReport()
    try:
        with sync_progress(quiet=quiet) as progress:
            result = sync_account(
                store, config.sync, _password(config), config.network, progress=progress
            )
    except (SyncError, PasswordError) as exc:
        report.errors.append(LoadError(_("sync"), str(exc)))
        report.failed_sources += 1
        return report
    report.added, report.updated = result.added, result.updated
    report.notes.append(
        _("synced with {server}: {summary}").format(
            server=_server(config), summary=result.summary()
        )
    )
    report.errors.extend(LoadError(_("sync"), line) for line in result.refused)
    report.errors.extend(LoadError(_("sync"), note) for note in result.notes)
    return report


def cmd_add_server(args: argparse.Namespace, config: Config) -> int:
    """`tuinews add URL` with sync configured: subscribe on the server (queued when offline)."""
    from tuinews.cli import _open_store
    from tuinews.store.sync_state import SUBSCRIBE
    from tuinews.subscriptions import feed_source, url_key
    from tuinews.sync.engine import queue_subscription, server_feeds

    try:
        url = feed_source(args.url).location
    except ValueError as exc:
        _error(str(exc))
        return 2
    if args.name or args.language or args.tags:
        _error(
            _("--name, --language and --tags apply to subscriptions in the config file (--local)")
        )
    with _open_store(config) as store:
        for source, feed in server_feeds(store, config.sync):
            if feed.feed_url and url_key(feed.feed_url) == url_key(url):
                print(
                    _("Already subscribed on the server: {url} ({name})").format(
                        url=url, name=clean_line(source.name)
                    )
                )
                return 0
        queue_subscription(store, config.sync, SUBSCRIBE, url)
        status = _push(
            store,
            config,
            _("Subscribed to {url} on {server}").format(url=url, server=_server(config)),
        )
    return status


def cmd_remove_server(args: argparse.Namespace, config: Config) -> int | None:
    """`tuinews remove` of a server subscription (by title, feed URL or stream id); None when the
    target names none, so the caller reports it as not found."""
    from tuinews.cli import _open_store
    from tuinews.sources.opml import http_url
    from tuinews.store.sync_state import UNSUBSCRIBE
    from tuinews.subscriptions import url_key
    from tuinews.sync.engine import queue_subscription, server_feeds

    target = args.target.strip()
    url = http_url(target)
    with _open_store(config) as store:
        feeds = server_feeds(store, config.sync)
        matches = [
            (source, feed)
            for source, feed in feeds
            if (url is not None and feed.feed_url and url_key(feed.feed_url) == url_key(url))
            or feed.stream_id == target
        ]
        if not matches:
            folded = target.casefold()
            matches = [(s, f) for s, f in feeds if s.name.casefold() == folded]
        if not matches:
            return None
        if len(matches) > 1:
            _error(
                _("{target}: several server subscriptions have this name; give its URL").format(
                    target=clean_line(target)
                )
            )
            return 1
        source, feed = matches[0]
        queue_subscription(store, config.sync, UNSUBSCRIBE, feed.stream_id)
        done = _("Unsubscribed from {name} on {server}").format(
            name=clean_line(source.name), server=_server(config)
        )
        return _push(store, config, done)


def server_source_rows(config: Config) -> list[dict[str, Any]]:
    """`tuinews sources` rows of the feed server's subscriptions (kind "server", the feed's URL),
    in natural name order as the reader's sources pane lists them."""
    from tuinews.cli_subscriptions import _source_row
    from tuinews.natural_order import natural_key
    from tuinews.store import Store
    from tuinews.sync.engine import server_feeds

    if not config.cache.path.exists():
        return []
    with Store(config.cache.path) as store:
        feeds = server_feeds(store, config.sync)
        counts = {
            count.source.id: count for count in store.source_counts([s.id for s, _f in feeds])
        }
    rows = []
    for source, feed in sorted(feeds, key=lambda pair: natural_key(pair[0].name)):
        row = _source_row(source, counts.get(source.id))
        row["location"] = feed.feed_url or feed.stream_id
        row["stream_id"] = feed.stream_id
        rows.append(row)
    return rows


def _push(store: Any, config: Config, done: str) -> int:
    """Send the queue now; offline, it waits for the next sync."""
    from tuinews.sync.engine import NetworkError, SyncError, sync_account
    from tuinews.sync.password import PasswordError

    try:
        report = sync_account(store, config.sync, _password(config), config.network, push_only=True)
    except NetworkError as exc:
        print(
            "tuinews: " + _("{error}; queued for the next sync").format(error=str(exc)),
            file=sys.stderr,
        )
        return 0
    except (SyncError, PasswordError) as exc:
        _error(_("{error} (queued for the next sync)").format(error=str(exc)))
        return 1
    for line in report.refused:
        _error(line)
    if report.refused:
        return 1
    print(done)
    return 0


def sync_progress(*, quiet: bool) -> AbstractContextManager[Callable[[int, int], None]]:
    """Item-download progress for `sync` and `fetch`, like the feed refresh's."""
    from tuinews.cli_progress import progress_reporter

    return progress_reporter(
        _("Syncing articles"),
        lambda done, total: ngettext(
            "synced {done}/{total} article", "synced {done}/{total} articles", total
        ).format(done=done, total=total),
        quiet=quiet,
    )


def _password(config: Config) -> Callable[[], str]:
    """The password, asked for only when the server wants a login (warnings on stderr)."""
    from tuinews.sync.password import sync_password

    def ask() -> str:
        password, warnings = sync_password(config.sync, config.path)
        for warning in warnings:
            print(f"tuinews: {warning}", file=sys.stderr)
        return password

    return ask


def _queued_note(store: Any, config: Config) -> None:
    from tuinews.store.sync_state import SyncState, account_key

    waiting = SyncState(store, account_key(config.sync.url, config.sync.user)).pending_count()
    if waiting:
        print(
            "tuinews: "
            + ngettext(
                "{n} change stays queued for the next sync",
                "{n} changes stay queued for the next sync",
                waiting,
            ).format(n=waiting),
            file=sys.stderr,
        )


def _not_configured(config: Config) -> str:
    where = config.path or _("the config file")
    return _(
        'sync is not configured: set [sync] service = "greader", url, user and password_command'
        " in {path}"
    ).format(path=where)


def _server(config: Config) -> str:
    from tuinews.sources.fetch import redact_url

    return redact_url(config.sync.url)


def _error(message: str) -> None:
    print(f"tuinews: {message}", file=sys.stderr)
