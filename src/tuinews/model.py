"""Plain data objects shared by every layer: sources, articles, body blocks, headline rows.

Nothing here does I/O. Text in these objects is already clean (see `tuinews.textclean`):
the sources clean at ingestion, so the store and the renderer can trust it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any


class BlockKind(StrEnum):
    """The kinds of block an article body is made of."""

    PARAGRAPH = "p"
    HEADING = "h"
    ITEM = "li"
    QUOTE = "quote"
    CODE = "code"
    IMAGE = "img"
    RULE = "hr"


@dataclass(frozen=True, slots=True)
class LinkSpan:
    """A hyperlink over `text[start:end]` of the block that holds it."""

    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Block:
    """One structural piece of an article body.

    `level` is the heading level (1-6) for headings and the nesting depth (0-based) for list items;
    `marker` is a list item's bullet or number ("•", "3."); `url` is an image's source.
    """

    kind: BlockKind
    text: str
    level: int = 0
    marker: str = ""
    url: str = ""
    links: tuple[LinkSpan, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A compact JSON-able dict (the store keeps bodies as JSON lists of these)."""
        data: dict[str, Any] = {"k": self.kind.value, "t": self.text}
        if self.level:
            data["l"] = self.level
        if self.marker:
            data["m"] = self.marker
        if self.url:
            data["u"] = self.url
        if self.links:
            data["a"] = [[span.start, span.end, span.url] for span in self.links]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        """Inverse of `to_json`."""
        return cls(
            kind=BlockKind(data["k"]),
            text=data.get("t", ""),
            level=data.get("l", 0),
            marker=data.get("m", ""),
            url=data.get("u", ""),
            links=tuple(LinkSpan(s, e, u) for s, e, u in data.get("a", ())),
        )


def paragraph(text: str, links: tuple[LinkSpan, ...] = ()) -> Block:
    """`Block(BlockKind.PARAGRAPH, text, links=links)`, made in half the time.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`; the slots'
    own setters are quicker, and feeds make a few paragraphs per item.
    """
    block = _new_object(Block)
    _set_kind(block, _PARAGRAPH)
    _set_text(block, text)
    _set_level(block, 0)
    _set_marker(block, "")
    _set_url(block, "")
    _set_links(block, links)
    return block


def link_span(start: int, end: int, url: str) -> LinkSpan:
    """`LinkSpan(start, end, url)`, made as `paragraph` makes a block."""
    span = _new_object(LinkSpan)
    _set_start(span, start)
    _set_end(span, end)
    _set_span_url(span, url)
    return span


_new_object = object.__new__
# Members read once: `BlockKind.X` is an attribute look-up on the enum class at every use.
_PARAGRAPH = BlockKind.PARAGRAPH
_RULE = BlockKind.RULE
_set_kind, _set_text, _set_level, _set_marker, _set_url, _set_links = (
    Block.__dict__[name].__set__ for name in ("kind", "text", "level", "marker", "url", "links")
)
_set_start, _set_end, _set_span_url = (
    LinkSpan.__dict__[name].__set__ for name in ("start", "end", "url")
)


class LangOrigin(StrEnum):
    """Where an article's language came from."""

    META = "meta"
    DETECTED = "detected"
    SOURCE = "source"
    UNKNOWN = "unknown"


UNKNOWN_LANGUAGE = "und"


@dataclass(frozen=True, slots=True)
class Alternate:
    """Another language version of an article, from hreflang links."""

    language: str
    url: str


@dataclass(frozen=True, slots=True)
class Translation:
    """Another language version of an article, as the cache knows it (same story)."""

    language: str
    id: int
    uid: str
    title: str


@dataclass(slots=True)
class Article:
    """One article as the sources produce it and the store keeps it.

    `guid` is unique within its source (a feed's guid, or a local file's absolute path).
    `published` is timezone-aware when known. `language` is a BCP 47 code or "und".
    """

    guid: str
    title: str
    blocks: list[Block]
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str = UNKNOWN_LANGUAGE
    lang_origin: LangOrigin = LangOrigin.UNKNOWN
    alternates: list[Alternate] = field(default_factory=list)
    # Filled in by the store:
    translations: list[Translation] = field(default_factory=list)
    id: int | None = None
    uid: str = ""
    source_id: int | None = None
    source_name: str = ""
    read: bool = False
    starred: bool = False
    fetched_at: datetime | None = None
    full_text: bool = False
    """`blocks` are the full web page's article (`f`), not the feed's summary."""
    extractor: str = ""
    """With `full_text`: what extracted it from the page."""
    full_text_stale: bool = False
    """With `full_text`: the feed item changed after the page was fetched (`f` fetches it again)."""

    @property
    def paragraphs(self) -> list[str]:
        """The plain text of every textual block, in order."""
        return [b.text for b in self.blocks if b.kind is not _RULE and b.text]

    def content_hash(self, blocks_json: str | None = None) -> str:
        """A hash of everything the source said, to tell a changed article from an unchanged one.

        `blocks_json` is the body as the store serialises it, when the caller has it already.
        """
        if blocks_json is None:
            blocks_json = blocks_to_json(self.blocks)
        published = str(self.published.timestamp() if self.published else "")
        # Hashed as one string: the same digest as each part on its own, for fewer calls.
        parts = [self.title, self.link or "", self.author or "", self.language, published, ""]
        text = "\0".join(parts) + blocks_json
        if self.alternates:
            text += "".join(f"\0{alt.language}\0{alt.url}" for alt in self.alternates)
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def blocks_to_json(blocks: list[Block]) -> str:
    """The body as JSON text, the way the cache stores it.

    The text `json.dumps([block.to_json() for block in blocks], ensure_ascii=False)` gives, written
    directly for blocks of the usual types (tests/test_parse_fast_paths.py checks the equality).
    """
    try:
        return "[" + ", ".join([_block_json(block) for block in blocks]) + "]"
    except _Unusual:
        return _BLOCKS_ENCODER.encode([block.to_json() for block in blocks])


