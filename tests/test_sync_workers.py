"""A first sync that parses in worker processes (several answers per worker job, each worker
learning the feeds' languages) stores exactly what one that parses in its own process stores.
Against a small fake Google Reader server with three feeds in three languages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_greader import FakeGReader, wanted_items
from tuinews.config import NetworkConfig, parse_config
from tuinews.store import HeadlineFilter, Store
from tuinews.sync import engine
from tuinews.sync.greader import ITEM_PREFIX

READ_STATE = "user/-/state/com.google/read"
STARRED_STATE = "user/-/state/com.google/starred"
SENTENCES = {
    "en": "The council approved the new tram line {n} after a long debate about its cost and route.",
    "fr": "Le conseil a approuvé la nouvelle ligne de tramway {n} après un long débat sur son coût.",
    "uk": "Рада схвалила нову лінію трамваю {n} після довгих дебатів про її вартість і маршрут.",
}
FEEDS = {"feed/1": "en", "feed/2": "fr", "feed/3": "uk"}
PER_FEED = 24


def _item(number: int, stream: str) -> dict:
    text = SENTENCES[FEEDS[stream]].format(n=number)
    categories = ["user/-/state/com.google/reading-list"]
    if number % 3 == 0:
        categories.append(READ_STATE)
    if number % 7 == 0:
        categories.append(STARRED_STATE)
    return {
        "id": f"{ITEM_PREFIX}{number:016x}",
        "title": text[:30],
        "summary": {"content": f"<p>{text}</p><p>{text}</p>"},
        "alternate": [{"href": f"https://example.org/{stream}/{number}"}],
        "origin": {"streamId": stream, "title": stream, "htmlUrl": "https://example.org/"},
        "categories": categories,
        "published": 1_790_000_000 + number,
    }


# Interleaved, as a reading list mixes feeds.
ITEMS = {
    n: _item(n, stream)
    for n, stream in enumerate((s for _ in range(PER_FEED) for s in FEEDS), start=1)
}


class _Server(FakeGReader):
    def answer(self, path: str, query: dict[str, list[str]], body: bytes) -> str:
        if path == "accounts/ClientLogin":
            return "SID=x\nAuth=me/token\n"
        if path == "reader/api/0/subscription/list":
            return json.dumps({"subscriptions": [{"id": s, "title": s} for s in FEEDS]})
        if path == "reader/api/0/unread-count":
            return json.dumps({"unreadcounts": []})
        if path == "reader/api/0/stream/items/ids":
            starred = query["s"][0].endswith("/starred")
            numbers = [n for n in ITEMS if not starred or n % 7 == 0]
            return json.dumps({"itemRefs": [{"id": str(n)} for n in reversed(numbers)]})
        if path == "reader/api/0/stream/items/contents":
            return json.dumps({"items": [ITEMS[n] for n in wanted_items(body)]})
        return "{}"


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    fake = _Server()
    yield fake
    fake.close()


def _sync(folder: Path, url: str) -> tuple[engine.SyncReport, list[tuple]]:
    folder.mkdir()
    config = parse_config(
        {"sync": {"service": "greader", "url": url, "user": "me", "password": "pw"}},
        folder / "config.toml",
    )
    with Store(folder / "cache.db") as store:
        report = engine.sync_account(store, config.sync, "pw", NetworkConfig(timeout=10.0))
        articles = []
        for headline in store.headlines(HeadlineFilter()):
            article = store.article(headline.id)
            assert article is not None
            articles.append(
                (
                    article.guid,
                    article.title,
                    article.language,
                    article.lang_origin,
                    article.link,
                    [(b.kind, b.text) for b in article.blocks],
                    headline.read,
                    headline.starred,
                )
            )
    return report, sorted(articles)


def test_workers_store_what_the_sync_process_stores(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "POOL_THRESHOLD", 10**9)
    here, stored_here = _sync(tmp_path / "here", server.url)

    # Small answers, several waiting for each worker job.
    monkeypatch.setattr(engine, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "BATCH", 5)
    monkeypatch.setattr(engine, "IN_FLIGHT", 6)
    monkeypatch.setattr(engine, "JOB_ANSWERS", 3)
    pooled, stored_pooled = _sync(tmp_path / "pooled", server.url)

    assert len(stored_here) == len(ITEMS) == pooled.added == here.added
    assert stored_pooled == stored_here
    languages = {guid.rsplit("/", 1)[-1]: language for guid, _t, language, *_ in stored_here}
    assert languages == {
        f"{n:016x}": FEEDS[item["origin"]["streamId"]] for n, item in ITEMS.items()
    }
    assert sum(row[-2] for row in stored_pooled) == len([n for n in ITEMS if n % 3 == 0])
    assert sum(row[-1] for row in stored_pooled) == len([n for n in ITEMS if n % 7 == 0])
