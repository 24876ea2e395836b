"""A first sync into an empty cache takes read and starred state from the items it downloads (their
categories), without the list of unread ids; later syncs ask for that list. Against a small fake
Google Reader server that logs the calls (the real FreshRSS tests are in test_sync.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_greader import FakeGReader, tram_item, wanted_items
from tuinews.config import NetworkConfig, parse_config
from tuinews.store import HeadlineFilter, Store
from tuinews.sync.engine import sync_account
from tuinews.sync.greader import parse_item

READ_STATE = "user/1005921515/state/com.google/read"  # Inoreader names the user
STARRED_STATE = "user/-/state/com.google/starred"


ITEMS = {1: tram_item(1, [READ_STATE]), 2: tram_item(2, [STARRED_STATE]), 3: tram_item(3)}


class _Server(FakeGReader):
    """The calls a sync makes, answered for one feed with three items; `calls` logs them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, list[str]]]] = []
        super().__init__()

    def answer(self, path: str, query: dict[str, list[str]], body: bytes) -> str:
        self.calls.append((path, query))
        if path == "accounts/ClientLogin":
            return "SID=x\nAuth=me/token\n"
        if path == "reader/api/0/subscription/list":
            return json.dumps({"subscriptions": [{"id": "feed/1", "title": "Courier"}]})
        if path == "reader/api/0/unread-count":
            return json.dumps({"unreadcounts": [{"id": "feed/1", "count": 2}]})
        if path == "reader/api/0/stream/items/ids":
            stream = query["s"][0]
            if stream.endswith("/starred"):
                numbers = [2]
            elif query.get("xt"):
                numbers = [2, 3]
            else:
                numbers = [1, 2, 3]
            return json.dumps({"itemRefs": [{"id": str(n)} for n in numbers]})
        if path == "reader/api/0/stream/items/contents":
            return json.dumps({"items": [ITEMS[n] for n in wanted_items(body)]})
        return "{}"


@pytest.fixture
def server() -> Iterator[_Server]:
    fake = _Server()
    yield fake
    fake.close()


def _sync(tmp_path: Path, url: str):
    config = parse_config(
        {"sync": {"service": "greader", "url": url, "user": "me", "password": "pw"}},
        tmp_path / "config.toml",
    )
    with Store(tmp_path / "cache.db") as store:
        report = sync_account(store, config.sync, "pw", NetworkConfig(timeout=5.0))
        flags = {h.title: (h.read, h.starred) for h in store.headlines(HeadlineFilter()) if h.title}
    return report, flags


def _unread_lists(calls: list[tuple[str, dict[str, list[str]]]]) -> int:
    return sum(1 for path, query in calls if path.endswith("items/ids") and query.get("xt"))


def test_state_categories_may_name_the_user() -> None:
    read = parse_item(ITEMS[1], "server")
    starred = parse_item(ITEMS[2], "server")
    assert read.read and not read.starred
    assert starred.starred and not starred.read
    assert not parse_item(ITEMS[3], "server").read


def test_a_first_sync_takes_read_state_from_the_items(server: _Server, tmp_path: Path) -> None:
    report, flags = _sync(tmp_path, server.url)
    assert report.added == 3
    assert _unread_lists(server.calls) == 0  # the items said which are read
    assert flags == {
        "Story 1 about the new tram line": (True, False),
        "Story 2 about the new tram line": (False, True),
        "Story 3 about the new tram line": (False, False),
    }

    server.calls.clear()
    report, flags = _sync(tmp_path, server.url)
    assert report.added == 0 and report.read_changed == 0
    assert _unread_lists(server.calls) == 1  # now it is the only way to learn of changes
    assert not any(path.endswith("items/contents") for path, _query in server.calls)
    assert flags["Story 1 about the new tram line"] == (True, False)


def test_changes_made_during_a_first_sync_win_over_the_items_state(
    server: _Server, tmp_path: Path
) -> None:
    config = parse_config(
        {"sync": {"service": "greader", "url": server.url, "user": "me", "password": "pw"}},
        tmp_path / "config.toml",
    )

    def meanwhile(done: int, total: int) -> None:
        if done != total or not total:
            return
        # Every item is stored, flags off: the reader changes its mind about each of them.
        with Store(tmp_path / "cache.db") as store:
            ids = {h.title: h.id for h in store.headlines(HeadlineFilter())}
            one = [ids["Story 1 about the new tram line"]]  # read on the server
            two = [ids["Story 2 about the new tram line"]]  # starred on the server
            store.set_read(one)
            store.set_read(one, False)
            store.set_starred(two)
            store.set_starred(two, False)
            store.set_read([ids["Story 3 about the new tram line"]])

    with Store(tmp_path / "cache.db") as store:
        report = sync_account(
            store, config.sync, "pw", NetworkConfig(timeout=5.0), progress=meanwhile
        )
        flags = {h.title: (h.read, h.starred) for h in store.headlines(HeadlineFilter())}
    assert report.added == 3
    assert flags == {
        "Story 1 about the new tram line": (False, False),
        "Story 2 about the new tram line": (False, False),
        "Story 3 about the new tram line": (True, False),
    }
    assert (report.read_changed, report.starred_changed) == (0, 0)
