"""The SQLite cache: schema, upserts that keep flags, queries, counts, settings, damage."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuinews.model import (
    Alternate,
    Article,
    Block,
    BlockKind,
    LinkSpan,
    Source,
    SourceKind,
    paragraph,
)
from tuinews.store import HeadlineFilter, Store, StoreError
from tuinews.store.schema import SCHEMA_VERSION


def make_article(
    guid: str, title: str, day: int, language: str = "en", body: str = "Body"
) -> Article:
    return Article(
        guid=guid,
        title=title,
        blocks=[paragraph(body)],
        published=datetime(2026, 11, day, 9, 0, tzinfo=UTC),
        language=language,
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "cache.db") as store:
        yield store


@pytest.fixture
def source(store: Store) -> Source:
    return store.upsert_source(Source(SourceKind.PATH, "/news", "News"))


def test_new_cache_has_schema_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert path.stat().st_mode & 0o077 == 0


def test_upsert_adds_updates_and_keeps_flags(store: Store, source: Source) -> None:
    counts = store.upsert_articles(source, [(make_article("a", "First", 1), None)])
    assert (counts.added, counts.updated, counts.unchanged) == (1, 0, 0)
    (row,) = store.headlines(HeadlineFilter())
    store.set_read([row.id])
    store.set_starred([row.id])

    same = store.upsert_articles(source, [(make_article("a", "First", 1), None)])
    assert (same.added, same.updated, same.unchanged) == (0, 0, 1)

    changed = store.upsert_articles(source, [(make_article("a", "First, revised", 1), None)])
    assert changed.updated == 1
    article = store.article(row.id)
    assert article is not None
    assert article.title == "First, revised"
    assert article.read and article.starred
    assert store.count(HeadlineFilter()) == 1


def test_headlines_newest_first_and_filters(store: Store, source: Source) -> None:
    other = store.upsert_source(Source(SourceKind.PATH, "/other", "Other"))
    store.upsert_articles(
        source,
        [
            (make_article("a", "Old", 1, "en"), None),
            (make_article("b", "New", 20, "uk"), None),
            (make_article("c", "Middle", 10, "pt-BR"), None),
        ],
    )
    store.upsert_articles(other, [(make_article("d", "Elsewhere", 15, "de"), None)])
    assert [h.title for h in store.headlines(HeadlineFilter())] == [
        "New",
        "Elsewhere",
        "Middle",
        "Old",
    ]
    only = HeadlineFilter(source_ids=(source.id,))
    assert [h.title for h in store.headlines(only)] == ["New", "Middle", "Old"]
    assert [h.title for h in store.headlines(HeadlineFilter(language="pt"))] == ["Middle"]
    assert [h.title for h in store.headlines(HeadlineFilter(language="uk"))] == ["New"]
    assert [h.title for h in store.headlines(HeadlineFilter(), limit=2, offset=1)] == [
        "Elsewhere",
        "Middle",
    ]


def test_text_filter_is_case_insensitive_over_title_and_body(store: Store, source: Source) -> None:
    store.upsert_articles(
        source,
        [
            (make_article("a", "Київ вітає трамвай", 1, "uk", body="Нова лінія"), None),
            (make_article("b", "Other", 2, body="Mentions the ÜBERSEE harbour"), None),
        ],
    )
    assert [h.title for h in store.headlines(HeadlineFilter(text="КИЇВ"))] == ["Київ вітає трамвай"]
    assert [h.title for h in store.headlines(HeadlineFilter(text="übersee"))] == ["Other"]
    assert store.headlines(HeadlineFilter(text="nothing like this")) == []


def test_unread_starred_and_counts(store: Store, source: Source) -> None:
    store.upsert_articles(
        source,
        [(make_article(str(i), f"T{i}", i + 1, "de" if i % 2 else "fr"), None) for i in range(4)],
    )
    ids = [h.id for h in store.headlines(HeadlineFilter())]
    assert store.set_read(ids[:3]) == 3
    assert store.set_read(ids[:3]) == 0
    store.set_starred([ids[0]])
    assert len(store.headlines(HeadlineFilter(unread=True))) == 1
    assert [h.id for h in store.headlines(HeadlineFilter(starred=True))] == [ids[0]]
    (count,) = store.source_counts([source.id])
    assert (count.total, count.unread) == (4, 1)
    assert {(c.code, c.count) for c in store.language_counts([source.id])} == {("de", 2), ("fr", 2)}


def test_article_round_trip_keeps_blocks_links_and_alternates(store: Store, source: Source) -> None:
    article = make_article("x", "Title [bold]not markup[/]", 3)
    article.blocks = [
        Block(BlockKind.HEADING, "Part", level=2),
        Block(BlockKind.PARAGRAPH, "See the docs.", links=(LinkSpan(8, 12, "https://e.org"),)),
        Block(BlockKind.ITEM, "one", level=1, marker="1."),
        Block(BlockKind.IMAGE, "a map", url="https://e.org/map.png"),
    ]
    article.alternates = [Alternate("de", "https://e.org/de"), Alternate("uk", "https://e.org/uk")]
    article.author = "Ann"
    article.link = "https://e.org/en"
    store.upsert_articles(source, [(article, "1:2")])
    stored = store.article_by_guid(source.id, "x")
    assert stored is not None
    assert stored.title == "Title [bold]not markup[/]"
    assert stored.blocks == article.blocks
    assert stored.alternates == article.alternates
    assert stored.source_name == "News"
    assert stored.published == article.published
    assert store.article_by_uid(stored.uid) == stored
    assert store.stamps(source.id) == {"x": "1:2"}


def test_settings_persist(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        store.set_setting("reader.language", "uk")
        store.set_setting("reader.language", "de")
    with Store(tmp_path / "c.db") as store:
        assert store.get_setting("reader.language") == "de"
        assert store.get_setting("missing") is None


def test_garbage_cache_is_moved_aside_not_deleted(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with Store(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes().startswith(b"this is not a database")
        assert store.count(HeadlineFilter()) == 0


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer tuinews"):
        Store(path)
