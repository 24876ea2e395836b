"""Parse a saved HTML article page with selectolax (lexbor) into an `Article`.

`html_meta` reads the metadata, `html_body` removes chrome elements and finds the container; this
module walks the container into blocks (paragraphs, headings, list items, quotes, code, images,
rules, with links as `LinkSpan`s). The shared clean-up (chrome lines, dateline, title repeats,
language detection) is `article_builder`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tuinews.model import Article, Block, BlockKind
from tuinews.sources.article_builder import build_article
from tuinews.sources.html_body import article_containers, remove_chrome_elements
from tuinews.sources.html_depth import bounded_depth
from tuinews.sources.html_meta import absolute_url, attr, first, read_metadata
from tuinews.sources.inline import InlineText
from tuinews.textclean import clean_text

_MAX_DEPTH = 300
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset(
    """
    p div section article main header footer aside nav figure figcaption dl dt dd address center
    details summary hgroup fieldset legend caption tbody thead tfoot body html form
    """.split()
)


class _Walker:
    """Walks an element tree into blocks, with one inline buffer for the block being built."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.blocks: list[Block] = []
        self.buffer = InlineText()
        self.pending_images: list[Block] = []
        self.quote = 0
        self.item: list[Any] | None = None  # [level, marker]
        self.lists: list[list[Any]] = []  # [ordered, next number]

    def flush(self, kind: BlockKind | None = None, level: int = 0) -> None:
        text, links = self.buffer.result()
        self.buffer = InlineText()
        if text:
            marker = ""
            if kind is None:
                if self.item is not None:
                    kind, level, marker = BlockKind.ITEM, self.item[0], self.item[1]
                    self.item[1] = ""
                else:
                    kind = BlockKind.QUOTE if self.quote else BlockKind.PARAGRAPH
            self.blocks.append(Block(kind, text, level=level, marker=marker, links=links))
        self.blocks.extend(self.pending_images)
        self.pending_images = []

    def image(self, node: Any) -> None:
        attributes = node.attributes
        if attributes.get("width") == "1" or attributes.get("height") == "1":
            return
        url = ""
        for name in ("src", "data-src", "data-original", "data-lazy-src"):
            url = absolute_url(attributes.get(name) or "", self.base)
            if url:
                break
        alt = attr(node, "alt") or attr(node, "title")
        if "emoji" in (attributes.get("class") or "") and alt:
            self.buffer.add(alt)
            return
        if alt or url:
            self.pending_images.append(Block(BlockKind.IMAGE, alt, url=url))

    def code(self, node: Any) -> None:
        self.flush()
        text = clean_text(node.text(deep=True)).strip("\n")
        if text.strip():
            self.blocks.append(Block(BlockKind.CODE, text))

    def table_row(self, node: Any, depth: int) -> None:
        self.flush()
        first = True
        for cell in node.iter():
            if cell.tag not in ("td", "th"):
                continue
            if not first and self.buffer:
                self.buffer.add(" | ")
            first = False
            self.walk(cell, depth + 1)
        self.flush()

    def list_block(self, node: Any, depth: int) -> None:
        self.flush()
        start = node.attributes.get("start") or "1"
        ordered = node.tag == "ol"
        self.lists.append([ordered, int(start) if start.strip().isdigit() else 1])
        self.walk(node, depth + 1)
        self.flush()
        self.lists.pop()

    def list_item(self, node: Any, depth: int) -> None:
        self.flush()
        outer = self.item
        marker = "•"
        if self.lists and self.lists[-1][0]:
            value = node.attributes.get("value") or ""
            number = int(value) if value.strip().isdigit() else self.lists[-1][1]
            marker = f"{number}."
            self.lists[-1][1] = number + 1
        self.item = [max(len(self.lists) - 1, 0), marker]
        self.walk(node, depth + 1)
        self.flush()
        self.item = outer

    def walk(self, node: Any, depth: int = 0) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.add(child.text_content or "")
            elif tag in ("-comment", "head", "title", "meta", "link"):
                continue
            elif depth > _MAX_DEPTH:
                self.buffer.add(child.text(deep=True, separator=" "))
            elif tag == "br":
                self.buffer.newline()
            elif tag == "a":
                self.buffer.open_link(absolute_url(child.attributes.get("href") or "", self.base))
                self.walk(child, depth + 1)
                self.buffer.close_link()
            elif tag == "img":
                self.image(child)
            elif tag in _HEADINGS:
                self.flush()
                self.walk(child, depth + 1)
                self.flush(BlockKind.HEADING, _HEADINGS[tag])
            elif tag in ("ul", "ol", "menu"):
                self.list_block(child, depth)
            elif tag == "li":
                self.list_item(child, depth)
            elif tag == "blockquote":
                self.flush()
                self.quote += 1
                self.walk(child, depth + 1)
                self.flush()
                self.quote -= 1
            elif tag in ("pre", "xmp", "listing"):
                self.code(child)
            elif tag == "hr":
                self.flush()
                self.blocks.append(Block(BlockKind.RULE, ""))
            elif tag == "tr":
                self.table_row(child, depth)
            elif tag in _BLOCK_TAGS or tag in ("table", "td", "th"):
                self.flush()
                self.walk(child, depth + 1)
                self.flush()
            else:
                self.walk(child, depth + 1)


def walk_blocks(nodes: Iterable[Any], base: str) -> list[Block]:
    """The body blocks of `nodes` (selectolax elements), in order; URLs resolved against `base`.

    Shared by the page loader and the feed parser (which walks an entry's content fragment).
    """
    walker = _Walker(base)
    for node in nodes:
        walker.walk(node)
        walker.flush()
    return walker.blocks


def parse_html(text: str, where: str) -> Article:
    """Parse an HTML page into an `Article` whose guid is `where`."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(bounded_depth(text))
    draft = read_metadata(tree, where)
    remove_chrome_elements(tree)
    base = first(tree, "base[href]", "href") or draft.link or ""
    draft.blocks = walk_blocks(article_containers(tree), base)
    return build_article(draft)
