"""Numbered links: which article URLs may become hyperlinks, and the `[n]` each one gets.

Links are numbered in reading order as the renderer meets them (body text, then an image's source);
the same URL used twice keeps its first number. Only http, https and mailto URLs are numbered, linked
and opened; anything else (javascript:, data:, file:, ...) stays plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from tuinews.model import Block, BlockKind, LinkSpan

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_url(url: str | None) -> bool:
    """True for an http(s) URL with a host, or a mailto: URL, without spaces or control characters."""
    if not url or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return False
    return scheme == "mailto" or bool(parts.netloc)


@dataclass(frozen=True, slots=True)
class NumberedLink:
    """A link of the article: its number, URL, and the text first linked to it (an image's alt)."""

    number: int
    url: str
    text: str


class LinkNumbers:
    """Gives each safe URL a number, in the order they are met; the same URL keeps its number."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._links: list[NumberedLink] = []

    def number(self, url: str, text: str = "") -> int | None:
        """The number of `url` (a new one the first time), or None when it is not a safe URL."""
        if not is_safe_url(url):
            return None
        found = self._numbers.get(url)
        if found is None:
            found = len(self._links) + 1
            self._numbers[url] = found
            self._links.append(NumberedLink(found, url, text.strip()))
        return found

    @property
    def links(self) -> list[NumberedLink]:
        """Every numbered link, by number."""
        return list(self._links)

    def __len__(self) -> int:
        return len(self._links)


def valid_spans(block: Block) -> list[LinkSpan]:
    """The block's link spans that fit its text, in order, without overlaps (the first one wins)."""
    spans: list[LinkSpan] = []
    end = 0
    for span in sorted(block.links, key=lambda item: (item.start, item.end)):
        if 0 <= span.start < span.end <= len(block.text) and span.start >= end:
            spans.append(span)
            end = span.end
    return spans


def block_links(block: Block) -> Iterator[tuple[str, str]]:
    """(url, text) of every link of one block, in the order the renderer numbers them."""
    for span in valid_spans(block):
        yield span.url, block.text[span.start : span.end]
    if block.kind is BlockKind.IMAGE and block.url:
        yield block.url, block.text


def article_links(blocks: Iterable[Block]) -> list[NumberedLink]:
    """The numbered links of an article body, exactly as `render_article` numbers them."""
    numbers = LinkNumbers()
    for block in blocks:
        for url, text in block_links(block):
            numbers.number(url, text)
    return numbers.links
