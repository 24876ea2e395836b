"""Links and images: numbered `[n]` markers, the list at the end, and the keys that open and copy them."""

from __future__ import annotations

import html
import io
import re
import shlex
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Static

from tuinews.config import load_config
from tuinews.model import Article, Block, BlockKind, LinkSpan, paragraph
from tuinews.render.article import render_article, render_block
from tuinews.render.bidi import BidiParagraph, set_mode
from tuinews.render.links import LinkNumbers, article_links, is_safe_url
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_view import ArticleView
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.link_picker import LinkPicker


def render_plain(article: Article, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(render_article(article))
    return console.export_text()


def linked(text: str, *pairs: tuple[str, str], kind: BlockKind = BlockKind.PARAGRAPH) -> Block:
    """A block with a link over the first occurrence of each `word` to `url`."""
    spans = tuple(
        LinkSpan(text.index(word), text.index(word) + len(word), url) for word, url in pairs
    )
    return Block(kind, text, links=spans)


def sample() -> Article:
    return Article(
        guid="x",
        title="Links everywhere",
        link="https://example.org/story",
        blocks=[
            linked(
                "Read the timetable and the map and this trick.",
                ("timetable", "https://example.org/timetable"),
                ("map", "https://example.org/map"),
                ("trick", "javascript:alert(1)"),
            ),
            linked(
                "Again the timetable, a data one and mail us.",
                ("timetable", "https://example.org/timetable"),
                ("data one", "data:text/html,<b>hi</b>"),
                ("mail us", "mailto:desk@example.org"),
            ),
            Block(BlockKind.IMAGE, "tram map", url="https://example.org/map.png"),
            Block(BlockKind.IMAGE, "local", url="file:///etc/passwd"),
        ],
        language="en",
    )


def link_styles(text: Text) -> dict[str, str]:
    """The text under each span with a link style, keyed by that text."""
    return {
        text.plain[span.start : span.end]: span.style.link
        for span in text.spans
        if not isinstance(span.style, str) and span.style.link
    }


# Rendering


def test_links_are_numbered_after_their_text_and_listed_at_the_end() -> None:
    text = render_plain(sample())
    assert "Read the timetable[1] and the map[2] and this trick." in text
    assert "Again the timetable[1], a data one and mail us[3]." in text
    assert "[image: tram map] [4]" in text
    body, links = text.split("\nLinks\n")
    assert links.split() == [
        "[1]",
        "https://example.org/timetable",
        "[2]",
        "https://example.org/map",
        "[3]",
        "mailto:desk@example.org",
        "[4]",
        "https://example.org/map.png",
    ]
    assert "https://example.org/map.png" not in body


def test_unsafe_schemes_are_plain_text_without_numbers_or_links() -> None:
    text = render_plain(sample())
    assert "[image: local]\n" in text  # no number
    assert "javascript" not in text and "data:" not in text and "file:" not in text
    block = render_block(sample().blocks[0])
    assert set(link_styles(block).values()) == {
        "https://example.org/timetable",
        "https://example.org/map",
    }
    image = render_block(sample().blocks[3])
    assert link_styles(image) == {}


def test_link_spans_and_markers_carry_the_osc8_link_style() -> None:
    block = render_block(sample().blocks[0])
    styles = {
        block.plain[span.start : span.end]: span.style
        for span in block.spans
        if not isinstance(span.style, str)
    }
    assert styles["timetable"].link == "https://example.org/timetable"
    assert styles["timetable"].underline
    assert styles["[1]"].link == "https://example.org/timetable"
    assert styles["[1]"].dim
    assert styles["[2]"].link == "https://example.org/map"
    # And a terminal that supports hyperlinks gets the OSC 8 sequence.
    console = Console(width=80, force_terminal=True, color_system="truecolor", file=io.StringIO())
    console.print(block)
    assert "\x1b]8;" in console.file.getvalue()
    assert "https://example.org/timetable" in console.file.getvalue()


def test_numbers_follow_reading_order_and_dedup() -> None:
    links = article_links(sample().blocks)
    assert [(link.number, link.url, link.text) for link in links] == [
        (1, "https://example.org/timetable", "timetable"),
        (2, "https://example.org/map", "map"),
        (3, "mailto:desk@example.org", "mail us"),
        (4, "https://example.org/map.png", "tram map"),
    ]
    numbers = LinkNumbers()
    assert numbers.number("https://a.example") == 1
    assert numbers.number("javascript:alert(1)") is None
    assert numbers.number("https://b.example") == 2
    assert numbers.number("https://a.example") == 1
    assert len(numbers) == 2


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=c", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("mailto:desk@example.org", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,hi", False),
        ("file:///etc/passwd", False),
        ("https:///nohost", False),
        ("https://example.org/\x1b]8;;evil\x07", False),
        ("https://example.org/a b", False),
        ("", False),
    ],
)
def test_safe_urls(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_article_without_links_has_no_list() -> None:
    article = Article(guid="y", title="Plain", blocks=[paragraph("Nothing linked here.")])
    assert "Links" not in render_plain(article)


def test_markup_in_link_text_stays_literal() -> None:
    article = Article(
        guid="z",
        title="Brackets",
        blocks=[linked("See [bold]this[/bold] page.", ("[bold]this[/bold]", "https://e.org/p"))],
    )
    assert "See [bold]this[/bold][1] page." in render_plain(article)


def test_rtl_paragraph_keeps_markers_and_link_styles() -> None:
    set_mode("app")
    try:
        article = Article(
            guid="he",
            title="ספרייה חדשה נפתחה",
            language="he",
            blocks=[linked("קישור כאן ועוד", ("קישור", "https://he.example.org"))],
        )
        group = render_article(article)
        bidi = [part for part in group.renderables if isinstance(part, BidiParagraph)]
        paragraph_text = next(p for p in bidi if "[1]" in p.text.plain or "]1[" in p.text.plain)
        assert paragraph_text.text.plain.startswith("קישור[1]")
        console = Console(width=50, file=io.StringIO())
        [line] = paragraph_text.lines(console, 50)
        styled = link_styles(line)
        assert "https://he.example.org" in styled.values()
        assert any("1" in part for part, url in styled.items() if url == "https://he.example.org")
        text = render_plain(article, 50)
        assert "[1] https://he.example.org" in text
    finally:
        set_mode("auto")


# The reader


ARTICLE = """---
title: Links everywhere
date: 2026-11-03T09:00:00Z
lang: en
link: https://example.org/story
---

Read the [timetable](https://example.org/timetable) and the [map](https://example.org/map).

Again the [timetable](https://example.org/timetable), and [mail us](mailto:desk@example.org).

![tram map](https://example.org/map.png)
"""

UNSAFE = """---
title: A trap
date: 2026-11-01T09:00:00Z
lang: en
link: javascript:alert(1)
---

Nothing to see.
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "links.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "trap.md").write_text(UNSAFE, encoding="utf-8")
    return folder


class Recorded:
    """The URLs a fake browser was started with, one per line of its log, compared as a list."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def urls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def __eq__(self, other: object) -> bool:
        return self.urls() == other

    def __repr__(self) -> str:
        return repr(self.urls())


def fake_browser(folder: Path, name: str) -> Path:
    """A real browser command for `BROWSER`: a script that logs its argument and exits."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> {shlex.quote(str(folder / 'opened.log'))}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Every URL handed to the browser: `BROWSER` names a small script that logs them."""
    script = fake_browser(tmp_path / "browser", "my-browser")
    monkeypatch.setenv("BROWSER", str(script))
    return Recorded(script.parent / "opened.log")


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    for _round in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_first(pilot, app: TuinewsApp) -> None:
    """Open the newest headline (the article with links) with Enter."""
    await settle(pilot, app)
    headlines = app.query_one(HeadlineList)
    headlines.cursor = 0
    await pilot.press("enter")
    await settle(pilot, app)
    assert app.query_one(ArticleView).article is not None


def notifications(app: TuinewsApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def test_digit_then_enter_opens_that_link(library: Path, opened: list[str]) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        article = app.query_one(ArticleView).article
        assert article is not None and article.title == "Links everywhere"
        await pilot.press("2")
        assert "Link 2…" in str(app.query_one("#status", Static).content)
        await pilot.press("enter")
        await settle(pilot, app)
        assert opened == ["https://example.org/map"]
        assert "Link 2" not in str(app.query_one("#status", Static).content)
        # The article stays; Enter went to the link, not to the headline list.
        assert app.query_one(ArticleView).article is article


async def test_digits_accumulate_escape_cancels_out_of_range_notifies(
    library: Path, opened: list[str]
) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("1", "2")
        assert "Link 12…" in str(app.query_one("#status", Static).content)
        await pilot.press("escape")
        assert "Link" not in str(app.query_one("#status", Static).content)
        await pilot.press("1", "2", "enter")
        await settle(pilot, app)
        assert opened == []
        assert any("No link 12" in note for note in notifications(app))
        await pilot.press("4", "enter")
        await settle(pilot, app)
        assert opened == ["https://example.org/map.png"]


async def test_o_opens_the_article_and_y_copies_its_link(library: Path, opened: list[str]) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == ["https://example.org/story"]
        await pilot.press("y")
        assert app.clipboard == "https://example.org/story"
        assert any("https://example.org/story" in note for note in notifications(app))


async def test_javascript_link_is_refused(library: Path, opened: list[str]) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        headlines.cursor = 1
        await pilot.press("enter")
        await settle(pilot, app)
        article = app.query_one(ArticleView).article
        assert article is not None and article.link == "javascript:alert(1)"
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == []
        assert any("only http, https and mailto" in note for note in notifications(app))
        app.open_url("file:///etc/passwd")
        await settle(pilot, app)
        assert opened == []


async def test_enter_still_opens_headlines_when_no_number_is_pending(
    library: Path, opened: list[str]
) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        headlines = app.query_one(HeadlineList)
        headlines.focus()
        headlines.cursor = 1
        await pilot.press("enter")
        await settle(pilot, app)
        article = app.query_one(ArticleView).article
        assert article is not None and article.title == "A trap"
        assert opened == []


async def test_digits_without_an_article_ask_for_one(library: Path, opened: list[str]) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        assert "Link" not in str(app.query_one("#status", Static).content)
        await pilot.press("enter")
        await settle(pilot, app)
        assert opened == []
        assert app.query_one(ArticleView).article is not None  # Enter opened the headline


async def test_picker_lists_the_links_and_enter_opens_one(library: Path, opened: list[str]) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("L")
        await settle(pilot, app)
        assert isinstance(app.screen, LinkPicker)
        assert [link.url for link in app.screen.links] == [
            "https://example.org/timetable",
            "https://example.org/map",
            "mailto:desk@example.org",
            "https://example.org/map.png",
        ]
        await pilot.press("j", "j", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, LinkPicker)
        assert opened == ["mailto:desk@example.org"]
        await pilot.press("L", "escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, LinkPicker)
        assert opened == ["mailto:desk@example.org"]


async def test_help_lists_the_link_keys(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await settle(pilot, app)
        svg = app.export_screenshot()
        runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
        text = "".join(html.unescape(run).replace("\xa0", " ") for run in runs)
        for words in ("Open in browser", "Copy link", "1-9 Enter", "Open link by number"):
            assert words in text
