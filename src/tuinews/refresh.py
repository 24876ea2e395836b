"""Refreshing feed sources: fetch them politely (async), parse (in worker processes when it pays), store.

Feeds are parsed and stored by worker processes (each with its own connection to the cache) when
there are enough of them, else parsed in a thread and stored here. Each feed is written whole in a
short transaction as soon as it is parsed (one feed, or the few that waited for a worker together,
with their validators), so a refresh that fails or is killed halfway keeps everything that came
before; a failed feed keeps every cached article.
Nothing here imports Textual: the CLI and the TUI's worker both call `refresh_feeds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tuinews.config import NetworkConfig
from tuinews.fork_server import REFRESH_POOL_THRESHOLD
from tuinews.i18n import _, ui_language
from tuinews.library import LoadReport, Progress, apply_source_language
from tuinews.model import LoadError, LoadFailure, Source, SourceKind
from tuinews.store import FeedState, Store, StoreError, UpsertCounts
from tuinews.worker_process import start_worker

POOL_THRESHOLD = REFRESH_POOL_THRESHOLD
"""Parse in worker processes once at least this many feeds come back with new content."""
WORKERS = min(2, os.cpu_count() or 1)
MAX_BATCH_FEEDS = 16
MAX_BATCH_BYTES = 2 * 1024 * 1024
"""A worker stores at most this many feeds (and bytes of them) in one transaction; a batch that
fits in fewer bytes also keeps the wait for the last one at the end of a refresh short (2 MiB:
200 feeds of 500 items came in 0.15-0.35 s sooner than with 1 MiB, 6% less write work)."""
BACKGROUND_NICENESS = 10
MAX_FULL_TEXTS_PER_FEED = 20
"""`full_text = true`: at most this many new (or changed) items of a feed get their page per refresh."""


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


@dataclass(slots=True)
class StoredFeed:
    """What storing a feed gave: its counts, and its items whose web pages `full_text` fetches."""

    warning: str | None
    counts: UpsertCounts
    full_text_ids: list[int]


def write_feed(
    store: Store,
    source: Source,
    prepared: PreparedFeed,
    etag: str | None,
    last_modified: str | None,
) -> StoredFeed:
    """Store a parsed feed's articles and its validators together, in one short transaction."""
    uids = [row[0] for row in prepared.rows] if source.full_text else []
    new: list[int] = []
    with store.batch():
        known = set(store.article_ids(_id(source), uids)) if uids else set()
        counts = store.upsert_prepared(source, prepared.rows)
        store.forget_unlisted_removals(_id(source), [row[0] for row in prepared.rows])
        if uids and (counts.added or counts.updated):
            ids = store.article_ids(_id(source), uids) if counts.added else {}
            new = [ids[uid] for uid in uids if uid in ids and uid not in known]
            if counts.updated:  # changed items: their kept pages are fetched again
                new += store.stale_full_texts(_id(source))
        store.record_feed_success(
            _id(source), etag=etag, last_modified=last_modified, feed_title=prepared.title or None
        )
    return StoredFeed(prepared.warning, counts, new[:MAX_FULL_TEXTS_PER_FEED])


_worker_stores: dict[Path, Store] = {}
"""A worker process's connections to the cache, one per file, open until the process ends."""


@dataclass(slots=True)
class FeedJob:
    """A downloaded feed for `store_batch`."""

    body: bytes
    url: str
    headers: dict[str, str]
    source: Source
    etag: str | None
    last_modified: str | None


