"""`tuinews sync` killed with SIGKILL at random moments: the queue survives, no flag flips back,
and the next sync completes (issue 8)."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from freshrss_server import Account, FreshRSS, rss
from tuinews.config import load_config
from tuinews.store import HeadlineFilter, Store
from tuinews.store.sync_state import SyncState, account_key
from tuinews.sync.engine import sync_account
from tuinews.sync.greader import READ, READING_LIST

KILLS = 3
BIG = 1000
"""Items of the big feed: several pages (`engine.BATCH`), so a kill can land between two of them."""


def _items(prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"{prefix} {n}",
            "link": f"https://example.org/{prefix}/{n}",
            "body": f"<p>Paragraph {n} of {prefix}, long enough to be worth a little parsing.</p>",
        }
        for n in range(count)
    ]


def test_sync_killed_at_random_moments(freshrss: FreshRSS, tmp_path: Path) -> None:
    account: Account = freshrss.new_account()
    freshrss.feeds.add_feed("/kill-small.xml", rss("Small", _items("small", 10)))
    account.subscribe(freshrss.feeds.url("/kill-small.xml"))
    config_path = account.config(tmp_path / "cache")
    config = load_config(config_path)
    key = account_key(config.sync.url, config.sync.user)
    with Store(config.cache.path) as store:
        sync_account(store, config.sync, config.sync.password, config.network)
        mine = [h.id for h in store.headlines(HeadlineFilter())][:5]
        store.set_read(mine)
        assert SyncState(store, key).pending_count() == 5
    # Something big to download, so that kills land in the middle of it.
    freshrss.feeds.add_feed("/kill-big.xml", rss("Big", _items("big", BIG)))
    account.subscribe(freshrss.feeds.url("/kill-big.xml"))

    base = tmp_path / "base.db"
    _snapshot(config.cache.path, base)
    rng = random.Random(7)
    command = [sys.executable, "-m", "tuinews", "--config", str(config_path), "sync", "-q"]
    partial = 0
    for round_ in range(KILLS + 3):
        # Every round starts from the same cache: five changes queued, BIG articles to come.
        _restore(base, config.cache.path)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if round_ < KILLS:  # at a random moment: starting, logging in, sending, listing...
            time.sleep(rng.uniform(0.2, 1.2))
        else:  # once articles are coming in
            _wait_for_articles(config.cache.path, more_than=10, process=process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        with Store(config.cache.path) as store:
            stored = store.count(HeadlineFilter())
            rows = {h.id: h for h in store.headlines(HeadlineFilter())}
            assert all(rows[i].read for i in mine)  # never flipped back
            waiting = SyncState(store, key).pending_count()
        # Either still queued, or the server has them all.
        assert waiting in (0, 5)
        if waiting == 0:
            unread = account.ids(READING_LIST, exclude=READ)
            assert not unread & _server_ids(config_path, mine)
        partial += 10 < stored < BIG + 10
        if round_ >= KILLS and partial:
            break

    assert partial  # at least one kill landed in the middle of the downloads
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with Store(config.cache.path) as store:
        assert store.count(HeadlineFilter()) == BIG + 10
        assert SyncState(store, key).pending_count() == 0
        assert store.count(HeadlineFilter(unread=True)) == BIG + 5
    assert len(account.ids(READING_LIST, exclude=READ)) == BIG + 5


def _snapshot(cache: Path, copy: Path) -> None:
    """Copy the cache with SQLite's backup: a copy of the file alone would miss what its
    write-ahead log still holds (a worker process of the first sync may keep the log open)."""
    with (
        contextlib.closing(sqlite3.connect(cache)) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)


def _restore(copy: Path, cache: Path) -> None:
    """Put the copy in place as a new file: a worker process of the killed sync that has not
    ended yet keeps writing to the old one, not to this one."""
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    staged = cache.with_name(cache.name + ".restore")
    shutil.copy(copy, staged)
    os.replace(staged, cache)


def _wait_for_articles(path: Path, *, more_than: int, process: subprocess.Popen) -> None:
    """Poll the cache (read only) until it holds more than `more_than` articles."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(sqlite3.Error):
            uri = f"file:{path}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
                if db.execute("SELECT count(*) FROM articles").fetchone()[0] > more_than:
                    return
        time.sleep(0.01)


def _server_ids(config_path: Path, article_ids: list[int]) -> set[int]:
    config = load_config(config_path)
    with Store(config.cache.path) as store:
        state = SyncState(store, account_key(config.sync.url, config.sync.user))
        return set(state.item_ids(article_ids).values())
