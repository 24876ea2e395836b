"""Parse a Markdown article: simple front matter, then markdown-it-py tokens turned into blocks.

Front matter is the `key: value` lines between `---` lines at the top (or `key = value` between
`+++` lines); `title`, `date`, `lang`/`language`, `link`/`url` and `author` are read, quoted or not.
Inline markup (emphasis, code spans) becomes plain text; links become `LinkSpan`s; images become
image blocks after the paragraph that holds them. Raw HTML keeps only its text.
"""

from __future__ import annotations

import re
from typing import Any

from tuinews.model import Article, Block, BlockKind
from tuinews.sources.article_builder import Draft, build_article
from tuinews.sources.dates import parse_date
from tuinews.sources.inline import InlineText
from tuinews.textclean import clean_line, clean_text

_FRONT_MATTER_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_FRONT_MATTER_MAX_LINES = 200
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*[:=]\s*(?P<value>.*)$")
_HTML_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "pubdate": "date",
    "lang": "language",
    "language": "language",
    "locale": "language",
    "link": "link",
    "url": "link",
    "canonical": "link",
    "author": "author",
    "authors": "author",
}


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        # A one-line YAML list ("authors: [Ann, Bob]"): keep the first entry.
        return _unquote(value[1:-1].split(",", 1)[0])
    return value.split(" #", 1)[0].strip()


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split `---` (YAML-like) or `+++` (TOML-like) front matter from the body: (fields, body)."""
    lines = text.split("\n", _FRONT_MATTER_MAX_LINES + 1)
    fence = lines[0].strip() if lines else ""
    if fence not in _FRONT_MATTER_FENCES:
        return {}, text
    closers = _FRONT_MATTER_FENCES[fence]
    fields: dict[str, str] = {}
    for index, line in enumerate(lines[1 : _FRONT_MATTER_MAX_LINES + 1], start=1):
        if line.strip() in closers:
            body = "\n".join(lines[index + 1 :])
            return fields, body
        match = _KEY_VALUE.match(line)
        if match and not line[:1].isspace():
            key = _KEYS.get(match["key"].casefold())
            value = _unquote(match["value"])
            if key and value and key not in fields:
                fields[key] = value
    return {}, text


class _Walker:
    """Turns the flat markdown-it token stream into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lists: list[list[Any]] = []  # [ordered, next number]
        self.item_marker: str | None = None
        self.quote = 0
        self.row: InlineText | None = None

    def _text_kind(self) -> BlockKind:
        if self.lists:
            return BlockKind.ITEM
        return BlockKind.QUOTE if self.quote else BlockKind.PARAGRAPH

    def _inline(self, token: Any, buffer: InlineText) -> list[Block]:
        images: list[Block] = []
        for child in token.children or ():
            kind = child.type
            if kind in ("text", "code_inline"):
                buffer.add(child.content)
            elif kind == "softbreak":
                buffer.add(" ")
            elif kind == "hardbreak":
                buffer.newline()
            elif kind == "link_open":
                buffer.open_link(str(child.attrs.get("href") or ""))
            elif kind == "link_close":
                buffer.close_link()
            elif kind == "image":
                alt = clean_line(child.content or "")
                src = clean_line(str(child.attrs.get("src") or ""))
                if alt or src:
                    images.append(Block(BlockKind.IMAGE, alt, url=src))
            elif kind == "html_inline" and _HTML_BREAK.match(child.content):
                buffer.newline()
        return images

    def _emit_inline(self, token: Any, kind: BlockKind, level: int = 0) -> None:
        buffer = InlineText()
        images = self._inline(token, buffer)
        text, links = buffer.result()
        if text:
            marker = ""
            if kind is BlockKind.ITEM:
                level = len(self.lists) - 1
                marker = self.item_marker or ""
                self.item_marker = ""
            self.blocks.append(Block(kind, text, level=level, marker=marker, links=links))
        self.blocks.extend(images)

    def walk(self, tokens: list[Any]) -> list[Block]:
        pending_kind: BlockKind | None = None
        pending_level = 0
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                pending_kind, pending_level = BlockKind.HEADING, int(token.tag[1:])
            elif kind == "paragraph_open":
                pending_kind, pending_level = self._text_kind(), 0
            elif kind == "inline":
                if self.row is not None:
                    if self.row:
                        self.row.add(" | ")
                    self.blocks.extend(self._inline(token, self.row))
                elif pending_kind is not None:
                    self._emit_inline(token, pending_kind, pending_level)
                pending_kind = None
            elif kind == "bullet_list_open":
                self.lists.append([False, 0])
            elif kind == "ordered_list_open":
                self.lists.append([True, int(token.attrs.get("start") or 1)])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                if self.lists:
                    self.lists.pop()
            elif kind == "list_item_open":
                self._open_item(token)
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote = max(0, self.quote - 1)
            elif kind in ("fence", "code_block"):
                code = clean_text(token.content).strip("\n")
                if code.strip():
                    self.blocks.append(Block(BlockKind.CODE, code))
            elif kind == "hr":
                self.blocks.append(Block(BlockKind.RULE, ""))
            elif kind == "html_block":
                self._html_block(token.content)
            elif kind == "tr_open":
                self.row = InlineText()
            elif kind == "tr_close" and self.row is not None:
                text, links = self.row.result()
                self.row = None
                if text:
                    self.blocks.append(Block(BlockKind.PARAGRAPH, text, links=links))
        return self.blocks

    def _open_item(self, token: Any) -> None:
        if not self.lists:
            self.lists.append([False, 0])
        current = self.lists[-1]
        if current[0]:
            number = int(token.info) if str(token.info).isdigit() else current[1]
            self.item_marker = f"{number}."
            current[1] = number + 1
        else:
            self.item_marker = "•"

    def _html_block(self, content: str) -> None:
        text = _HTML_TAG.sub(" ", _HTML_DROP.sub(" ", content))
        buffer = InlineText()
        buffer.add(text)
        plain, _ = buffer.result()
        if plain:
            self.blocks.append(Block(self._text_kind(), plain))


def parse_markdown(text: str, where: str) -> Article:
    """Parse Markdown into an `Article` whose guid is `where`."""
    from markdown_it import MarkdownIt

    fields, body = split_front_matter(clean_text(text).lstrip("\n"))
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    blocks = _Walker().walk(parser.parse(body))
    return build_article(
        Draft(
            where=where,
            blocks=blocks,
            title=fields.get("title", ""),
            link=fields.get("link"),
            author=fields.get("author"),
            published=parse_date(fields["date"]) if "date" in fields else None,
            language=fields.get("language"),
        )
    )
