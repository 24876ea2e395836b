"""Refreshing feeds end to end: a real loopback server, the real cache, `tuinews fetch`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import run_cli
from feedserver import FeedServer
from tuinews.config import NetworkConfig
from tuinews.model import Source, SourceKind
from tuinews.refresh import refresh_feeds
from tuinews.store import HeadlineFilter, Store


def rss(title: str, items: list[tuple[str, str]], language: str = "en") -> bytes:
    entries = "".join(
        f"<item><title>{t}</title><link>https://example.org/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 0{1 + i % 8} Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Body of {t}, long enough to read.&lt;/p&gt;</description></item>"
        for i, (g, t) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><language>{language}</language>{entries}"
        "</channel></rss>"
    ).encode()


def feed_source(store: Store, url: str, language: str | None = None) -> Source:
    return store.upsert_source(Source(SourceKind.URL, url, url, language=language))


NETWORK = NetworkConfig(timeout=2.0)


def test_cold_then_warm_refresh_uses_conditional_get(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/a.xml", rss("Site A", [("a1", "First"), ("a2", "Second")]))
    feed_server.add_feed("/b.xml", rss("Site B", [("b1", "Third")], language="de"))
    with Store(tmp_path / "c.db") as store:
        sources = [feed_source(store, feed_server.url(p)) for p in ("/a.xml", "/b.xml")]
        report = refresh_feeds(store, sources, NETWORK)
        assert (report.added, report.errors) == (3, [])
        rows = store.headlines(HeadlineFilter())
        assert {h.title for h in rows} == {"First", "Second", "Third"}
        assert {store.article(h.id).language for h in rows if h.title == "Third"} == {"de"}
        assert [s.name for s in store.sources()] == ["Site A", "Site B"]

        again = refresh_feeds(store, sources, NETWORK)
        assert again.not_modified == 2 and again.added == 0
        assert "if-none-match" in feed_server.last_headers["/a.xml"]
        assert feed_server.last_headers["/a.xml"]["user-agent"].startswith("tuinews/")


def test_changed_item_updates_in_place_keeping_flags(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/a.xml", rss("A", [("a1", "First")]))
    with Store(tmp_path / "c.db") as store:
        (source,) = [feed_source(store, feed_server.url("/a.xml"))]
        refresh_feeds(store, [source], NETWORK)
        (row,) = store.headlines(HeadlineFilter())
        store.set_read([row.id])
        store.set_starred([row.id])
        feed_server.add_feed("/a.xml", rss("A", [("a1", "First, corrected")]))
        report = refresh_feeds(store, [source], NETWORK)
        assert report.updated == 1 and report.added == 0
        (after,) = store.headlines(HeadlineFilter())
        assert after.id == row.id and after.title == "First, corrected"
        assert after.read and after.starred


def test_failed_feed_keeps_cached_articles_and_others_load(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/a.xml", rss("A", [("a1", "Kept")]))
    feed_server.add_feed("/b.xml", rss("B", [("b1", "Other")]))
    with Store(tmp_path / "c.db") as store:
        a, b = (feed_source(store, feed_server.url(p)) for p in ("/a.xml", "/b.xml"))
        refresh_feeds(store, [a, b], NETWORK)
        feed_server.add_status("/a.xml", 500)
        feed_server.add_feed("/b.xml", rss("B", [("b1", "Other"), ("b2", "New")]))
        report = refresh_feeds(store, [a, b], NETWORK)
        assert [str(e) for e in report.errors] == [
            f"{feed_server.url('/a.xml')}: HTTP 500 Internal Server Error"
        ]
        assert report.added == 1
        titles = {h.title for h in store.headlines(HeadlineFilter())}
        assert titles == {"Kept", "Other", "New"}
        assert store.sources([a.id])[0].last_error == "HTTP 500 Internal Server Error"


def test_not_a_feed_and_timeout_are_per_feed_errors(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_status("/page.html", 200, {"Content-Type": "text/html"}, b"<html>hi</html>")
    feed_server.add_feed("/ok.xml", rss("OK", [("o1", "Fine")]))
    with Store(tmp_path / "c.db") as store:
        sources = [
            feed_source(store, feed_server.url(p)) for p in ("/page.html", "/hang", "/ok.xml")
        ]
        started = time.monotonic()
        report = refresh_feeds(store, sources, NetworkConfig(timeout=1.0))
        assert time.monotonic() - started < 5
        reasons = sorted(e.reason for e in report.errors)
        assert reasons == ["not a feed", "timed out"]
        assert report.added == 1


def test_permanent_redirect_moves_the_source(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/new.xml", rss("Moved", [("m1", "Here now")]))
    feed_server.add_redirect("/old.xml", "/new.xml", status=301)
    with Store(tmp_path / "c.db") as store:
        source = feed_source(store, feed_server.url("/old.xml"))
        report = refresh_feeds(store, [source], NETWORK)
        assert report.moved == [(feed_server.url("/old.xml"), feed_server.url("/new.xml"))]
        assert store.sources([source.id])[0].location == feed_server.url("/new.xml")
        assert any("moved permanently" in note for note in report.notes)


def test_retry_after_skips_the_feed_until_then(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_status("/busy.xml", 429, {"Retry-After": "3600"})
    with Store(tmp_path / "c.db") as store:
        source = feed_source(store, feed_server.url("/busy.xml"))
        first = refresh_feeds(store, [source], NETWORK)
        assert first.errors and "429" in first.errors[0].reason
        hits = feed_server.hits["/busy.xml"]
        second = refresh_feeds(store, [source], NETWORK)
        assert feed_server.hits["/busy.xml"] == hits
        assert second.errors == [] and "wait until" in second.notes[0]


def test_source_language_overrides_the_feed(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/a.xml", rss("A", [("a1", "Title")], language="en"))
    with Store(tmp_path / "c.db") as store:
        source = feed_source(store, feed_server.url("/a.xml"), language="uk")
        refresh_feeds(store, [source], NETWORK)
        (row,) = store.headlines(HeadlineFilter())
        assert row.language == "uk"


def test_fetch_command_reports_each_failed_feed(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/a.xml", rss("A", [("a1", "One"), ("a2", "Two")]))
    feed_server.add_status("/gone.xml", 404)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "c.db"}"\n[network]\ntimeout = 3\n'
        f'[[sources]]\nurl = "{feed_server.url("/a.xml")}"\n'
        f'[[sources]]\nurl = "{feed_server.url("/gone.xml")}"\n'
    )
    result = run_cli("--config", str(config), "fetch")
    assert result.returncode == 0, result.stderr
    assert "2 new" in result.stdout
    assert f"{feed_server.url('/gone.xml')}: HTTP 404 Not Found" in result.stderr
    assert "tuinews: refreshed 2/2 feeds" in result.stderr  # piped: plain progress lines
    assert "Traceback" not in result.stderr
    listed = json.loads(run_cli("--config", str(config), "list", "--json").stdout)
    assert {row["title"] for row in listed} == {"One", "Two"}
    assert {row["source"] for row in listed} == {"A"}

    feed_server.add_status("/a.xml", 500)
    failed = run_cli("--config", str(config), "fetch", "--quiet")
    assert failed.returncode == 1
    assert failed.stdout == "" and "refreshed" not in failed.stderr
    assert len(json.loads(run_cli("--config", str(config), "list", "--json").stdout)) == 2