def store_batch(jobs: list[FeedJob], fetched_at: datetime, cache: Path) -> list[StoredFeed | str]:
    """Parse feeds and store them through the worker's own connection to the cache, all in one
    transaction (each feed whole: one that cannot be parsed is left out); runs in a worker.

    Storing where the feeds are parsed keeps the rows out of the pipe and the writes off the
    refresh's event loop (and, in the reader, away from the interface's interpreter); one
    transaction for several feeds writes the pages that every feed changes (the index of
    article ids, the search index) once rather than once per feed.
    Returns, for each feed, what storing it gave or why it failed.
    """
    outcomes: list[StoredFeed | str] = []
    prepared: list[tuple[int, PreparedFeed]] = []
    for index, job in enumerate(jobs):
        try:
            feed = prepare_job(
                job.body, job.url, job.headers, fetched_at, job.source.key, job.source.language
            )
        except LoadFailure as failure:
            outcomes.append(failure.error.reason)
        except Exception as exc:  # one bad feed must not stop the others
            outcomes.append(_("cannot parse feed: {reason}").format(reason=type(exc).__name__))
        else:
            outcomes.append("")
            prepared.append((index, feed))
    if not prepared:
        return outcomes
    try:
        store = _worker_store(cache)
        with store.batch(index_at_end=True):  # one search index segment per batch
            for index, feed in prepared:
                job = jobs[index]
                outcomes[index] = write_feed(store, job.source, feed, job.etag, job.last_modified)
    except StoreError as error:
        for index, _feed in prepared:
            outcomes[index] = str(error)
    return outcomes


def _worker_store(cache: Path) -> Store:
    store = _worker_stores.get(cache)
    if store is None:
        store = _worker_stores[cache] = Store(cache)
        store.expect_bulk_writes()
    return store


def _ready(cache: Path | None = None) -> None:
    """A warm-up job: submitting it starts a worker process before there is work, and (with the
    cache) has it open its connection and load what reading the first feed loads."""
    if cache is not None:
        from tuinews.sources.feed_entry import language_tag

        with contextlib.suppress(StoreError):  # the first feed will say what is wrong
            _worker_store(cache)
        language_tag("en")


def _warm_up(pool: ProcessPoolExecutor, workers: int, cache: Path) -> None:
    # The refresh may have ended (and shut the pool) first, or been interrupted (Ctrl+C): a
    # warm-up has nothing to report, and the parse that needs a worker starts one itself.
    with contextlib.suppress(Exception):
        for _ in range(workers):
            pool.submit(_ready, cache)


