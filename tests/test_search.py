"""Full-text search (issue 6): the query syntax, the FTS5 indexes kept in step with the cache, the
`tuinews search` command and the search box of the reader with its highlighted hits."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Group
from rich.text import Text

from conftest import run_cli
from tuinews.config import load_config
from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.render.article import render_article
from tuinews.render.highlight import HIGHLIGHT_STYLE, match_spans
from tuinews.search_query import QueryError, SearchQuery, Term, parse_query
from tuinews.store import HeadlineFilter, Store
from tuinews.store.db import _statements
from tuinews.store.schema import MIGRATIONS, SCHEMA_VERSION
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_view import ArticleView
from tuinews.ui.headline_list import HeadlineList

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


# The parser


def test_words_phrases_and_exclusions() -> None:
    query = parse_query('Storm "Night Train" -sport -"live blog"')
    assert query.terms == (
        Term("storm"),
        Term("night train", phrase=True),
        Term("sport", negated=True),
        Term("live blog", phrase=True, negated=True),
    )
    assert query.terms[0].prefix and not query.terms[1].prefix
    assert query.highlight_terms == {"storm", "night train"}


def test_filters() -> None:
    query = parse_query(
        'lang:uk source:"Kyiv Daily" tag:Local is:unread is:starred '
        "before:2026-11-01 after:2026-10-01",
        now=NOW,
    )
    assert query.terms == ()
    assert query.languages == ("uk",)
    assert query.sources == ("kyiv daily",)
    assert query.tags == ("local",)
    assert query.unread and query.starred and not query.read
    assert query.before == datetime(2026, 11, 1, tzinfo=UTC).timestamp()
    assert query.after == datetime(2026, 10, 1, tzinfo=UTC).timestamp()


def test_relative_days_and_is_read() -> None:
    query = parse_query("after:7d is:read", now=NOW)
    assert query.after == datetime(2026, 11, 3, 12, 0, tzinfo=UTC).timestamp()
    assert query.read


def test_empty_and_odd_input() -> None:
    assert parse_query("").empty
    assert parse_query('  ""  ').empty
    assert parse_query("- a").terms == (Term("-"), Term("a"))
    assert parse_query("e-mail").terms == (Term("e-mail"),)
    # A colon that is not a filter (a time, a URL) is part of a word.
    assert parse_query("10:30").terms == (Term("10:30"),)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('"night train', "Unbalanced quote"),
        ('source:"Kyiv', "Unbalanced quote"),
        ("colour:red", "Unknown filter colour:"),
        ("is:new", "Unknown is:new"),
        ("before:2026-13-01", "Not a date: 2026-13-01"),
        ("after:yesterday", "Not a date"),
        ("lang:", "needs a value"),
        ("-lang:uk", "cannot be negated"),
    ],
)
def test_malformed_queries(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


# The store


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "cache.db") as opened:
        yield opened


def add(store: Store, source: Source, *articles: Article) -> None:
    store.upsert_articles(source, [(article, None) for article in articles])


def article(guid: str, title: str, body: str = "", language: str = "en", day: int = 1) -> Article:
    return Article(
        guid=guid,
        title=title,
        blocks=[paragraph(body)] if body else [],
        language=language,
        published=datetime(2026, 10, day, 9, 0, tzinfo=UTC),
    )


def titles(store: Store, text: str) -> list[str]:
    return [h.title for h in store.headlines(HeadlineFilter(query=parse_query(text, now=NOW)))]


@pytest.fixture
def filled(store: Store) -> Store:
    kyiv = store.upsert_source(Source(SourceKind.PATH, "/kyiv", "Kyiv Daily", tags=("Local",)))
    rhein = store.upsert_source(Source(SourceKind.PATH, "/rhein", "Rhein Rundschau", tags=("de",)))
    tokyo = store.upsert_source(Source(SourceKind.PATH, "/tokyo", "Tokyo Times"))
    add(
        store,
        kyiv,
        article("k1", "Café opens in Kyiv", "A new café near the river.", day=1),
        article("k2", "Київ вітає трамвай", "Новий трамвай їде через міст.", "uk", day=2),
    )
    add(
        store,
        rhein,
        article("r1", "Herbststurm am Rhein", "Der Wetterdienst warnt vor Böen.", "de", day=3),
        article("r2", "Römisches Glas im Museum", "Straßenbahn fährt zum Museum.", "de", day=4),
    )
    add(
        store,
        tokyo,
        article("t1", "東京の路面電車が新しい図書館へ", "新しい図書館が開館した。", "ja", day=5),
        article("t2", "北京新闻", "中国的首都北京今天下雪。", "zh", day=6),
    )
    return store


def test_words_fold_case_and_diacritics(filled: Store) -> None:
    assert titles(filled, "cafe") == ["Café opens in Kyiv"]
    assert titles(filled, "CAFÉ") == ["Café opens in Kyiv"]
    assert titles(filled, "kyiv") == ["Café opens in Kyiv"]
    assert titles(filled, "КИЇВ") == ["Київ вітає трамвай"]
    assert titles(filled, "boen wetterdienst") == ["Herbststurm am Rhein"]
    assert titles(filled, "strasse") == ["Römisches Glas im Museum"]
    assert titles(filled, "Straßenbahn") == ["Römisches Glas im Museum"]


def test_words_match_as_prefixes_and_all_must_match(filled: Store) -> None:
    assert titles(filled, "RÖMISCH") == ["Römisches Glas im Museum"]
    assert titles(filled, "трамв") == ["Київ вітає трамвай"]
    assert titles(filled, "museum glas") == ["Römisches Glas im Museum"]
    assert titles(filled, "museum sturm") == []
    assert titles(filled, "nothing-like-this") == []


def test_phrases_and_exclusion(filled: Store) -> None:
    assert titles(filled, '"new café"') == ["Café opens in Kyiv"]
    assert titles(filled, '"café new"') == []
    assert titles(filled, "museum -glas") == []
    assert titles(filled, "-rhein -kyiv -東京 -北京") == [
        "Römisches Glas im Museum",
        "Київ вітає трамвай",
    ]
    assert titles(filled, 'am -"wetterdienst warnt"') == []


def test_chinese_and_japanese_substrings(filled: Store) -> None:
    assert titles(filled, "路面電車") == ["東京の路面電車が新しい図書館へ"]
    assert titles(filled, "図書館") == ["東京の路面電車が新しい図書館へ"]
    assert titles(filled, "首都北京") == ["北京新闻"]
    # Shorter than a trigram: the substring scan.
    assert titles(filled, "北京") == ["北京新闻"]
    assert titles(filled, "東京 図書館") == ["東京の路面電車が新しい図書館へ"]
    assert titles(filled, "図書館 -東京") == []
    assert titles(filled, "-北京 lang:zh") == []


def test_filters_in_the_store(filled: Store) -> None:
    assert titles(filled, "lang:de") == ["Römisches Glas im Museum", "Herbststurm am Rhein"]
    assert titles(filled, 'source:"kyiv daily"') == ["Київ вітає трамвай", "Café opens in Kyiv"]
    assert titles(filled, "source:TOKYO") == []
    assert titles(filled, "tag:local trams") == []
    assert titles(filled, "tag:local трамвай") == ["Київ вітає трамвай"]
    assert titles(filled, "tag:DE") == ["Römisches Glas im Museum", "Herbststurm am Rhein"]
    assert titles(filled, "after:2026-10-05") == ["北京新闻", "東京の路面電車が新しい図書館へ"]
    assert titles(filled, "before:2026-10-02") == ["Café opens in Kyiv"]
    ids = [h.id for h in filled.headlines(HeadlineFilter(query=parse_query("museum")))]
    filled.set_starred(ids)
    filled.set_read(ids)
    assert titles(filled, "is:starred") == ["Römisches Glas im Museum"]
    assert titles(filled, "is:read") == ["Römisches Glas im Museum"]
    assert "Römisches Glas im Museum" not in titles(filled, "is:unread")
    view = HeadlineFilter(query=parse_query("lang:de"), source_ids=(1,))
    assert filled.count(view) == 0


def test_terms_are_never_fts_syntax(filled: Store) -> None:
    for text in ['"a" OR "b"', "NEAR(a b)", "museum*", '"x""y"', "^rhein", "col:umn", "(", "*"]:
        try:
            query = parse_query(text)
        except QueryError:
            continue
        filled.headlines(HeadlineFilter(query=query))  # no sqlite3.OperationalError
    assert titles(filled, "OR") == []
    assert titles(filled, "museum AND") == []


def test_index_follows_inserts_updates_and_deletes(store: Store) -> None:
    source = store.upsert_source(Source(SourceKind.PATH, "/s", "S"))
    add(store, source, article("a", "Tram line opens", "harbour"))
    assert titles(store, "tram") == ["Tram line opens"]
    add(store, source, article("a", "Ferry line opens", "harbour"))
    assert titles(store, "tram") == []
    assert titles(store, "ferry") == ["Ferry line opens"]
    add(store, source, article("b", "東京の新しい路面電車", "x", "ja"))
    assert titles(store, "路面電車") == ["東京の新しい路面電車"]
    # Marking read does not touch the index.
    store.set_read([h.id for h in store.headlines(HeadlineFilter())])
    removed = store.prune(keep_days=1, now=datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    assert removed == 2
    assert titles(store, "ferry") == []
    assert titles(store, "路面電車") == []
    for table in ("articles_fts", "articles_trigram"):
        store._conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")


def test_migration_indexes_an_existing_cache(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[: SCHEMA_VERSION - 1]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO sources (id, key, kind, location, name) VALUES (1, 'k', 'path', '/x', 'X')"
    )
    conn.execute(
        "INSERT INTO articles (id, uid, source_id, guid, title, sort_date, blocks, search_text,"
        " content_hash, fetched_at) VALUES (1, 'u1', 1, 'g', 'Café am Fluss', 1, '[]',"
        " 'café am fluss', 'h', 1)"
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert titles(store, "cafe") == ["Café am Fluss"]
        assert titles(store, "am fluss") == ["Café am Fluss"]


def test_trigger_statements_survive_the_migration_splitter() -> None:
    parts = _statements(
        "CREATE TABLE a (x); CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;"
    )
    assert len(parts) == 2 and parts[1].endswith("END;")


# Highlighting


def test_match_spans_fold_case_and_diacritics() -> None:
    assert match_spans("Café in Kyiv", {"cafe", "kyiv"}) == [(0, 4), (8, 12)]
    assert match_spans("Große Straße", {"strasse"}) == [(6, 12)]
    assert match_spans("Römisches Glas", {"römisch"}) == [(0, 7)]
    assert match_spans("nothing", set()) == []


def spans_with_highlight(text: Text) -> list[str]:
    return [text.plain[s.start : s.end] for s in text.spans if s.style == HIGHLIGHT_STYLE]


def test_article_highlight_marks_title_and_body() -> None:
    rendered = render_article(
        article("a", "Römisches Glas im Museum", "Das Museum zeigt römisches Glas.", "de"),
        highlight={"römisch", "glas"},
    )
    texts = [part for part in rendered.renderables if isinstance(part, Text)]
    marked = [word for text in texts for word in spans_with_highlight(text)]
    assert marked.count("Römisch") == 1 and marked.count("römisch") == 1
    assert marked.count("Glas") == 2
    plain = render_article(article("a", "Römisches Glas", "Glas", "de"))
    assert not [
        w for p in plain.renderables if isinstance(p, Text) for w in spans_with_highlight(p)
    ]


# The command line


@pytest.fixture
def cli_cache(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(
        "---\ntitle: Tram line opens\ndate: 2026-11-03T09:00:00Z\nlang: en\n---\n\nThe café is new.\n",
        encoding="utf-8",
    )
    (folder / "honey.md").write_text(
        "---\ntitle: Медовий ярмарок\ndate: 2026-11-02T09:00:00Z\nlang: uk\n---\n\nМед і трамвай.\n",
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "c.db"}"\n[[sources]]\npath = "{folder}"\nname = "Mine"\n',
        encoding="utf-8",
    )
    assert run_cli("--config", str(config), "fetch", "-q").returncode == 0
    return config


def test_cli_search_json_has_the_list_shape(cli_cache: Path) -> None:
    listed = json.loads(run_cli("--config", str(cli_cache), "list", "--json").stdout)
    found = run_cli("--config", str(cli_cache), "search", "cafe", "--json")
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert [row["title"] for row in rows] == ["Tram line opens"]
    assert rows == [row for row in listed if row["title"] == "Tram line opens"]
    both = json.loads(
        run_cli("--config", str(cli_cache), "search", "--json", "--limit", "1", "lang:uk").stdout
    )
    assert [row["title"] for row in both] == ["Медовий ярмарок"]
    plain = run_cli("--config", str(cli_cache), "search", "ярмарок")
    assert plain.returncode == 0 and "Медовий ярмарок" in plain.stdout


def test_cli_malformed_query_exits_2_with_one_line(cli_cache: Path) -> None:
    result = run_cli("--config", str(cli_cache), "search", '"unclosed phrase')
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Unbalanced quote" in lines[0]
    assert result.stdout == ""


# The reader


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    texts = {
        "tram.md": ("Tram line opens", "2026-11-03", "en", "The new tram line links the harbour."),
        "glass.md": ("Römisches Glas im Museum", "2026-10-01", "de", "Das Museum zeigt Glas."),
        "storm.md": ("Herbststurm am Rhein", "2026-11-01", "de", "Der Wetterdienst warnt."),
        "museum.md": ("Museum night", "2026-09-01", "en", "The museum opens late."),
    }
    for name, (title, day, lang, body) in texts.items():
        (folder / name).write_text(
            f"---\ntitle: {title}\ndate: {day}T09:00:00Z\nlang: {lang}\n---\n\n{body}\n",
            encoding="utf-8",
        )
    return folder


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_search_box_filters_jumps_opens_highlights_and_clears(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 4
        await pilot.press("j", "j", "slash", *"museum -night")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert [row.title for row in headlines.rows] == ["Römisches Glas im Museum"]
        assert headlines.highlight_terms == {"museum"}
        strip = headlines.render_line(0)
        marked = [
            seg.text for seg in strip if seg.style and seg.style.bgcolor == HIGHLIGHT_STYLE.bgcolor
        ]
        assert marked == ["Museum"]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.focused is headlines and headlines.cursor == 0
        await pilot.press("enter")
        await settle(pilot, app)
        view = app.query_one(ArticleView)
        assert view.article.title == "Römisches Glas im Museum"
        assert isinstance(view.rendered, Group)
        words = [
            word
            for part in view.rendered.renderables
            if isinstance(part, Text)
            for word in spans_with_highlight(part)
        ]
        assert words == ["Museum", "Museum"]
        await pilot.press("slash", "escape")
        await settle(pilot, app)
        assert headlines.row_count == 4
        assert app.search_text == "" and headlines.highlight_terms == frozenset()
        assert view.highlight == frozenset()


async def test_search_box_shows_a_malformed_query_instead_of_crashing(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"colour:red")
        await pilot.pause(0.3)
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 0
        assert "Unknown filter colour:" in headlines.empty_message
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("slash", "escape")
        await settle(pilot, app)
        assert headlines.row_count == 4


async def test_search_box_filters_and_phrases(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *'lang:de "am rhein"', "enter")
        await pilot.pause(0.3)
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert [row.title for row in headlines.rows] == ["Herbststurm am Rhein"]
        assert isinstance(app.current_view().query, SearchQuery)
