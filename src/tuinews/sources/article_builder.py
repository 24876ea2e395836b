"""Turn what a format parser found (body blocks plus metadata) into a clean `Article`.

The three local formats share these steps, in this order:

1. drop chrome blocks and cut the trailer ("Related News" and what follows; see `chrome`);
2. choose the language: metadata first, else detection on the body, else "und";
3. take a dateline from the first lines (metadata wins for the date, but the line goes either way);
4. take a byline ("By Ann Lee", "Von Hans Müller") from the head as the author, if none is known;
5. choose the title and remove its repeats from the top of the body.

Title rule when the metadata gives none: a first block that is a level-1 heading is the title.
Otherwise the "head" is the run of short lines before the first real paragraph (one that is long or
has two sentences). Saved pages often repeat the headline there in several variants (the social
title, the description, the on-page headline). The title is the first head line without a final
period, because headlines are written without one while descriptions and ledes end with one; if
every head line ends with a period, the first. Head lines that repeat the title, share at least
half their words with it, or are repeated among themselves (a description pasted twice) are
variants and are dropped; the others stay in the body.
When no real paragraph comes within the first blocks, the first line alone is the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from tuinews.model import (
    UNKNOWN_LANGUAGE,
    Alternate,
    Article,
    Block,
    BlockKind,
    LangOrigin,
    LinkSpan,
    LoadFailure,
)
from tuinews.sources.chrome import find_chrome, is_scanned, strip_chrome_lines
from tuinews.sources.dates import find_dateline
from tuinews.sources.language import detect_language, normalize_language
from tuinews.textclean import clean_line

_TEXT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.ITEM, BlockKind.QUOTE})
_HEAD_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.HEADING})
_HEAD_BLOCKS = 8
_MAX_HEAD_LINES = 5
_TITLE_REPEAT_BLOCKS = 3
_VARIANT_OVERLAP = 0.5
_DETECT_CHARS = 2000
_FALLBACK_TITLE_CHARS = 100

_SENTENCE_BREAK = re.compile(r"[.!?。！？][\"'”’»)]*\s+\S|[。！？]\S")
_FINAL_PERIOD = re.compile(r"[.。]\W*$")
_WORDS = re.compile(r"\w+")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|przez|автор|авторка|автори)\s*:?\s+"
    r"(?P<name>[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,4})$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Draft:
    """What a format parser extracted from one document, before the shared clean-up."""

    where: str
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    alternates: list[Alternate] = field(default_factory=list)


def is_real_paragraph(text: str) -> bool:
    """Whether a block of text reads as body prose rather than a headline-like line."""
    for line in text.split("\n"):
        if len(line) > 200 or len(line.split()) > 30 or _SENTENCE_BREAK.search(line):
            return True
        if _CJK.search(line) and len(line) > 80:
            return True
    return False


def _same_text(a: str, b: str) -> bool:
    return _WORDS.findall(a.casefold()) == _WORDS.findall(b.casefold())


def _features(text: str) -> set[str]:
    words = _WORDS.findall(text.casefold())
    if len(words) <= 2 and len(text) > 6:
        # Unspaced scripts (Chinese, Japanese, Thai): compare character pairs instead of words.
        compact = "".join(words)
        return {compact[i : i + 2] for i in range(len(compact) - 1)}
    return {word[:4] if len(word) > 4 else word for word in words}


def is_variant(line: str, title: str) -> bool:
    """Whether `line` is another wording of `title` (a repeat, a social title, a description)."""
    if _same_text(line, title):
        return True
    ours, theirs = _features(line), _features(title)
    if not ours or not theirs:
        return False
    return len(ours & theirs) / min(len(ours), len(theirs)) >= _VARIANT_OVERLAP


def _remove_line(block: Block, line_index: int) -> Block | None:
    """The block without one of its lines, its links moved to match; None if nothing is left."""
    lines = block.text.split("\n")
    if len(lines) == 1:
        return None
    start = sum(len(line) + 1 for line in lines[:line_index])
    end = start + len(lines[line_index]) + 1
    if line_index == len(lines) - 1:
        start, end = start - 1, len(block.text)
    links = []
    for span in block.links:
        if span.end <= start:
            links.append(span)
        elif span.start >= end:
            links.append(LinkSpan(span.start - (end - start), span.end - (end - start), span.url))
    del lines[line_index]
    return replace(block, text="\n".join(lines), links=tuple(links))


def _drop_chrome(blocks: list[Block]) -> list[Block]:
    texts = [
        block.text if block.kind in _TEXT_KINDS or block.kind is BlockKind.IMAGE else ""
        for block in blocks
    ]
    chrome, end = find_chrome(texts)
    kept = []
    for index, (block, flagged) in enumerate(zip(blocks[:end], chrome[:end], strict=True)):
        if flagged:
            continue
        multi_line = block.kind in _TEXT_KINDS and "\n" in block.text and not block.links
        if multi_line and is_scanned(index, len(blocks)):
            text = strip_chrome_lines(block.text)
            if not text:
                continue
            block = replace(block, text=text)
        kept.append(block)
    return _tidy(kept)


def _tidy(blocks: list[Block]) -> list[Block]:
    """Drop empty blocks and repeated, leading or trailing rules."""
    kept: list[Block] = []
    for block in blocks:
        if block.kind is BlockKind.RULE:
            if kept and kept[-1].kind is not BlockKind.RULE:
                kept.append(block)
        elif block.text or (block.kind is BlockKind.IMAGE and block.url):
            kept.append(block)
    while kept and kept[-1].kind is BlockKind.RULE:
        kept.pop()
    return kept


def _head_lines(blocks: list[Block]) -> tuple[list[tuple[int, int, str]], bool]:
    """The (block index, line index, line) of head lines, and whether a real paragraph follows them."""
    lines: list[tuple[int, int, str]] = []
    for index, block in enumerate(blocks[:_HEAD_BLOCKS]):
        if block.kind in (BlockKind.IMAGE, BlockKind.RULE):
            continue
        if block.kind not in _HEAD_KINDS or is_real_paragraph(block.text):
            return lines, True
        lines.extend((index, n, line) for n, line in enumerate(block.text.split("\n")))
    return lines, False


def _take_lines(blocks: list[Block], picked: list[tuple[int, int, str]]) -> list[Block]:
    """Remove the given head lines from their blocks."""
    result: list[Block | None] = list(blocks)
    for index, line_index, _ in sorted(picked, key=lambda item: (item[0], item[1]), reverse=True):
        block = result[index]
        if block is None:
            continue
        result[index] = _remove_line(block, line_index)
    return [block for block in result if block is not None]


def _take_byline(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    head, _ = _head_lines(blocks)
    for item in head:
        match = _BYLINE.match(item[2])
        if match:
            names = match["name"].split()
            if names[0][0].isupper() and names[-1][0].isupper():
                return match["name"], _take_lines(blocks, [item])
    return None, blocks


def _take_dateline(
    blocks: list[Block], language: str | None
) -> tuple[datetime | None, list[Block]]:
    places: list[tuple[int, int]] = []
    lines: list[str] = []
    for index, block in enumerate(blocks[:_HEAD_BLOCKS]):
        if block.kind in _TEXT_KINDS:
            for line_index, line in enumerate(block.text.split("\n")):
                places.append((index, line_index))
                lines.append(line)
    found, position = find_dateline(lines, language)
    if found is None or position is None:
        return None, blocks
    index, line_index = places[position]
    return found, _take_lines(blocks, [(index, line_index, lines[position])])


def _title_from_head(blocks: list[Block]) -> tuple[str, list[Block]]:
    if blocks and blocks[0].kind is BlockKind.HEADING and blocks[0].level == 1:
        return blocks[0].text.replace("\n", " "), blocks[1:]
    head, body_follows = _head_lines(blocks)
    if not head:
        return "", blocks
    distinct = {clean_line(line).casefold() for _, _, line in head}
    if not body_follows or len(distinct) > _MAX_HEAD_LINES:
        return head[0][2].replace("\n", " "), _take_lines(blocks, [head[0]])
    chosen = next((item for item in head if not _FINAL_PERIOD.search(item[2])), head[0])
    title = chosen[2].replace("\n", " ")
    seen: dict[str, int] = {}
    for _, _, line in head:
        key = clean_line(line).casefold()
        seen[key] = seen.get(key, 0) + 1
    variants = [
        item
        for item in head
        if item is chosen or is_variant(item[2], title) or seen[clean_line(item[2]).casefold()] > 1
    ]
    return title, _take_lines(blocks, variants)


def _drop_title_repeats(blocks: list[Block], title: str) -> list[Block]:
    """Remove copies of the title from the top of the body (an h1 repeating the meta title ...)."""
    repeats = []
    seen = 0
    first_heading = True
    for index, block in enumerate(blocks):
        if block.kind not in _TEXT_KINDS:
            continue
        seen += 1
        if seen > _TITLE_REPEAT_BLOCKS:
            break
        heading = block.kind is BlockKind.HEADING and first_heading
        first_heading = first_heading and block.kind is not BlockKind.HEADING
        for line_index, line in enumerate(block.text.split("\n")):
            if _same_text(line, title) or (heading and is_variant(line, title)):
                repeats.append((index, line_index, line))
    return _take_lines(blocks, repeats) if repeats else blocks


def _fallback_title(blocks: list[Block]) -> str:
    for block in blocks:
        if block.kind in _TEXT_KINDS and block.text:
            first = block.text.split("\n", 1)[0]
            match = _SENTENCE_BREAK.search(first)
            sentence = first[: match.start() + 1] if match else first
            if len(sentence) > _FALLBACK_TITLE_CHARS:
                sentence = sentence[: _FALLBACK_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
            return sentence
    return ""


def _sample_text(blocks: list[Block], title: str) -> str:
    parts = [title]
    size = len(title)
    for block in blocks:
        if size >= _DETECT_CHARS:
            break
        if block.kind in _TEXT_KINDS:
            parts.append(block.text)
            size += len(block.text) + 1
    return "\n".join(parts)[:_DETECT_CHARS]


def build_article(draft: Draft) -> Article:
    """Apply the shared clean-up to a parser's draft. Raises `LoadFailure` if no text is left."""
    blocks = _drop_chrome(_tidy(draft.blocks))
    title = clean_line(draft.title)

    language = normalize_language(draft.language) if draft.language else None
    origin = LangOrigin.META if language else LangOrigin.UNKNOWN
    if language is None:
        language = detect_language(_sample_text(blocks, title))
        origin = LangOrigin.DETECTED if language else LangOrigin.UNKNOWN

    dated, blocks = _take_dateline(blocks, language)
    published = draft.published or dated

    author = clean_line(draft.author) if draft.author else None
    if not author:
        author, blocks = _take_byline(blocks)

    if not title:
        title, blocks = _title_from_head(blocks)
        title = clean_line(title)
    if title:
        blocks = _drop_title_repeats(blocks, title)
    else:
        title = _fallback_title(blocks)
    blocks = _tidy(blocks)
    if not blocks and (draft.title or not title):
        # Nothing but metadata (a page's <title>, front matter): no article to read.
        from tuinews.i18n import _  # module level, it would clash with the `_` loop variables

        raise LoadFailure(draft.where, _("no article text"))

    return Article(
        guid=draft.where,
        title=title,
        blocks=blocks,
        link=clean_line(draft.link) or None if draft.link else None,
        author=author or None,
        published=published,
        language=language or UNKNOWN_LANGUAGE,
        lang_origin=origin,
        alternates=list(draft.alternates),
    )
