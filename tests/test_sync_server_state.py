"""Applying the server's read and starred state to every synced article, against the rule written
out item by item: read unless unread on the server, starred when starred there; an article with a
change of that flag still queued keeps its own; any signed 64-bit item id."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.store import Store
from tuinews.store.sync_state import READ, STARRED, SyncState

COUNT = 12
ITEMS = [1000 + n for n in range(COUNT)] + [-(2**63), 2**63 - 1]  # any signed 64-bit id


@settings(max_examples=40, deadline=None)
@given(
    read=st.sets(st.integers(0, len(ITEMS) - 1)),
    starred=st.sets(st.integers(0, len(ITEMS) - 1)),
    kept=st.sets(st.integers(0, 2 * len(ITEMS))),
    unread=st.sets(st.sampled_from([*ITEMS, 5, 6])),
    server_starred=st.sets(st.sampled_from([*ITEMS, 7])),
)
def test_server_state_is_applied_as_item_by_item(
    read: set[int], starred: set[int], kept: set[int], unread: set[int], server_starred: set[int]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "cache.db")
        with store:
            source = store.upsert_source(Source(SourceKind.SERVER, "feed/1", "Server feed"))
            articles = [Article(f"tag:{n}", f"Title {n}", [paragraph("Text")]) for n in ITEMS]
            store.upsert_articles(source, [(article, None) for article in articles])
            state = SyncState(store, "https://rss.example.net#me")
            state.remember_items([(item, a.uid) for item, a in zip(ITEMS, articles, strict=True)])
            ids = [a.id or 0 for a in articles]
            store.set_read([ids[n] for n in read])
            store.set_starred([ids[n] for n in starred])
            pending = state.pending()  # some changes stay queued, the others were sent
            state.done([c.seq for index, c in enumerate(pending) if index not in kept])
            waiting = {(c.action, c.item) for c in state.pending()}

            before = {item: store.article(i) for item, i in zip(ITEMS, ids, strict=True)}
            expected_read = {}
            expected_starred = {}
            changed = [0, 0]
            for item, article in before.items():
                assert article is not None
                on_server = item not in unread
                keep = article.read == on_server or (READ, item) in waiting
                expected_read[item] = article.read if keep else on_server
                changed[0] += not keep
                on_server = item in server_starred
                keep = article.starred == on_server or (STARRED, item) in waiting
                expected_starred[item] = article.starred if keep else on_server
                changed[1] += not keep

            assert state.apply_server_state(unread, server_starred) == tuple(changed)
            after = {item: store.article(i) for item, i in zip(ITEMS, ids, strict=True)}
            assert {item: a.read for item, a in after.items() if a} == expected_read
            assert {item: a.starred for item, a in after.items() if a} == expected_starred
            assert state.pending() == [c for c in state.pending() if (c.action, c.item) in waiting]
