"""Cheaper article writes store the same: search indexes filled by the store (schema 11), one
index segment per batch (`batch(index_at_end=True)`), the bulk-writer connection, the page size."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuinews.model import Alternate, Article, Source, SourceKind, paragraph
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store
from tuinews.store import db as store_db
from tuinews.store.db import _statements
from tuinews.store.schema import MIGRATIONS, SCHEMA_VERSION, UNSPACED_GLOB

WORDS = ["tram", "图书馆", "library", "Straßenbahn", "бібліотека", "รถราง"]


def _articles(count: int, prefix: str, start: int = 0) -> list[tuple[Article, None]]:
    return [
        (
            Article(
                guid=f"{prefix}-{n}",
                title=f"{prefix} headline {n} {WORDS[n % len(WORDS)]}",
                blocks=[paragraph(f"Body {n} of {prefix}: {WORDS[(n + 1) % len(WORDS)]} news")],
                link=f"https://e.org/{n % 7}",  # shared links: stories
                published=datetime(2026, 11, 1, n % 24, tzinfo=UTC),
                language="en",
                alternates=[Alternate("de", f"https://e.org/de/{n}")] if n % 5 == 0 else [],
            ),
            None,
        )
        for n in range(start, start + count)
    ]


def _searches(store: Store) -> dict[str, list[int]]:
    found = {}
    for query in ["headline", "tram", "图书馆", "strassenbahn", "бібліотека", "รถร", "news body"]:
        found[query] = sorted(
            h.id for h in store.headlines(HeadlineFilter(query=parse_query(query)))
        )
    return found


def _snapshot(store: Store) -> tuple:
    conn = store._conn
    rows = conn.execute(
        "SELECT id, uid, title, link, search_text, story_id IS NOT NULL FROM articles ORDER BY id"
    ).fetchall()
    stories = conn.execute(
        "SELECT a.id, b.id FROM articles a JOIN articles b ON a.story_id = b.story_id"
        " AND a.id < b.id ORDER BY 1, 2"
    ).fetchall()
    words = conn.execute("SELECT rowid FROM articles_fts ORDER BY rowid").fetchall()
    trigrams = conn.execute("SELECT rowid FROM articles_trigram ORDER BY rowid").fetchall()
    return rows, stories, words, trigrams, _searches(store)


def _integrity(store: Store) -> None:
    conn = store._conn
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    conn.execute(
        "INSERT INTO articles_trigram (articles_trigram, rank) VALUES ('integrity-check', 0)"
    )
    # The trigram index holds exactly the articles with text in scripts without spaces.
    unspaced = conn.execute(
        f"SELECT id FROM articles WHERE search_text GLOB '{UNSPACED_GLOB}' ORDER BY id"
    ).fetchall()
    assert (
        conn.execute("SELECT id FROM articles_trigram_docsize ORDER BY id").fetchall() == unspaced
    )


def _write(store: Store, sources: list[Source], *, index_at_end: bool) -> None:
    """Feeds in batches: new articles, changed ones (added earlier in the same batch), a feed
    that lists an item twice, and, after a pruning, a feed that still lists what was removed."""
    with store.batch(index_at_end=index_at_end):
        store.upsert_articles(sources[0], _articles(30, "one"))
        store.upsert_articles(sources[1], _articles(3, "two"))  # a few: not staged
    with store.batch(index_at_end=index_at_end):
        store.upsert_articles(sources[1], _articles(20, "three", start=3))
        store.upsert_articles(sources[2], _articles(10, "five"))
        changed = _articles(10, "five")
        changed[4][0].title = "five headline changed"
        changed[9][0].blocks = [paragraph("now about a 路面電車")]
        store.upsert_articles(sources[2], changed)  # articles added in this batch change
        twice = _articles(10, "six")
        twice[3][0].guid = twice[2][0].guid  # one item twice, other content: added, then updated
        store.upsert_articles(sources[2], twice)
    store.set_read([1, 2, 3])
    store.prune(keep_days=1, now=datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    with store.batch(index_at_end=index_at_end):
        store.upsert_articles(sources[0], _articles(30, "one"))  # 1-3 stay removed
        store.upsert_articles(sources[1], _articles(5, "four"))


def test_a_batch_that_indexes_at_its_end_stores_what_each_write_stores(tmp_path: Path) -> None:
    snapshots = []
    for way, index_at_end in enumerate((False, True)):
        with Store(tmp_path / f"{way}.db") as store:
            sources = [
                store.upsert_source(Source(SourceKind.URL, f"https://{name}.example/f", name))
                for name in ("a", "b", "c")
            ]
            _write(store, sources, index_at_end=index_at_end)
            _integrity(store)
            snapshots.append(_snapshot(store))
    assert snapshots[0] == snapshots[1]
    rows, stories, _words, trigrams, found = snapshots[0]
    assert len(rows) == 74 and stories and trigrams
    assert found["tram"] and found["图书馆"] and found["strassenbahn"]


def test_articles_added_in_the_batch_are_indexed_before_a_full_text_replaces_them(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "c.db") as store:
        source = store.upsert_source(Source(SourceKind.URL, "https://a.example/f", "A"))
        with store.batch(index_at_end=True):
            store.upsert_articles(source, _articles(12, "one"))
            first = store.headlines(HeadlineFilter())[0].id
            store.save_full_text(first, [paragraph("The whole page about ferries")], "test")
        _integrity(store)
        assert [h.id for h in store.headlines(HeadlineFilter(query=parse_query("ferries")))] == [
            first
        ]
        assert len(store.headlines(HeadlineFilter(query=parse_query("headline")))) == 12


def test_a_failed_batch_leaves_nothing_waiting_for_the_index(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        source = store.upsert_source(Source(SourceKind.URL, "https://a.example/f", "A"))
        with pytest.raises(RuntimeError), store.batch(index_at_end=True):
            store.upsert_articles(source, _articles(20, "lost"))
            raise RuntimeError("interrupted")
        store.upsert_articles(source, _articles(20, "kept"))
        _integrity(store)
        assert store._conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
        assert store._unindexed is None


def test_migration_11_keeps_the_index_and_indexes_new_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)  # SQLite's default page size
    for script in MIGRATIONS[:10]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO sources (id, key, kind, location, name) VALUES (1, 'k', 'path', '/x', 'X')"
    )
    conn.execute(  # indexed by the insert trigger of schema 7
        "INSERT INTO articles (id, uid, source_id, guid, title, sort_date, blocks, search_text,"
        " content_hash, fetched_at) VALUES (1, 'u1', 1, 'g', '東京の路面電車', 1, '[]',"
        " '東京の路面電車 café', 'h', 1)"
    )
    conn.execute("PRAGMA user_version = 10")
    conn.commit()
    conn.close()
    with Store(path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 11
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096  # kept
        triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "articles_fts_insert" not in triggers
        assert {"articles_fts_update", "articles_fts_delete"} <= triggers
        source = store.upsert_source(Source(SourceKind.URL, "https://a.example/f", "A"))
        store.upsert_articles(source, _articles(12, "new"))
        _integrity(store)
        found = _searches(store)
        assert len(found["图书馆"]) == 4 and len(found["headline"]) == 12
        assert [h.title for h in store.headlines(HeadlineFilter(query=parse_query("cafe")))] == [
            "東京の路面電車"
        ]
        old = store.headlines(HeadlineFilter(query=parse_query("路面電車")))
        assert [h.id for h in old] == [1]


def test_new_caches_get_the_larger_page_and_bulk_writers_store_the_same(tmp_path: Path) -> None:
    snapshots = []
    for way in range(2):
        with Store(tmp_path / f"{way}.db") as store:
            assert store._conn.execute("PRAGMA page_size").fetchone()[0] == store_db.PAGE_SIZE
            if way:
                store.expect_bulk_writes()
                assert store._conn.execute("PRAGMA cache_size").fetchone()[0] == -(
                    store_db.BULK_CACHE_KIB
                )
            sources = [
                store.upsert_source(Source(SourceKind.URL, f"https://{name}.example/f", name))
                for name in ("a", "b", "c")
            ]
            _write(store, sources, index_at_end=bool(way))
            _integrity(store)
            snapshots.append(_snapshot(store))
    assert snapshots[0] == snapshots[1]
