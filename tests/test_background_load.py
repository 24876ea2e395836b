"""The reader's background load runs in a child process: progress and the report come through a
pipe, a child that dies is one notification, and quitting leaves no process behind."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tuinews import background_load as background
from tuinews.background_load import Finished, LoadJob, Started, Step
from tuinews.config import load_config
from tuinews.library import path_sources, register_sources
from tuinews.refresh import POOL_THRESHOLD
from tuinews.store import Store
from tuinews.ui import app as app_module
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.messages import FilesLoaded, LoadProgress

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc to find the load's processes"
)

SLOW = 60.0
"""Seconds a slow feed waits before it answers: longer than any test waits for it."""


def _rss(n: int, items: int = 3) -> bytes:
    entries = "".join(
        f"<item><title>Feed {n} item {i}</title><guid>f{n}-{i}</guid>"
        f"<link>https://example.org/{n}/{i}</link><description>Body {i}</description></item>"
        for i in range(items)
    )
    return (
        f"<rss version='2.0'><channel><title>Feed {n}</title><language>en</language>"
        f"{entries}</channel></rss>"
    ).encode()


def _feeds(feed_server, count: int, slow: int = 0) -> list[str]:
    """`count` feeds of 3 items; the last `slow` of them answer only after `SLOW` seconds."""
    for n in range(count):
        delay = SLOW if n >= count - slow else 0.0
        feed_server.add_feed(f"/{n}.xml", _rss(n), delay=delay)
    return [feed_server.url(f"/{n}.xml") for n in range(count)]


def _descendants(pid: int) -> set[int]:
    """Live processes started (directly or not) by `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int], grace: float = 10.0) -> set[int]:
    """Which of `pids` still run (not zombies) after up to `grace` seconds."""
    deadline = time.monotonic() + grace
    while True:
        left = set()
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                left.add(pid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


class _Watched:
    """Wraps `background_load` in the app: remembers the child's pid."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pids: list[int] = []
        real = background.background_load

        def watched(job, stop):
            for event in real(job, stop):
                if isinstance(event, Started):
                    self.pids.append(event.pid)
                yield event

        monkeypatch.setattr(app_module, "background_load", watched)


class _Recording(TuinewsApp):
    """The reader, noting the progress and load messages it gets."""

    CSS_PATH = str(Path(app_module.__file__).with_name("tuinews.tcss"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.progress: list[tuple[str, int, int]] = []
        self.loaded: list[FilesLoaded] = []

    def on_load_progress(self, message: LoadProgress) -> None:
        self.progress.append((message.kind, message.done, message.total))
        super().on_load_progress(message)

    def on_files_loaded(self, message: FilesLoaded) -> None:
        self.loaded.append(message)
        super().on_files_loaded(message)


async def _until(pilot, condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


async def settle(pilot, app: TuinewsApp) -> None:
    """No worker runs and the messages are in (exclusive workers may be cancelled meanwhile)."""
    for _ in range(3):
        await _until(pilot, lambda: not any(worker.is_running for worker in app.workers))
        await pilot.pause()


def test_the_load_runs_in_a_child_that_sends_progress_then_the_report(
    feed_server, tmp_path: Path
) -> None:
    urls = _feeds(feed_server, POOL_THRESHOLD + 1)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "one.md").write_text("# One\n\nA note.\n")
    config = load_config()
    with Store(config.cache.path) as store:
        sources = register_sources(store, path_sources([folder, *urls]))
    job = LoadJob(config, sources, True, None, "en", dict(os.environ), os.getcwd())
    events = list(background.background_load(job, threading.Event()))
    assert isinstance(events[0], Started) and events[0].pid != os.getpid()
    steps = [(e.kind, e.done, e.total) for e in events if isinstance(e, Step)]
    assert ("files", 1, 1) in steps
    assert steps[-1] == ("feeds", len(urls), len(urls))
    assert isinstance(events[-1], Finished)
    assert events[-1].report.added == 1 + 3 * len(urls)
    assert not events[-1].report.errors
    assert not _alive({events[0].pid}, grace=5)


def test_stop_ends_the_child_and_its_workers(feed_server) -> None:
    urls = _feeds(feed_server, POOL_THRESHOLD + 2, slow=2)
    config = load_config()
    with Store(config.cache.path) as store:
        sources = register_sources(store, path_sources(urls))
    job = LoadJob(config, sources, True, None, "en", dict(os.environ), os.getcwd())
    stop = threading.Event()
    events = background.background_load(job, stop)
    started = next(events)
    assert isinstance(started, Started)
    family: set[int] = {started.pid}
    for event in events:  # the fast feeds are stored; the slow ones keep it waiting
        family |= _descendants(started.pid)
        if isinstance(event, Step) and event.kind == "feeds" and event.done == len(urls) - 2:
            break
    assert len(family) >= 2  # the child and (at least) its worker processes' fork server
    stop.set()
    assert list(events) == []
    assert not _alive(family)


async def test_the_reader_gets_progress_and_the_report_from_the_child(
    feed_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuinews import refresh

    def not_here(*args, **kwargs):
        raise AssertionError("the refresh ran in the reader's process")

    monkeypatch.setattr(refresh, "refresh_feeds", not_here)
    watched = _Watched(monkeypatch)
    urls = _feeds(feed_server, POOL_THRESHOLD + 1)
    app = _Recording(load_config(), urls)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: bool(app.loaded))
        await settle(pilot, app)
        assert app.query_one(HeadlineList).row_count == 3 * len(urls)
        assert ("feeds", len(urls), len(urls)) in app.progress
        assert app.loaded[0].report.added == 3 * len(urls)
        assert watched.pids and os.getpid() not in watched.pids
        assert app._progress is None


async def test_a_child_killed_mid_refresh_is_one_notification_and_nothing_is_lost(
    feed_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watched = _Watched(monkeypatch)
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.md").write_text(f"# Note {n}\n\nText {n}.\n")
    count = POOL_THRESHOLD + 2
    urls = _feeds(feed_server, count, slow=2)
    app = _Recording(load_config(), [folder, *urls])
    async with app.run_test(size=(120, 40)) as pilot:
        stored = ("feeds", count - 2, count)
        await _until(pilot, lambda: stored in app.progress)
        assert stored in app.progress and watched.pids
        os.kill(watched.pids[-1], signal.SIGKILL)
        await _until(pilot, lambda: app._progress is None)
        await settle(pilot, app)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1, [n.message for n in app._notifications]
        assert "stopped unexpectedly" in errors[0].message and "SIGKILL" in errors[0].message
        assert "Traceback" not in " ".join(n.message for n in app._notifications)
        # The notes and the feeds stored before the kill are all there.
        assert app.query_one(HeadlineList).row_count == 3 + 3 * (count - 2)

        # The next refresh starts a new child, and brings the rest.
        for n in range(count - 2, count):
            feed_server.add_feed(f"/{n}.xml", _rss(n))
        await pilot.press("r")
        await _until(pilot, lambda: bool(app.loaded))
        await settle(pilot, app)
        assert app.query_one(HeadlineList).row_count == 3 + 3 * count
        assert len(watched.pids) == 2


async def test_quitting_mid_refresh_leaves_no_process_behind(
    feed_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    watched = _Watched(monkeypatch)
    count = POOL_THRESHOLD + 2
    urls = _feeds(feed_server, count, slow=2)
    app = _Recording(load_config(), urls)
    family: set[int] = set()
    async with app.run_test(size=(120, 40)) as pilot:
        stored = ("feeds", count - 2, count)
        await _until(pilot, lambda: stored in app.progress)
        assert watched.pids
        family = {watched.pids[-1], *_descendants(watched.pids[-1])}
        assert len(family) >= 2  # the child and its workers' fork server (and workers)
        await pilot.press("q")
    assert not _alive(family)
    assert not app.loaded


async def test_the_sync_password_is_asked_for_once_per_session(freshrss, tmp_path: Path) -> None:
    from freshrss_server import rss

    account = freshrss.new_account()
    freshrss.feeds.add_feed(
        "/bg-first.xml", rss("First", [{"title": "One", "link": "https://e/1"}])
    )
    account.subscribe(freshrss.feeds.url("/bg-first.xml"))
    asked = tmp_path / "asked"
    script = tmp_path / "password.sh"
    script.write_text(f"echo asked >> '{asked}'\necho '{account.password}'\n")
    path = account.config(tmp_path / "cache")
    text = path.read_text().replace(f'password = "{account.password}"\n', "")
    path.write_text(text + f'password_command = "sh {script}"\n')
    app = _Recording(load_config(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: bool(app.loaded))
        await settle(pilot, app)
        assert app.query_one(HeadlineList).row_count == 1
        await pilot.press("r")
        await _until(pilot, lambda: len(app.loaded) == 2)
        await settle(pilot, app)
        assert not [n for n in app._notifications if n.severity != "information"]
    assert asked.read_text().splitlines() == ["asked"]
