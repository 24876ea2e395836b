"""The headline list: a Line-API widget that shows one article per terminal line.

`HeadlineList` is a `ScrollView` that renders only the rows on screen (`render_line`), so a list of
100,000 headlines mounts at once and a key press repaints two lines. Rendered rows are kept in an
LRU cache of `Strip`s; nothing is ever parsed as markup, because titles and source names are
untrusted text.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import ClassVar

import rich.repr
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, clamp
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuinews.headline_rows import HeadlineRows, as_rows
from tuinews.i18n import N_
from tuinews.model import UNKNOWN_LANGUAGE, Headline
from tuinews.render.bidi import fit_visual, is_rtl_context
from tuinews.render.cells import pad_cells, truncate_cells
from tuinews.render.highlight import HIGHLIGHT_STYLE, match_spans
from tuinews.textclean import strip_controls

SOURCE_WIDTH = 16
"""Cells of the source-name column."""
LANGUAGE_WIDTH = 5
"""Cells of the language-code column (`pt-BR` fits)."""
DATE_WIDTH = 10
"""Cells of the date column (`YYYY-MM-DD`, or `HH:MM` right-aligned for today)."""
HIDE_SOURCE_BELOW = 60
"""Content widths below this hide the source column."""
HIDE_DATE_BELOW = 40
"""Content widths below this hide the date column too."""

UNREAD_MARK = "●"
STAR_MARK = "★"
VERSIONS_MARK = "+"

_CONTROL_TO_SPACE = str.maketrans({"\n": " ", "\t": " "})


def _marked(
    title: str, terms: frozenset[str], style: Style, *, reversed_: bool = False
) -> list[Segment]:
    """The title as segments, search hits in the highlight style.

    `reversed_`: the title is in visual order (right-to-left words run backwards), so the terms are
    looked for backwards as well.
    """
    if reversed_:
        terms = terms | {term[::-1] for term in terms}
    spans = match_spans(title, terms)
    if not spans:
        return [Segment(title, style)]
    marked = style + HIGHLIGHT_STYLE
    out: list[Segment] = []
    position = 0
    for start, end in spans:
        if start > position:
            out.append(Segment(title[position:start], style))
        out.append(Segment(title[start:end], marked))
        position = end
    if position < len(title):
        out.append(Segment(title[position:], style))
    return out


@lru_cache(maxsize=4096)
def fit_cells(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` cells, with an ellipsis when cut.

    Never splits a wide (CJK) character or a grapheme cluster (a letter with its marks, a ZWJ
    emoji sequence, a flag, Hangul jamo, an Indic conjunct): one that does not fit is left out
    and the row padded with spaces.
    """
    if width <= 0:
        return ""
    if not (text.isascii() and text.isprintable()):
        # Rows should hold clean text already (see `tuinews.textclean`); never let an escape
        # sequence or a line break reach the terminal all the same.
        text = strip_controls(text).translate(_CONTROL_TO_SPACE)
    if text.isascii():
        if len(text) <= width:
            return text.ljust(width)
        return text[: width - 1] + "…"
    cut = truncate_cells(text, width)
    if cut != text:
        # The ellipsis ends the column even when a wide character left a cell over before it.
        return pad_cells(cut.removesuffix("…"), width - 1) + "…"
    return pad_cells(cut, width)


def format_date(published: float, today: tuple[int, int]) -> str:
    """`HH:MM` when `published` falls on `today` (local (year, yday)), else `YYYY-MM-DD`.

    Blank for an unknown (0) or out-of-range timestamp.
    """
    if not published:
        return ""
    try:
        local = time.localtime(published)
    except (OverflowError, OSError, ValueError):
        return ""
    if (local.tm_year, local.tm_yday) == today:
        return time.strftime("%H:%M", local)
    return time.strftime("%Y-%m-%d", local)


def _today() -> tuple[int, int]:
    now = time.localtime()
    return (now.tm_year, now.tm_yday)


