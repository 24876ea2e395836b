"""Bound the nesting of HTML before it reaches the HTML parser.

Parsing HTML the standard way is quadratic in the nesting depth of block elements (each `<div>`
looks down the whole stack of open elements for a `<p>` to close): 100,000 nested `<div>`s, a 2 MB
feed item, take lexbor half a minute. Browsers cap the depth of the tree; `bounded_depth` does the
same before parsing, by dropping the tags that would open an element deeper than `MAX_DEPTH` (and
their end tags). The text inside them is kept. Real pages are never this deep, so they pass
through unchanged.
"""

from __future__ import annotations

import re

MAX_DEPTH = 512
"""The deepest element nesting handed to the HTML parser."""

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>")
# Elements that never hold others (void) or whose end tags are usually left out: counting them
# would make ordinary pages look deep, and none of them slows the parser down when nested.
_UNCOUNTED = frozenset(
    """
    area base br col embed hr img input link meta param source track wbr keygen
    p li dt dd tr td th option tbody thead tfoot colgroup caption html head body
    """.split()
)


def bounded_depth(html: str, limit: int = MAX_DEPTH) -> str:
    """`html` with the tags nested deeper than `limit` removed (their text kept); else unchanged."""
    if html.count("<") <= limit:
        return html
    depth = 0
    cut: list[tuple[int, int]] = []
    for match in _TAG.finditer(html):
        if match.group(2).lower() in _UNCOUNTED:
            continue
        if match.group(1):
            if depth > limit:
                cut.append(match.span())
            depth = max(depth - 1, 0)
        elif not match.group(0).endswith("/>"):
            depth += 1
            if depth > limit:
                cut.append(match.span())
    if not cut:
        return html
    pieces = []
    start = 0
    for begin, end in cut:
        pieces.append(html[start:begin])
        start = end
    pieces.append(html[start:])
    return "".join(pieces)
