"""Tests for the headline list widget, driven through a real Textual app with `run_test`."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.geometry import Region

from tuinews.model import Headline
from tuinews.ui.headline_list import HeadlineList, fit_cells, format_date

NOW = time.time()
PAST = 1579089600.0  # 2020-01-15 12:00 UTC: never "today"
SOURCES = {1: "Kyiv Independent Daily", 2: "BBC"}
JAPANESE = "東京で新しい研究所が開設され、世界中の研究者が集まる予定です。開所式は来月です"


def make_rows(count: int, *, start: int = 0) -> list[Headline]:
    """`count` rows with ids 1000+i: even rows unread, every 7th starred, all dated in the past."""
    return [
        Headline(
            id=1000 + i,
            title=f"Headline number {i}",
            source_id=1 + i % 2,
            language="en",
            published=PAST,
            read=i % 2 == 1,
            starred=i % 7 == 0,
        )
        for i in range(start, start + count)
    ]


class ListApp(App[None]):
    """A one-widget app that records the list's messages."""

    def __init__(
        self, rows: Sequence[Headline], names: Mapping[int, str] = SOURCES, width: str = "1fr"
    ) -> None:
        super().__init__()
        self.rows = rows
        self.names = names
        self.width = width
        self.highlighted: list[tuple[int, int]] = []
        self.selected: list[tuple[int, int]] = []

    def compose(self) -> ComposeResult:
        yield HeadlineList()

    def on_mount(self) -> None:
        headline_list = self.query_one(HeadlineList)
        headline_list.styles.width = self.width
        headline_list.set_rows(self.rows, self.names)
        headline_list.focus()

    def on_headline_list_highlighted(self, message: HeadlineList.Highlighted) -> None:
        self.highlighted.append((message.article_id, message.index))

    def on_headline_list_selected(self, message: HeadlineList.Selected) -> None:
        self.selected.append((message.article_id, message.index))


def screen_lines(widget: HeadlineList) -> list[str]:
    """The widget's lines as the compositor gets them (its repaint cache included)."""
    width, height = widget.scrollable_content_region.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


async def test_rows_render_marks_title_and_columns() -> None:
    rows = make_rows(40)
    rows[0] = Headline(1, "Today's story", 2, "pt-BR", NOW, False, True)
    rows[1] = Headline(2, "Undated story", 1, "und", 0, True, False)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        width = widget.scrollable_content_region.width
        lines = screen_lines(widget)
        assert all(cell_len(line) == width for line in lines)
        first, second, third = lines[0], lines[1], lines[2]
        assert first.startswith("●★ Today's story")
        assert first.rstrip().endswith(time.strftime("%H:%M", time.localtime(NOW)))
        assert "BBC" in first and "pt-BR" in first
        assert second.startswith("   Undated story")  # read, not starred
        assert "Kyiv Independen…" in second  # source cut to 16 cells
        assert second.endswith(" " * 17)  # no language, no date
        past = time.strftime("%Y-%m-%d", time.localtime(PAST))
        assert third.startswith("●  Headline number 2") and third.endswith(f"en    {past}")
        assert widget.row_count == 40
        assert widget.current_id == 1


async def test_styles_bold_unread_dim_read_and_cursor_highlight() -> None:
    app = ListApp(make_rows(5))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)

        def title_style(y: int):
            for segment in widget.render_line(y):
                if segment.text.startswith("Headline"):
                    return segment.style
            raise AssertionError("no title segment")

        assert title_style(2).bold and not title_style(2).dim  # unread
        assert title_style(1).dim and not title_style(1).bold  # read
        cursor_bg = title_style(0).bgcolor
        assert cursor_bg is not None and cursor_bg != title_style(2).bgcolor

        # Losing focus dims the cursor (the blurred cursor colours), without stale cache.
        app.set_focus(None)
        await pilot.pause()
        assert title_style(0).bgcolor != cursor_bg


