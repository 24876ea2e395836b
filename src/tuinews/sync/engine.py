"""One sync with a feed server: send what changed here, then bring in what changed there.

A sync, in order:

1. log in (a first sync starts its worker processes first: they load the parsers meanwhile);
2. push the queue (`store.sync_state`): read, unread, starred and unstarred changes, subscribe
   and unsubscribe, in the order they were made (several changes of one flag of one article
   send only the last). Each request's changes leave the queue once the server has them, so a
   sync that fails halfway keeps the rest queued. A change the server refuses for good (a feed it
   cannot subscribe to) is dropped with one line in the report;
3. pull the subscriptions (titles, folders as tags; gone ones stop showing, their articles stay)
   and the unread counts;
4. list item ids: new since the last sync (`ot`, with a margin; everything the first time), every
   unread one and every starred one, with continuation paging (into an empty cache, not the unread
   ones: every item comes down, and its categories say whether it is read);
5. download the items the cache does not have yet (never one it has: `sync_items` remembers
   them), up to a thousand per request (fewer when the server refuses as many), parse them (in
   worker processes when there are many, which also store them: each answer in its own
   transaction, or several answers in one when they wait for a worker), learning each feed's
   language from its first items (`feed_language`); items the answers left out are asked for
   once more (a server may send fewer than asked for, without saying so), and an item too large
   to take even alone is left out with a note (and not asked for again);
6. set read and starred flags of every cached server article as the server has them, except
   articles with a change still queued (made while this sync ran): the later change wins (after
   a first sync, only the articles it stored, whose flags are all off, are looked at).

Errors raise `SyncError` (one line, never the password); the cache and the queue stay as they were,
and the next sync starts over from the same point. Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from tuinews.config import NetworkConfig, SyncConfig
from tuinews.i18n import ngettext, ui_language
from tuinews.model import ItemId, Source, SourceKind
from tuinews.store import Store
from tuinews.store.sync_state import (
    READ,
    SUBSCRIBE,
    UNSUBSCRIBE,
    QueuedChange,
    ServerFeed,
    SyncState,
    account_key,
)
from tuinews.sync import greader
from tuinews.sync.feed_language import FeedLanguages
from tuinews.sync.greader import GReaderClient, NetworkError, ServerError, SyncError
from tuinews.sync.protocol import AnswerTooLarge

if TYPE_CHECKING:
    from pathlib import Path

    from tuinews.sync.worker import StoredItems

MARGIN = 600.0
"""Seconds before the last sync's server time that the next one lists new items from: items a
server was still storing then are not missed (ids already cached cost nothing but their id)."""
BATCH = 1000
"""Items downloaded per request: fewer, larger requests cost the server less (FreshRSS spends
~1.6 ms of CPU on each, besides ~16 us per item); 1,000 is as many as some servers take. A
server that refuses that many (HTTP 400, 413 or 414), or whose answer grows too large, is asked
for halves (down to `MIN_BATCH`)."""
FIRST_BATCH = 250
"""Items of the first request: a small first answer gives the workers something to do sooner."""
MIN_BATCH = 25
"""Fewest items per request when a server refuses larger requests: below it, the refusal stands."""
MIN_ANSWER_BYTES = 64 * 1024 * 1024
"""Answers up to this size are taken however low `[network] max_bytes` is (a thousand long
articles); the items of a larger one are asked for again in halves."""
TOO_MANY = frozenset({400, 413, 414})
"""Statuses with which servers refuse a request for too many items."""
IN_FLIGHT = 3
"""Item requests at once."""
PUSH_BATCH = 250
"""Item ids per edit-tag request."""
JOB_ANSWERS = 2
"""Answers a worker stores at most in one job (and transaction), when several wait: 1,000 items."""
POOL_THRESHOLD = 1000
"""Parse in worker processes from this many items to download."""
WORKERS = min(2, os.cpu_count() or 1)

_T = TypeVar("_T")

Progress = Callable[[int, int], None]
"""`progress(done, total)`: items downloaded so far, of how many."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did, for the summary line."""

    pushed: int = 0
    """Queued changes the server took."""
    added: int = 0
    updated: int = 0
    downloaded: int = 0
    subscriptions: int = 0
    new_subscriptions: list[str] = field(default_factory=list)
    gone_subscriptions: list[str] = field(default_factory=list)
    read_changed: int = 0
    starred_changed: int = 0
    unread: int | None = None
    """Unread items on the server."""
    queued: int = 0
    """Changes still waiting in the queue after this sync."""
    requests: int = 0
    refused: list[str] = field(default_factory=list)
    """One line per change the server refused for good (dropped from the queue)."""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """ "3 subscriptions, 12 new, 2 changes sent, 5 flags changed elsewhere, 40 unread"."""
        parts = [
            ngettext("{n} subscription", "{n} subscriptions", self.subscriptions).format(
                n=self.subscriptions
            ),
            ngettext("{n} new", "{n} new", self.added).format(n=self.added),
        ]
        if self.updated:
            parts.append(
                ngettext("{n} updated", "{n} updated", self.updated).format(n=self.updated)
            )
        if self.pushed:
            parts.append(
                ngettext("{n} change sent", "{n} changes sent", self.pushed).format(n=self.pushed)
            )
        changed = self.read_changed + self.starred_changed
        if changed:
            parts.append(
                ngettext(
                    "{n} flag changed elsewhere", "{n} flags changed elsewhere", changed
                ).format(n=changed)
            )
        if self.unread is not None:
            parts.append(
                ngettext(
                    "{n} unread on the server", "{n} unread on the server", self.unread
                ).format(n=self.unread)
            )
        if self.refused:
            parts.append(
                ngettext("{n} change refused", "{n} changes refused", len(self.refused)).format(
                    n=len(self.refused)
                )
            )
        return ", ".join(parts)


