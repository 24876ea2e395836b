"""The reader's background load (files, feeds, sync, retention) in a process of its own.

The reader must answer a key within a frame while it refreshes. Run in a thread of the reader, the
refresh's Python work (downloads, progress, SQLite calls, pickling for its workers) holds the
interpreter against the interface's thread; so the whole load runs in a child process, started from
a fork server at a low priority, that talks back through a pipe: progress steps, then the
`LoadReport` (or why it failed). The reader's thread only waits on the pipe.

The child ends with the reader (`worker_process.watch_parent`), and its worker processes end with the
child; `background_load` stops it when asked to. A child that dies mid-load loses nothing stored:
each feed is written whole, in its own transaction. Nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from tuinews import library
from tuinews.config import Config
from tuinews.i18n import _
from tuinews.library import LoadReport
from tuinews.model import Source
from tuinews.store import Store, StoreError
from tuinews.sync.session import SyncSession

PRELOAD = [
    "tuinews.background_load",
    "tuinews.refresh",
    "tuinews.sources.feeds",
    "tuinews.sources.fetch",
    "tuinews.sources.local",
]
"""What the fork server imports once, so that each child starts with it."""
POLL = 0.1
"""Seconds between looks at the `stop` event while the child works."""
STOP_GRACE = 2.0
"""Seconds a child gets to end after SIGTERM before SIGKILL."""


@dataclass(slots=True)
class LoadJob:
    """Everything the child needs: it shares no memory with the reader."""

    config: Config
    sources: list[Source]
    feeds: bool
    """Refresh the feeds (and sync), not only the local files."""
    sync: SyncSession | None
    """The reader's sync session (its cached password comes along; it comes back in `Finished`)."""
    language: str
    """The interface language: failed feeds' reasons are written in the child."""
    environ: dict[str, str]
    cwd: str


@dataclass(slots=True)
class Started:
    """The child process runs: its pid (for whoever watches it)."""

    pid: int


@dataclass(slots=True)
class Step:
    """Progress: `kind` is "files", "feeds" or "sync"."""

    kind: str
    done: int
    total: int


@dataclass(slots=True)
class Finished:
    """The load ended: its report, and the sync session as the sync left it."""

    report: LoadReport
    sync: SyncSession | None


@dataclass(slots=True)
class Failed:
    """The load stopped: one line; `cache` when it is the cache that could not be used."""

    error: str
    cache: bool = False


Event = Started | Step | Finished | Failed


class Throttle:
    """`progress(done, total)` at most once per `interval`, the first and last steps at once.

    A step held back goes out when its interval is over, unless a later one came first: the
    figure the reader shows is never older than `interval` (a refresh may then wait a long while
    on its last feeds, and the steps before them must not stay unsaid).
    """

    def __init__(self, progress: Callable[[int, int], None], interval: float = 0.1) -> None:
        self._progress = progress
        self._interval = interval
        self._last = -interval
        self._held: tuple[int, int] | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            now = time.monotonic()
            if 0 < done < total and now - self._last < self._interval:
                self._held = (done, total)
                if self._timer is None:
                    wait = self._interval - (now - self._last)
                    self._timer = threading.Timer(wait, self._release)
                    self._timer.daemon = True
                    self._timer.start()
                return
            self._held = None
            self._last = now
            self._progress(done, total)

    def _release(self) -> None:
        with self._lock:
            self._timer = None
            if self._held is not None:
                held, self._held = self._held, None
                self._last = time.monotonic()
                self._progress(*held)

    def close(self) -> None:
        """Drop a held step: nothing goes out after this."""
        with self._lock:
            self._held = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


