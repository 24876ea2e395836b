"""Cutting text by terminal cells without splitting what the eye sees as one character.

Rich measures cells and groups a base character with its combining marks, ZWJ emoji sequences,
variation selectors and Hangul conjoining jamo (`rich.cells.split_graphemes`). On top of that this
module keeps together what Rich splits: a flag's two regional indicators, an Indic conjunct joined by
a virama (Unicode's GB9c rule), and a spacing vowel sign with its consonant (GB9a).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len, split_graphemes

ELLIPSIS = "…"

_VIRAMAS = frozenset("\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d")
"""Indic viramas that join two consonants into one conjunct (Unicode's InCB=Linker, and kin)."""


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


@lru_cache(maxsize=4096)
def grapheme_spans(text: str) -> tuple[tuple[int, int, int], ...]:
    """`text` as (start, end, cells) spans, one per grapheme cluster, covering every index."""
    spans, _ = split_graphemes(text)
    merged: list[tuple[int, int, int]] = []
    for start, end, cells in spans:
        if merged:
            first = text[start]
            prev_start, prev_end, prev_cells = merged[-1]
            previous = text[prev_start:prev_end]
            joins = (
                # A flag: two regional indicators (pairs counted from the start of a run).
                (
                    _is_regional_indicator(first)
                    and previous
                    and _is_regional_indicator(previous)
                    and len(previous) == 1
                    and _starts_pair(text, prev_start)
                )
                # A conjunct: consonant + virama + consonant.
                or (previous[-1] in _VIRAMAS and unicodedata.category(first) == "Lo")
                # A spacing vowel sign belongs to the consonant before it.
                or unicodedata.category(first) == "Mc"
            )
            if joins:
                merged[-1] = (prev_start, end, prev_cells + cells)
                continue
        merged.append((start, end, cells))
    return tuple(merged)


def _starts_pair(text: str, index: int) -> bool:
    """True when the regional indicator at `index` is the first of a pair (an even run position)."""
    run = 0
    while index - run - 1 >= 0 and _is_regional_indicator(text[index - run - 1]):
        run += 1
    return run % 2 == 0


def truncate_cells(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` cut to at most `width` cells, ending in `ellipsis` when cut; never splits a cluster.

    The result may be a cell short of `width` when a wide character did not fit; pad it if needed.
    """
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    budget = width - cell_len(ellipsis)
    used = 0
    cut = 0
    for start, end, cells in grapheme_spans(text):
        if used + cells > budget:
            cut = start
            break
        used += cells
        cut = end
    return text[:cut] + ellipsis if budget >= 0 else ellipsis[:width]


def pad_cells(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` cells."""
    return text + " " * max(0, width - cell_len(text))
