"""The reader driven as a user would: keys and clicks through Textual's Pilot, over a real cache."""

from __future__ import annotations

import html
import io
import re
import time
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tuinews.config import load_config
from tuinews.store import HeadlineFilter, Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_view import ArticleView
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.help_screen import HelpScreen
from tuinews.ui.language_screen import LanguageScreen

ARTICLES = {
    "en-tram.md": (
        "---\ntitle: Tram line opens\ndate: 2026-11-03T09:00:00Z\nlang: en\n---\n\n"
        "The new tram line links the harbour with the university. "
        * 3
        + "\n\nA [bold]second[/] paragraph about the timetable.\n"
    ),
    "uk-honey.md": (
        "---\ntitle: Медовий ярмарок\ndate: 2026-11-02T09:00:00Z\nlang: uk\n---\n\n"
        "На Контрактовій площі відкрився медовий ярмарок, де пасічники продають мед. " * 3 + "\n"
    ),
    "de-storm.md": (
        "---\ntitle: Herbststurm am Rhein\ndate: 2026-11-01T09:00:00Z\nlang: de\n---\n\n"
        "Ein Herbststurm bringt starke Böen an den Rhein, sagt der Wetterdienst. " * 3 + "\n"
    ),
    "de-glass.md": (
        "---\ntitle: Römisches Glas im Museum\ndate: 2026-10-01T09:00:00Z\nlang: de\n---\n\n"
        "Das Stadtmuseum zeigt römisches Glas aus dem Hafenschlamm, ein seltener Fund. " * 3 + "\n"
    ),
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    """Let workers finish and their messages arrive."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: TuinewsApp) -> str:
    """The characters on screen, from Textual's SVG screenshot (each run of text in order)."""
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return "\n".join(html.unescape(run).replace("\xa0", " ") for run in runs)


def article_text(app: TuinewsApp) -> str:
    """The article pane's content rendered as plain text."""
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(app.query_one("#article-body", Static).content)
    return console.export_text()


async def test_opens_files_and_shows_headlines_newest_first(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 4
        titles = [headlines.current_headline.title]
        await pilot.press("j")
        titles.append(headlines.current_headline.title)
        assert titles == ["Tram line opens", "Медовий ярмарок"]
        assert "Language: All languages" in app.query_one("#status").render().plain


async def test_enter_opens_article_and_marks_read(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.title == "Tram line opens"
        assert app.query_one(HeadlineList).current_headline.read
        assert "A [bold]second[/] paragraph" in article_text(app)
    with Store(app.config.cache.path) as store:
        assert store.count(HeadlineFilter(unread=True)) == 3


async def test_click_opens_a_headline(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        # The pane has a border: row 1 of the list is at y=2.
        await pilot.click(HeadlineList, offset=(10, 2))
        await settle(pilot, app)
        assert app.query_one(ArticleView).article.title == "Медовий ярмарок"


async def test_language_switcher_filters_and_is_remembered(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LanguageScreen)
        shown = app.screen.query_one("#language-options").render_lines
        assert shown  # the option list exists
        options = app.screen.query_one("#language-options")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0].startswith("All languages")
        assert any(p.startswith("Deutsch (de)  2") for p in prompts)
        index = next(i for i, p in enumerate(prompts) if p.startswith("Deutsch"))
        await pilot.press(*["j"] * index)
        assert options.highlighted == index
        await pilot.press("enter")
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 2
        assert "Deutsch (de)" in app.query_one("#status").render().plain

    again = TuinewsApp(load_config(), [library])
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        assert again.language == "de"
        assert again.query_one(HeadlineList).row_count == 2


async def test_search_filters_as_you_type_enter_jumps_and_escape_clears(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        await pilot.press("slash")
        await pilot.press(*"RÖMISCH")
        await pilot.pause(0.3)
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 1
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.focused is headlines
        assert headlines.cursor == 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one(ArticleView).article.title == "Römisches Glas im Museum"
        await pilot.press("slash", "escape")
        await settle(pilot, app)
        assert headlines.row_count == 4
        assert app.search_text == ""


async def test_search_in_body_text(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"wetterdienst", "enter")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert app.query_one(HeadlineList).current_headline.title == "Herbststurm am Rhein"


async def test_space_pages_then_moves_to_next_article(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("space")
        await settle(pilot, app)
        assert app.query_one(ArticleView).article.title == "Tram line opens"
        for _ in range(5):
            await pilot.press("space")
            await settle(pilot, app)
        assert app.query_one(ArticleView).article.title != "Tram line opens"


async def test_help_lists_keys_and_q_quits_with_status_zero(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("Language", "Search", "Quit", "Page"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_bad_file_is_a_notification_and_others_load(library: Path) -> None:
    (library / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (library / "empty.md").write_text("")
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.query_one(HeadlineList).row_count == 4
        messages = [n.message for n in app._notifications]
        assert any("broken.txt" in m for m in messages)
        assert any("empty.md" in m for m in messages)


async def test_sources_pane_filters_by_source(library: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.md").write_text(
        "---\ntitle: Only here\nlang: en\n---\n\nA note that lives in another folder.\n"
    )
    app = TuinewsApp(load_config(), [library, other])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.query_one(HeadlineList).row_count == 5
        await pilot.press("shift+tab")
        assert app.focused.id == "sources"
        options = app.query_one("#sources")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0].split() == ["All", "5", "(5)"]  # counts right-aligned
        index = next(i for i, p in enumerate(prompts) if p.startswith("other"))
        await pilot.press(*["j"] * index, "enter")
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert headlines.row_count == 1
        assert headlines.current_headline.title == "Only here"
        assert "other" in app.query_one("#status").render().plain


async def test_tab_moves_focus_between_panes(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        seen = set()
        for _ in range(3):
            await pilot.press("tab")
            seen.add(app.focused.id)
        assert {"sources", "article"} <= seen


async def test_narrow_terminal_hides_sources(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(70, 30)) as pilot:
        await settle(pilot, app)
        assert not app.query_one("#sources").display or app.screen.has_class("narrow")
        assert app.query_one(HeadlineList).row_count == 4


async def test_t_switches_to_another_language_version(tmp_path: Path) -> None:
    from tuinews.ui.version_screen import VersionScreen

    demo = Path(__file__).resolve().parents[1] / "src" / "tuinews" / "demo" / "world-wire"
    app = TuinewsApp(load_config(), [demo])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        view = app.query_one(ArticleView)
        first = view.article
        assert len(first.translations) == 2
        assert "Also in:" in article_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, VersionScreen)
        await pilot.press("j", "enter")
        await settle(pilot, app)
        second = view.article
        assert second.id == first.translations[1].id
        assert second.language != first.language
        assert app.query_one(HeadlineList).current_id == second.id


async def test_feeds_refresh_in_the_background_and_r_refreshes(feed_server, tmp_path: Path) -> None:
    from tuinews.refresh import POOL_THRESHOLD

    count = POOL_THRESHOLD + 1  # enough feeds to parse in worker processes
    for n in range(count):
        items = "".join(
            f"<item><title>Feed {n} item {i}</title><guid>f{n}-{i}</guid>"
            f"<link>https://example.org/{n}/{i}</link><description>Body {i}</description></item>"
            for i in range(3)
        )
        feed_server.add_feed(
            f"/{n}.xml",
            f"<rss version='2.0'><channel><title>Feed {n}</title><language>en</language>"
            f"{items}</channel></rss>".encode(),
        )
    urls = [feed_server.url(f"/{n}.xml") for n in range(count)]
    app = TuinewsApp(load_config(), urls)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(40):
            await settle(pilot, app, rounds=1)
            if app.query_one(HeadlineList).row_count == count * 3:
                break
        assert app.query_one(HeadlineList).row_count == count * 3
        assert not [n for n in app._notifications if n.severity != "information"]
        names = {s.name for s in app.sources}
        assert "Feed 0" in names

        feed_server.add_feed(
            "/0.xml",
            b"<rss version='2.0'><channel><title>Feed 0</title><item><title>Fresh news</title>"
            b"<guid>new</guid><description>Just in</description></item></channel></rss>",
        )
        await pilot.press("r")
        for _ in range(40):
            await settle(pilot, app, rounds=1)
            if app.query_one(HeadlineList).row_count == count * 3 + 1:
                break
        assert app.query_one(HeadlineList).row_count == count * 3 + 1
        assert any("1 new" in n.message for n in app._notifications)


async def test_a_first_refresh_shows_articles_as_they_come(feed_server, tmp_path: Path) -> None:
    from test_refresh import rss

    feed_server.add_feed("/fast.xml", rss("Fast", [(f"fast{n}", f"Fast {n}") for n in range(3)]))
    feed_server.add_feed(
        "/slow.xml", rss("Slow", [(f"slow{n}", f"Slow {n}") for n in range(2)]), delay=3.0
    )
    app = TuinewsApp(load_config(), [feed_server.url("/fast.xml"), feed_server.url("/slow.xml")])
    async with app.run_test(size=(120, 40)) as pilot:
        headlines = app.query_one(HeadlineList)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not headlines.row_count:
            await pilot.pause(0.05)
        # The fast feed's articles show while the slow feed is still coming.
        assert headlines.row_count == 3
        assert app._progress is not None
        while time.monotonic() < deadline and headlines.row_count < 5:
            await pilot.pause(0.05)
        assert headlines.row_count == 5


async def test_my_languages_and_one_version_per_story(tmp_path: Path) -> None:
    from tuinews.config import parse_config

    demo = Path(__file__).resolve().parents[1] / "src" / "tuinews" / "demo"
    config_path = tmp_path / "config.toml"
    config = parse_config({"reader": {"languages": ["uk", "en"]}}, config_path)
    app = TuinewsApp(config, [demo / "world-wire", demo / "kyiv-daily"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        rows = [headlines._rows[i] for i in range(headlines.row_count)]
        # The three-language story shows once, in Ukrainian, marked as having versions.
        story = [r for r in rows if r.versions]
        assert len(story) == 1 and story[0].language == "uk"
        assert headlines.row_count == 4
        await pilot.press("l")
        await pilot.pause()
        options = app.screen.query_one("#language-options")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[1].startswith("My languages (uk, en)")
        await pilot.press("j", "enter")
        await settle(pilot, app)
        assert app.language == "mine"
        assert "My languages (uk, en)" in app.query_one("#status").render().plain
        assert headlines.row_count == 4
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one(ArticleView).article.language == "uk"


async def test_reading_state_keys(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        await pilot.press("m", "s")
        await settle(pilot, app)
        first = headlines.current_headline
        assert first.read and first.starred
        with Store(app.config.cache.path) as store:
            assert [h.id for h in store.headlines(HeadlineFilter(starred=True))] == [first.id]
        await pilot.press("m")
        await settle(pilot, app)
        assert not headlines.current_headline.read

        # n opens the next unread article, and skips read ones.
        await pilot.press("j", "m", "k")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert headlines.cursor == 2  # row 1 was read: skipped
        assert app.query_one(ArticleView).article.id == headlines.current_id
        await pilot.press("N")
        await settle(pilot, app)
        assert headlines.cursor == 0

        # M marks the whole view read, u undoes it, and the sources pane follows.
        await pilot.press("M")
        await settle(pilot, app)
        assert all(headlines.rows[i].read for i in range(headlines.row_count))
        with Store(app.config.cache.path) as store:
            assert store.count(HeadlineFilter(unread=True)) == 0
        assert str(app.query_one("#sources").get_option_at_index(0).prompt).endswith(" 4")
        await pilot.press("u")
        await settle(pilot, app)
        with Store(app.config.cache.path) as store:
            assert store.count(HeadlineFilter(unread=True)) > 0
        assert not all(headlines.rows[i].read for i in range(headlines.row_count))


async def test_v_cycles_all_unread_and_starred_views(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        await pilot.press("m", "j", "s")
        await settle(pilot, app)
        await pilot.press("v")
        await settle(pilot, app)
        assert headlines.row_count == 3
        assert "Unread only" in app.query_one("#status").render().plain
        await pilot.press("v")
        await settle(pilot, app)
        assert headlines.row_count == 1 and headlines.current_headline.starred
        await pilot.press("v")
        await settle(pilot, app)
        assert headlines.row_count == 4