async def test_keys_move_cursor_and_post_highlighted() -> None:
    rows = make_rows(100)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert app.highlighted == [(1000, 0)]
        app.highlighted.clear()

        await pilot.press("j", "j", "down")
        await pilot.pause()
        assert widget.cursor == 3
        assert app.highlighted == [(1001, 1), (1002, 2), (1003, 3)]

        await pilot.press("k", "up")
        await pilot.pause()
        assert widget.cursor == 1
        assert app.highlighted[-2:] == [(1002, 2), (1001, 1)]

        await pilot.press("G")
        await pilot.pause()
        assert widget.cursor == 99 and widget.current_id == 1099
        assert app.highlighted[-1] == (1099, 99)
        assert screen_lines(widget)[-1].startswith("   Headline number 99")

        await pilot.press("g")
        await pilot.pause()
        assert widget.cursor == 0 and widget.scroll_offset.y == 0
        assert app.highlighted[-1] == (1000, 0)

        page = widget.scrollable_content_region.height
        await pilot.press("pagedown")
        await pilot.pause()
        assert widget.cursor == page
        assert app.highlighted[-1] == (1000 + page, page)
        assert widget.scroll_offset.y <= page < widget.scroll_offset.y + page

        await pilot.press("pageup")
        await pilot.pause()
        assert widget.cursor == 0

        await pilot.press("end", "home")
        await pilot.pause()
        assert widget.cursor == 0

        # No message when the row does not change (already at the top).
        count = len(app.highlighted)
        await pilot.press("k", "home", "g")
        await pilot.pause()
        assert len(app.highlighted) == count


async def test_enter_and_click_post_selected() -> None:
    app = ListApp(make_rows(50))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert app.selected == [(1002, 2)]

        await pilot.click(HeadlineList, offset=(5, 3))
        await pilot.pause()
        assert app.selected[-1] == (1003, 3)
        assert widget.cursor == 3 and widget.current_id == 1003
        assert app.highlighted[-1] == (1003, 3)

        # After scrolling, a click maps to the row under the pointer.
        await pilot.press("G")
        await pilot.pause()
        top = widget.scroll_offset.y
        assert top > 0
        await pilot.click(HeadlineList, offset=(5, 0))
        await pilot.pause()
        assert app.selected[-1] == (1000 + top, top)


