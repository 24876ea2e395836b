"""How a sync asks for items: a small first request, then up to `engine.BATCH` at once, and
halves when a server refuses that many (HTTP 400/413/414) or its answer grows too large. Against
a small fake Google Reader server that takes at most `cap` ids per request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_greader import Answer, FakeGReader, tram_item, wanted_items
from tuinews.config import NetworkConfig, parse_config
from tuinews.store import HeadlineFilter, Store
from tuinews.sync import engine
from tuinews.sync.engine import batch_sizes, sync_account
from tuinews.sync.greader import ServerError

COUNT = 130


class _Server(FakeGReader):
    """One feed of `COUNT` items; items/contents refuses more than `cap` ids with `status`.
    `asked` logs how many ids each items/contents request named, and whether it was refused."""

    def __init__(self, cap: int, status: int = 400, gone: frozenset[int] = frozenset()) -> None:
        """`status` 200: more than `cap` ids get the first `cap` items, without a word. Items in
        `gone` are listed but never sent (deleted on the server since)."""
        self.cap = cap
        self.status = status
        self.gone = gone
        self.asked: list[tuple[int, bool]] = []
        self.sent: list[int] = []
        self.huge: dict | None = None
        """Sent in place of item 77."""
        super().__init__()

    def answer(self, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        if path == "accounts/ClientLogin":
            return "SID=x\nAuth=me/token\n"
        if path == "reader/api/0/subscription/list":
            return json.dumps({"subscriptions": [{"id": "feed/1", "title": "Courier"}]})
        if path == "reader/api/0/stream/items/ids":
            return json.dumps({"itemRefs": [{"id": str(n)} for n in range(1, COUNT + 1)]})
        if path == "reader/api/0/stream/items/contents":
            wanted = wanted_items(body)
            refused = len(wanted) > self.cap and self.status != 200
            self.asked.append((len(wanted), refused))
            if refused:
                return self.status, "Too many items"
            sent = [n for n in wanted[: self.cap] if n not in self.gone]
            self.sent.append(len(sent))
            items = [self.huge if self.huge and n == 77 else tram_item(n) for n in sent]
            return json.dumps({"items": items})
        return "{}"


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "FIRST_BATCH", 10)
    monkeypatch.setattr(engine, "BATCH", 40)
    monkeypatch.setattr(engine, "MIN_BATCH", 4)
    monkeypatch.setattr(engine, "POOL_THRESHOLD", 10**9)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[_Server]:
    fake = _Server(*request.param)
    yield fake
    fake.close()


def _sync(tmp_path: Path, url: str, max_bytes: int = 1 << 20) -> tuple[engine.SyncReport, int]:
    config = parse_config(
        {"sync": {"service": "greader", "url": url, "user": "me", "password": "pw"}},
        tmp_path / "config.toml",
    )
    with Store(tmp_path / "cache.db") as store:
        report = sync_account(
            store, config.sync, "pw", NetworkConfig(timeout=5.0, max_bytes=max_bytes)
        )
        return report, store.count(HeadlineFilter())


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(1000,)], indirect=True)
def test_a_small_first_request_then_full_ones(server: _Server, tmp_path: Path) -> None:
    report, stored = _sync(tmp_path, server.url)
    assert report.added == stored == COUNT
    sizes = [size for size, _refused in server.asked]
    assert sorted(sizes) == sorted(batch_sizes(COUNT)) == sorted([10, 40, 40, 20, 20])


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(15, 400), (15, 413), (15, 414)], indirect=True)
def test_a_server_that_refuses_as_many_items_is_asked_for_halves(
    server: _Server, tmp_path: Path
) -> None:
    report, stored = _sync(tmp_path, server.url)
    assert report.added == stored == COUNT
    refused = [size for size, refused in server.asked if refused]
    assert refused  # 40 and 20 were too many
    # Each refusal halves the requests that follow: at worst the four sent before the first
    # refusal came back (40, 40, 20, 20) and the first half of each 40 are refused.
    assert len(refused) <= 6
    taken = [size for size, refused in server.asked if not refused]
    assert sum(taken) == COUNT and max(taken) <= 15


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(15, 200, frozenset({7, 77}))], indirect=True)
def test_items_a_server_left_out_are_asked_for_once_more(server: _Server, tmp_path: Path) -> None:
    """A server that sends at most 15 items whatever it is asked for, and two that are gone: the
    rest come in a second round of requests of 15; the gone ones are asked for once more only."""
    report, stored = _sync(tmp_path, server.url)
    assert report.added == stored == COUNT - 2
    first_round = sum(1 for _ in batch_sizes(COUNT))
    again = [size for size, _refused in server.asked[first_round:]]
    assert again and max(again) <= 15
    assert sum(again) == COUNT - sum(server.sent[:first_round])  # just what had not come

    server.asked.clear()
    report, stored = _sync(tmp_path, server.url)  # still listed: asked for once a sync, no more
    assert stored == COUNT - 2 and sum(size for size, _ in server.asked) <= 2


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(2, 400)], indirect=True)
def test_a_refusal_of_even_the_smallest_request_stands(server: _Server, tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="HTTP 400") as raised:
        _sync(tmp_path, server.url)
    assert "\n" not in str(raised.value)
    assert min(size for size, _refused in server.asked) >= engine.MIN_BATCH
    with Store(tmp_path / "cache.db") as store:
        assert store.count(HeadlineFilter()) < COUNT  # nothing stored twice, the rest next time


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(1000,)], indirect=True)
def test_an_answer_too_large_is_asked_for_in_halves(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = len(json.dumps({"items": [tram_item(100)] * 12}))  # for about 12 items
    monkeypatch.setattr(engine, "MIN_ANSWER_BYTES", room)
    report, stored = _sync(tmp_path, server.url, max_bytes=room)
    assert report.added == stored == COUNT
    sizes = [size for size, _refused in server.asked]
    assert 40 in sizes and max(sizes[-3:]) <= 10  # the larger answers were cut off, then halved


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("server", [(1000,)], indirect=True)
def test_an_item_too_large_alone_is_left_out_and_not_asked_for_again(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One item larger than any answer the client takes no longer fails every sync: its
    answers are halved down to it, it is left out with a note, and no later sync asks for it."""
    room = len(json.dumps({"items": [tram_item(100)] * 12}))
    monkeypatch.setattr(engine, "MIN_ANSWER_BYTES", room)
    huge = tram_item(77)
    huge["summary"] = {"content": "<p>" + "A long story. " * room + "</p>"}
    server.huge = huge
    report, stored = _sync(tmp_path, server.url, max_bytes=room)
    assert report.added == stored == COUNT - 1
    assert any("1 item larger than" in note and "left out" in note for note in report.notes)
    assert (1, False) in server.asked  # it was asked for alone, once

    server.asked.clear()
    report, stored = _sync(tmp_path, server.url, max_bytes=room)
    assert stored == COUNT - 1 and not server.asked and not report.notes


@given(st.integers(min_value=0, max_value=200_000))
def test_batch_sizes_cover_every_item_in_requests_the_server_takes(count: int) -> None:
    sizes = batch_sizes(count)
    assert sum(sizes) == count
    assert all(0 < size <= engine.BATCH for size in sizes)
    if count >= 2 * engine.FIRST_BATCH:
        assert sizes[0] == engine.FIRST_BATCH
        assert abs(sizes[-1] - sizes[-2]) <= 1  # the last two end together
        assert len(sizes) <= 2 + -(-count // engine.BATCH)
