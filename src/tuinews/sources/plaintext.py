"""Parse a plain-text article: paragraphs split on blank lines, lists kept as items.

Within a paragraph, hard-wrapped lines (those that fill most of the paragraph's width) are joined
with spaces; short lines that stop early (a headline over its subtitle, share buttons one per line,
an address) stay separate lines. Lines that start with a bullet or a number become list items.
Title, dateline and chrome are handled by `article_builder`.
"""

from __future__ import annotations

import re

from tuinews.model import Article, Block, BlockKind
from tuinews.sources.article_builder import Draft, build_article
from tuinews.textclean import clean_line, clean_text

_BULLET = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*•·‣◦▪–]|\d{1,3}[.)])\s+(?P<text>\S.*)$")
_WRAP_MIN_WIDTH = 40
_WRAP_RATIO = 0.6
_CJK_END = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile("^[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _join(left: str, right: str) -> str:
    if _CJK_END.search(left) and _CJK_START.search(right):
        return left + right
    return f"{left} {right}"


def _paragraph(lines: list[str]) -> Block:
    stripped = [clean_line(line) for line in lines]
    stripped = [line for line in stripped if line]
    width = max((len(line) for line in stripped), default=0)
    segments: list[str] = []
    for line in stripped:
        previous = segments[-1] if segments else ""
        wrapped = (
            previous
            and width >= _WRAP_MIN_WIDTH
            and len(previous.rsplit("\n", 1)[-1]) >= width * _WRAP_RATIO
        )
        if wrapped:
            segments[-1] = _join(previous, line)
        else:
            segments.append(line)
    return Block(BlockKind.PARAGRAPH, "\n".join(segments))


def _list_items(lines: list[str]) -> list[Block]:
    items: list[tuple[int, str, str]] = []
    for line in lines:
        match = _BULLET.match(line)
        if match:
            indent = len(match["indent"].expandtabs(4))
            marker = match["marker"]
            marker = marker[:-1] + "." if marker[0].isdigit() else "•"
            items.append((indent, marker, match["text"]))
        elif items:
            indent, marker, text = items[-1]
            items[-1] = (indent, marker, _join(text, line.strip()))
    base = min(indent for indent, _, _ in items)
    return [
        Block(BlockKind.ITEM, clean_line(text), level=min((indent - base) // 2, 5), marker=marker)
        for indent, marker, text in items
        if clean_line(text)
    ]


def _blocks(group: list[str]) -> list[Block]:
    if _BULLET.match(group[0]) and sum(1 for line in group if _BULLET.match(line)) >= 2:
        return _list_items(group)
    if len(group) >= 2 and _BULLET.match(group[1]) and not _BULLET.match(group[0]):
        # "Some intro:" followed by a list, without a blank line between.
        return [_paragraph(group[:1]), *_blocks(group[1:])]
    block = _paragraph(group)
    return [block] if block.text else []


def parse_plaintext(text: str, where: str) -> Article:
    """Parse plain text into an `Article` whose guid is `where`."""
    blocks: list[Block] = []
    for group in _groups(clean_text(text).split("\n")):
        blocks.extend(_blocks(group))
    return build_article(Draft(where=where, blocks=blocks))