def sync_account(
    store: Store,
    sync: SyncConfig,
    password: str | Callable[[], str],
    network: NetworkConfig,
    *,
    progress: Progress | None = None,
    push_only: bool = False,
) -> SyncReport:
    """Run one sync (or, with `push_only`, send the queue and stop). Raises `SyncError`.

    `password` may be a function: it is called only when the server wants a new login (the
    token of the last one is kept in the cache), and may raise what it likes (`PasswordError`).
    """
    run = _Sync(store, sync, password, network, progress)
    try:
        asyncio.run(run.run(push_only=push_only))
    except BaseException as exc:
        if isinstance(exc, SyncError):
            run.state.record_error(str(exc))
        run.close()  # (workers still starting or busy end on their own)
        raise
    run.close(wait=True)  # idle workers: they exit at once
    return run.report


def queue_subscription(store: Store, sync: SyncConfig, action: str, target: str) -> None:
    """Queue a subscribe (feed URL) or unsubscribe (stream id) for the next push."""
    state = SyncState(store, account_key(sync.url, sync.user))
    if action == UNSUBSCRIBE:
        for feed in state.feeds():
            if feed.stream_id == target:
                state.deactivate(feed.source_id)
    state.queue(action, target)


def server_feeds(store: Store, sync: SyncConfig) -> list[tuple[Source, ServerFeed]]:
    """The account's active subscriptions with their sources."""
    state = SyncState(store, account_key(sync.url, sync.user))
    feeds = {feed.source_id: feed for feed in state.feeds()}
    return [(source, feeds[source.id]) for source in state.sources() if source.id in feeds]


