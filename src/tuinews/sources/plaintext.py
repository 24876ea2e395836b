"""Parse a plain-text article: paragraphs split on blank lines, lists kept as items.

Within a paragraph, hard-wrapped lines (those that fill most of a width of 60 columns or more) are
joined with spaces; short lines (a headline over its dateline or subtitle, share buttons one per
line, an address) stay separate lines. Two lines join only when the second reads on from the first. Lines that start with a bullet or a number become list items.
Title, dateline and chrome are handled by `article_builder`. The work is linear in the text size.
"""

from __future__ import annotations

import re

from tuinews.model import Article, Block, BlockKind
from tuinews.sources.article_builder import Draft, build_article
from tuinews.textclean import clean_text

_BULLET = re.compile(r"^(?P<marker>[-*•·‣◦▪–]|\d{1,3}[.)])\s+(?P<text>\S.*)$")
_WRAP_MIN_WIDTH = 60
_WRAP_RATIO = 0.6
_MAX_LEVEL = 5
# The horizontal white space `textclean.clean_line` folds, after the first character of a line
# (the indentation before it tells list levels apart); a run of it becomes one space.
_INNER_SPACE = re.compile(
    "(?<=\\S)(?:[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000])"
)
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60]"
)
_CJK_END = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile("^[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

# One line of a paragraph: (indentation in columns, text with spaces folded).
Line = tuple[int, str]


def _groups(text: str) -> list[list[Line]]:
    groups: list[list[Line]] = []
    current: list[Line] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            indent = 0
            if raw[0] in " \t":
                expanded = raw.expandtabs(4)
                indent = len(expanded) - len(expanded.lstrip())
            current.append((indent, line))
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


def _width(text: str) -> int:
    """Columns a line takes: wide (CJK) characters count twice, as a hard wrap counted them."""
    return len(text) + len(_WIDE.findall(text))


def _continues(previous: str, previous_width: int, line: str, width: int, count: int) -> bool:
    """Whether `line` continues `previous` in a hard-wrapped paragraph `width` columns wide."""
    if width < _WRAP_MIN_WIDTH or previous_width < width * _WRAP_RATIO:
        return False
    if count >= 3:
        return True
    # Two lines: more often a headline over a subtitle or a dateline than a wrapped sentence.
    if _CJK_END.search(previous) and _CJK_START.search(line):
        return not previous.endswith(("。", "！", "？"))
    return line[:1].islower() or previous.endswith((",", ";", ":", "-", "–", "—"))


def _paragraph(lines: list[Line]) -> Block:
    if len(lines) == 1:
        return Block(BlockKind.PARAGRAPH, lines[0][1])
    widths = [_width(text) for _, text in lines]
    width = max(widths)
    segments: list[str] = []
    previous, previous_width = "", 0
    for (_, text), current in zip(lines, widths, strict=True):
        if segments and _continues(previous, previous_width, text, width, len(lines)):
            segments[-1] = _join(segments[-1], text)
        else:
            segments.append(text)
        previous, previous_width = text, current
    return Block(BlockKind.PARAGRAPH, "\n".join(segments))


def _list_items(lines: list[Line]) -> list[Block]:
    items: list[list] = []  # [indent, marker, text]
    for indent, text in lines:
        match = _BULLET.match(text)
        if match:
            marker = match["marker"]
            marker = marker[:-1] + "." if marker[0].isdigit() else "•"
            items.append([indent, marker, match["text"]])
        elif items:
            items[-1][2] = _join(items[-1][2], text)
    base = min(indent for indent, _, _ in items)
    return [
        Block(BlockKind.ITEM, text, level=min((indent - base) // 2, _MAX_LEVEL), marker=marker)
        for indent, marker, text in items
    ]


def _blocks(group: list[Line]) -> list[Block]:
    if len(group) == 1:
        return [_paragraph(group)]
    bullets = [bool(_BULLET.match(text)) for _, text in group]
    if bullets[0] and sum(bullets) >= 2:
        return _list_items(group)
    if len(group) >= 3 and not bullets[0] and all(bullets[1:]):
        # "Some intro:" followed by a list, without a blank line between.
        return [_paragraph(group[:1]), *_list_items(group[1:])]
    return [_paragraph(group)]


def parse_plaintext(text: str, where: str) -> Article:
    """Parse plain text into an `Article` whose guid is `where`."""
    blocks: list[Block] = []
    for group in _groups(_INNER_SPACE.sub(" ", clean_text(text))):
        blocks.extend(_blocks(group))
    return build_article(Draft(where=where, blocks=blocks))
