"""Parse a fetched feed (RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0, JSON Feed 1.0/1.1) into articles.

`parse_feed` is pure: bytes and response headers in, a `ParsedFeed` out. XML goes to feedparser
(through a stream, so it never opens a file or a URL; external entities stay off), which keeps
every entry it can recover from an ill-formed document. JSON Feed is read by `jsonfeed`. Each
entry becomes an `Article` through `feed_entry.build_entries`.

Anything that is not a feed raises `LoadFailure(url, "not a feed")`; nothing else ever escapes
but a `LoadFailure`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from tuinews.i18n import _, ngettext
from tuinews.model import LoadFailure
from tuinews.sources import fast_feed, jsonfeed
from tuinews.sources.feed_body import html_text
from tuinews.sources.feed_dates import FeedDates
from tuinews.sources.feed_entry import (
    EntryDraft,
    FeedContext,
    ParsedFeed,
    build_entries,
    language_tag,
    link_url,
)
from tuinews.sources.feed_limit import limit_entries, too_many_items
from tuinews.textclean import clean_line

__all__ = ["ParsedFeed", "parse_feed"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_TEXT_TYPES = frozenset({"text/plain", "text"})
_MAX_REASON = 80


def parse_feed(
    data: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    fetched_at: datetime | None = None,
    fast: bool | None = None,
) -> ParsedFeed:
    """Parse feed bytes fetched from `url` with the response `headers` (any case).

    Entries without a date get `fetched_at`. Raises `LoadFailure` only. `fast` is for tests and
    benchmarks: True reads XML with `fast_feed` only (a `LoadFailure` when it is unsure), False with
    feedparser only; None (the default) tries `fast_feed` first.
    """
    try:
        lowered = {str(key).casefold(): str(value) for key, value in (headers or {}).items()}
        return _parse(bytes(data or b""), url, lowered, fetched_at, fast)
    except LoadFailure:
        raise
    except Exception as error:  # whatever the input, one bad feed must not break a fetch
        reason = clean_line(str(error)) or type(error).__name__
        if len(reason) > _MAX_REASON:
            reason = reason[: _MAX_REASON - 1] + "…"
        raise LoadFailure(url, _("cannot parse feed: {reason}").format(reason=reason)) from error


def _parse(
    data: bytes, url: str, headers: dict[str, str], fetched_at: datetime | None, fast: bool | None
) -> ParsedFeed:
    content_type = headers.get("content-type", "")
    header_language = language_tag(headers.get("content-language", ""))
    context = FeedContext(url=url, header_language=header_language, fetched_at=fetched_at)
    if jsonfeed.looks_like_json(data, content_type):
        return jsonfeed.parse_json_feed(data, content_type, context)
    data, total = limit_entries(data)
    parsed = None
    if fast is not False:
        document_base = _base_url(url, headers)
        parsed = fast_feed.parse_fast(data, headers, context, document_base)
        if parsed is None and fast:
            raise LoadFailure(url, "not read by the fast path")
        if parsed is None:
            context.language = None
    if parsed is None:
        parsed = _parse_xml(data, headers, context)
    if total:
        parsed.warning = "; ".join(filter(None, [too_many_items(total), parsed.warning]))
    return parsed


def _base_url(url: str, headers: dict[str, str]) -> str:
    location = headers.get("content-location", "").strip()
    if location:
        try:
            return urljoin(url, location)
        except ValueError:
            return url
    return url


def _parse_xml(data: bytes, headers: dict[str, str], context: FeedContext) -> ParsedFeed:
    import feedparser

    response_headers = dict(headers)
    document_base = _base_url(context.url, headers)
    response_headers["content-location"] = document_base
    # Relative URLs in bodies are resolved by our own HTML walker, against the same xml:base.
    # No sanitising either: bodies only ever become blocks through `feed_body`, which drops
    # scripts, styles, frames, objects, forms and their text, and never reads an attribute it
    # does not need (event handlers, styles).
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers=response_headers,
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    version = result.get("version") or ""
    if not entries and not version and not feed.get("title"):
        raise LoadFailure(context.url, _("not a feed"))

    context.language = language_tag(feed.get("language") or "")
    dates = FeedDates(context.language or context.header_language)
    drafts = [_entry_draft(entry, dates, context, document_base) for entry in entries]
    articles = build_entries(drafts, context)

    return ParsedFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title")),
        link=_feed_link(feed, context.url),
        language=context.language or context.header_language,
        articles=articles,
        warning=_warning(result, len(articles)),
    )


def _warning(result: Mapping[str, Any], count: int) -> str | None:
    """What went wrong in a feed that still parsed, in a few words; None when nothing did."""
    if not result.get("bozo"):
        return None
    kind = type(result.get("bozo_exception")).__name__
    if kind == "NonXMLContentType":  # served as text/html or text/plain: harmless
        return None
    if kind == "CharacterEncodingOverride":
        encoding = result.get("encoding") or _("unknown")
        return _("wrong encoding declared, read as {encoding}").format(encoding=encoding)
    return ngettext(
        "ill-formed XML, {count} item recovered", "ill-formed XML, {count} items recovered", count
    ).format(count=count)


def _feed_link(feed: Mapping[str, Any], url: str) -> str | None:
    """The site link: the feed's first alternate link, else what feedparser calls its link."""
    for link in feed.get("links") or ():
        if isinstance(link, Mapping) and (link.get("rel") or "alternate") == "alternate":
            found = link_url(str(link.get("href") or ""), url)
            if found:
                return found
    return link_url(str(feed.get("link") or ""), url) or None


