"""Full articles (`f`, `full_text = true`): real corpus pages served by the loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path
from feedserver import FeedServer
from test_app import article_text, settle
from tuinews.config import NetworkConfig, load_config
from tuinews.fulltext import EXTRACTOR, fetch_full_text
from tuinews.model import LoadFailure, Source, SourceKind
from tuinews.refresh import refresh_feeds
from tuinews.store import HeadlineFilter, Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList

NETWORK = NetworkConfig(timeout=3.0)
PAGE = ("newspaper4k", "spanish_article")
SECOND_PAGE = ("newspaper4k", "arabic_article")


def corpus_page(group: str, name: str) -> tuple[bytes, list[str]]:
    """A real page and the paragraphs its reference extraction has."""
    page = shared_path("corpus", "articles", group, f"{name}.html").read_bytes()
    expected = shared_path("corpus", "articles", group, f"{name}.expected.txt")
    paragraphs = [p.strip() for p in expected.read_text(encoding="utf-8").split("\n") if p.strip()]
    return page, paragraphs


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """A feed whose items (guid, title, link) have a one-line summary each."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<pubDate>Mon, 0{1 + i} Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>Summary of {title}.</description></item>"
        for i, (guid, title, link) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pages</title>'
        f"<link>https://example.org/</link><language>es</language>{entries}</channel></rss>"
    ).encode()


def serve_page(server: FeedServer, path: str, page: tuple[str, str]) -> list[str]:
    body, paragraphs = corpus_page(*page)
    server.add_feed(path, body, content_type="text/html; charset=utf-8")
    return paragraphs


def stored_feed(
    store: Store, server: FeedServer, items: list[tuple[str, str, str]], *, full_text: bool = False
) -> Source:
    server.add_feed("/feed.xml", rss(items))
    source = store.upsert_source(
        Source(SourceKind.URL, server.url("/feed.xml"), "Pages", full_text=full_text)
    )
    report = refresh_feeds(store, [source], NETWORK)
    assert not report.errors
    return source


def article_by_guid(store: Store, source: Source, guid: str):
    # The feed's relative guids resolve against the feed's URL.
    article = store.article_by_guid(source.id or 0, source.location.rsplit("/", 1)[0] + "/" + guid)
    assert article is not None
    return article


