"""Two at once: two `tuinews fetch` on one cache, and the reader marking while a fetch writes.

No "database is locked" reaches the user (WAL, a busy timeout, then retries with backoff), nothing
is written twice, and the read and starred flags the reader sets survive the concurrent fetch.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from crashkit import CrashRig
from tuinews.config import load_config
from tuinews.store import HeadlineFilter, Store, StoreError
from tuinews.store import db as store_db
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList


def test_two_fetches_at_once_into_a_new_cache_write_everything_once(tmp_path: Path) -> None:
    with CrashRig(tmp_path, feeds=24, items=20, feeds_per_server=4, delay=0.02) as rig:
        for revision in (0, 1):  # a new cache (both create it), then both updating every feed
            rig.publish(revision)
            first = rig.spawn_fetch(quiet=False, log="first.log")
            second = rig.spawn_fetch(quiet=False, log="second.log")
            assert rig.ended_well(first, "first.log") == []
            assert rig.ended_well(second, "second.log") == []
            assert rig.check_current() == []
            assert rig.check_integrity() == []
        with rig.connect() as conn:
            assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 24


async def test_reader_marks_while_a_fetch_writes_and_the_flags_survive(tmp_path: Path) -> None:
    with CrashRig(tmp_path, feeds=24, items=20, feeds_per_server=4, delay=0.05) as rig:
        assert rig.fetch_to_end() == []
        # Most feeds answer at once, a few after a while: the reader marks before, during and
        # after the fetch's writes, until it ends.
        rig.slow = {5: 1.5, 11: 1.5, 17: 1.5, 23: 1.5}
        rig.publish(1)
        app = TuinewsApp(load_config(rig.config), [])
        expected: dict[int, tuple[bool, bool]] = {}
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            headlines = app.query_one(HeadlineList)
            assert headlines.row_count == 24 * 20
            fetch = rig.spawn_fetch(quiet=False)
            row = 0
            # Mark while the fetch runs (and at least 30 times, however fast it is).
            while fetch.poll() is None or row < 30:
                headlines.cursor = row * 7 % headlines.row_count
                await pilot.press("m" if row % 3 else "s")
                await settle(pilot, app, rounds=1)
                current = headlines.current_headline
                expected[current.id] = (current.read, current.starred)
                row += 1
            assert rig.ended_well(fetch) == []
            await settle(pilot, app)
            errors = [n for n in app._notifications if n.severity == "error"]
            assert errors == []
        assert rig.check_current() == []
        with Store(rig.cache) as store:
            for article_id, (read, starred) in expected.items():
                article = store.article(article_id)
                assert article is not None
                assert (article.read, article.starred) == (read, starred), article.title
            assert sum(starred for _read, starred in expected.values()) > 0
            assert store.count(HeadlineFilter(starred=True)) > 0


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    for _round in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def hold_write_lock(path: Path, release: threading.Event, held: threading.Event) -> None:
    """Another process's long write, as SQLite sees it: a connection holding the write lock."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    release.wait(30)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_write_retries_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.db"
    Store(path).close()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT", 0.05)
    release, held = threading.Event(), threading.Event()
    pauses: list[int] = []

    def pause(attempt: int) -> None:
        pauses.append(attempt)
        if attempt == 1:  # the lock goes away after the second timeout
            release.set()
            holder.join()

    monkeypatch.setattr(store_db, "_pause", pause)
    holder = threading.Thread(target=hold_write_lock, args=(path, release, held))
    holder.start()
    held.wait(10)
    with Store(path) as store:
        store.set_setting("reader.language", "uk")
    assert pauses == [0, 1]
    with Store(path) as store:
        assert store.get_setting("reader.language") == "uk"


def test_a_lock_held_too_long_is_one_line_naming_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.db"
    Store(path).close()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(store_db, "_pause", lambda attempt: None)
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(path, release, held))
    holder.start()
    held.wait(10)
    try:
        with Store(path) as store, pytest.raises(StoreError) as caught:
            store.set_setting("reader.language", "uk")
    finally:
        release.set()
        holder.join()
    message = str(caught.value)
    assert message.startswith(f"{path}: the cache is busy")
    assert "\n" not in message
    with Store(path) as store:  # nothing half-written, and usable again
        assert store.get_setting("reader.language") is None
