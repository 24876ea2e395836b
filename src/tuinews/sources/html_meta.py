"""Read an HTML page's metadata: title, date, language, author, canonical link, hreflang alternates.

Title: `og:title` (or `twitter:title`), else `<title>`, with a " | Site" part removed when the
page's h1 or `og:site_name` confirms where the headline ends; else the h1. Date: the usual
`article:published_time`-style meta tags, then `<time datetime>`. Language: `<html lang>`, then
`og:locale`, then `Content-Language`. The helpers for text and URLs are shared with `html_body`.
"""

from __future__ import annotations

import re
from typing import Any

from tuinews.model import Alternate
from tuinews.sources.article_builder import Draft
from tuinews.sources.dates import parse_date
from tuinews.sources.fast_url import join_url, url_scheme
from tuinews.sources.language import normalize_language
from tuinews.textclean import clean_line

_TITLE_SEPARATORS = re.compile(r"\s*[|｜]\s*|\s+(?:-|–|—|::|·|•|/|»|:|@)\s+")
_SEPARATOR_CHARS = frozenset("|｜-–—_:：·•/»@")
_WORDS = re.compile(r"\w+")
_DATE_META = (
    ('meta[property="article:published_time"]', "content"),
    ('meta[name="article:published_time"]', "content"),
    ('meta[property="og:published_time"]', "content"),
    ('meta[itemprop="datePublished"]', "content"),
    ('meta[name="date"]', "content"),
    ('meta[name="pubdate"]', "content"),
    ('meta[name="publishdate"]', "content"),
    ('meta[name="publish-date"]', "content"),
    ('meta[name="DC.date.issued"]', "content"),
    ('meta[name="dc.date"]', "content"),
    ('meta[name="dcterms.created"]', "content"),
    ('meta[name="sailthru.date"]', "content"),
    ('meta[name="parsely-pub-date"]', "content"),
    ('[itemprop="datePublished"]', "datetime"),
    ("time[pubdate]", "datetime"),
    ("time[datetime]", "datetime"),
)
_AUTHOR_META = (
    'meta[name="author"]',
    'meta[property="article:author"]',
    'meta[name="article:author"]',
    'meta[name="dc.creator"]',
    'meta[name="DC.creator"]',
    'meta[name="parsely-author"]',
    'meta[name="byl"]',
)


def attr(node: Any, name: str) -> str:
    """An attribute's value, cleaned; "" when missing."""
    value = node.attributes.get(name) if node is not None else None
    return clean_line(value) if value else ""


def first(tree: Any, selector: str, attribute: str) -> str:
    """The first non-empty `attribute` among the elements `selector` matches."""
    for node in tree.css(selector):
        value = attr(node, attribute)
        if value:
            return value
    return ""


def node_text(node: Any) -> str:
    return clean_line(node.text(deep=True, separator=" ")) if node is not None else ""


def absolute_url(url: str, base: str) -> str:
    """`url` resolved against `base`; "" for fragments and script, data or blob URLs."""
    url = clean_line(url)
    if not url or url[0] == "#":
        return ""
    if url[0] == "/" and url[1:2] != "/":
        if not base:
            return url
        try:
            return join_url(base, url)  # a path from the root: no scheme, no host to refuse
        except ValueError:
            return url
    scheme = url_scheme(url).casefold()
    if scheme in ("javascript", "data", "vbscript", "about", "blob"):
        return ""
    if scheme or not base:
        return url
    try:
        return join_url(base, url)
    except ValueError:
        return url


def _same(a: str, b: str) -> bool:
    return bool(a) and _WORDS.findall(a.casefold()) == _WORDS.findall(b.casefold())


def _strip_site_suffix(title: str, heading: str, site: str) -> str:
    """'Headline | Site' -> 'Headline' when the page's h1 or og:site_name confirms the split.

    An h1 that equals the shorter side is the site's logo, so the longer side is the headline.
    """
    for match in _TITLE_SEPARATORS.finditer(title):
        prefix, suffix = title[: match.start()].strip(), title[match.end() :].strip()
        if _same(heading, prefix) or _same(site, suffix):
            return prefix
        if _same(site, prefix):
            return suffix
        if _same(heading, suffix):
            return suffix if len(suffix) >= len(prefix) else prefix
    if heading and len(heading) < len(title):
        folded, folded_heading = title.casefold(), heading.casefold()
        if (
            folded.startswith(folded_heading)
            and title[len(heading) :].lstrip()[:1] in _SEPARATOR_CHARS
        ):
            return title[: len(heading)].strip()
        if (
            folded.endswith(folded_heading)
            and title[: -len(heading)].rstrip()[-1:] in _SEPARATOR_CHARS
        ):
            return title[-len(heading) :].strip()
    return title


def _title(tree: Any) -> str:
    h1 = node_text(
        tree.css_first("article h1") or tree.css_first("main h1") or tree.css_first("h1")
    )
    site = first(tree, 'meta[property="og:site_name"]', "content")
    for candidate in (
        first(tree, 'meta[property="og:title"]', "content"),
        first(tree, 'meta[name="og:title"]', "content"),
        first(tree, 'meta[name="twitter:title"]', "content"),
        node_text(tree.css_first("head title") or tree.css_first("title")),
    ):
        if candidate:
            return _strip_site_suffix(candidate, h1, site)
    return h1


def _language(tree: Any) -> str | None:
    html = tree.css_first("html")
    candidates = [
        attr(html, "lang"),
        attr(html, "xml:lang"),
        first(tree, 'meta[property="og:locale"]', "content"),
        first(tree, 'meta[http-equiv="content-language"]', "content"),
        first(tree, 'meta[http-equiv="Content-Language"]', "content"),
        first(tree, 'meta[name="language"]', "content"),
    ]
    for candidate in candidates:
        code = normalize_language(candidate.split(",", 1)[0]) if candidate else None
        if code:
            return code
    return None


def _author(tree: Any) -> str | None:
    for selector in _AUTHOR_META:
        value = first(tree, selector, "content")
        if value and not value.startswith(("http://", "https://")):
            return value
    return None


def _alternates(tree: Any, base: str) -> list[Alternate]:
    found: list[Alternate] = []
    seen: set[tuple[str, str]] = set()
    for node in tree.css("link[hreflang]"):
        if "alternate" not in attr(node, "rel").casefold().split():
            continue
        language = normalize_language(attr(node, "hreflang"))
        url = absolute_url(attr(node, "href"), base)
        if language and url and (language, url) not in seen:
            seen.add((language, url))
            found.append(Alternate(language, url))
    return found


def read_metadata(tree: Any, where: str) -> Draft:
    """A draft holding everything the page says about itself (no body blocks yet)."""
    link = first(tree, 'link[rel="canonical"]', "href") or first(
        tree, 'meta[property="og:url"]', "content"
    )
    base = first(tree, "base[href]", "href") or link
    published = None
    for selector, attribute in _DATE_META:
        value = first(tree, selector, attribute)
        published = parse_date(value) if value else None
        if published is not None:
            break
    return Draft(
        where=where,
        title=_title(tree),
        link=absolute_url(link, "") or None,
        author=_author(tree),
        published=published,
        language=_language(tree),
        alternates=_alternates(tree, base),
    )
