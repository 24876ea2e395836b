"""Marking search hits: where the words of a search occur in a text, ignoring case and diacritics.

The search itself folds case and diacritics (`cafe` finds `café`), so the marks do too: the text is
folded character by character, keeping for each folded character the index of the one it came from,
so a hit maps back onto the original text even when folding changes lengths (`ß` -> `ss`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from functools import lru_cache

from rich.style import Style
from rich.text import Text

HIGHLIGHT_STYLE = Style(color="black", bgcolor="yellow", bold=True)
"""How a search hit is drawn in the headlines and the article."""


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (kept or char).casefold()


def fold(text: str) -> str:
    """`text` without case or diacritics, as the search compares it."""
    return "".join(_fold_char(char) for char in text)


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """The (start, end) character ranges of `text` where any of `terms` occurs, merged and sorted."""
    needles = sorted({fold(term) for term in terms if term.strip()}, key=len, reverse=True)
    if not needles or not text:
        return []
    folded_parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        part = _fold_char(char)
        folded_parts.append(part)
        origin.extend([index] * len(part))
    folded = "".join(folded_parts)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(needle, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight_text(text: Text, terms: Collection[str], style: Style = HIGHLIGHT_STYLE) -> Text:
    """Stylize the hits of `terms` in `text` (in place); returns `text`."""
    if terms:
        for start, end in match_spans(text.plain, terms):
            text.stylize(style, start, end)
    return text
