"""A server whose item ids are wider than 64 bits, as The Old Reader's 96-bit ObjectIds are: bare
hex digits in its id lists, the long form in contents and edit-tag. Sync brings its items down
once, sends read and starred changes back with the ids as the server wrote them, and takes the
server's changes. Against a small stateful fake server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from fake_greader import FakeGReader
from tuinews.config import NetworkConfig, parse_config
from tuinews.store import HeadlineFilter, Store
from tuinews.sync.engine import sync_account
from tuinews.sync.greader import ITEM_PREFIX

READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
FEED = "feed/5c1b2e0f9a1b2c3d4e5f6071"
IDS = ["5c1b2e0f9a1b2c3d4e5f6072", "001570171920950165237910", "5C1B2E0F9A1B2C3D4E5F6074"]
"""The second one's hex digits are all decimal; the third is written in capitals."""


class _OldReader(FakeGReader):
    def __init__(self) -> None:
        self.read: set[str] = set()
        self.starred: set[str] = {IDS[1]}
        self.edits: list[tuple[str, list[str]]] = []
        self.downloaded: list[str] = []
        super().__init__()

    def _item(self, number: int, hex_id: str) -> dict:
        categories = ["user/-/state/com.google/reading-list"]
        categories += [READ] if hex_id in self.read else []
        categories += [STARRED] if hex_id in self.starred else []
        return {
            "id": ITEM_PREFIX + hex_id,
            "title": f"Story {number} about the harbour",
            "summary": {"content": f"<p>The harbour opens a new pier, part {number}.</p>"},
            "alternate": [{"href": f"https://example.org/{number}"}],
            "origin": {
                "streamId": FEED,
                "title": "Harbour News",
                "htmlUrl": "https://example.org/",
            },
            "categories": categories,
            "published": 1_790_000_000 + number,
        }

    def answer(self, path: str, query: dict[str, list[str]], body: bytes) -> str:
        form = parse_qs(body.decode())
        if path == "accounts/ClientLogin":
            return "SID=none\nLSID=none\nAuth=LyTEJPvTJiSPrCxLu46d\n"
        if path == "reader/api/0/token":
            return "LyTEJPvTJiSPrCxLu46d"
        if path == "reader/api/0/subscription/list":
            return json.dumps({"subscriptions": [{"id": FEED, "title": "Harbour News"}]})
        if path == "reader/api/0/unread-count":
            return json.dumps({"unreadcounts": []})
        if path == "reader/api/0/stream/items/ids":
            stream = query["s"][0]
            if stream == STARRED:
                refs = [i for i in IDS if i in self.starred]
            elif query.get("xt") == [READ]:
                refs = [i for i in IDS if i not in self.read]
            else:
                refs = list(IDS)
            return json.dumps({"itemRefs": [{"id": i} for i in refs]})
        if path == "reader/api/0/stream/items/contents":
            wanted = [value.removeprefix(ITEM_PREFIX) for value in form["i"]]
            self.downloaded += wanted
            by_id = {i.lower(): (n, i) for n, i in enumerate(IDS)}
            return json.dumps({"items": [self._item(*by_id[w.lower()]) for w in wanted]})
        if path == "reader/api/0/edit-tag":
            ids = [value.removeprefix(ITEM_PREFIX) for value in form["i"]]
            for state, add in ((form.get("a"), True), (form.get("r"), False)):
                if state:
                    target = self.read if state[0] == READ else self.starred
                    for i in ids:
                        original = next(o for o in IDS if o.lower() == i)
                        (target.add if add else target.discard)(original)
                    self.edits.append((("+" if add else "-") + state[0].rsplit("/", 1)[-1], ids))
            return "OK"
        return "{}"


@pytest.fixture
def server() -> Iterator[_OldReader]:
    fake = _OldReader()
    yield fake
    fake.close()


def _sync(tmp_path: Path, url: str, change=None):
    config = parse_config(
        {"sync": {"service": "greader", "url": url, "user": "me", "password": "pw"}},
        tmp_path / "config.toml",
    )
    with Store(tmp_path / "cache.db") as store:
        if change is not None:
            change(store, {h.title: h.id for h in store.headlines(HeadlineFilter())})
        report = sync_account(store, config.sync, "pw", NetworkConfig(timeout=5.0))
        flags = {h.title: (h.read, h.starred) for h in store.headlines(HeadlineFilter()) if h.title}
    return report, flags


def test_a_server_with_96_bit_ids_syncs_both_ways(server: _OldReader, tmp_path: Path) -> None:
    report, flags = _sync(tmp_path, server.url)
    assert report.added == 3
    assert flags == {
        "Story 0 about the harbour": (False, False),
        "Story 1 about the harbour": (False, True),
        "Story 2 about the harbour": (False, False),
    }

    def read_and_star(store: Store, ids: dict[str, int]) -> None:
        store.set_read([ids["Story 0 about the harbour"]])
        store.set_starred([ids["Story 2 about the harbour"]])

    report, _flags = _sync(tmp_path, server.url, read_and_star)
    assert report.pushed == 2 and report.added == 0
    # The ids went back in the long form, with the server's own digits.
    assert server.edits == [("+read", [IDS[0]]), ("+starred", [IDS[2].lower()])]
    assert server.read == {IDS[0]} and server.starred == {IDS[1], IDS[2]}

    server.read.add(IDS[1])  # read on another device
    report, flags = _sync(tmp_path, server.url)
    assert report.read_changed == 1
    assert flags["Story 1 about the harbour"] == (True, True)
    assert sorted(server.downloaded) == sorted(i.lower() for i in IDS)  # each came down once
