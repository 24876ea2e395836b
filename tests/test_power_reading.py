"""Issue 6 loose ends: full texts that survive a feed update, counts that agree with hide rules,
sources under every tag, server subscriptions marked, console browsers kept out of the TUI.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.cells import cell_len

from feedserver import FeedServer
from test_app import article_text, settle
from test_fulltext import PAGE, serve_page
from tuinews.config import NetworkConfig, load_config
from tuinews.fulltext import fetch_full_text
from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.refresh import refresh_feeds
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList

NETWORK = NetworkConfig(timeout=3.0)
FULL_ONLY = "anticorrupción"
"""A word the corpus page has and the feed's summary never does."""


def feed(summary: str, link: str, title: str = "Story") -> bytes:
    """One item (guid s1) whose summary is `summary`."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pages</title>'
        "<link>https://example.org/</link><language>es</language>"
        f"<item><title>{title}</title><link>{link}</link><guid>s1</guid>"
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{summary}</description></item></channel></rss>"
    ).encode()


def hits(store: Store, text: str) -> list[int]:
    rows = store.headlines(HeadlineFilter(query=parse_query(text)))
    return [rows.id_at(i) for i in range(len(rows))]


# 3. Full texts survive an update of their feed item


def test_full_text_stays_searchable_and_shown_after_the_item_changes(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_page(feed_server, "/story.html", PAGE)
    link = feed_server.url("/story.html")
    feed_server.add_feed("/feed.xml", feed("First summary.", link))
    with Store(tmp_path / "cache.db") as store:
        source = store.upsert_source(Source(SourceKind.URL, feed_server.url("/feed.xml"), "P"))
        refresh_feeds(store, [source], NETWORK)
        [article_id] = hits(store, "first summary")
        full = fetch_full_text(store, store.article(article_id), NETWORK)
        assert full.full_text and not full.full_text_stale
        assert hits(store, FULL_ONLY) == [article_id]

        feed_server.add_feed("/feed.xml", feed("Second summary.", link, title="Story, updated"))
        report = refresh_feeds(store, [source], NETWORK)
        assert report.updated == 1
        assert hits(store, FULL_ONLY) == [article_id]  # the full page is still indexed
        assert hits(store, "updated") == [article_id]  # under the item's new title
        assert hits(store, "first summary") == []
        kept = store.article(article_id)
        assert kept.title == "Story, updated"
        assert kept.full_text and kept.blocks == full.blocks  # kept, and shown
        assert kept.full_text_stale  # ...marked as older than the item
        assert store.stale_full_texts(source.id) == [article_id]
        assert feed_server.hits["/story.html"] == 1  # not a full_text source: no refetch

        again = fetch_full_text(store, kept, NETWORK)  # what `f` does on a stale one
        assert again.full_text and not again.full_text_stale
        assert store.stale_full_texts(source.id) == []
        assert hits(store, FULL_ONLY) == [article_id]

        # An unchanged refresh changes nothing; the full text is not stale.
        refresh_feeds(store, [source], NETWORK)
        assert not store.article(article_id).full_text_stale


def test_full_text_sources_fetch_the_page_again_when_the_item_changes(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_page(feed_server, "/story.html", PAGE)
    link = feed_server.url("/story.html")
    feed_server.add_feed("/feed.xml", feed("First summary.", link))
    with Store(tmp_path / "cache.db") as store:
        source = store.upsert_source(
            Source(SourceKind.URL, feed_server.url("/feed.xml"), "P", full_text=True)
        )
        refresh_feeds(store, [source], NETWORK)
        assert feed_server.hits["/story.html"] == 1
        refresh_feeds(store, [source], NETWORK)  # unchanged (304): no page
        assert feed_server.hits["/story.html"] == 1
        feed_server.add_feed("/feed.xml", feed("Second summary.", link))
        report = refresh_feeds(store, [source], NETWORK)
        assert report.updated == 1 and not report.notes
        assert feed_server.hits["/story.html"] == 2
        [article_id] = hits(store, FULL_ONLY)
        article = store.article(article_id)
        assert article.full_text and not article.full_text_stale


async def test_f_full_text_survives_a_refresh_that_changes_the_item(
    feed_server: FeedServer,
) -> None:
    serve_page(feed_server, "/story.html", PAGE)
    link = feed_server.url("/story.html")
    feed_server.add_feed("/feed.xml", feed("First summary.", link))
    app = TuinewsApp(load_config(), [feed_server.url("/feed.xml")])
    async with app.run_test(size=(120, 40)) as pilot:
        headlines = app.query_one(HeadlineList)
        for _ in range(40):
            await settle(pilot, app, rounds=1)
            if headlines.row_count == 1:
                break
        headlines.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        assert "Full article from the web page" in article_text(app)

        await pilot.press("slash", *FULL_ONLY, "enter")
        await settle(pilot, app)
        assert headlines.row_count == 1

        feed_server.add_feed("/feed.xml", feed("Second summary.", link, title="Story, updated"))
        await pilot.press("r")
        await settle(pilot, app)
        await settle(pilot, app)
        assert headlines.row_count == 1  # the search still finds the full page's word
        assert headlines.current_headline.title == "Story, updated"
        await pilot.press("enter")
        await settle(pilot, app)
        shown = " ".join(article_text(app).split())
        assert "Full article from the web page" in shown
        assert "the feed item changed since; f fetches the page again" in shown
        assert "Second summary." not in shown  # the full page, not the summary

        await pilot.press("f")  # stale: fetched again, not "already the full article"
        await settle(pilot, app)
        assert feed_server.hits["/story.html"] == 2
        shown = " ".join(article_text(app).split())
        assert "Full article from the web page" in shown and "changed since" not in shown


# 1. Counts agree with what `hide` rules keep out

HIDE_ARTICLES = {
    "tram.md": "---\ntitle: Tram line opens\ndate: 2026-11-03T09:00:00Z\nlang: en\n---\n\nTram.\n",
    "ad.md": "---\ntitle: Sponsored - buy now\ndate: 2026-11-02T09:00:00Z\nlang: de\n---\n\nAn advert for things you do not need.\n",
    "ad2.md": "---\ntitle: Sponsored: more\ndate: 2026-11-02T08:00:00Z\nlang: de\n---\n\nAn advert for things you do not need.\n",
    "storm.md": "---\ntitle: Storm warning\ndate: 2026-11-01T09:00:00Z\nlang: en\n---\n\nWind.\n",
}


def write_folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def hide_config(tmp_path: Path, extra: dict | None = None):
    from tuinews.config import parse_config

    ads = write_folder(tmp_path / "ads", HIDE_ARTICLES)
    plain = write_folder(tmp_path / "plain", {"sponsored.md": HIDE_ARTICLES["ad.md"]})
    data = {
        "cache": {"path": str(tmp_path / "cache.db")},
        "sources": [
            {"path": str(ads), "name": "Ads", "hide": ["^Sponsored"]},
            {"path": str(plain), "name": "Plain"},  # the same title, but no rule here
        ],
        **(extra or {}),
    }
    return parse_config(data, tmp_path / "config.toml")


def test_source_and_language_counts_leave_out_hidden_articles(tmp_path: Path) -> None:
    from tuinews import library as lib

    config = hide_config(tmp_path)
    with Store(config.cache.path) as store:
        sources = lib.register_sources(store, config.sources)
        lib.load_path_sources(store, sources, max_bytes=1 << 20)
        hide = lib.hide_rules(sources)
        ads, _plain = sources
        store.set_read([store.article_by_guid(ads.id, str(tmp_path / "ads" / "ad.md")).id])
        counts = {c.source.name: (c.total, c.unread) for c in store.source_counts(hide=hide)}
        assert counts == {"Ads": (2, 2), "Plain": (1, 1)}
        # Without rules (and for the sources of other callers) everything counts, as before.
        counts = {c.source.name: (c.total, c.unread) for c in store.source_counts()}
        assert counts == {"Ads": (4, 3), "Plain": (1, 1)}
        view = HeadlineFilter(source_ids=(ads.id,), hide=hide)
        assert store.count(view) == 2
        assert [(c.code, c.count) for c in store.language_counts(hide=hide)] == [
            ("en", 2),
            ("de", 1),
        ]
        assert [(c.code, c.count) for c in store.language_counts([ads.id], hide=hide)] == [
            ("en", 2)
        ]
        # A write in between is seen (the hidden rows are not kept past it).
        store.set_read([store.article_by_guid(ads.id, str(tmp_path / "ads" / "tram.md")).id])
        assert [(c.total, c.unread) for c in store.source_counts([ads.id], hide=hide)] == [(2, 1)]


def test_cli_sources_list_and_search_agree_with_the_reader(tmp_path: Path) -> None:
    import json

    from conftest import run_cli

    ads = write_folder(tmp_path / "ads", HIDE_ARTICLES)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "cache.db"}"\n\n'
        f'[[sources]]\npath = "{ads}"\nname = "Ads"\nhide = ["^Sponsored"]\n',
        encoding="utf-8",
    )
    assert run_cli("--config", str(config), "fetch", "--quiet").returncode == 0
    result = run_cli("--config", str(config), "sources", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["articles"], row["unread"]) == (2, 2)
    listed = json.loads(run_cli("--config", str(config), "list", "--json").stdout)
    assert [item["title"] for item in listed] == ["Tram line opens", "Storm warning"]
    unread = json.loads(run_cli("--config", str(config), "list", "--json", "--unread").stdout)
    assert len(unread) == row["unread"]
    found = json.loads(run_cli("--config", str(config), "search", "--json", "is:unread").stdout)
    assert len(found) == row["unread"]


def pane_prompts(app: TuinewsApp) -> list[str]:
    pane = app.query_one("#sources")
    # Counts are right-aligned: collapse the padding between a name and its counts.
    prompts = (str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count))
    return [re.sub(r"(?<=\S) {2,}", " ", prompt) for prompt in prompts]


def status_text(app: TuinewsApp) -> str:
    return app.query_one("#status").render().plain


async def test_pane_and_status_counts_leave_out_hidden_articles(tmp_path: Path) -> None:
    app = TuinewsApp(hide_config(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 3  # two of Ads, one of Plain
        assert pane_prompts(app) == ["All 3 (3)", "Ads 2 (2)", "Plain 1 (1)"]
        assert "3 articles" in status_text(app)
        assert sum(c.count for c in app.language_counts) == 3
        await pilot.press("M")  # mark the view read: unread counts follow, hidden ones aside
        await settle(pilot, app)
        assert pane_prompts(app) == ["All 3", "Ads 2", "Plain 1"]
        await pilot.press("u")
        await settle(pilot, app)
        assert pane_prompts(app) == ["All 3 (3)", "Ads 2 (2)", "Plain 1 (1)"]
        await pilot.press("shift+tab", "j", "enter")  # Ads
        await settle(pilot, app)
        assert headlines.row_count == 2 and "2 articles" in status_text(app)
        assert "Ads" in status_text(app)


# 2. A source under each of its tags; tag rows select all their sources


def tagged_config(tmp_path: Path):
    from tuinews.config import parse_config

    sources = []
    for name, tags in (("Alpha", ["world", "news"]), ("Beta", ["news"]), ("Gamma", [])):
        folder = write_folder(
            tmp_path / name,
            {"a.md": f"---\ntitle: From {name}\nlang: en\n---\n\nText from {name} here.\n"},
        )
        sources.append({"path": str(folder), "name": name, "tags": tags})
    data = {"cache": {"path": str(tmp_path / "cache.db")}, "sources": sources}
    return parse_config(data, tmp_path / "config.toml")


def titles(app: TuinewsApp) -> list[str]:
    rows = app.query_one(HeadlineList).rows
    return sorted(rows[i].title for i in range(len(rows)))


async def test_a_source_shows_under_each_tag_and_tag_rows_filter(tmp_path: Path) -> None:
    app = TuinewsApp(tagged_config(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert pane_prompts(app) == [
            "All 3 (3)",
            "Gamma 1 (1)",
            "# news 2 (2)",
            "  Alpha 1 (1)",
            "  Beta 1 (1)",
            "# world 1 (1)",
            "  Alpha 1 (1)",
        ]
        pane = app.query_one("#sources")
        await pilot.press("shift+tab")
        assert app.focused is pane
        await pilot.press("j", "j", "enter")  # "# news": both its sources
        await settle(pilot, app)
        assert titles(app) == ["From Alpha", "From Beta"]
        assert "# news" in status_text(app)
        assert app.query_one(HeadlineList).has_focus

        # The pane keeps its row: from "# news", four down is Alpha under "world".
        await pilot.press("shift+tab", "j", "j", "j", "j", "enter")
        await settle(pilot, app)
        assert titles(app) == ["From Alpha"]
        assert "Alpha" in status_text(app) and "# " not in status_text(app)
        assert pane.highlighted == 6  # the row chosen stays highlighted

        # Alpha under "news" is the same source; the language switcher counts follow.
        await pilot.press("shift+tab", "k", "k", "k", "enter")
        await settle(pilot, app)
        assert pane.highlighted == 3 and titles(app) == ["From Alpha"]
        assert sum(c.count for c in app.language_counts) == 1

        # Reading marks it read: the source's rows and both of its tags' rows follow.
        await pilot.press("enter")
        await settle(pilot, app)
        assert pane_prompts(app) == [
            "All 3 (2)",
            "Gamma 1 (1)",
            "# news 2 (1)",
            "  Alpha 1",
            "  Beta 1 (1)",
            "# world 1",
            "  Alpha 1",
        ]


async def test_mouse_selects_tag_rows_and_sources_under_tags(tmp_path: Path) -> None:
    app = TuinewsApp(tagged_config(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        # Row n of the pane is on screen line n + 1 (under the border).
        assert await pilot.click("#sources", offset=(4, 6))  # "# world"
        await settle(pilot, app)
        assert titles(app) == ["From Alpha"] and "# world" in status_text(app)
        assert await pilot.click("#sources", offset=(4, 5))  # Beta under "news"
        await settle(pilot, app)
        assert titles(app) == ["From Beta"]
        assert await pilot.click("#sources", offset=(4, 1))  # All
        await settle(pilot, app)
        assert titles(app) == ["From Alpha", "From Beta", "From Gamma"]


# 5. Server subscriptions are marked


async def test_server_subscriptions_are_marked_in_the_sources_pane(tmp_path: Path) -> None:
    from tuinews.ui.sources_pane import SERVER_MARK

    config = tagged_config(tmp_path)
    with Store(config.cache.path) as store:
        server = store.upsert_source(
            Source(SourceKind.SERVER, "feed/https://example.org/feed.xml", "Synced", tags=("news",))
        )
        store.upsert_articles(
            server,
            [
                (
                    Article(guid="g1", title="From the server", blocks=[paragraph("Hello there.")]),
                    None,
                )
            ],
        )
    app = TuinewsApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.query_one("#sources")
        # The session shows the configured sources; a server's come from the cache as the sync
        # helper stores them: show the cache's view of every source.
        with Store(config.cache.path) as store:
            counts = store.source_counts()
        pane.show_counts(counts, 4, 4)
        await pilot.pause()
        prompts = pane_prompts(app)
        assert f"  {SERVER_MARK} Synced 1 (1)" in prompts
        assert "  Alpha 1 (1)" in prompts  # local sources carry no mark
        assert not any(SERVER_MARK in p for p in prompts if "Synced" not in p)
        assert pane.border_subtitle == f"{SERVER_MARK} server"
        assert "feed server" in str(pane.tooltip)
        pane.show_counts([c for c in counts if c.source.kind is not SourceKind.SERVER], 3, 3)
        assert pane.border_subtitle is None and pane.tooltip is None


async def test_a_long_source_name_is_cut_not_wrapped(tmp_path: Path) -> None:
    config = tagged_config(tmp_path)
    long_name = "Amazon Web Services Blog about every service under the sun"
    with Store(config.cache.path) as store:
        store.upsert_source(Source(SourceKind.SERVER, "feed/7", long_name))
    app = TuinewsApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        pane = app.query_one("#sources")
        with Store(config.cache.path) as store:
            pane.show_counts(store.source_counts(), 3, 3)
        await pilot.pause()
        width = pane.scrollable_content_region.width
        for index in range(pane.option_count):
            prompt = pane.get_option_at_index(index).prompt
            assert "\n" not in str(prompt)
            assert cell_len(str(prompt)) < width, prompt  # one line each, counts kept in view
        cut = next(str(o.prompt) for o in pane.options if "Amazon" in str(o.prompt))
        assert "…" in cut and cut.rstrip().endswith(" 0")


# 4. Console browsers never draw over the reader

LINKED = """---
title: Links everywhere
date: 2026-11-03T09:00:00Z
lang: en
link: https://example.org/story
---

