"""The SQLite cache: schema, upserts that keep flags, queries, counts, settings, damage."""

from __future__ import annotations

import sqlite3
import time
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
    article_uid,
    paragraph,
)
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store
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


def test_newer_schema_is_moved_aside_for_that_tuinews(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with Store(path) as store:
        assert store.recovered_schema == SCHEMA_VERSION + 5
        assert store.recovered_from is not None and ".newer-schema-" in store.recovered_from.name
        assert store.count(HeadlineFilter()) == 0
    kept = sqlite3.connect(store.recovered_from)
    assert kept.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5


def test_forward_migration_keeps_data(tmp_path: Path) -> None:
    from tuinews.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO sources (key, kind, location, name) VALUES ('url:https://e.org/f', 'url',"
        " 'https://e.org/f', 'https://e.org/f')"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        (source,) = store.sources()
        assert source.location == "https://e.org/f"
        assert store.feed_state(source.id).etag is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_feed_state_errors_keep_validators_and_title_names_feed(store: Store) -> None:
    feed = store.upsert_source(Source(SourceKind.URL, "https://e.org/f", "https://e.org/f"))
    store.record_feed_success(feed.id, etag='"v1"', last_modified="Mon", feed_title="Example")
    store.record_feed_error(feed.id, "HTTP 503 Service Unavailable", retry_until=123.0)
    state = store.feed_state(feed.id)
    assert (state.etag, state.last_modified, state.retry_until) == ('"v1"', "Mon", 123.0)
    (listed,) = store.sources([feed.id])
    assert listed.name == "Example"
    assert listed.last_error == "HTTP 503 Service Unavailable"
    assert store.move_source(feed, "https://e.org/new")
    assert store.sources([feed.id])[0].location == "https://e.org/new"


def test_sources_are_listed_by_the_name_they_are_shown_with(store: Store) -> None:
    """A feed without a configured name shows (and sorts by) its own title, not its URL."""
    zulu = store.upsert_source(Source(SourceKind.URL, "https://a.org/1", "https://a.org/1"))
    store.record_feed_success(zulu.id, etag=None, last_modified=None, feed_title="Zulu news")
    alpha = store.upsert_source(Source(SourceKind.URL, "https://z.org/2", "https://z.org/2"))
    store.record_feed_success(alpha.id, etag=None, last_modified=None, feed_title="alpha news")
    store.upsert_source(Source(SourceKind.URL, "https://m.org/3", "Mike"))
    assert [s.name for s in store.sources()] == ["alpha news", "Mike", "Zulu news"]


def test_hreflang_alternates_and_shared_links_group_translations(
    store: Store, source: Source
) -> None:
    urls = {lang: f"https://e.org/{lang}/story" for lang in ("en", "uk", "de")}
    alternates = [Alternate(lang, url) for lang, url in urls.items()]
    other = store.upsert_source(Source(SourceKind.PATH, "/other", "Other"))
    for index, (lang, url) in enumerate(urls.items()):
        article = make_article(lang, f"Story {lang}", 1 + index, lang)
        article.link = url
        article.alternates = alternates if lang != "de" else []
        # Spread over two sources, and written in separate transactions, to exercise merging.
        store.upsert_articles(source if lang != "uk" else other, [(article, None)])
    lonely = make_article("x", "Unrelated", 9)
    lonely.link = "https://e.org/unrelated"
    store.upsert_articles(source, [(lonely, None)])

    english = store.article_by_guid(source.id, "en")
    assert english is not None
    assert [(t.language, t.title) for t in english.translations] == [
        ("de", "Story de"),
        ("uk", "Story uk"),
    ]
    german = store.article_by_guid(source.id, "de")
    assert {t.language for t in german.translations} == {"en", "uk"}
    unrelated = store.article_by_guid(source.id, "x")
    assert unrelated.translations == []


def test_load_failure_survives_pickling_between_processes() -> None:
    import pickle

    from tuinews.model import LoadFailure

    failure = pickle.loads(pickle.dumps(LoadFailure("http://e.org/f", "not a feed")))
    assert isinstance(failure, LoadFailure)
    assert str(failure.error) == "http://e.org/f: not a feed"


def test_my_languages_and_one_version_per_story(store: Store, source: Source) -> None:
    urls = {lang: f"https://e.org/{lang}/story" for lang in ("en", "uk", "de")}
    for index, (lang, url) in enumerate(urls.items()):
        article = make_article(lang, f"Story {lang}", 1 + index, lang)
        article.link = url
        article.alternates = [Alternate(code, u) for code, u in urls.items()]
        store.upsert_articles(source, [(article, None)])
    store.upsert_articles(source, [(make_article("solo", "Solo fr", 9, "fr-CA"), None)])

    mine = store.headlines(HeadlineFilter(languages=("uk", "fr")))
    assert sorted(h.title for h in mine) == ["Solo fr", "Story uk"]

    collapsed = store.headlines(HeadlineFilter(prefer=("de", "en")))
    assert [h.title for h in collapsed] == ["Solo fr", "Story de"]
    assert [h.versions for h in collapsed] == [False, True]
    # The preferred version is picked within the other filters (here: Ukrainian only).
    only_uk = store.headlines(HeadlineFilter(language="uk", prefer=("de", "en")))
    assert [h.title for h in only_uk] == ["Story uk"]
    # No preferred language present: the newest version stands for the story.
    assert [h.title for h in store.headlines(HeadlineFilter(prefer=("es",)))] == [
        "Solo fr",
        "Story de",
    ]
    assert store.count(HeadlineFilter(prefer=("uk",))) == 2


def test_retention_keeps_starred_and_does_not_bring_articles_back(
    store: Store, source: Source
) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC).timestamp()
    old = [make_article(f"old{i}", f"Old {i}", 1 + i) for i in range(4)]
    for article in old:
        article.published = datetime(2026, 1, 1 + old.index(article), tzinfo=UTC)
    new = make_article("new", "New", 20)
    store.upsert_articles(source, [(a, None) for a in [*old, new]])
    ids = {h.title: h.id for h in store.headlines(HeadlineFilter())}
    store.set_read([ids["Old 0"], ids["Old 1"], ids["Old 2"], ids["New"]])
    store.set_starred([ids["Old 1"]])

    removed = store.prune(keep_days=90, now=now)
    titles = {h.title for h in store.headlines(HeadlineFilter())}
    # Old read articles go; the starred one, the unread one and the recent one stay.
    assert removed == 2
    assert titles == {"Old 1", "Old 3", "New"}

    again = store.upsert_articles(source, [(make_article("old0", "Old 0", 1), None)])
    assert again.added == 0
    assert "Old 0" not in {h.title for h in store.headlines(HeadlineFilter())}

    # A limit per source removes the oldest unstarred beyond it, read ones first.
    assert store.prune(keep_days=90, max_per_source=2, now=now) == 1
    assert {h.title for h in store.headlines(HeadlineFilter())} == {"Old 1", "Old 3"}
    store.vacuum()


def test_removals_are_remembered_while_the_feed_lists_them(store: Store, source: Source) -> None:
    day = 86400.0
    today = time.time()
    listed = make_article("listed", "Listed", 1)
    gone = make_article("gone", "Gone", 2)
    for article in (listed, gone):
        article.published = datetime(2025, 1, 1, tzinfo=UTC)
    store.upsert_articles(source, [(listed, None), (gone, None)])
    store.set_read([h.id for h in store.headlines(HeadlineFilter())])
    assert store.prune(keep_days=90, now=today - 100 * day) == 2

    # The feed still lists one of them: that refresh renews its removal, so it outlives the other's.
    assert store.upsert_articles(source, [(make_article("listed", "Listed", 1), None)]).added == 0
    store.prune(keep_days=90, now=today + 30 * day)
    back = store.upsert_articles(
        source,
        [(make_article("listed", "Listed", 1), None), (make_article("gone", "Gone", 2), None)],
    )
    # The one no feed listed for months is forgotten (so the table stays the size of the feeds).
    assert back.added == 1
    assert {h.title for h in store.headlines(HeadlineFilter())} == {"Gone"}


def test_a_feed_that_no_longer_lists_a_removed_item_lets_its_removal_go(
    store: Store, source: Source
) -> None:
    articles = [make_article(f"g{i}", f"Item {i}", 1 + i) for i in range(3)]
    for article in articles:
        article.published = datetime(2025, 1, 1, tzinfo=UTC)
    store.upsert_articles(source, [(a, None) for a in articles])
    store.set_read([h.id for h in store.headlines(HeadlineFilter())])
    assert store.prune(keep_days=90) == 3
    uids = {a.guid: article_uid(source.key, a.guid) for a in articles}

    # The feed now lists g0 and g1 only: g2's removal is forgotten; an empty list changes nothing.
    store.forget_unlisted_removals(source.id, [uids["g0"], uids["g1"]])
    store.forget_unlisted_removals(source.id, [])
    again = store.upsert_articles(
        source, [(make_article(g, g, 1), None) for g in ("g0", "g1", "g2")]
    )
    assert again.added == 1  # only g2, which the feed had dropped and now lists anew
    assert [h.title for h in store.headlines(HeadlineFilter())] == ["g2"]


def test_a_cache_that_removes_what_it_adds_keeps_its_search_index_small(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    with Store(path) as store:
        source = store.upsert_source(Source(SourceKind.PATH, "/news", "News"))
        sizes = []
        for round_ in range(24):  # refreshes that bring 100 articles; retention keeps 300
            articles = [
                make_article(f"{round_}-{n}", f"Story {round_} {n}", 1, body=f"w{round_}x{n} beta")
                for n in range(100)
            ]
            store.upsert_articles(source, [(a, None) for a in articles])
            store.prune(keep_days=90, max_per_source=300)
            sizes.append(_index_pages(path))
        assert store.count(HeadlineFilter()) == 300
        # Deletion marks are merged away from time to time: the index comes back to the size it
        # had when it was young, instead of growing by a step with each refresh.
        assert min(sizes[12:]) <= min(sizes[:12]) + 1, sizes
        assert [h.title for h in store.headlines(HeadlineFilter(query=parse_query("w23x57")))] == [
            "Story 23 57"
        ]
        assert store.headlines(HeadlineFilter(query=parse_query("w3x57"))) == []


def _index_pages(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]