def run_load(job: LoadJob, progress: Callable[[str, int, int], None]) -> LoadReport:
    """Load new and changed local files, then (with `feeds`) refresh the feeds and sync; then
    apply retention. Raises StoreError when the cache cannot be used.

    `progress(kind, done, total)` may be called from a timer's thread as well as this one.
    """
    from tuinews.refresh import refresh_feeds

    throttles: list[Throttle] = []

    def step(kind: str) -> Throttle:
        throttles.append(Throttle(lambda done, total: progress(kind, done, total)))
        return throttles[-1]

    config = job.config
    try:
        with Store(config.cache.path) as store:
            report = library.load_path_sources(
                store, job.sources, max_bytes=config.reader.max_file_bytes, progress=step("files")
            )
            if job.feeds:
                # This process runs at a low priority, and its workers inherit it.
                feeds = refresh_feeds(store, job.sources, config.network, progress=step("feeds"))
                report.merge(feeds)
                if job.sync is not None:
                    report.merge(job.sync.run(store, progress=step("sync")))
            library.apply_retention(store, config.cache)
    finally:
        for throttle in throttles:
            throttle.close()
    return report


def background_load(job: LoadJob, stop: threading.Event) -> Iterator[Event]:
    """Run `run_load` in a child process; yields `Started`, its `Step`s, then one `Finished` or
    `Failed`.

    Setting `stop` (or closing the generator) ends the child and its workers.
    """
    from tuinews import fork_server

    try:
        context = multiprocessing.get_context("forkserver")
        fork_server.start(PRELOAD)  # (a running fork server keeps its preload)
        receive, send = context.Pipe(duplex=False)
    except Exception as exc:  # no fork server to be had (out of processes, or not on this system)
        yield Failed(_("cannot start the refresh ({error})").format(error=exc))
        return
    child = context.Process(
        target=_child, args=(job, send, os.getpid()), name="tuinews-load", daemon=False
    )
    try:
        child.start()
    except Exception as exc:  # no process to be had (out of processes or memory)
        receive.close()
        send.close()
        yield Failed(_("cannot start the refresh ({error})").format(error=exc))
        return
    send.close()  # the child holds the only writing end: its death reads as end-of-file
    try:
        yield Started(child.pid or 0)
        while not stop.is_set():
            if not receive.poll(POLL):
                continue
            try:
                event = receive.recv()
            except (EOFError, OSError):
                yield Failed(_ended(child))
                return
            yield event
            if not isinstance(event, Step):
                return
    finally:
        receive.close()
        _end(child)


def _ended(child: BaseProcess) -> str:
    """Why a child that closed its pipe without a word is gone."""
    child.join(STOP_GRACE)
    code = child.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            code = signal.Signals(-code).name
    return _(
        "The refresh stopped unexpectedly (its process ended: {code}); what it stored is kept."
    ).format(code=code if code is not None else "?")


def _end(child: BaseProcess) -> None:
    """Stop the child (if it still runs) and reap it."""
    if child.exitcode is None:
        child.join(0.05)
    if child.exitcode is None:
        child.terminate()
        child.join(STOP_GRACE)
    if child.exitcode is None:
        child.kill()
        child.join(STOP_GRACE)
    with contextlib.suppress(ValueError):
        child.close()


def _child(job: LoadJob, send: Connection, parent: int) -> None:
    """The child process: the load, with everything that comes of it sent through `send`."""
    from tuinews.refresh import BACKGROUND_NICENESS
    from tuinews.worker_process import watch_parent

    watch_parent(parent, job.language)  # ends with the reader; Ctrl+C is the reader's
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICENESS)
    # The reader's terminal is the fork server's stderr: nothing written there may reach it.
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
    os.environ.clear()  # the fork server's environment is the reader's at the time it started
    os.environ.update(job.environ)
    with contextlib.suppress(OSError):
        os.chdir(job.cwd)
    sending = threading.Lock()

    def progress(kind: str, done: int, total: int) -> None:
        with sending:
            send.send(Step(kind, done, total))

    try:
        report = run_load(job, progress)
        outcome: Event = Finished(report, job.sync)
    except StoreError as exc:
        outcome = Failed(str(exc), cache=True)
    except BaseException as exc:  # a bug: one line for the reader, never a traceback
        outcome = Failed(_("the refresh failed ({error})").format(error=type(exc).__name__))
    with contextlib.suppress(OSError):
        send.send(outcome)
        send.close()
