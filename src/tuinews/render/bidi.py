"""Right-to-left text on terminals that do not reorder it.

Neither Rich nor Textual applies the Unicode bidirectional algorithm, and most terminals draw cells
left to right in the order they receive them. So Arabic, Hebrew, Persian or Urdu text is wrapped
first, by cells, at the width it is drawn at, and then every wrapped line is put in visual order and
right-aligned (`BidiParagraph`). Reordering a whole paragraph before wrapping would put its first
sentence on the last line.

Terminals that do bidi themselves (VTE-based ones such as GNOME Terminal, and Konsole, mlterm) would
reorder a second time, so the setting `[reader] bidi` chooses: "app" always reorders, "terminal" never
does, and "auto" leaves the text logical when `VTE_VERSION` or `KONSOLE_VERSION` is set. The app calls
`set_mode` once at start; everything here reads the resolved choice with `app_reorders()`.

Levels come from python-bidi's pure-Python implementation of the algorithm, so the reordering keeps
each character's index (and with it its Rich style), moves grapheme clusters as wholes (a vowel mark
stays after its letter, which `bidi.get_display` alone does not do) and mirrors brackets in
right-to-left runs.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal

from bidi import algorithm as _uba
from bidi import get_display
from bidi.mirror import MIRRORED
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Span, Text

from tuinews.render.cells import grapheme_spans, pad_cells, truncate_cells

BidiMode = Literal["auto", "app", "terminal"]
BIDI_MODES: tuple[str, ...] = ("auto", "app", "terminal")
Direction = Literal["L", "R"]

RTL_LANGUAGES = frozenset(
    "ar he iw fa ur ps sd ug yi ji dv ckb arc syr sam mzn glk azb lrc bal ks".split()
)
"""Primary language subtags written right to left by default."""
_RTL_SCRIPTS = frozenset("arab hebr thaa syrc nkoo adlm rohg mand samr".split())
_LTR_SCRIPTS = frozenset("latn cyrl grek deva".split())

_mode: BidiMode = "auto"
_reorders: bool | None = None


def app_reorders_for(mode: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether tuinews itself puts right-to-left text in visual order under `mode`."""
    if mode == "app":
        return True
    if mode == "terminal":
        return False
    env = os.environ if environ is None else environ
    return not (env.get("VTE_VERSION") or env.get("KONSOLE_VERSION"))


def set_mode(mode: str, environ: Mapping[str, str] | None = None) -> None:
    """Choose who reorders right-to-left text ("auto", "app" or "terminal"); resolves "auto" now."""
    global _mode, _reorders
    if mode not in BIDI_MODES:
        raise ValueError(f"bidi mode must be one of {', '.join(BIDI_MODES)}, not {mode!r}")
    _mode = mode  # type: ignore[assignment]
    _reorders = app_reorders_for(mode, environ)
    _fit_title.cache_clear()


def get_mode() -> BidiMode:
    """The mode last set (default "auto")."""
    return _mode


def app_reorders() -> bool:
    """True when right-to-left lines must be reordered by tuinews (see `set_mode`)."""
    global _reorders
    if _reorders is None:
        _reorders = app_reorders_for(_mode)
    return _reorders


# -- Direction --------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def is_rtl_language(code: str | None) -> bool:
    """True for a BCP 47 tag of a right-to-left language or script ("ar", "he-IL", "az-Arab")."""
    if not code:
        return False
    parts = code.replace("_", "-").lower().split("-")
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            if part in _RTL_SCRIPTS:
                return True
            if part in _LTR_SCRIPTS:
                return False
    return parts[0] in RTL_LANGUAGES


def has_rtl(text: str) -> bool:
    """True when `text` holds a right-to-left letter (bidi class R or AL)."""
    if text.isascii():
        return False
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text if char > "\u058f")