class HeadlineList(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of headlines with a row cursor, rendered one line per article.

    Each row shows an unread mark (`●`), a star (`★`), the title (bold when unread, dim when
    read, cut with an ellipsis to fit), then fixed-width columns on the right: source name,
    language code and date. Below 60 cells of width the source column is hidden, below 40 the
    date too. Rows are set with `set_rows` / `append_rows` and changed with `update_row`.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", N_("Down"), show=False, id="headlines.down"),
        Binding("k,up", "cursor_up", N_("Up"), show=False, id="headlines.up"),
        Binding("g,home", "first", N_("First"), show=False, id="headlines.first"),
        Binding("G,end", "last", N_("Last"), show=False, id="headlines.last"),
        Binding("pageup", "page_up", N_("Page up"), show=False, id="headlines.page_up"),
        Binding("pagedown", "page_down", N_("Page down"), show=False, id="headlines.page_down"),
        Binding("enter", "select", N_("Open"), id="headlines.select"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | j, down | Move the cursor down a row. |
    | k, up | Move the cursor up a row. |
    | g, home | Move the cursor to the first row. |
    | G, end | Move the cursor to the last row. |
    | pageup | Move the cursor up a page. |
    | pagedown | Move the cursor down a page. |
    | enter | Select (open) the row under the cursor. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "headline-list--cursor",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--meta",
    }
    """
    | Class | Description |
    | :- | :- |
    | `headline-list--cursor` | Target the row under the cursor (layered over the others). |
    | `headline-list--unread` | Target the marks and title of an unread row. |
    | `headline-list--read` | Target the title of a read row. |
    | `headline-list--meta` | Target the source, language and date columns, and the empty message. |
    """

    DEFAULT_CSS = """
    HeadlineList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        & > .headline-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .headline-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
        }
        & > .headline-list--unread {
            text-style: bold;
        }
        & > .headline-list--read {
            text-style: dim;
        }
        & > .headline-list--meta {
            color: $text-muted;
        }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the row under the cursor (0 when the list is empty)."""

    empty_message: reactive[str] = reactive("No articles")
    """What an empty list shows."""

    @rich.repr.auto
    class HeadlineMessage(Message):
        """Base class of the messages about one row."""

        def __init__(self, headline_list: HeadlineList, article_id: int, index: int) -> None:
            super().__init__()
            self.headline_list: HeadlineList = headline_list
            """The list that sent the message."""
            self.article_id: int = article_id
            """The article id of the row."""
            self.index: int = index
            """The row's index in the list."""

        @property
        def control(self) -> HeadlineList:
            """The list that sent the message (for the `on` decorator)."""
            return self.headline_list

        def __rich_repr__(self) -> rich.repr.Result:
            yield "article_id", self.article_id
            yield "index", self.index

    class Highlighted(HeadlineMessage):
        """The cursor moved to another row. Handle with `on_headline_list_highlighted`."""

    class Selected(HeadlineMessage):
        """A row was chosen (Enter or click). Handle with `on_headline_list_selected`."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows = HeadlineRows()
        self._source_names: Mapping[int, str] = {}
        self._strip_cache: LRUCache[tuple[int, int, bool, bool, bool], Strip] = LRUCache(2048)
        self._styles_key: tuple[Style, ...] | None = None
        self._today = _today()
        self._highlighted: tuple[int, int] | None = None
        self._frame_styles: tuple[Style, ...] | None = None
        self._highlight_terms: frozenset[str] = frozenset()

    # -- Public API -------------------------------------------------------------------------

    @property
    def rows(self) -> HeadlineRows:
        """The rows, in display order (compact; index them for `Headline` objects)."""
        return self._rows

    @property
    def row_count(self) -> int:
        """How many rows the list holds."""
        return len(self._rows)

    @property
    def current_id(self) -> int | None:
        """The article id under the cursor, or `None` when the list is empty."""
        return self._rows.id_at(self.cursor) if self._rows else None

    @property
    def current_headline(self) -> Headline | None:
        """The row under the cursor (with its current flags), or `None` when empty."""
        return self._rows[self.cursor] if self._rows else None

    @property
    def highlight_terms(self) -> frozenset[str]:
        """Casefolded search words and phrases marked in the titles (empty: none)."""
        return self._highlight_terms

    @highlight_terms.setter
    def highlight_terms(self, terms: frozenset[str]) -> None:
        terms = frozenset(terms)
        if terms != self._highlight_terms:
            self._highlight_terms = terms
            # Cached rows were drawn with the old marks.
            self._strip_cache.clear()
            self.refresh()

    def index_of(self, article_id: int) -> int | None:
        """The row index of `article_id`, or `None` if it is not in the list."""
        return self._rows.index_of(article_id)

    def move_to(self, article_id: int) -> bool:
        """Move the cursor to `article_id`'s row. Returns `False` if it is not in the list."""
        index = self._rows.index_of(article_id)
        if index is None:
            return False
        self.cursor = index
        return True

    def set_rows(
        self,
        rows: Sequence[Headline],
        source_names: Mapping[int, str],
        *,
        keep: int | None = None,
    ) -> None:
        """Replace every row.

        Args:
            rows: The new rows, in display order (article ids unique).
            source_names: Source id to display name.
            keep: An article id to keep the cursor on (at the same screen line if it was
                visible); the cursor goes to row 0 when it is `None` or not in `rows`.
        """
        old_index = self._rows.index_of(keep) if keep is not None else None
        screen_line = None if old_index is None else old_index - self.scroll_offset.y
        self._rows = as_rows(rows)
        found = self._rows.index_of(keep) if keep is not None else None
        self._source_names = source_names
        self._strip_cache.clear()
        new_index = found or 0
        self.set_reactive(HeadlineList.cursor, new_index)
        self._update_virtual_size()
        self.refresh()
        if self.is_mounted:
            height = self.scrollable_content_region.height
            if found is None:
                self.scroll_to(y=0, animate=False, force=True)
            elif screen_line is not None and 0 <= screen_line < height:
                self.scroll_to(y=new_index - screen_line, animate=False, force=True)
            self._scroll_cursor_into_view()
        self._post_highlighted()

    def append_rows(self, rows: Sequence[Headline]) -> None:
        """Add rows at the end without moving the cursor."""
        if not rows:
            return
        start = len(self._rows)
        self._rows.extend(rows)
        self._update_virtual_size()
        if start == 0:
            self.refresh()
        else:
            self.refresh_lines(start, len(rows))
        self._post_highlighted()

    def update_row(
        self, article_id: int, *, read: bool | None = None, starred: bool | None = None
    ) -> bool:
        """Change one row's read and/or starred flag and repaint it.

        Returns:
            `False` if `article_id` is not in the list.
        """
        index = self._rows.index_of(article_id)
        if index is None:
            return False
        row = self._rows[index]
        changes: dict[str, bool] = {}
        if read is not None and read != row.read:
            changes["read"] = read
        if starred is not None and starred != row.starred:
            changes["starred"] = starred
        if changes:
            self._rows[index] = dataclasses.replace(row, **changes)
            self.refresh_line(index)
        return True

    # -- Actions ----------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self.cursor -= 1

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor = 0

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor = len(self._rows) - 1

    def action_page_down(self) -> None:
        """Move the cursor, and the view, down a page."""
        self._move_page(+1)

    def action_page_up(self) -> None:
        """Move the cursor, and the view, up a page."""
        self._move_page(-1)

    def action_select(self) -> None:
        """Post `Selected` for the row under the cursor."""
        if self._rows:
            self.post_message(self.Selected(self, self._rows.id_at(self.cursor), self.cursor))

    def _move_page(self, direction: int) -> None:
        if not self._rows:
            return
        page = max(1, self.scrollable_content_region.height)
        screen_line = self.cursor - self.scroll_offset.y
        target = clamp(self.cursor + direction * page, 0, len(self._rows) - 1)
        self.scroll_to(y=target - screen_line, animate=False, force=True)
        self.cursor = target

    # -- Reactives and events ---------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        """Keep the cursor on a row."""
        return clamp(cursor, 0, max(0, len(self._rows) - 1))

    def watch_cursor(self, old_cursor: int, cursor: int) -> None:
        """Repaint the old and new cursor rows, scroll to the new one, post `Highlighted`."""
        self.refresh_line(old_cursor)
        self.refresh_line(cursor)
        self._scroll_cursor_into_view()
        self._post_highlighted()

    def on_mount(self) -> None:
        """Size the virtual area and show the cursor."""
        super().on_mount()
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def on_resize(self, event: events.Resize) -> None:
        """Forget rendered rows (their width changed) and keep the cursor in view."""
        self._strip_cache.clear()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        """Forget rendered rows when the CSS or theme changes."""
        self._strip_cache.clear()
        self._styles_key = None
        super().notify_style_update()

    async def _on_click(self, event: events.Click) -> None:
        await super()._on_click(event)
        offset = event.get_content_offset(self)
        if offset is None or not self._rows:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self._rows):
            self.cursor = index
            self.post_message(self.Selected(self, self._rows.id_at(index), index))

    # -- Rendering --------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the visible lines, looking the styles up once for the whole frame."""
        self._frame_styles = self._row_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    def render_line(self, y: int) -> Strip:
        """Render content line `y` of the visible area: O(1) in the number of rows."""
        width = self.scrollable_content_region.width
        styles = self._frame_styles or self._row_styles()
        rows = self._rows
        if not rows:
            return self._render_empty(y, width, styles[0])
        index = self.scroll_offset.y + y
        if not 0 <= index < len(rows):
            return Strip.blank(width, styles[0])
        row = rows[index]
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, row.read, row.starred)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, is_cursor, styles)
            self._strip_cache[key] = strip
        return strip

    def _row_styles(self) -> tuple[Style, ...]:
        """The Rich styles of a frame; clears the strip cache when they (or the day) change."""
        get = self.get_visual_style
        styles = (
            get("headline-list--meta").rich_style,
            get("headline-list--unread").rich_style,
            get("headline-list--read").rich_style,
            get("headline-list--meta", "headline-list--cursor").rich_style,
            get("headline-list--unread", "headline-list--cursor").rich_style,
            get("headline-list--read", "headline-list--cursor").rich_style,
        )
        today = _today()
        if styles != self._styles_key or today != self._today:
            self._strip_cache.clear()
            self._styles_key = styles
            self._today = today
        return styles

    def _render_empty(self, y: int, width: int, meta_style: Style) -> Strip:
        height = self.scrollable_content_region.height
        if y != max(0, (height - 1) // 2) or not self.empty_message:
            return Strip.blank(width, meta_style)
        message = fit_cells(self.empty_message, width).strip()
        pad = max(0, (width - cell_len(message)) // 2)
        style = meta_style + Style(dim=True)
        return Strip([Segment(" " * pad, meta_style), Segment(message, style)]).adjust_cell_length(
            width, meta_style
        )

    def _render_row(
        self, row: Headline, width: int, is_cursor: bool, styles: tuple[Style, ...]
    ) -> Strip:
        meta_style, unread_style, read_style = styles[3:] if is_cursor else styles[:3]
        meta_parts: list[str] = []
        if width >= HIDE_SOURCE_BELOW:
            meta_parts.append(fit_cells(self._source_names.get(row.source_id, ""), SOURCE_WIDTH))
        language = "" if row.language == UNKNOWN_LANGUAGE else row.language
        meta_parts.append(fit_cells(language, LANGUAGE_WIDTH))
        if width >= HIDE_DATE_BELOW:
            meta_parts.append(format_date(row.published, self._today).rjust(DATE_WIDTH))
        meta = "".join(" " + part for part in meta_parts)
        title_width = width - 3 - cell_len(meta)
        segments = [
            Segment(" " if row.read else UNREAD_MARK, unread_style),
            Segment(STAR_MARK if row.starred else " ", unread_style),
            # "+": the story is also available in other languages (t switches).
            Segment(VERSIONS_MARK if row.versions else " ", meta_style),
        ]
        if title_width > 0:
            # A title with right-to-left letters: cut at its logical end, then in visual order.
            visual = fit_visual(row.title, title_width, is_rtl_context(row.language, row.title))
            title = visual or fit_cells(row.title, title_width)
            title_style = read_style if row.read else unread_style
            if self._highlight_terms:
                segments.extend(
                    _marked(title, self._highlight_terms, title_style, reversed_=visual is not None)
                )
            else:
                segments.append(Segment(title, title_style))
        segments.append(Segment(meta, meta_style))
        strip = Strip(segments)
        if strip.cell_length != width:
            strip = strip.adjust_cell_length(width, meta_style)
        return strip

    # -- Helpers ----------------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(0, len(self._rows))

    def _scroll_cursor_into_view(self) -> None:
        """Scroll the least distance that shows the cursor row."""
        if not self._rows or not self.is_mounted:
            return
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        cursor = self.cursor
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, force=True)
        elif cursor >= top + height:
            self.scroll_to(y=cursor - height + 1, animate=False, force=True)

    def _post_highlighted(self) -> None:
        """Post `Highlighted` if the row under the cursor is not the one last announced."""
        if not self._rows:
            self._highlighted = None
            return
        cursor = self.cursor
        highlighted = (self._rows.id_at(cursor), cursor)
        if highlighted != self._highlighted:
            self._highlighted = highlighted
            self.post_message(self.Highlighted(self, highlighted[0], cursor))
