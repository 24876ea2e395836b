"""Scripts that are not left-to-right Latin: right-to-left paragraphs and headlines, wide characters."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bidi import get_display
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from tuinews.config import load_config
from tuinews.model import Article, Block, BlockKind, Headline, LinkSpan, paragraph
from tuinews.render import bidi
from tuinews.render.article import render_article
from tuinews.render.bidi import (
    BidiParagraph,
    app_reorders_for,
    display,
    fit_visual,
    is_rtl_context,
    is_rtl_language,
    paragraph_direction,
)
from tuinews.render.cells import grapheme_spans, truncate_cells
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_view import ArticleView
from tuinews.ui.headline_list import HeadlineList, fit_cells

HEBREW = (
    "ראש העיר הודיע היום כי 25 קווי אוטובוס חדשים יפעלו מחודש מרץ 2027. "
    "לדבריו, חברת Egged תפעיל את הקווים ותשקיע 120 מיליון שקלים בתחנות חדשות."
)
ARABIC = (
    "افتتحت المدينة اليوم مكتبة جديدة تضم 40000 كتاب في وسط البلد. "
    "وقالت مديرة المكتبة إن نظام Koha سيساعد القراء على البحث في الفهرس خلال عام 2026."
)
JAPANESE = "東京で新しい研究所が開設され、世界中の研究者が集まる予定です。開所式は来月に行われ、多くの来賓が出席します。"
CHINESE = "上海市今天宣布新的地铁线路将于明年开通，全长三十五公里，设有二十二座车站，预计每天运送乘客五十万人次。"


@pytest.fixture(autouse=True)
def app_mode() -> Iterator[None]:
    """Most tests want the app to reorder whatever terminal runs them; restore "auto" after."""
    bidi.set_mode("app")
    yield
    bidi.set_mode("auto")


def render_lines(renderable, width: int) -> list[str]:
    console = Console(width=width, color_system=None, file=io.StringIO(), legacy_windows=False)
    lines = console.render_lines(renderable, console.options.update_width(width), pad=False)
    return ["".join(segment.text for segment in line) for line in lines]


def logical_lines(text: str, width: int) -> list[str]:
    console = Console(width=width, color_system=None, file=io.StringIO())
    return [line.plain.rstrip() for line in Text(text).wrap(console, width)]


# -- Directions and modes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "rtl"),
    [
        ("ar", True),
        ("ar-EG", True),
        ("he", True),
        ("fa-IR", True),
        ("ur", True),
        ("ckb", True),
        ("yi", True),
        ("az-Arab", True),
        ("uz-Latn", False),
        ("en", False),
        ("ja", False),
        ("und", False),
        ("", False),
    ],
)
def test_rtl_languages(code: str, rtl: bool) -> None:
    assert is_rtl_language(code) is rtl


def test_direction_by_language_then_first_strong_character() -> None:
    assert is_rtl_context("he", "Egged")
    assert is_rtl_context("und", "שלום world")
    assert not is_rtl_context("und", "world שלום")
    assert not is_rtl_context("en", "שלום")
    # In an RTL article a paragraph starting with a Latin name is still RTL; a Latin one is not.
    assert paragraph_direction("Koha نظام جديد", rtl_context=True) == "R"
    assert paragraph_direction("Open source software.", rtl_context=True) == "L"
    assert paragraph_direction("2026", rtl_context=True) == "R"
    assert paragraph_direction("שלום world") == "R"


@pytest.mark.parametrize(
    ("mode", "env", "reorders"),
    [
        ("app", {"VTE_VERSION": "7600"}, True),
        ("terminal", {}, False),
        ("auto", {}, True),
        ("auto", {"VTE_VERSION": "7600"}, False),
        ("auto", {"KONSOLE_VERSION": "230805"}, False),
        ("auto", {"VTE_VERSION": ""}, True),
    ],
)
def test_bidi_modes(mode: str, env: dict[str, str], reorders: bool) -> None:
    assert app_reorders_for(mode, env) is reorders


def test_auto_mode_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KONSOLE_VERSION", raising=False)
    monkeypatch.setenv("VTE_VERSION", "7600")
    bidi.set_mode("auto")
    assert not bidi.app_reorders()
    lines = render_lines(BidiParagraph(Text(HEBREW)), 40)
    assert [line.rstrip() for line in lines] == logical_lines(HEBREW, 40)  # logical, unpadded
    monkeypatch.delenv("VTE_VERSION")
    bidi.set_mode("auto")
    assert bidi.app_reorders()
    with pytest.raises(ValueError):
        bidi.set_mode("rtl")


# -- The paragraph renderer -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [HEBREW, ARABIC])
@pytest.mark.parametrize("width", [30, 47, 80])
def test_paragraph_lines_are_wrapped_then_reordered_and_right_aligned(
    text: str, width: int
) -> None:
    lines = render_lines(BidiParagraph(Text(text)), width)
    expected = logical_lines(text, width)
    assert len(lines) == len(expected) > 1
    for line, logical in zip(lines, expected, strict=True):
        assert cell_len(line) == width  # right-aligned: padded on the left up to the edge
        assert line.lstrip() == get_display(logical, base_dir="R")
        assert not line.endswith(" ")


def test_wrapping_happens_before_reordering() -> None:
    lines = render_lines(BidiParagraph(Text(HEBREW)), 40)
    first_words = HEBREW.split()[:3]
    # The first logical words are on the FIRST line, at its right end (reversed letters).
    assert lines[0].rstrip().endswith(first_words[0][::-1])
    assert all(word[::-1] in lines[0] for word in first_words)
    last_word = HEBREW.split()[-1].rstrip(".")
    assert last_word[::-1] in lines[-1]


def test_numbers_and_latin_words_keep_their_order() -> None:
    line = display("חברת Egged תפעיל 25 קווים ב-2027", "R")
    assert "Egged" in line and "2027" in line and "25" in line
    assert line.index("2027") < line.index("25") < line.index("Egged")  # read right to left


def test_marks_stay_after_their_letter_and_brackets_mirror() -> None:
    # get_display alone would put the tanween (U+064B) before its alef.
    assert display("أيضاً كتب", "R") == "بتك " + "اً" + "ضيأ"
    assert display("المدينة (BBC) اليوم", "R") == "مويلا (BBC) ةنيدملا"


def test_styles_follow_their_characters() -> None:
    text = Text("קישור ל-Wikipedia כאן")
    text.stylize(Style(link="https://he.wikipedia.org"), 8, 17)
    text.stylize("bold", 0, 5)
    [line] = BidiParagraph(text).lines(Console(width=60, file=io.StringIO()), 60)
    assert line.plain == get_display(text.plain, base_dir="R")
    styled = {line.plain[span.start : span.end]: str(span.style) for span in line.spans}
    assert any(part == "Wikipedia" and "link" in style for part, style in styled.items())
    assert any(part == "רושיק" and "bold" in style for part, style in styled.items())


def test_left_to_right_paragraph_with_rtl_words_is_reordered_but_left_aligned() -> None:
    text = "The mayor said שלום עולם to the crowd."
    [line] = render_lines(BidiParagraph(Text(text), "L"), 60)
    assert line.rstrip() == "The mayor said םלוע םולש to the crowd."


def test_article_renders_rtl_blocks_as_bidi_paragraphs() -> None:
    article = Article(
        guid="x",
        title="ספרייה חדשה נפתחה",
        blocks=[
            paragraph(HEBREW),
            Block(BlockKind.HEADING, "כותרת משנה"),
            Block(BlockKind.PARAGRAPH, "קישור כאן", links=(LinkSpan(0, 5, "https://e.org"),)),
            Block(BlockKind.CODE, "print('hello')"),
        ],
        language="he",
        source_name="Haaretz",
    )
    lines = [line.rstrip() for line in render_lines(render_article(article), 50)]
    assert lines[0] == " " * (50 - len(article.title)) + get_display(article.title)
    assert " " * 40 + get_display("כותרת משנה") in lines
    assert "print('hello')" in lines  # left to right, left-aligned


# -- Wide characters and grapheme clusters -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cluster"),
    [
        ("cafe\u0301 au lait", "e\u0301"),
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧"),
        ("🇺🇦🇩🇪 flags", "🇺🇦"),
        ("\u1100\u1161\u11a8 jamo", "\u1100\u1161\u11a8"),
        ("हिन्दी समाचार", "न्दी"),
        ("東京の研究所", "東"),
    ],
)
def test_truncation_never_splits_a_grapheme_cluster(text: str, cluster: str) -> None:
    spans = grapheme_spans(text)
    assert any(text[start:end] == cluster for start, end, _cells in spans)
    for width in range(1, cell_len(text) + 2):
        fitted = fit_cells(text, width)
        assert cell_len(fitted) == width
        body = fitted.rstrip(" ").removesuffix("…").rstrip(" ")
        assert text.startswith(body)
        # The cut falls on a cluster boundary.
        assert len(body) in {0} | {end for _start, end, _cells in spans}


def test_flag_pairs_count_from_the_start_of_the_run() -> None:
    text = "🇺🇦🇩🇪🇫🇷"
    assert [text[s:e] for s, e, _c in grapheme_spans(text)] == ["🇺🇦", "🇩🇪", "🇫🇷"]


def test_truncate_cells_cuts_wide_characters_whole() -> None:
    assert truncate_cells(JAPANESE, 6) == "東京…"
    assert truncate_cells(JAPANESE, 5) == "東京…"
    assert cell_len(truncate_cells(JAPANESE, 5)) == 5
    assert fit_cells(JAPANESE, 6) == "東京 …"  # the ellipsis ends the column


@pytest.mark.parametrize("text", [JAPANESE, CHINESE])
@pytest.mark.parametrize("width", [7, 20, 33])
def test_cjk_wraps_by_cells(text: str, width: int) -> None:
    lines = render_lines(Text(text), width)
    assert "".join(line.rstrip() for line in lines) == text
    assert all(cell_len(line) <= width for line in lines)


def test_rtl_title_is_cut_at_its_logical_end_then_reordered() -> None:
    title = "ראש העיר הודיע על קווי אוטובוס חדשים"
    fitted = fit_visual(title, 16, rtl_context=True)
    assert fitted is not None and cell_len(fitted) == 16
    cut = truncate_cells(title, 16)
    assert cut.startswith("ראש העיר") and cut.endswith("…")
    assert fitted.rstrip() == get_display(cut, base_dir="R")
    # The start of the title is at the right end; the ellipsis at the left.
    assert fitted.rstrip().endswith("שאר") and fitted.startswith("…")
    assert fit_visual("An English title", 16) is None
    bidi.set_mode("terminal")
    assert fit_visual(title, 16, rtl_context=True) is None


# -- In the app ---------------------------------------------------------------------------------

ARTICLES = {
    "ar-library.md": ("ar", "مكتبة جديدة في وسط المدينة", "2026-11-04T09:00:00Z", ARABIC),
    "he-buses.md": ("he", "קווי אוטובוס חדשים בעיר", "2026-11-03T09:00:00Z", HEBREW),
    "ja-lab.md": ("ja", JAPANESE[:30], "2026-11-02T09:00:00Z", JAPANESE * 2),
    "zh-metro.md": ("zh", CHINESE[:25], "2026-11-01T09:00:00Z", CHINESE * 2),
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (lang, title, date, body) in ARTICLES.items():
        text = f"---\ntitle: {title}\ndate: {date}\nlang: {lang}\n---\n\n{body}\n"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[reader]\nbidi = "app"\n', encoding="utf-8")
    return path


async def settle(pilot, app: App, rounds: int = 6) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: App) -> str:
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return "".join(html.unescape(run).replace("\xa0", " ") for run in runs)


def pane_lines(app: TuinewsApp) -> tuple[int, list[str]]:
    """The article pane's content as rendered at the pane's width."""
    static = app.query_one("#article-body", Static)
    width = static.content_region.width
    return width, render_lines(static.content, width)


async def open_row(pilot, app: TuinewsApp, index: int) -> None:
    headlines = app.query_one(HeadlineList)
    headlines.focus()
    headlines.cursor = index
    await pilot.press("enter")
    await settle(pilot, app)


@pytest.mark.parametrize(("index", "body"), [(0, ARABIC), (1, HEBREW)])
async def test_rtl_article_on_screen(
    library: Path, config_path: Path, index: int, body: str
) -> None:
    app = TuinewsApp(load_config(config_path), [library])
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await open_row(pilot, app, index)
        assert app.query_one(ArticleView).article.blocks[0].text == body
        width, lines = pane_lines(app)
        expected = [get_display(line, base_dir="R") for line in logical_lines(body, width)]
        body_lines = [line for line in lines if line.strip() in expected]
        assert [line.strip() for line in body_lines] == expected
        assert all(cell_len(line.rstrip()) == width for line in body_lines)  # right-aligned
        on_screen = screen_text(app)
        assert all(line in on_screen for line in expected)
        # The title is right-aligned and in visual order too.
        title = app.query_one(ArticleView).article.title
        assert lines[0].rstrip() == " " * (width - cell_len(title)) + get_display(title)


async def test_rtl_article_rewraps_on_resize(library: Path, config_path: Path) -> None:
    app = TuinewsApp(load_config(config_path), [library])
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await open_row(pilot, app, 1)
        await pilot.resize_terminal(90, 40)
        await settle(pilot, app)
        width, _lines = pane_lines(app)
        expected = [get_display(line, base_dir="R") for line in logical_lines(HEBREW, width)]
        on_screen = screen_text(app)
        assert all(line in on_screen for line in expected)


@pytest.mark.parametrize(("index", "body"), [(2, JAPANESE * 2), (3, CHINESE * 2)])
async def test_cjk_article_on_screen(
    library: Path, config_path: Path, index: int, body: str
) -> None:
    app = TuinewsApp(load_config(config_path), [library])
    async with app.run_test(size=(90, 40)) as pilot:
        await settle(pilot, app)
        await open_row(pilot, app, index)
        width, lines = pane_lines(app)
        assert all(cell_len(line) <= width for line in lines)
        body_lines = [line.rstrip() for line in lines if line.strip() and line.strip()[0] in body]
        assert "".join(body_lines[1:]).endswith(body)  # after the title, the body, whole
        assert body[:10] in screen_text(app)


def headline_screen_lines(widget: HeadlineList) -> list[str]:
    width, height = widget.scrollable_content_region.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


async def test_headlines_in_every_script_line_up(library: Path, config_path: Path) -> None:
    app = TuinewsApp(load_config(config_path), [library])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        widget = app.query_one(HeadlineList)
        # The app draws the pane with a border: rows start with its left edge.
        rows = [line for line in headline_screen_lines(widget) if line.startswith("│")][:4]
        assert len(rows) == 4
        assert len({cell_len(row) for row in rows}) == 1
        positions = set()
        for row, lang in zip(rows, ["ar", "he", "ja", "zh"], strict=True):
            at = row.index(f" {lang} ")
            positions.add(cell_len(row[:at]))
        assert len(positions) == 1
        # The Hebrew title in visual order.
        assert get_display("קווי אוטובוס חדשים בעיר") in rows[1]


class NarrowList(App[None]):
    def __init__(self, rows: list[Headline], width: int) -> None:
        super().__init__()
        self.rows = rows
        self.list_width = width

    def compose(self) -> ComposeResult:
        yield HeadlineList()

    def on_mount(self) -> None:
        widget = self.query_one(HeadlineList)
        widget.styles.width = self.list_width
        widget.set_rows(self.rows, {1: "NHK", 2: "הארץ"})


@pytest.mark.parametrize("width", [34, 45, 61])
async def test_narrow_list_with_japanese_and_hebrew_titles(width: int) -> None:
    rows = [
        Headline(1, JAPANESE, 1, "ja", 1579089600.0, False, False),
        Headline(
            2, "Plain English headline that is long enough to be cut", 1, "en", 0, True, False
        ),
        Headline(3, "ראש העיר הודיע על 25 קווי אוטובוס חדשים", 2, "he", 0, False, True),
        Headline(4, "👨\u200d👩\u200d👧 e\u0301te\u0301 🇺🇦 " * 4, 1, "und", 0, False, False),
    ]
    app = NarrowList(rows, width)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        lines = headline_screen_lines(widget)[:4]
        assert all(cell_len(line) == widget.scrollable_content_region.width for line in lines)
        codes = [" ja ", " en ", " he ", "      "]
        ends = [
            cell_len(line[: line.index(code) + len(code)])
            for line, code in zip(lines[:3], codes, strict=False)
        ]
        assert len(set(ends)) == 1
        assert "…" in lines[0] and "東京" in lines[0]
        hebrew = lines[2]
        assert "שאר" in hebrew and hebrew.index("…") < hebrew.index("שאר")
