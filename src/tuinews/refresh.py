"""Refreshing feed sources: fetch them politely (async), parse (in worker processes when it pays), store.

Each feed is written in its own short transaction as soon as it is parsed, so a refresh that fails or
is killed halfway keeps everything that came before; a failed feed keeps every cached article.
Nothing here imports Textual: the CLI and the TUI's worker both call `refresh_feeds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime

from tuinews.config import NetworkConfig
from tuinews.library import LoadReport, Progress, apply_source_language
from tuinews.model import LoadError, LoadFailure, Source, SourceKind
from tuinews.store import FeedState, Store

POOL_THRESHOLD = 4
"""Parse in worker processes once at least this many feeds come back with new content."""
WORKERS = min(2, os.cpu_count() or 1)
MAX_FULL_TEXTS_PER_FEED = 20
"""`full_text = true`: at most this many new items of one feed get their web page per refresh."""


def parse_job(body: bytes, url: str, headers: dict[str, str], fetched_at: datetime):
    """Parse one feed body; runs in a worker process (top-level so it can be pickled)."""
    from tuinews.sources.feeds import parse_feed

    return parse_feed(body, url, headers, fetched_at=fetched_at)


@dataclass(slots=True)
class PreparedFeed:
    """A parsed feed as the store needs it: `Store.prepare_rows` rows, small to send back."""

    title: str
    warning: str | None
    rows: list[tuple]


def prepare_job(
    body: bytes,
    url: str,
    headers: dict[str, str],
    fetched_at: datetime,
    source_key: str,
    source_language: str | None,
) -> PreparedFeed:
    """`parse_job`, then everything storing needs short of SQL; runs in a worker process."""
    parsed = parse_job(body, url, headers, fetched_at)
    if source_language:
        configured = Source(SourceKind.URL, "", "", language=source_language)
        for article in parsed.articles:
            apply_source_language(article, configured)
    rows = Store.prepare_rows(source_key, parsed.articles)
    return PreparedFeed(parsed.title, parsed.warning, rows)


def _ready() -> None:
    """A no-op job: submitting it starts a worker process before there is work."""


def _warm_up(pool: ProcessPoolExecutor, workers: int) -> None:
    with contextlib.suppress(RuntimeError):  # the refresh ended (and shut the pool) first
        for _ in range(workers):
            pool.submit(_ready)


def refresh_feeds(
    store: Store,
    sources: Sequence[Source],
    network: NetworkConfig,
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Fetch every `url` source, store new and changed articles, and report per-feed errors."""
    feeds = [s for s in sources if s.kind is SourceKind.URL]
    report = LoadReport()
    if not feeds:
        return report
    for source in feeds:
        if source.id is None:
            store.upsert_source(source)
    feeds = _due(store, feeds)
    if not feeds:
        return report
    asyncio.run(_Refresh(store, feeds, network, report, progress).run())
    return report


def _due(store: Store, feeds: list[Source]) -> list[Source]:
    """The feeds to fetch now: those with `refresh_minutes` refreshed more recently are skipped."""
    limited = [s for s in feeds if s.refresh_minutes]
    if not limited:
        return feeds
    stored = {s.id: s for s in store.sources([_id(s) for s in limited])}
    now = time.time()
    skip: set[int] = set()
    for source in limited:
        fresh = stored.get(source.id)
        if fresh is None or fresh.last_fetch is None or fresh.last_error:
            continue
        if now - fresh.last_fetch.timestamp() < (source.refresh_minutes or 0) * 60:
            skip.add(_id(source))
    return [s for s in feeds if s.id not in skip]


