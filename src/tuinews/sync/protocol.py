"""The Google Reader API's data, without the HTTP: errors, item ids and items/contents answers.

`greader` (the client, over httpx) re-exports all of it. Worker processes, which parse answers,
import only this module (no httpx, no asyncio).
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from typing import Any

from tuinews.i18n import _
from tuinews.model import ItemId

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
ITEM_PREFIX = "tag:google.com,2005:reader/item/"
WIDE = "x"
"""What an `ItemId` wider than 64 bits starts with (never a number, so SQLite keeps it as text)."""
_READ_STATE = READ.rsplit("/state/", 1)[-1]
_STARRED_STATE = STARRED.rsplit("/state/", 1)[-1]


class SyncError(Exception):
    """A sync failed; the message is one line and names the server."""


class AuthError(SyncError):
    """The server refused the user and password (or the login it gave)."""


class NetworkError(SyncError):
    """The server could not be reached or did not answer in time: changes stay queued."""


class ServerError(SyncError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ProtocolError(SyncError):
    """The server's answer is not what the Google Reader API says it should be."""


class AnswerTooLarge(ProtocolError):
    """An answer grew past the size the client takes (`GReaderClient.max_bytes`)."""


@dataclass(slots=True)
class ServerItem:
    """One item (article) as the server sent it; the body is raw HTML, cleaned later."""

    item: ItemId
    stream_id: str
    feed_title: str = ""
    html_url: str = ""
    title: str = ""
    body: str = ""
    published: float | None = None
    crawled: float | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    """(href, hreflang or "") of its alternate links, the canonical one first."""
    author: str = ""
    image: str = ""
    read: bool = False
    starred: bool = False


def item_number(text: str | int) -> ItemId:
    """A server item id as the cache keeps it (`ItemId`); ValueError when it is not one.

    Ids come in the long form ("tag:google.com,2005:reader/item/" and hex digits), as decimal
    numbers (id lists), or, from a server whose ids are wider than 64 bits, as their bare hex
    digits (The Old Reader's id lists). A decimal number too large for 64 bits can only be such an
    id whose hex digits happen to be all decimal.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    elif isinstance(text, str):
        raw = text.strip()
        if raw.startswith(ITEM_PREFIX) or raw.startswith("tag:"):
            digits = raw.rsplit("/", 1)[-1]
            if len(digits) > 32:
                raise ValueError(f"not an item id: {text!r}")
            value = int(digits, 16)
            if value >= 2**64:  # (padded beyond 16 digits, a 64-bit id stays a number)
                return _wide(digits, text)
        elif raw.isascii() and raw.isdigit() and int(raw) < 2**64:
            value = int(raw)
        else:
            return _wide(raw, text)
    else:
        raise ValueError(f"not an item id: {text!r}")
    if not -(2**63) <= value < 2**64:
        raise ValueError(f"item id out of range: {text!r}")
    return value - 2**64 if value >= 2**63 else value


def _wide(digits: str, text: object) -> str:
    if not 16 < len(digits) <= 32 or not all(char in string.hexdigits for char in digits):
        raise ValueError(f"not an item id: {text!r}")
    return WIDE + digits.lower()


def item_hex(item: ItemId) -> str:
    """The hex digits of an item id's long form."""
    if isinstance(item, str):
        return item[len(WIDE) :]
    return f"{item & 0xFFFFFFFFFFFFFFFF:016x}"


def item_long_id(item: ItemId) -> str:
    """The long form of an item id, as every server accepts it."""
    return ITEM_PREFIX + item_hex(item)


def parse_items(body: bytes, where: str) -> list[ServerItem]:
    """The items of an items/contents answer; `ProtocolError` for anything else."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProtocolError(_("{url}: the contents answer is not JSON").format(url=where)) from None
    return [
        parse_item(entry, where) for entry in json_field(data, "items", list, where, "contents")
    ]


def parse_item(entry: Any, where: str) -> ServerItem:
    """One item of an items/contents answer; `ProtocolError` when it has no id or stream."""
    if not isinstance(entry, dict):
        raise ProtocolError(_("{url}: an item is not an object").format(url=where))
    try:
        item = item_number(entry["id"])
    except (KeyError, ValueError):
        raise ProtocolError(_("{url}: an item without a valid id").format(url=where)) from None
    origin = entry.get("origin") if isinstance(entry.get("origin"), dict) else {}
    stream_id = origin.get("streamId")
    if not isinstance(stream_id, str) or not stream_id:
        raise ProtocolError(
            _("{url}: an item without its feed (origin.streamId)").format(url=where)
        )
    body = ""
    for key in ("content", "summary"):
        part = entry.get(key)
        if isinstance(part, dict) and isinstance(part.get("content"), str) and part["content"]:
            body = part["content"]
            break
    links: list[tuple[str, str]] = []
    for key in ("canonical", "alternate"):
        for link in entry.get(key) or []:
            if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]:
                pair = (link["href"], as_str(link.get("hreflang")))
                if all(pair[0] != href for href, _lang in links):
                    links.append(pair)
    image = ""
    for enclosure in entry.get("enclosure") or []:
        if isinstance(enclosure, dict) and isinstance(enclosure.get("href"), str):
            kind = as_str(enclosure.get("type"))
            if kind.startswith("image"):
                image = enclosure["href"]
                break
    # A state's category may name the user ("user/1005921515/state/com.google/read", Inoreader).
    states = {
        c.rsplit("/state/", 1)[-1]
        for c in entry.get("categories") or []
        if isinstance(c, str) and c.startswith("user/") and "/state/" in c
    }
    crawled = as_number(entry.get("crawlTimeMsec"))
    return ServerItem(
        item=item,
        stream_id=stream_id,
        feed_title=as_str(origin.get("title")),
        html_url=as_str(origin.get("htmlUrl")),
        title=as_str(entry.get("title")),
        body=body,
        published=as_number(entry.get("published")),
        crawled=crawled / 1000 if crawled is not None else None,
        links=links,
        author=as_str(entry.get("author")),
        image=image,
        read=_READ_STATE in states,
        starred=_STARRED_STATE in states,
    )


def json_field(data: Any, key: str, kind: type, where: str, what: str) -> Any:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and isinstance(data, dict) and kind is list:
        return []
    if not isinstance(value, kind):
        raise ProtocolError(
            _("{url}: the {name} answer has no '{key}'").format(url=where, name=what, key=key)
        )
    return value


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