async def test_titles_are_never_markup() -> None:
    rows = [
        Headline(1, "[bold]x[/] and [red]y[/red]", 1, "en", PAST, False, False),
        Headline(2, "[link=https://evil.example]click[/link] :smile:", 1, "en", PAST, False, False),
        Headline(3, "[bold]日本[/] [i]ニュース[/i]", 1, "ja", PAST, False, False),
    ]
    app = ListApp(rows, {1: "[b]src[/b]"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lines = screen_lines(app.query_one(HeadlineList))
        assert lines[0].startswith("●  [bold]x[/] and [red]y[/red]")
        assert lines[1].startswith("●  [link=https://evil.example]click[/link] :smile:")
        assert lines[2].startswith("●  [bold]日本[/] [i]ニュース[/i]")
        assert "[b]src[/b]" in lines[0]
        widget = app.query_one(HeadlineList)
        assert all(
            segment.style is None or not segment.style.link for segment in widget.render_line(1)
        )


async def test_control_characters_never_reach_the_terminal() -> None:
    title = "red\x1b[31m alert\x07 \u202eevil\nline"
    rows = [Headline(1, title, 1, "en\x1b[0m", PAST, False, False)]
    app = ListApp(rows, {1: "src\x1b]0;title\x07"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        line = screen_lines(app.query_one(HeadlineList))[0]
        assert line.startswith("●  red alert evil line ")
        assert all(ch.isprintable() for ch in line)


async def test_rows_set_before_mount() -> None:
    class EarlyApp(App[None]):
        def compose(self) -> ComposeResult:
            widget = HeadlineList()
            widget.set_rows(make_rows(200), SOURCES, keep=1150)
            yield widget

    app = EarlyApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert widget.cursor == 150 and widget.current_id == 1150
        top = widget.scroll_offset.y
        assert top <= 150 < top + widget.scrollable_content_region.height
        assert any(line.startswith("●  Headline number 150 ") for line in screen_lines(widget))


def language_offsets(lines: list[str], languages: list[str]) -> set[int]:
    """The cell offset where each row's language code starts."""
    return {
        cell_len(line[: line.rindex(lang)]) for line, lang in zip(lines, languages, strict=True)
    }


async def test_cjk_titles_truncate_and_keep_columns_aligned() -> None:
    titles = [
        JAPANESE,
        "x" + JAPANESE,  # odd offset: a wide character straddles the cut
        "Short",
        "Ελληνικά νέα σήμερα και αύριο για όλους τους αναγνώστες της εφημερίδας",
        "한국어 뉴스 제목이 아주 길어서 잘려야 합니다 한국어 뉴스 제목",
        "😀 emoji " * 10,
    ]
    languages = ["ja", "ja", "en", "el", "ko", "und-x"]
    rows = [
        Headline(i, title, 1 + i % 2, lang, PAST, False, False)
        for i, (title, lang) in enumerate(zip(titles, languages, strict=True))
    ]
    for width, shows_source, shows_date in (
        (50, False, True),
        (100, True, True),
        (36, False, False),
    ):
        app = ListApp(rows, width=str(width))
        async with app.run_test(size=(120, 20)) as pilot:
            await pilot.pause()
            widget = app.query_one(HeadlineList)
            content_width = widget.scrollable_content_region.width
            assert content_width == width
            lines = screen_lines(widget)[: len(rows)]
            assert all(cell_len(line) == width for line in lines)
            assert len(language_offsets(lines, languages)) == 1
            assert "…" in lines[0] and "…" in lines[1] and "Short" in lines[2]
            assert ("BBC" in lines[1]) is shows_source
            assert (time.strftime("%Y-%m-%d", time.localtime(PAST)) in lines[0]) is shows_date


def test_fit_cells_never_splits_wide_characters() -> None:
    for width in range(1, 40):
        for text in (JAPANESE, "x" + JAPANESE, "abc", "", "a\tb\nc"):
            fitted = fit_cells(text, width)
            assert cell_len(fitted) == width
            assert "\n" not in fitted and "\t" not in fitted
            if cell_len(text) > width:
                assert fitted.endswith("…")
    assert fit_cells("pt-BR", 5) == "pt-BR"
    assert fit_cells("zh-Hant-TW", 5) == "zh-H…"


def test_format_date() -> None:
    local = time.localtime(NOW)
    today = (local.tm_year, local.tm_yday)
    assert format_date(NOW, today) == time.strftime("%H:%M", local)
    assert format_date(PAST, today) == time.strftime("%Y-%m-%d", time.localtime(PAST))
    assert format_date(0, today) == ""
    assert format_date(1e20, today) == ""


async def test_update_row_repaints_mark() -> None:
    app = ListApp(make_rows(10))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert screen_lines(widget)[2].startswith("●  ")
        assert widget.update_row(1002, read=True, starred=True)
        await pilot.pause()
        assert screen_lines(widget)[2].startswith(" ★ ")
        assert widget.update_row(1002, read=False)
        await pilot.pause()
        assert screen_lines(widget)[2].startswith("●★ ")
        assert widget.update_row(999_999, read=True) is False
        assert widget.current_headline is not None and widget.current_headline.id == 1000


async def test_set_rows_keep_and_append_rows() -> None:
    rows = make_rows(60)
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert widget.move_to(1040)
        await pilot.pause()
        assert widget.cursor == 40
        screen_row = widget.cursor - widget.scroll_offset.y
        app.highlighted.clear()

        # Five new rows on top: the kept article moves down to index 45.
        new_rows = [*make_rows(5, start=100), *rows]
        widget.set_rows(new_rows, SOURCES, keep=1040)
        await pilot.pause()
        assert widget.cursor == 45 and widget.current_id == 1040
        assert widget.index_of(1040) == 45 and widget.index_of(1100) == 0
        assert widget.cursor - widget.scroll_offset.y == screen_row  # same screen line
        assert app.highlighted == [(1040, 45)]

        # Same rows again, keep the same article: nothing changed, nothing posted.
        widget.set_rows(new_rows, SOURCES, keep=1040)
        await pilot.pause()
        assert app.highlighted == [(1040, 45)]

        # keep not present: back to the first row.
        widget.set_rows(rows[:10], SOURCES, keep=1059)
        await pilot.pause()
        assert widget.cursor == 0 and widget.current_id == 1000
        assert widget.scroll_offset.y == 0
        assert widget.index_of(1059) is None
        assert app.highlighted[-1] == (1000, 0)

        await pilot.press("j", "j")
        widget.append_rows(make_rows(20, start=200))
        await pilot.pause()
        assert widget.row_count == 30 and widget.cursor == 2
        assert widget.index_of(1219) == 29
        await pilot.press("G")
        await pilot.pause()
        assert widget.current_id == 1219


async def test_empty_list_and_first_rows_appended() -> None:
    app = ListApp([])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert widget.current_id is None and widget.row_count == 0
        assert any(line.strip() == "No articles" for line in screen_lines(widget))
        widget.empty_message = "Nothing in Ukrainian"
        await pilot.pause()
        assert any(line.strip() == "Nothing in Ukrainian" for line in screen_lines(widget))
        await pilot.press("j", "G", "enter")
        await pilot.pause()
        assert app.highlighted == [] and app.selected == []

        widget.append_rows(make_rows(3))
        await pilot.pause()
        assert app.highlighted == [(1000, 0)]
        assert screen_lines(widget)[0].startswith("●★ Headline number 0")


def test_bindings_have_ids() -> None:
    ids = {binding.id for binding in HeadlineList.BINDINGS if hasattr(binding, "id")}
    assert ids == {
        "headlines.down",
        "headlines.up",
        "headlines.first",
        "headlines.last",
        "headlines.page_up",
        "headlines.page_down",
        "headlines.select",
    }


async def test_theme_change_repaints_rows() -> None:
    app = ListApp(make_rows(5))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        before = [segment.style for segment in widget.render_line(0)]
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = [segment.style for segment in widget.render_line(0)]
        assert before != after


async def test_hundred_thousand_rows() -> None:
    scripts = [
        "News in English",
        "Новини українською",
        "東京のニュース",
        "أخبار عربية",
        "हिंदी समाचार",
    ]
    rows = [
        Headline(i, f"{scripts[i % len(scripts)]} {i}", 1 + i % 2, "en", PAST, i % 3 == 0, False)
        for i in range(100_000)
    ]
    app = ListApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(HeadlineList)
        assert widget.row_count == 100_000
        await pilot.press("G")
        await pilot.pause()
        assert widget.cursor == 99_999 and widget.current_id == 99_999
        last = rows[-1]
        assert screen_lines(widget)[-1].startswith(f"{' ' if last.read else '●'}  {last.title}")
        await pilot.press("k", "g")
        await pilot.pause()
        assert widget.cursor == 0
        assert widget.move_to(54_321)
        await pilot.pause()
        assert 54_321 - widget.scroll_offset.y in range(widget.scrollable_content_region.height)


async def test_rows_with_other_language_versions_are_marked() -> None:
    rows = [
        Headline(1, "A story in three languages", 1, "uk", 0.0, False, False, True),
        Headline(2, "A story in one", 1, "uk", 0.0, False, False, False),
    ]
    app = ListApp(rows)
    async with app.run_test(size=(100, 10)) as pilot:
        widget = app.query_one(HeadlineList)
        await pilot.pause()
        assert widget.render_line(0).text[2] == "+"
        assert widget.render_line(1).text[2] == " "