Read the [timetable](https://example.org/timetable) and more text here.
"""


def test_console_browsers_are_told_apart(tmp_path: Path, monkeypatch) -> None:
    from test_links import fake_browser
    from tuinews.browser import browser_candidates, is_console_browser

    assert is_console_browser("lynx") and is_console_browser("/usr/local/bin/w3m -o x=1")
    assert is_console_browser("elinks %s") and is_console_browser("links2")
    assert not is_console_browser("firefox") and not is_console_browser("xdg-open")
    assert not is_console_browser("")
    # A generic name standing for a console browser (Debian's www-browser -> w3m) is followed.
    real = fake_browser(tmp_path / "bin", "w3m")
    (tmp_path / "bin" / "sensible-text").symlink_to(real)
    assert is_console_browser(str(tmp_path / "bin" / "sensible-text"))

    gui = fake_browser(tmp_path / "gui", "my-browser")
    lynx = fake_browser(tmp_path / "tty", "lynx")
    monkeypatch.setenv("BROWSER", f"{gui} %s:{lynx}:/no/such/browser")
    found = browser_candidates()
    assert [(b.name, b.console) for b in found[:2]] == [("my-browser", False), ("lynx", True)]
    assert found[0].open("https://example.org/x")
    assert (tmp_path / "gui" / "opened.log").read_text() == "https://example.org/x\n"


async def test_a_console_browser_is_not_started_when_the_app_cannot_suspend(
    tmp_path: Path, monkeypatch
) -> None:
    from test_links import fake_browser

    lynx = fake_browser(tmp_path / "tty", "lynx")
    monkeypatch.setenv("BROWSER", str(lynx))
    folder = write_folder(tmp_path / "articles", {"links.md": LINKED})
    app = TuinewsApp(load_config(), [folder])
    async with app.run_test(size=(120, 40)) as pilot:  # headless: no terminal to hand over
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        await pilot.press("1", "enter")
        await settle(pilot, app)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 2
        assert "lynx would run inside the reader's terminal" in warnings[0].message
        assert "Set BROWSER" in warnings[0].message
        assert not (tmp_path / "tty" / "opened.log").exists()
        assert not any("Opening" in n.message for n in app._notifications)


def _read_until(
    fd: int, needle: bytes, seen: bytearray, start: int = 0, timeout: float = 30.0
) -> int:
    """Read the terminal into `seen` until `needle` shows up after `start`; where it did, or -1."""
    import os
    import select
    import time

    deadline = time.monotonic() + timeout
    while seen.find(needle, start) < 0 and time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            seen.extend(chunk)
    return seen.find(needle, start)


def test_a_console_browser_runs_with_the_reader_suspended(tmp_path: Path) -> None:
    """In a real pseudo-terminal: `o` hands the terminal to lynx, and the reader comes back."""
    import os
    import pty
    import sys

    import pytest

    if not hasattr(os, "fork"):
        pytest.skip("needs a Unix pseudo-terminal")
    tty = tmp_path / "tty"
    tty.mkdir()
    lynx = tty / "lynx"
    lynx.write_text(
        f'#!/bin/sh\nprintf \'%s\\n\' "$1" >> "{tty / "opened.log"}"\necho FAKE-LYNX-RAN\n',
        encoding="utf-8",
    )
    lynx.chmod(0o755)
    folder = write_folder(tmp_path / "articles", {"links.md": LINKED})
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "cache.db"}"\n\n[[sources]]\npath = "{folder}"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "BROWSER": str(lynx),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
    }
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe(sys.executable, [sys.executable, "-m", "tuinews", "--config", str(config)], env)
    seen = bytearray()
    try:
        assert _read_until(fd, b"Links everywhere", seen) >= 0, bytes(seen[-500:])
        os.write(fd, b"\r")  # open the article
        assert _read_until(fd, b"timetable", seen) >= 0
        start = len(seen)
        os.write(fd, b"o")
        ran = _read_until(fd, b"FAKE-LYNX-RAN", seen, start)
        assert ran > 0
        assert b"\x1b[?1049l" in seen[start:ran]  # the reader left the screen to it...
        assert _read_until(fd, b"\x1b[?1049h", seen, ran) > ran  # ...and came back
        assert (tty / "opened.log").read_text() == "https://example.org/story\n"
        back = len(seen)
        os.write(fd, b"j")  # and answers keys again
        assert _read_until(fd, b"\x1b[", seen, back) >= back
        os.write(fd, b"q")
        _read_until(fd, b"\x00never", seen, len(seen), timeout=10)
    finally:
        import contextlib
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        _pid, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


# 6. Checked as a user: Esc clears an applied search from the headline list too


async def test_escape_clears_an_applied_search_from_the_headlines(tmp_path: Path) -> None:
    app = TuinewsApp(tagged_config(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        await pilot.press("slash", *"beta", "enter")
        await settle(pilot, app)
        assert titles(app) == ["From Beta"] and headlines.has_focus
        await pilot.press("enter")  # read it: the article opens, the search stays
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.search_text == "" and not app.query_one("#search").display
        assert titles(app) == ["From Alpha", "From Beta", "From Gamma"]
        # With no search, Esc changes nothing (focus stays where it was).
        await pilot.press("tab")
        focused = app.focused
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.focused is focused and len(titles(app)) == 3