def test_fetch_stores_and_returns_the_full_text_then_reads_offline(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    paragraphs = serve_page(feed_server, "/story.html", PAGE)
    cache = tmp_path / "cache.db"
    with Store(cache) as store:
        source = stored_feed(store, feed_server, [("s1", "Story", feed_server.url("/story.html"))])
        summary = article_by_guid(store, source, "s1")
        assert not summary.full_text and summary.paragraphs == ["Summary of Story."]

        full = fetch_full_text(store, summary, NETWORK)
        assert full.full_text and full.extractor == EXTRACTOR
        assert full.id == summary.id and full.title == "Story"
        text = "\n".join(full.paragraphs)
        assert paragraphs[0][:80] in text and paragraphs[-1][:60] in text
        assert "Summary of Story." not in text
        assert "<" not in text  # text, never markup
        assert store.full_text(full.id or 0) == full.blocks
        # Search finds words that only the full page has.
        word = "anticorrupción"
        assert word in text.casefold() and word not in "summary of story."
        rows = store.headlines(HeadlineFilter(text=word))
        assert [rows.id_at(i) for i in range(len(rows))] == [full.id]
        from tuinews.search_query import parse_query

        rows = store.headlines(HeadlineFilter(query=parse_query("Anticorrupcion")))
        assert [rows.id_at(i) for i in range(len(rows))] == [full.id]  # the FTS index too

    feed_server.close()
    with Store(cache) as store:  # later reads come from the cache, with the server gone
        again = article_by_guid(store, source, "s1")
        assert again.full_text and again.blocks == full.blocks


@pytest.mark.parametrize(
    ("path", "setup", "reason"),
    [
        ("/gone.html", lambda s: s.add_status("/gone.html", 404), "HTTP 404 Not Found"),
        (
            "/data.json",
            lambda s: s.add_feed("/data.json", b'{"a": 1}', content_type="application/json"),
            "not an HTML page (application/json)",
        ),
        (
            "/empty.html",
            lambda s: s.add_feed(
                "/empty.html",
                b"<!doctype html><html><head><title>x</title></head><body></body></html>",
                content_type="text/html",
            ),
            "no article text",
        ),
        ("/hang", lambda s: None, "timed out"),
    ],
)
def test_failure_keeps_the_summary_and_says_why_in_one_line(
    feed_server: FeedServer, tmp_path: Path, path: str, setup, reason: str
) -> None:
    setup(feed_server)
    with Store(tmp_path / "cache.db") as store:
        source = stored_feed(store, feed_server, [("s1", "Story", feed_server.url(path))])
        article = article_by_guid(store, source, "s1")
        with pytest.raises(LoadFailure) as caught:
            fetch_full_text(store, article, NetworkConfig(timeout=1.0))
        error = caught.value.error
        assert error.reason == reason
        assert error.where == feed_server.url(path)
        assert "\n" not in str(error)
        kept = article_by_guid(store, source, "s1")
        assert not kept.full_text and kept.paragraphs == ["Summary of Story."]
        assert store.full_text(kept.id or 0) is None


def test_refresh_fetches_full_text_of_new_items_of_full_text_sources(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    first = serve_page(feed_server, "/one.html", PAGE)
    second = serve_page(feed_server, "/two.html", SECOND_PAGE)
    feed_server.add_status("/missing.html", 404)
    items = [
        ("s1", "One", feed_server.url("/one.html")),
        ("s3", "Missing", feed_server.url("/missing.html")),
    ]
    with Store(tmp_path / "cache.db") as store:
        feed_server.add_feed("/feed.xml", rss(items))
        source = store.upsert_source(
            Source(SourceKind.URL, feed_server.url("/feed.xml"), "Pages", full_text=True)
        )
        report = refresh_feeds(store, [source], NETWORK)
        # A page that cannot be fetched is a note, never a feed error.
        assert not report.errors and report.failed_sources == 0
        assert report.added == 2
        assert [n for n in report.notes if "missing.html" in n] == [
            f"full text: {feed_server.url('/missing.html')}: HTTP 404 Not Found"
        ]
        one = article_by_guid(store, source, "s1")
        assert one.full_text and first[0][:60] in "\n".join(one.paragraphs)
        assert not article_by_guid(store, source, "s3").full_text

        # Next refresh: only the new item's page is fetched.
        feed_server.reset_counters()
        feed_server.add_feed(
            "/feed.xml", rss([*items, ("s2", "Two", feed_server.url("/two.html"))])
        )
        report = refresh_feeds(store, [source], NETWORK)
        assert report.added == 1 and not report.errors
        assert feed_server.hits["/two.html"] == 1
        assert feed_server.hits["/one.html"] == 0 and feed_server.hits["/missing.html"] == 0
        two = article_by_guid(store, source, "s2")
        assert two.full_text and second[0][:40] in "\n".join(two.paragraphs)


def test_sources_without_full_text_fetch_no_pages(feed_server: FeedServer, tmp_path: Path) -> None:
    serve_page(feed_server, "/one.html", PAGE)
    with Store(tmp_path / "cache.db") as store:
        source = stored_feed(store, feed_server, [("s1", "One", feed_server.url("/one.html"))])
        assert feed_server.hits["/one.html"] == 0
        assert not article_by_guid(store, source, "s1").full_text


def test_full_text_key_in_the_config(tmp_path: Path) -> None:
    from tuinews.config import ConfigError, parse_config

    config = parse_config(
        {"sources": [{"url": "https://example.org/feed.xml", "full_text": True}]},
        tmp_path / "config.toml",
    )
    assert config.sources[0].full_text
    with pytest.raises(ConfigError, match="full_text"):
        parse_config(
            {"sources": [{"url": "https://example.org/feed.xml", "full_text": "yes"}]},
            tmp_path / "config.toml",
        )


async def test_f_shows_the_full_text_and_later_reads_are_offline(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    paragraphs = serve_page(feed_server, "/story.html", PAGE)
    feed_server.add_feed("/feed.xml", rss([("s1", "Story", feed_server.url("/story.html"))]))
    url = feed_server.url("/feed.xml")
    app = TuinewsApp(load_config(), [url])
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(40):
            await settle(pilot, app, rounds=1)
            if app.query_one(HeadlineList).row_count == 1:
                break
        app.query_one(HeadlineList).focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Summary of Story." in article_text(app)
        await pilot.press("f")
        await settle(pilot, app)
        shown = " ".join(article_text(app).split())
        assert "Full article from the web page (extracted by tuinews)" in shown
        assert " ".join(paragraphs[0].split())[:60] in shown
        assert "Summary of Story." not in shown
        await pilot.press("f")  # again: already the full article, nothing fetched
        await settle(pilot, app)
        assert any("already the full article" in n.message for n in app._notifications)

    feed_server.close()
    again = TuinewsApp(load_config(), [url])
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        again.query_one(HeadlineList).focus()
        await pilot.press("enter")
        await settle(pilot, again)
        shown = " ".join(article_text(again).split())
        assert "Full article from the web page" in shown
        assert " ".join(paragraphs[0].split())[:60] in shown


async def test_f_failure_notifies_and_keeps_the_summary(feed_server: FeedServer) -> None:
    feed_server.add_status("/gone.html", 404)
    feed_server.add_feed("/feed.xml", rss([("s1", "Story", feed_server.url("/gone.html"))]))
    app = TuinewsApp(load_config(), [feed_server.url("/feed.xml")])
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(40):
            await settle(pilot, app, rounds=1)
            if app.query_one(HeadlineList).row_count == 1:
                break
        app.query_one(HeadlineList).focus()
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert [n.message for n in warnings] == ["HTTP 404 Not Found"]
        assert warnings[0].title == "Full text not fetched"
        assert "Summary of Story." in article_text(app)