def refresh_feeds(
    store: Store,
    sources: Sequence[Source],
    network: NetworkConfig,
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Fetch every `url` source, store new and changed articles, and report per-feed errors.

    (The reader runs this in a process of its own at a low priority, `background_load`: the
    worker processes inherit it.)
    """
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
    refresh = _Refresh(store, feeds, network, report, progress)
    asyncio.run(refresh.run())
    return report


def start_workers_early(store: Store, sources: Sequence[Source]) -> None:
    """Start the workers' fork server now when the refresh to come will parse in workers (enough
    feeds without validators, which answer with content), so that it imports the parsers on
    another core while this process loads files and starts the downloads. Call it with the
    sources registered in the store; the refresh itself decides on its workers later."""
    if WORKERS < 2:
        return
    fresh = 0
    for source in sources:
        if source.kind is SourceKind.URL and source.id is not None:
            state = store.feed_state(source.id)
            fresh += not (state.etag or state.last_modified)
    if fresh >= POOL_THRESHOLD:
        from tuinews import fork_server

        # On failure the refresh tries again when it needs workers, and words what went wrong.
        with contextlib.suppress(Exception):
            fork_server.start(fork_server.REFRESH_PRELOAD)


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
        self.waiting: deque[Waiting] = deque()
        self.running = 0
        """Batches in the workers."""
        self.batches: set[asyncio.Task[None]] = set()
        self.downloaded = False
        """Every download has ended: what waits now is all that is left to parse."""
        self.fetched_at = datetime.now(UTC)
        self.full_text_ids: list[int] = []
        """New and changed articles of `full_text = true` sources, whose pages are fetched at the end."""

    async def _full_texts(self) -> None:
        """Fetch the full pages of new items (`full_text = true`); failures become report notes."""
        if not self.full_text_ids:
            return
        from tuinews.fulltext import fetch_full_texts

        articles = [a for i in self.full_text_ids if (a := self.store.article(i)) is not None]
        errors = await fetch_full_texts(self.store, articles, self.network)
        for error in errors:
            self.report.notes.append(_("full text: {error}").format(error=error))

    async def run(self) -> None:
        from tuinews.sources.fetch import FetchRequest, fetch_all

        now = time.time()
        requests = []
        for source in self.feeds:
            state = self.store.feed_state(_id(source))
            if state.retry_until and state.retry_until > now:
                until = datetime.fromtimestamp(state.retry_until).strftime("%H:%M")
                self.report.notes.append(
                    _("{url}: skipped, the server asked us to wait until {time}").format(
                        url=_redact(source.location), time=until
                    )
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
            self.downloaded = True
            await asyncio.gather(*tasks)
            await self._full_texts()
        finally:
            if self.pool is not None:
                # Waiting costs the workers' exit (their jobs are done or cancelled); not waiting
                # lets interpreter exit race the pool's manager thread, which (CPython 3.11) now
                # and then prints "OSError: Bad file descriptor" from concurrent.futures at exit.
                self.pool.shutdown(wait=True, cancel_futures=True)

    async def handle(self, result) -> None:
        source = self.by_url[result.url]
        where = _redact(result.url)
        try:
            if result.status == "error":
                self._fail(source, where, result.error or _("failed"), result.retry_after)
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
            stored = await self._parse(result, url, source)
        except LoadFailure as failure:
            self._fail(source, where, failure.error.reason, None)
            return
        except StoreError as error:  # a worker could not write the cache
            self._fail(source, where, str(error), None)
            return
        except Exception as exc:  # a worker process died: that feed fails, the others go on
            reason = _("cannot parse feed: {reason}").format(reason=type(exc).__name__)
            self._fail(source, where, reason, None)
            return
        self.full_text_ids.extend(stored.full_text_ids)
        counts = stored.counts
        self.report.added += counts.added
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged
        if stored.warning:
            self.report.notes.append(f"{where}: {stored.warning}")
        if result.moved_to and result.moved_to != source.location:
            old = source.location
            if self.store.move_source(source, result.moved_to):
                self.report.moved.append((old, result.moved_to))
                self.report.notes.append(
                    _("{url}: moved permanently to {new_url}").format(
                        url=_redact(old), new_url=_redact(result.moved_to)
                    )
                )

    async def _parse(self, result, url: str, source: Source) -> StoredFeed:
        """Parse and store a feed: in a worker process when there is a pool, else parse in a
        thread and store here."""
        if self._executor() is not None:
            job = FeedJob(
                result.body, url, result.headers, source, result.etag, result.last_modified
            )
            return await self._in_worker(job)
        prepared = await asyncio.get_running_loop().run_in_executor(
            None,
            prepare_job,
            result.body,
            url,
            result.headers,
            self.fetched_at,
            source.key,
            source.language,
        )
        return write_feed(self.store, source, prepared, result.etag, result.last_modified)

    async def _in_worker(self, job: FeedJob) -> StoredFeed:
        """`store_batch` in a worker, for this feed and whatever else waits for a worker then."""
        future: asyncio.Future[StoredFeed | str] = asyncio.get_running_loop().create_future()
        self.waiting.append((job, future, True))
        self._dispatch()
        outcome = await future
        if isinstance(outcome, str):
            raise LoadFailure(job.url, outcome)
        return outcome

    def _dispatch(self) -> None:
        """Give each free worker the feeds that wait, a batch at a time (`take_batch`)."""
        while self.waiting and self.running < WORKERS:
            batch = take_batch(self.waiting, finishing=self.downloaded)
            self.running += 1
            task = asyncio.get_running_loop().create_task(self._run_batch(batch))
            self.batches.add(task)
            task.add_done_callback(self.batches.discard)

    async def _run_batch(self, batch: list[Waiting]) -> None:
        loop = asyncio.get_running_loop()
        pool = self._executor()
        jobs = [job for job, _future, _retry in batch]
        try:
            outcomes = await loop.run_in_executor(
                pool, store_batch, jobs, self.fetched_at, self.store.path
            )
        except BrokenProcessPool:
            if pool is self.pool and pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None
            # A worker died, taking the pool with it: each feed once more, alone, in a new pool.
            outcomes = []
            for job, future, retry in batch:
                if retry:
                    self.waiting.append((job, future, False))
                    outcomes.append(None)
                else:
                    outcomes.append(_("the feed parser crashed"))
        except Exception as exc:
            reason = _("cannot parse feed: {reason}").format(reason=type(exc).__name__)
            outcomes = [reason] * len(batch)
        finally:
            self.running -= 1
        for (_job, future, _retry), outcome in zip(batch, outcomes, strict=True):
            if outcome is not None and not future.done():
                future.set_result(outcome)
        self._dispatch()

    def _start_pool(self) -> None:
        """Start the worker processes now, so that they are ready when the first feed arrives."""
        pool = self._executor()
        if isinstance(pool, ProcessPoolExecutor):
            # Each worker starts once the fork server has imported the parsers; wait for that in
            # a thread, not in the event loop, which meanwhile starts the downloads.
            args = (pool, WORKERS, self.store.path)
            threading.Thread(target=_warm_up, args=args, daemon=True).start()

    def _executor(self) -> Executor | None:
        """A process pool once enough feeds need parsing; None (the loop's threads) before that."""
        if self.pool is None and self.total >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
            from tuinews import fork_server

            context = multiprocessing.get_context("forkserver")
            fork_server.start(fork_server.REFRESH_PRELOAD)
            self.pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=context,
                initializer=start_worker,
                initargs=(os.getpid(), ui_language()),
            )
        return self.pool

    def _fail(self, source: Source, where: str, reason: str, retry_until: float | None) -> None:
        self.store.record_feed_error(_id(source), reason, retry_until=retry_until)
        self.report.errors.append(LoadError(where, reason))
        self.report.failed_sources += 1

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