def _detail_text(detail: Any, fallback: Any) -> str:
    """The text of a feedparser text construct, tags stripped when it is HTML."""
    if isinstance(detail, Mapping):
        value = str(detail.get("value") or "")
        if detail.get("type") in _HTML_TYPES:
            return html_text(value)
        return clean_line(value)
    return clean_line(str(fallback or ""))


def _struct_time(value: Any) -> datetime | None:
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _date(entry: Mapping[str, Any], name: str, dates: FeedDates) -> datetime | None:
    parsed = _struct_time(entry.get(f"{name}_parsed"))
    if parsed is None and entry.get(name):
        parsed = dates.parse(str(entry[name]))
    return parsed


def _body(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The longest content of a readable type, else the summary."""
    best = None
    for content in entry.get("content") or ():
        if not isinstance(content, Mapping) or content.get("type") not in _HTML_TYPES | _TEXT_TYPES:
            continue
        if best is None or len(content.get("value") or "") > len(best.get("value") or ""):
            best = content
    if best is not None and (best.get("value") or "").strip():
        return best
    summary = entry.get("summary_detail")
    if isinstance(summary, Mapping) and summary.get("type") in _HTML_TYPES | _TEXT_TYPES:
        return summary
    if entry.get("summary"):
        return {"type": "text/html", "value": entry["summary"]}
    return best


def _author(entry: Mapping[str, Any]) -> str:
    names = [
        str(author.get("name") or "")
        for author in entry.get("authors") or ()
        if isinstance(author, Mapping)
    ]
    names = [name for name in names if name.strip()]
    if len(names) > 1:
        return ", ".join(dict.fromkeys(names))
    detail = entry.get("author_detail")
    if isinstance(detail, Mapping) and detail.get("name"):
        return str(detail["name"])
    return str(entry.get("author") or (names[0] if names else ""))


def _entry_language(details: tuple[Any, ...], context: FeedContext) -> str:
    """The xml:lang in scope for an entry's text, unless it is only the Content-Language header.

    feedparser starts its xml:lang scope with the header; an RSS `<language>` never enters it.
    """
    for detail in details:
        if isinstance(detail, Mapping) and detail.get("language"):
            language = str(detail["language"])
            if context.header_language and language_tag(language) == context.header_language:
                return ""
            return language
    return ""


def _entry_draft(
    entry: Mapping[str, Any], dates: FeedDates, context: FeedContext, document_base: str
) -> EntryDraft:
    title = entry.get("title_detail")
    title = title if isinstance(title, Mapping) else {}
    body = _body(entry) or {}
    language = _entry_language((title, body, entry.get("summary_detail")), context)
    base = str(body.get("base") or title.get("base") or "")
    alternates = []
    for link in entry.get("links") or ():
        if not isinstance(link, Mapping) or not link.get("href"):
            continue
        if (link.get("rel") or "alternate") == "alternate":
            alternates.append((str(link["href"]), str(link.get("hreflang") or "")))
    published = _date(entry, "published", dates) or _date(entry, "updated", dates)
    return EntryDraft(
        guid=str(entry.get("id") or ""),
        title=str(title.get("value") or entry.get("title") or ""),
        title_is_html=title.get("type") in _HTML_TYPES,
        alternates=alternates,
        link=str(entry.get("link") or ""),
        author=_author(entry),
        published=published,
        date_text=str(entry.get("published") or entry.get("updated") or ""),
        language=language,
        body=str(body.get("value") or ""),
        body_is_html=body.get("type") in _HTML_TYPES,
        # Without an xml:base, relative URLs in a body are relative to the entry's page (feeds are
        # often served from elsewhere: a CDN, a feed proxy); `build_entries` falls back to its link.
        base="" if base == document_base else base,
    )