def first_strong(text: str) -> Direction | None:
    """The direction of the first strong character of `text`, or None when it has none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None


def is_rtl_context(language: str | None, text: str = "") -> bool:
    """True when an article or headline reads right to left: by its language, or (when the language
    is unknown) by the first strong character of `text`."""
    if language and language != "und":
        return is_rtl_language(language)
    return first_strong(text) == "R"


def paragraph_direction(text: str, rtl_context: bool = False) -> Direction:
    """The base direction of one paragraph.

    In a right-to-left context (an article or headline in an RTL language) any paragraph holding a
    right-to-left letter is RTL, even when it starts with a Latin name; otherwise the first strong
    character decides, and a paragraph with none takes the context's direction.
    """
    if rtl_context and has_rtl(text):
        return "R"
    return first_strong(text) or ("R" if rtl_context else "L")


# -- Reordering ---------------------------------------------------------------------------------


_LEVELS_SECTION = re.compile(r"\blevels: \[(.*?)\]", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


def _levels(text: str, base: Direction) -> list[int]:
    """The resolved embedding level of every character of one line (rules P to I of UAX #9).

    python-bidi's Rust implementation (UAX #9 with bracket pairs) reports its levels, one per UTF-8
    byte, only in its debug output; read them from there, or use its pure-Python one if that fails.
    """
    levels = _rust_levels(text, base)
    if levels is None:
        levels = _python_levels(text, base)
    # L1: white space at the end of the line goes back to the paragraph level.
    base_level = 1 if base == "R" else 0
    for index in range(len(text) - 1, -1, -1):
        if unicodedata.bidirectional(text[index]) not in ("WS", "BN", "S"):
            break
        levels[index] = base_level
    return levels


def _rust_levels(text: str, base: Direction) -> list[int] | None:
    try:
        debug = get_display(text, base_dir=base, debug=True)
    except Exception:
        return None
    section = _LEVELS_SECTION.search(debug) if isinstance(debug, str) else None
    if section is None:
        return None
    byte_levels = [int(level) for level in _LEVEL.findall(section.group(1))]
    levels: list[int] = []
    offset = 0
    for char in text:
        if offset >= len(byte_levels):
            return None
        levels.append(byte_levels[offset])
        offset += len(char.encode("utf-8", "surrogatepass"))
    return levels if offset == len(byte_levels) else None


def _python_levels(text: str, base: Direction) -> list[int]:
    storage = _uba.get_empty_storage()
    storage["base_level"] = 1 if base == "R" else 0
    storage["base_dir"] = base
    _uba.get_embedding_levels(text, storage)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage, False)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    return [char["level"] for char in storage["chars"]]


@lru_cache(maxsize=8192)
def visual_order(text: str, base: Direction) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """The logical indices of one line in visual (left-to-right) order, and which ones to mirror.

    Grapheme clusters move as wholes: their characters keep their logical order. Cached: a pane
    re-renders the same lines at the same width.
    """
    if not text:
        return (), ()
    levels = _levels(text, base)
    clusters = [(start, end, levels[start]) for start, end, _cells in grapheme_spans(text)]
    highest = max(level for _s, _e, level in clusters)
    odd = [level for _s, _e, level in clusters if level % 2]
    lowest_odd = min(odd) if odd else highest + 1
    # L2: from the highest level down to the lowest odd one, reverse every run at that level or more.
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(clusters):
            if clusters[index][2] >= level:
                end = index
                while end < len(clusters) and clusters[end][2] >= level:
                    end += 1
                clusters[index:end] = clusters[index:end][::-1]
                index = end
            else:
                index += 1
    order = tuple(i for start, end, _level in clusters for i in range(start, end))
    mirror = tuple(levels[i] % 2 == 1 and text[i] in MIRRORED for i in order)
    return order, mirror


def display(text: str, base: Direction) -> str:
    """One line of plain text in visual order (what a left-to-right terminal must be sent)."""
    order, mirror = visual_order(text, base)
    return "".join(
        MIRRORED[text[i]] if flip else text[i] for i, flip in zip(order, mirror, strict=True)
    )


def reorder_line(line: Text, base: Direction) -> Text:
    """One wrapped line as a Text in visual order, keeping every span's style on its characters."""
    plain = line.plain
    if not has_rtl(plain) and base == "L":
        return line
    order, mirror = visual_order(plain, base)
    chars = [
        MIRRORED[plain[i]] if flip else plain[i] for i, flip in zip(order, mirror, strict=True)
    ]
    position = [0] * len(plain)
    for visual, logical in enumerate(order):
        position[logical] = visual
    spans: list[Span] = []
    for span in line.spans:
        for start, end in _runs(
            sorted(position[i] for i in range(span.start, min(span.end, len(plain))))
        ):
            spans.append(Span(start, end, span.style))
    return Text(
        "".join(chars),
        style=line.style,
        spans=spans,
        end="",
        no_wrap=True,
    )


def _runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted positions as (start, end) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return runs


# -- Renderables --------------------------------------------------------------------------------


class BidiParagraph:
    """A Rich renderable for text that holds right-to-left letters.

    It wraps the text by cells to the width Rich (or Textual) renders it at, then, when the app does
    the reordering (`app_reorders()`), puts each line in visual order and right-aligns the lines of
    a right-to-left paragraph. When the terminal reorders, the lines stay logical and unpadded.
    """

    def __init__(
        self,
        text: Text,
        direction: Direction = "R",
        *,
        reorder: bool | None = None,
        align: Literal["left", "right"] | None = None,
    ) -> None:
        self.text = text
        self.direction: Direction = direction
        self.reorder = reorder
        self.align = align

    def __repr__(self) -> str:
        return f"BidiParagraph({self.text.plain!r}, {self.direction!r})"

    @property
    def plain(self) -> str:
        """The logical text."""
        return self.text.plain

    def lines(self, console: Console, width: int) -> list[Text]:
        """The wrapped lines at `width`, in visual order when the app reorders, not padded."""
        reorder = app_reorders() if self.reorder is None else self.reorder
        wrapped = self.text.wrap(console, max(1, width), justify="left", overflow="fold")
        out: list[Text] = []
        for line in wrapped:
            line.rstrip()
            out.append(reorder_line(line, self.direction) if reorder else line)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        reorder = app_reorders() if self.reorder is None else self.reorder
        align = self.align or ("right" if self.direction == "R" and reorder else "left")
        pad_style = console.get_style(self.text.style) if self.text.style else None
        for line in self.lines(console, width):
            pad = width - cell_len(line.plain)
            if align == "right" and pad > 0:
                yield Segment(" " * pad, pad_style)
            yield from line.render(console, end="")
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)


def bidi_renderable(text: Text, rtl_context: bool = False) -> Text | BidiParagraph:
    """`text` itself when it has no right-to-left letter, else a `BidiParagraph` in its direction."""
    if not has_rtl(text.plain):
        return text
    return BidiParagraph(text, paragraph_direction(text.plain, rtl_context))


@lru_cache(maxsize=4096)
def _fit_title(title: str, width: int, rtl_context: bool) -> str:
    cut = truncate_cells(title, width)
    return pad_cells(display(cut, paragraph_direction(title, rtl_context)), width)


def fit_visual(title: str, width: int, rtl_context: bool = False) -> str | None:
    """A one-line title with right-to-left letters cut to `width` cells and put in visual order.

    The title is cut at its logical end first (its start, in reading terms, always shows, and the
    ellipsis lands where the reader's eye stops), then reordered, then padded to `width`. Returns None
    when nothing needs doing (no RTL letters, or the terminal reorders).
    """
    if width <= 0 or not app_reorders() or not has_rtl(title):
        return None
    return _fit_title(title, width, rtl_context)