class _Unusual(Exception):
    """A block field of another type than usual: the JSON encoder writes it."""


def _block_json(block: Block) -> str:
    try:
        # `_value_` is what `.value` reads (without the enum property's cost).
        piece = _BLOCK_STARTS[block.kind._value_] + _json_string(block.text)
        if block.level:
            level = block.level
            if type(level) is not int:
                raise _Unusual
            piece += f', "l": {level}'
        if block.marker:
            piece += ', "m": ' + _json_string(block.marker)
        if block.url:
            piece += ', "u": ' + _json_string(block.url)
        if block.links:
            spans = []
            for span in block.links:
                start, end = span.start, span.end
                if type(start) is not int or type(end) is not int:
                    raise _Unusual
                spans.append(f"[{start}, {end}, {_json_string(span.url)}]")
            piece += ', "a": [' + ", ".join(spans) + "]"
    except (TypeError, KeyError) as error:  # not `str`, or not a `BlockKind`
        raise _Unusual from error
    return piece + "}"


_BLOCKS_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""What `json.dumps(..., ensure_ascii=False)` uses, made once rather than at every call."""
_json_string = encode_basestring
"""A JSON string as that encoder writes one (this is the function it uses); `str` only."""
_BLOCK_STARTS = {kind.value: '{"k": ' + _json_string(kind.value) + ', "t": ' for kind in BlockKind}


ItemId = int | str
"""A feed server's id of one item, as the cache keeps it: a signed 64-bit integer (the Google
Reader API's ids are 64-bit), or for a server with wider ids (The Old Reader's 96-bit ObjectIds)
"x" and their hex digits as the server writes them, lower case (`sync.protocol.item_number`)."""


def article_uid(source_key: str, guid: str) -> str:
    """The stable public id of an article: the same source and guid always give the same id."""
    raw = f"{source_key}\0{guid}".encode("utf-8", "surrogatepass")
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:12]


class SourceKind(StrEnum):
    """Where a source's articles come from."""

    PATH = "path"
    URL = "url"
    SERVER = "server"
    """A subscription of a feed server (Google Reader API), kept in step by `tuinews sync`."""


@dataclass(slots=True)
class Source:
    """A configured or ad-hoc place articles come from: a file, a folder, or (later) a feed URL."""

    kind: SourceKind
    location: str
    name: str
    language: str | None = None
    tags: tuple[str, ...] = ()
    refresh_minutes: int | None = None
    """A feed refreshed successfully less than this many minutes ago is skipped; None: never."""
    hide: tuple[str, ...] = ()
    """Regular expressions on titles: matching articles stay out of the headline list."""
    full_text: bool = False
    """Feeds: fetch the full web page of new items during a refresh (as `f` does)."""
    # Filled in by the store:
    id: int | None = None
    last_fetch: datetime | None = None
    last_error: str | None = None

    @property
    def key(self) -> str:
        """The identity of a source in the cache: kind plus location."""
        return f"{self.kind.value}:{self.location}"


@dataclass(frozen=True, slots=True)
class Headline:
    """A compact row of the headline list: what the list shows, nothing more.

    `published` is a POSIX timestamp (0 when unknown) so rows stay small at 100,000 of them.
    """

    id: int
    title: str
    source_id: int
    language: str
    published: float
    read: bool
    starred: bool
    versions: bool = False
    """The article belongs to a story with other versions (translations)."""


@dataclass(frozen=True, slots=True)
class SourceCount:
    """A source with its article and unread counts, for the sources pane."""

    source: Source
    total: int
    unread: int


@dataclass(frozen=True, slots=True)
class LanguageCount:
    """A language present in the view, with how many articles have it."""

    code: str
    count: int


@dataclass(frozen=True, slots=True)
class LoadError:
    """Why one file, feed or source could not be loaded. `where` names the file or URL."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class LoadFailure(Exception):
    """Raised by a loader for one bad input; carries a `LoadError` for the one-line message."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.error = LoadError(where, reason)

    def __reduce__(self) -> tuple[type[LoadFailure], tuple[str, str]]:
        # Worker processes send failures back pickled; rebuild from the two fields.
        return (LoadFailure, (self.error.where, self.error.reason))
