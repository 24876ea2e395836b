"""Read JSON Feed 1.0 and 1.1 documents (https://jsonfeed.org), which feedparser does not know.

A document is a JSON Feed when its `version` names a JSON Feed version (the URL, or "1", "1.0",
"1.1" as some publishers write it) or when it is served as `application/feed+json`. Items become
`EntryDraft`s for `feed_entry.build_entries`: `content_html` over `content_text` over `summary`;
`authors` (1.1) or `author` (1.0), the item's or else the feed's; `date_published`, else
`date_modified`; the item's `language` (1.1), else the feed's. Tags have no place in an `Article`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tuinews.i18n import _
from tuinews.model import LoadFailure
from tuinews.sources.feed_dates import FeedDates
from tuinews.sources.feed_entry import (
    EntryDraft,
    FeedContext,
    ParsedFeed,
    build_entries,
    language_tag,
)
from tuinews.sources.feed_limit import MAX_ITEMS, too_many_items
from tuinews.sources.html_meta import absolute_url
from tuinews.textclean import clean_line

_VERSION = re.compile(r"^(?:https?://(?:www\.)?jsonfeed\.org/version/)?1(?:\.\d+)?/?$", re.I)
_JSON_TYPES = ("application/feed+json", "application/json", "text/json")
_LEADING = b" \t\r\n\xef\xbb\xbf"


def looks_like_json(data: bytes, content_type: str) -> bool:
    """Whether the response is JSON: by its first byte (`{`, not `<`), else by its Content-Type."""
    first = data.lstrip(_LEADING)[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    mime = content_type.split(";", 1)[0].strip().casefold()
    return mime in _JSON_TYPES or mime.endswith("+json")


def _load(data: bytes, url: str) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
    except json.JSONDecodeError as error:
        reason = _("invalid JSON: {error} at line {line}").format(
            error=error.msg, line=error.lineno
        )
        raise LoadFailure(url, reason) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reason = _("invalid JSON: {error} at line {line}").format(
            error=error.msg, line=error.lineno
        )
        raise LoadFailure(url, reason) from error


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _authors(holder: dict[str, Any]) -> str:
    authors = holder.get("authors")
    if not isinstance(authors, list):
        authors = [holder.get("author")]
    names = [_text(author.get("name")) for author in authors if isinstance(author, dict)]
    return ", ".join(dict.fromkeys(name for name in names if name.strip()))


def _item_draft(item: dict[str, Any], feed_author: str, dates: FeedDates) -> EntryDraft:
    guid = item.get("id")
    html = _text(item.get("content_html"))
    text = _text(item.get("content_text")) or _text(item.get("summary"))
    date_text = _text(item.get("date_published")) or _text(item.get("date_modified"))
    url = _text(item.get("url")) or _text(item.get("external_url"))
    return EntryDraft(
        guid=str(guid) if isinstance(guid, str | int | float) and guid != "" else "",
        title=_text(item.get("title")),
        link=url,
        author=_authors(item) or feed_author,
        published=dates.parse(date_text) if date_text else None,
        date_text=date_text,
        language=_text(item.get("language")),
        body=html if html.strip() else text,
        body_is_html=bool(html.strip()),
        image=_text(item.get("image")),
    )


def parse_json_feed(data: bytes, content_type: str, context: FeedContext) -> ParsedFeed:
    """Parse a JSON Feed; `LoadFailure` when the bytes are not JSON or not a JSON Feed."""
    document = _load(data, context.url)
    served_as_feed = "feed+json" in content_type.casefold()
    if not isinstance(document, dict) or not (
        _VERSION.match(_text(document.get("version")).strip()) or served_as_feed
    ):
        raise LoadFailure(context.url, _("not a feed"))

    home = absolute_url(_text(document.get("home_page_url")), context.url) or None
    if not context.url.startswith(("http://", "https://")) and home:
        context.url = home  # a local file: relative item URLs are relative to the site
    context.language = language_tag(_text(document.get("language")))
    feed_author = _authors(document)
    dates = FeedDates(context.language or context.header_language)
    items = document.get("items")
    items = items if isinstance(items, list) else []
    drafts = [
        _item_draft(item, feed_author, dates)
        for item in items[:MAX_ITEMS]
        if isinstance(item, dict)
    ]
    articles = build_entries(drafts, context)
    return ParsedFeed(
        title=clean_line(_text(document.get("title"))),
        link=home,
        language=context.language or context.header_language,
        articles=articles,
        warning=too_many_items(len(items)) if len(items) > MAX_ITEMS else None,
    )