class _Refresh:
    """One refresh run: the fetch loop hands each finished download to a parse-and-store task."""

    def __init__(
        self,
        store: Store,
        feeds: list[Source],
        network: NetworkConfig,
        report: LoadReport,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.network = network
        self.report = report
        self.progress = progress
        self.feeds = feeds
        self.by_url: dict[str, Source] = {}
        self.states: dict[str, FeedState] = {}
        self.done = 0
        self.total = 0
        self.pool: Executor | None = None
        self.fetched_at = datetime.now(UTC)
        self.full_text_ids: list[int] = []
        """New articles of `full_text = true` sources, whose web pages are fetched at the end."""

    async def _full_texts(self) -> None:
        """Fetch the full pages of new items (`full_text = true`); failures become report notes."""
        if not self.full_text_ids:
            return
        from tuinews.fulltext import fetch_full_texts

        articles = [a for i in self.full_text_ids if (a := self.store.article(i)) is not None]
        errors = await fetch_full_texts(self.store, articles, self.network)
        for error in errors:
            self.report.notes.append(f"full text: {error}")

    async def run(self) -> None:
        from tuinews.sources.fetch import FetchRequest, fetch_all

        now = time.time()
        requests = []
        for source in self.feeds:
            state = self.store.feed_state(_id(source))
            if state.retry_until and state.retry_until > now:
                until = datetime.fromtimestamp(state.retry_until).strftime("%H:%M")
                self.report.notes.append(
                    f"{_redact(source.location)}: skipped, the server asked us to wait until {until}"
                )
                continue
            self.states[source.location] = state
            self.by_url[source.location] = source
            requests.append(FetchRequest(source.location, state.etag, state.last_modified))
        self.total = len(requests)
        self._tick()
        # Feeds without validators will answer with content: start the parsers now, while the
        # downloads run (feeds with validators mostly answer 304, and need no parser at all).
        if sum(1 for r in requests if not (r.etag or r.last_modified)) >= POOL_THRESHOLD:
            self._start_pool()
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        try:
            await fetch_all(
                requests,
                timeout=self.network.timeout,
                concurrency=self.network.concurrency,
                per_host=2,
                max_bytes=self.network.max_bytes,
                on_result=lambda result: tasks.append(loop.create_task(self.handle(result))),
            )
            await asyncio.gather(*tasks)
            await self._full_texts()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)

    async def handle(self, result) -> None:
        source = self.by_url[result.url]
        where = _redact(result.url)
        try:
            if result.status == "error":
                self._fail(source, where, result.error or "failed", result.retry_after)
            elif result.status == "not_modified":
                state = self.states[result.url]
                self.store.record_feed_success(
                    _id(source),
                    etag=result.etag or state.etag,
                    last_modified=result.last_modified or state.last_modified,
                )
                self.report.not_modified += 1
            else:
                await self._store(source, result, where)
        finally:
            self.done += 1
            self._tick()

    async def _store(self, source: Source, result, where: str) -> None:
        url = result.final_url or result.url
        try:
            parsed = await self._parse(result.body, url, result.headers, source)
        except LoadFailure as failure:
            self._fail(source, where, failure.error.reason, None)
            return
        except Exception as exc:  # a worker process died: that feed fails, the others go on
            self._fail(source, where, f"cannot parse feed: {type(exc).__name__}", None)
            return
        uids = [row[0] for row in parsed.rows] if source.full_text else []
        known = set(self.store.article_ids(_id(source), uids)) if uids else set()
        counts = self.store.upsert_prepared(source, parsed.rows)
        if uids and counts.added:
            ids = self.store.article_ids(_id(source), uids)
            new = [ids[uid] for uid in uids if uid in ids and uid not in known]
            self.full_text_ids.extend(new[:MAX_FULL_TEXTS_PER_FEED])
        self.report.added += counts.added
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged
        self.store.record_feed_success(
            _id(source),
            etag=result.etag,
            last_modified=result.last_modified,
            feed_title=parsed.title or None,
        )
        if parsed.warning:
            self.report.notes.append(f"{where}: {parsed.warning}")
        if result.moved_to and result.moved_to != source.location:
            old = source.location
            if self.store.move_source(source, result.moved_to):
                self.report.moved.append((old, result.moved_to))
                self.report.notes.append(
                    f"{_redact(old)}: moved permanently to {_redact(result.moved_to)}"
                )

    async def _parse(
        self, body: bytes, url: str, headers: dict[str, str], source: Source
    ) -> PreparedFeed:
        """Parse in the pool; if a worker died (taking the pool with it), retry once in a new one."""
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return await loop.run_in_executor(
                    pool,
                    prepare_job,
                    body,
                    url,
                    headers,
                    self.fetched_at,
                    source.key,
                    source.language,
                )
            except BrokenProcessPool:
                if pool is self.pool and pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = None
                if attempt == 2:
                    raise LoadFailure(url, "the feed parser crashed") from None
        raise AssertionError("unreachable")

    def _start_pool(self) -> None:
        """Start the worker processes now, so that they are ready when the first feed arrives."""
        pool = self._executor()
        if isinstance(pool, ProcessPoolExecutor):
            # Each worker starts once the fork server has imported the parsers; wait for that in
            # a thread, not in the event loop, which meanwhile starts the downloads.
            threading.Thread(target=_warm_up, args=(pool, WORKERS), daemon=True).start()

    def _executor(self) -> Executor | None:
        """A process pool once enough feeds need parsing; None (the loop's threads) before that."""
        if self.pool is None and self.total >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["tuinews.refresh", "tuinews.sources.feeds"])
            _start_process_helpers()
            self.pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context)
        return self.pool

    def _fail(self, source: Source, where: str, reason: str, retry_until: float | None) -> None:
        self.store.record_feed_error(_id(source), reason, retry_until=retry_until)
        self.report.errors.append(LoadError(where, reason))
        self.report.failed_sources += 1

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def _start_process_helpers() -> None:
    """Start multiprocessing's resource tracker and fork server with a real stderr.

    Both pass stderr's file descriptor to the process they start; inside the TUI, Textual has
    replaced sys.stderr with an object whose descriptor is not valid, and starting them fails.
    Once they run, worker processes are forked by the fork server and stderr no longer matters.
    """
    from multiprocessing import forkserver, resource_tracker

    saved = sys.stderr
    try:
        os.fstat(saved.fileno())
    except (AttributeError, OSError, ValueError):
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
        forkserver.ensure_running()
    finally:
        sys.stderr = saved


def _redact(url: str) -> str:
    from tuinews.sources.fetch import redact_url

    return redact_url(url)


def _id(source: Source) -> int:
    if source.id is None:
        raise ValueError(f"source {source.key} is not registered in the cache")
    return source.id
