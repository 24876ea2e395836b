"""How a refresh gets its workers going: `tuinews fetch` starts their fork server before the
downloads when the feeds will answer with content (a first fetch: before importing the command
line; not for a refresh of 304s), as `tuinews sync` does into a new cache; and the refresh hands
the workers batches that end evenly."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest

from fake_greader import FakeGReader, sync_config
from feedserver import FeedServer
from tuinews.entry import _command
from tuinews.model import Source, SourceKind
from tuinews.refresh import MAX_BATCH_BYTES, FeedJob, take_batch

RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
    "<language>en</language><item><title>Item {n}</title><guid>item-{n}</guid>"
    "<description>The council approved the new tram line.</description></item></channel></rss>"
)

# The script reports whether the fork server ran by the time the command line, then the network
# code, were first imported.
PROBE = """
import builtins, sys
from multiprocessing import forkserver
sys.argv = ["tuinews", *sys.argv[1:]]
seen = {}
real_import = builtins.__import__
def watching(name, *args, **kwargs):
    if name in ("tuinews.cli", "tuinews.sources.fetch") and name not in seen:
        seen[name] = forkserver._forkserver._forkserver_pid is not None
        if len(seen) == 2:
            print("fork server before cli:", seen["tuinews.cli"], "before downloads:", seen[name])
            sys.stdout.flush()
    return real_import(name, *args, **kwargs)
builtins.__import__ = watching
from tuinews.entry import main
main()
"""


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["fetch"], "fetch"),
        (["--config", "fetch", "fetch", "-q"], "fetch"),
        (["-q", "sync"], "sync"),
        (["--config", "c.toml"], None),
        (["--", "fetch"], None),
        ([], None),
    ],
)
def test_the_command_of_a_command_line(argv: list[str], command: str | None) -> None:
    assert _command(argv) == command


def _probe(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_first_fetch_starts_the_fork_server_before_the_downloads(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    lines = [f'[cache]\npath = "{tmp_path / "cache.db"}"\n']
    for n in range(5):
        feed_server.add_feed(f"/{n}.xml", RSS.format(n=n).encode())
        lines.append(f'[[sources]]\nurl = "{feed_server.url(f"/{n}.xml")}"\n')
    config = tmp_path / "config.toml"
    config.write_text("".join(lines), encoding="utf-8")
    first = _probe("--config", str(config), "fetch", "-q")
    assert "fork server before cli: True before downloads: True" in first
    # Every feed now has validators and answers 304: no parsing to prepare for.
    again = _probe("--config", str(config), "fetch", "-q")
    assert "fork server before cli: False before downloads: False" in again
    listed = subprocess.run(
        [sys.executable, "-m", "tuinews", "--config", str(config), "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert all(f"Item {n}" in listed.stdout for n in range(5))


class _EmptyAccount(FakeGReader):
    def answer(self, path: str, query: dict, body: bytes) -> str:
        if path == "accounts/ClientLogin":
            return "Auth=token\n"
        if path.endswith("subscription/list"):
            return '{"subscriptions": []}'
        if path.endswith("unread-count"):
            return '{"max": 0, "unreadcounts": []}'
        return '{"itemRefs": []}'


def test_a_first_sync_into_a_new_cache_starts_the_fork_server_first(tmp_path: Path) -> None:
    server = _EmptyAccount()
    config = sync_config(tmp_path, server.url)
    try:
        first = _probe("--config", str(config), "sync", "-q")
        assert "fork server before cli: True" in first
        # The cache exists now: the sync decides once it is open (not a first sync: none).
        again = _probe("--config", str(config), "sync", "-q")
        assert "fork server before cli: False before downloads: False" in again
    finally:
        server.close()


def _waiting(*sizes: int, retry: bool = True) -> deque:
    source = Source(SourceKind.URL, "http://127.0.0.1/feed.xml", "feed")
    return deque(
        (FeedJob(b"x" * size, source.location, {}, source, None, None), None, retry)
        for size in sizes
    )


def test_batches_fill_up_to_their_limit_while_downloads_go_on() -> None:
    quarter = MAX_BATCH_BYTES // 4
    waiting = _waiting(*[quarter] * 10)
    assert len(take_batch(waiting)) == 4
    assert len(take_batch(waiting)) == 4
    assert len(take_batch(waiting)) == 2
    assert not waiting


def test_the_last_batches_shrink_so_the_workers_end_together() -> None:
    quarter = MAX_BATCH_BYTES // 4
    waiting = _waiting(*[quarter] * 10)
    sizes = []
    while waiting:
        sizes.append(len(take_batch(waiting, finishing=True)))
    assert sum(sizes) == 10
    assert sizes[0] < 4  # a third of ten feeds, not a full batch
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-2:] == [1, 1]


def test_a_batch_holds_one_feed_at_least() -> None:
    waiting = _waiting(MAX_BATCH_BYTES * 3, 10)
    assert len(take_batch(waiting, finishing=True)) == 1
    assert len(take_batch(waiting, finishing=True)) == 1


def test_a_feed_that_crashed_a_worker_goes_alone() -> None:
    waiting = _waiting(10, 10, 10, retry=False)
    assert len(take_batch(waiting)) == 1