Waiting = tuple[FeedJob, asyncio.Future, bool]
"""A downloaded feed waiting for a worker, its outcome's future, and whether a crash may be retried."""


def take_batch(waiting: deque[Waiting], *, finishing: bool = False) -> list[Waiting]:
    """Take the next batch for a worker off the front of `waiting` (not empty): at least one feed,
    more while they fit in `MAX_BATCH_FEEDS` and `MAX_BATCH_BYTES`; a feed that may not be retried
    after a crash goes alone.

    While the workers keep up, each feed goes alone; once downloads come faster than the workers
    store them, feeds wait, and the next batch takes several at once. `finishing` (every download
    has ended): a batch takes at most a third of what is left, so that the last batches get smaller
    and both workers finish at about the same time, rather than one storing a whole batch alone at
    the end.
    """
    limit = MAX_BATCH_BYTES
    if finishing:
        left = sum(len(job.body) for job, _future, _retry in waiting)
        limit = min(limit, left // (WORKERS + 1))
    batch = [waiting.popleft()]
    size = len(batch[0][0].body)
    while (
        batch[0][2]
        and waiting
        and waiting[0][2]
        and len(batch) < MAX_BATCH_FEEDS
        and size + len(waiting[0][0].body) <= limit
    ):
        batch.append(waiting.popleft())
        size += len(batch[-1][0].body)
    return batch


def _redact(url: str) -> str:
    from tuinews.sources.fetch import redact_url

    return redact_url(url)


def _id(source: Source) -> int:
    if source.id is None:
        raise ValueError(f"source {source.key} is not registered in the cache")
    return source.id