class _Sync:
    """One sync run (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        sync: SyncConfig,
        password: str | Callable[[], str],
        network: NetworkConfig,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.sync = sync
        self.password = password
        self.network = network
        self.progress = progress
        self.state = SyncState(store, account_key(sync.url, sync.user))
        self.report = SyncReport()
        self.sources: dict[str, Source] = {}
        self.pool: Executor | None = None
        self.fetched_at = datetime.now(UTC)
        self.done = 0
        self.total = 0
        self.unread: set[ItemId] = set()
        """Downloaded items the server has unread, by their categories."""
        self.languages = FeedLanguages()
        """The feeds' languages, learnt from their first items (when parsed in this process)."""
        self.waiting: deque[tuple[bytes, asyncio.Future[StoredItems | None]]] = deque()
        """Downloaded answers waiting for a worker."""
        self.running = 0
        """Jobs in the workers."""
        self.jobs: set[asyncio.Task[None]] = set()
        self.downloading = 0
        """Answers still to come."""
        self.batch_limit = BATCH
        """Most items asked for in one request (less once the server refused as many)."""
        self.largest_answer = 0
        """Most items one answer brought."""
        self.oversized = 0
        """Items left out: each alone was larger than any answer the client takes (remembered
        as items the cache removed, so that no sync downloads them again while removals are
        remembered)."""

    def close(self, *, wait: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None

    async def run(self, *, push_only: bool = False) -> None:
        started = time.time()
        previous = self.state.state()
        client = GReaderClient(
            self.sync.url,
            self.sync.user,
            self.password,
            auth=self.state.auth(),
            on_login=self.state.save_auth,
            timeout=self.network.timeout,
            max_bytes=max(self.network.max_bytes, MIN_ANSWER_BYTES),
            app=(self.sync.app_id, self.sync.app_key) if self.sync.app_id else None,
        )
        if previous.since is None and not push_only:
            # A first sync mostly downloads thousands of items: the workers start (importing the
            # parsers, loading the language model) while the login and the lists come; they stop
            # again if there are few items after all.
            self._start_pool()
        try:
            async with client:
                await client.login()
                await self._push(client)
                if not push_only:
                    await self._pull(client, started, previous.since)
        finally:
            self.report.requests = sum(client.requests.values())
            self.report.queued = self.state.pending_count()

    # Push

    async def _push(self, client: GReaderClient) -> None:
        pending = self.state.pending()
        for kind, value, changes, seqs in _plan(pending):
            try:
                if kind == SUBSCRIBE:
                    subscription = await client.quickadd(changes[0].target or "")
                    self._subscribed(subscription)
                elif kind == UNSUBSCRIBE:
                    await client.unsubscribe(changes[0].target or "")
                else:
                    state = greader.READ if kind == READ else greader.STARRED
                    items = [change.item for change in changes if change.item is not None]
                    if value:
                        await client.edit_tag(items, add=state)
                    else:
                        await client.edit_tag(items, remove=state)
            except ServerError as exc:
                if exc.status >= 500 or exc.status in (408, 429):
                    raise
                if kind != UNSUBSCRIBE:  # unsubscribing from a feed already gone is no news
                    self.report.refused.append(str(exc))
            else:
                self.report.pushed += len(changes)
            self.state.done(seqs)

    def _subscribed(self, subscription: greader.Subscription) -> None:
        source = self._register(subscription.stream_id, subscription.title, ())
        feed = ServerFeed(_id(source), subscription.stream_id, subscription.url, None, None, True)
        self.state.set_feeds([feed], complete=False)

    # Pull

    async def _pull(self, client: GReaderClient, started: float, since: float | None) -> None:
        known = self.state.known_items()
        # Into an empty cache, every item of the reading list comes down with its categories,
        # which say whether it is read: the list of unread ids would only repeat them.
        fresh = since is None and not known
        subscriptions, counts, new_ids, unread_ids, starred_ids = await asyncio.gather(
            client.subscriptions(),
            client.unread_counts(),
            client.item_ids(greader.READING_LIST, since=since),
            _done([]) if fresh else client.item_ids(greader.READING_LIST, exclude=greader.READ),
            client.item_ids(greader.STARRED),
        )
        self._store_subscriptions(subscriptions, counts)
        unread, starred = set(unread_ids), set(starred_ids)
        wanted = [
            item
            for item in dict.fromkeys([*new_ids, *unread_ids, *starred_ids])
            if item not in known
        ]
        await self._download(client, wanted)
        if self.report.downloaded < len(wanted):
            await self._download_missing(client, wanted)
        if self.oversized:
            self.report.notes.append(
                ngettext(
                    "{n} item larger than {size} MiB left out",
                    "{n} items larger than {size} MiB left out",
                    self.oversized,
                ).format(n=self.oversized, size=client.max_bytes // (1024 * 1024))
            )
        if fresh:
            unread = self.unread
        if fresh and self.report.added == self.report.downloaded:  # all new, flags off
            flags = self.state.flag_new_items([i for i in wanted if i not in unread], starred)
        else:
            flags = self.state.apply_server_state(unread, starred)
        self.report.read_changed, self.report.starred_changed = flags
        self.state.forget_gone_items(unread | starred)
        self.state.mark_fetched([_id(s) for s in self.sources.values()], started)
        server_time = client.server_time if client.server_time is not None else started
        self.state.finish(started, server_time - MARGIN)

    def _store_subscriptions(
        self, subscriptions: Sequence[greader.Subscription], counts: dict[str, int]
    ) -> None:
        before = {feed.stream_id for feed in self.state.feeds()}
        old_names = {s.location: s.name for s in self.state.sources()}
        feeds: list[ServerFeed] = []
        with self.store.batch():  # one transaction for all (a first sync adds hundreds)
            for subscription in subscriptions:
                source = self._register(
                    subscription.stream_id, subscription.title, subscription.folders
                )
                feeds.append(
                    ServerFeed(
                        _id(source),
                        subscription.stream_id,
                        subscription.url,
                        subscription.html_url,
                        counts.get(subscription.stream_id),
                        True,
                    )
                )
            self.state.set_feeds(feeds, complete=True)
        now = {feed.stream_id for feed in feeds}
        self.report.subscriptions = len(feeds)
        self.report.new_subscriptions = [
            s.title for s in subscriptions if s.stream_id not in before and before
        ]
        self.report.gone_subscriptions = [old_names.get(s, s) for s in sorted(before - now)]
        self.report.unread = counts.get(greader.READING_LIST)

    def _register(self, stream_id: str, title: str, folders: Sequence[str]) -> Source:
        source = Source(SourceKind.SERVER, stream_id, title or stream_id, tags=tuple(folders))
        self.store.upsert_source(source)
        self.sources[stream_id] = source
        return source

    async def _download_missing(self, client: GReaderClient, wanted: list[ItemId]) -> None:
        """Ask once more for the items that did not come: a server may send fewer than asked for
        without saying so (a cap on items per request), then in requests of at most as many as
        its largest answer held. Items that still do not come are gone from the server."""
        known = self.state.known_items()
        missing = [item for item in wanted if item not in known]
        if missing and self.largest_answer:
            self.batch_limit = max(MIN_BATCH, min(self.batch_limit, self.largest_answer))
            await self._download(client, missing)

    async def _download(self, client: GReaderClient, wanted: list[ItemId]) -> None:
        self.total += len(wanted)
        self._tick()
        if not wanted:
            return
        if len(wanted) >= POOL_THRESHOLD and self.pool is None:
            self._start_pool()
        elif len(wanted) < POOL_THRESHOLD and self.pool is not None:
            self.close()  # not worth it after all: parse here
        gate = asyncio.Semaphore(IN_FLIGHT)
        batches: list[list[ItemId]] = []
        offset = 0
        for size in batch_sizes(len(wanted)):
            batches.append(wanted[offset : offset + size])
            offset += size
        self.downloading = len(batches)

        async def one(batch: list[ItemId]) -> None:
            bodies = await self._items(client, batch, gate)
            self.downloading -= 1
            for body in bodies:
                stored = await self._store(body, client.where)
                self.largest_answer = max(self.largest_answer, stored.items)
                self.unread.update(stored.unread)
                self.report.downloaded += stored.items
                self.report.added += stored.added
                self.report.updated += stored.updated
            self.done += len(batch)
            self._tick()

        tasks = [asyncio.ensure_future(one(batch)) for batch in batches]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _items(
        self, client: GReaderClient, batch: list[ItemId], gate: asyncio.Semaphore
    ) -> list[bytes]:
        """The answers that bring `batch`: one, or several once the server has refused to send
        that many items at once or its answer was too large (then every later request asks for
        at most half as many). An item whose answer alone is too large is left out."""
        if len(batch) > self.batch_limit:
            limit = self.batch_limit
            answers: list[bytes] = []
            for start in range(0, len(batch), limit):
                answers += await self._items(client, batch[start : start + limit], gate)
            return answers
        async with gate:
            try:
                return [await client.items_body(batch)]
            except AnswerTooLarge:
                if len(batch) == 1:  # one item larger than any answer we take: left out
                    self.state.skip_items(batch)
                    self.oversized += 1
                    return []
            except ServerError as exc:
                if exc.status not in TOO_MANY or len(batch) // 2 < MIN_BATCH:
                    raise
        # Halves (and every later request at most as many, though not below MIN_BATCH: only the
        # answer with an oversized item in it is cut down further, to find that item).
        self.batch_limit = max(MIN_BATCH, min(self.batch_limit, len(batch) // 2))
        middle = (len(batch) + 1) // 2
        first = await self._items(client, batch[:middle], gate)
        return first + await self._items(client, batch[middle:], gate)

    async def _store(self, body: bytes, where: str) -> StoredItems:
        """Parse and store one answer: in a worker process (which writes too), else here."""
        if self.pool is not None:
            stored = await self._in_worker(body, where)
            if stored is not None:
                return stored
        from tuinews.sync.articles import prepare_body, write_items
        from tuinews.sync.worker import StoredItems

        parsed = await asyncio.get_running_loop().run_in_executor(
            None, prepare_body, body, where, self.fetched_at, self.languages
        )
        with self.store.batch():  # the articles and their item ids together
            added, updated = write_items(
                self.store, self.state.account, parsed.prepared, self.sources
            )
        return StoredItems(parsed.items, added, updated, parsed.unread, parsed.starred)

    async def _in_worker(self, body: bytes, where: str) -> StoredItems | None:
        """Store an answer in a worker, with whatever else waits for one then; None when the
        pool broke (a worker died, its transaction with it): then it is parsed here."""
        future: asyncio.Future[StoredItems | None] = asyncio.get_running_loop().create_future()
        self.waiting.append((body, future))
        self._dispatch(where)
        return await future

    def _dispatch(self, where: str) -> None:
        """Give each free worker the answers that wait, up to `JOB_ANSWERS`: while the workers
        keep up, each answer goes alone; once downloads come faster, several share a job and
        its transaction. Once every answer has come, a job takes at most its share of what
        waits, so that both workers finish together rather than one storing two answers alone."""
        while self.waiting and self.pool is not None and self.running < WORKERS:
            count = min(JOB_ANSWERS, len(self.waiting))
            if not self.downloading:
                count = min(count, max(1, len(self.waiting) // WORKERS))
            job = [self.waiting.popleft() for _ in range(count)]
            self.running += 1
            task = asyncio.get_running_loop().create_task(self._run_job(self.pool, job, where))
            self.jobs.add(task)
            task.add_done_callback(self.jobs.discard)
        if self.pool is None:
            while self.waiting:
                _body, future = self.waiting.popleft()
                if not future.done():
                    future.set_result(None)

    async def _run_job(
        self,
        pool: Executor,
        job: list[tuple[bytes, asyncio.Future[StoredItems | None]]],
        where: str,
    ) -> None:
        from tuinews.sync.worker import store_bodies

        results: list[StoredItems | None]
        try:
            results = list(
                await asyncio.get_running_loop().run_in_executor(
                    pool,
                    store_bodies,
                    [body for body, _future in job],
                    where,
                    self.fetched_at,
                    self.store.path,
                    self.state.account,
                    self.sources,
                )
            )
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            if self.pool is pool:
                self.pool = None
            results = [None] * len(job)
        except Exception as exc:
            for _body, future in job:
                if not future.done():
                    future.set_exception(exc)
            return
        finally:
            self.running -= 1
        for (_body, future), stored in zip(job, results, strict=True):
            if not future.done():
                future.set_result(stored)
        self._dispatch(where)

    def _start_pool(self) -> None:
        if self.pool is not None or (os.cpu_count() or 1) < 2:
            return
        from tuinews.sync.worker import start_fork_server
        from tuinews.worker_process import start_worker

        start_fork_server()
        pool = ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=start_worker,  # ends with this process; nice in the reader
            initargs=(os.getpid(), ui_language()),
        )
        self.pool = pool
        args = (pool, WORKERS, self.store.path)
        threading.Thread(target=_warm_up, args=args, daemon=True).start()

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def batch_sizes(count: int) -> list[int]:
    """How many items each request asks for, to download `count`: `FIRST_BATCH` first, the rest
    in equal requests of at most `BATCH`, the last of them in two halves (so that the workers'
    last jobs end together)."""
    first = min(FIRST_BATCH, BATCH)
    if count <= first:
        return [count] if count else []
    if count < 2 * first:
        return _halves(count)
    rest = count - first
    requests = -(-rest // BATCH)
    size, larger = divmod(rest, requests)
    sizes = [first] + [size + 1] * larger + [size] * (requests - larger)
    return sizes[:-1] + _halves(sizes[-1])


def _halves(count: int) -> list[int]:
    return [half for half in ((count + 1) // 2, count // 2) if half]


def _plan(pending: list[QueuedChange]) -> list[tuple[str, bool, list[QueuedChange], list[int]]]:
    """The requests that send the queue, in order: (action, value, changes, queue seqs done).

    Only the last change of one flag of one item is sent; consecutive changes of the same kind
    and value share requests of up to `PUSH_BATCH` items.
    """
    last: dict[tuple[str, ItemId], QueuedChange] = {}
    covered: dict[int, list[int]] = {}
    for change in pending:
        if change.item is not None:
            key = (change.action, change.item)
            previous = last.get(key)
            last[key] = change
            covered[change.seq] = [change.seq, *(covered.pop(previous.seq) if previous else [])]
    steps: list[tuple[str, bool, list[QueuedChange], list[int]]] = []
    for change in pending:
        if change.item is None:
            steps.append((change.action, change.value, [change], [change.seq]))
            continue
        if last[(change.action, change.item)] is not change:
            continue
        seqs = covered[change.seq]
        if (
            steps
            and steps[-1][0] == change.action
            and steps[-1][1] == change.value
            and len(steps[-1][2]) < PUSH_BATCH
        ):
            steps[-1][2].append(change)
            steps[-1][3].extend(seqs)
            continue
        steps.append((change.action, change.value, [change], list(seqs)))
    return steps


async def _done(value: _T) -> _T:
    return value


def _warm_up(pool: ProcessPoolExecutor, workers: int, cache: Path) -> None:
    """Start the worker processes before there is work, and have them open their connection to
    the cache (and load the language model, when a fork server started without the sync's preload
    forked them). Runs in a thread: starting them waits for the fork server's imports, and the
    event loop meanwhile sends the first requests."""
    from tuinews.sync.worker import warm_up

    with contextlib.suppress(RuntimeError):  # the sync ended (and shut the pool) first
        for _ in range(workers):
            pool.submit(warm_up, cache)


def _id(source: Source) -> int:
    if source.id is None:
        raise ValueError(f"source {source.key} is not registered in the cache")
    return source.id


__all__ = [
    "NetworkError",
    "SyncError",
    "SyncReport",
    "queue_subscription",
    "server_feeds",
    "sync_account",
]
