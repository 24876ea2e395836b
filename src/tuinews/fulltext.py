"""Full articles: fetch a feed item's web page, extract the article, keep it for offline reading.

`fetch_full_text` does it for one article (the `f` key); `fetch_full_texts` for many at once, inside
a refresh (`full_text = true` on a source). The page is downloaded by `tuinews.sources.fetch` (same
limits as feeds), decoded by `tuinews.sources.decode` and extracted by our HTML page loader
(`tuinews.sources.html`: chrome removal, then the article container as blocks, text already cleaned).
See bench/extraction.py for how it compares with trafilatura.

A failure raises (or reports) `LoadFailure(url, reason)` with a one-line reason; the stored article
and its feed summary are never touched by one. Nothing here imports Textual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tuinews.config import NetworkConfig
from tuinews.i18n import _
from tuinews.model import Article, Block, BlockKind, LoadError, LoadFailure
from tuinews.store import Store

EXTRACTOR = "tuinews"
"""The name stored with each full text: our own page loader (tuinews.sources.html)."""
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def fetch_full_text(store: Store, article: Article, network: NetworkConfig) -> Article:
    """Download the page of `article.link`, extract and store its article; the article, re-read.

    Raises `LoadFailure(url, reason)` (HTTP error, timeout, not an HTML page, no article text...).
    """
    from tuinews.sources.fetch import FetchRequest, fetch_all_sync

    url = _check(article)
    [result] = fetch_all_sync(
        [FetchRequest(url)],
        timeout=network.timeout,
        concurrency=1,
        per_host=1,
        max_bytes=network.max_bytes,
    )
    blocks = extract_result(result)
    return _save(store, article, blocks)


async def fetch_full_texts(
    store: Store, articles: Sequence[Article], network: NetworkConfig
) -> list[LoadError]:
    """Fetch and store the full pages of many articles at once (inside an event loop).

    Returns one `LoadError` per article that failed; the others are stored.
    """
    from tuinews.sources.fetch import FetchRequest, fetch_all

    errors: list[LoadError] = []
    wanted: dict[str, list[Article]] = {}
    for article in articles:
        try:
            wanted.setdefault(_check(article), []).append(article)
        except LoadFailure as failure:
            errors.append(failure.error)
    if not wanted:
        return errors
    results = await fetch_all(
        [FetchRequest(url) for url in wanted],
        timeout=network.timeout,
        concurrency=network.concurrency,
        per_host=2,
        max_bytes=network.max_bytes,
    )
    for result in results:
        try:
            blocks = extract_result(result)
        except LoadFailure as failure:
            errors.append(failure.error)
            continue
        for article in wanted.get(result.url, []):
            _save(store, article, blocks)
    return errors


def extract_result(result) -> list[Block]:
    """The article blocks of a `FetchResult`, or `LoadFailure` saying in one line why not."""
    from tuinews.sources.fetch import redact_url

    where = redact_url(result.url)
    if result.status == "error":
        raise LoadFailure(where, result.error or _("download failed"))
    headers = {key.lower(): value for key, value in result.headers.items()}
    content_type = headers.get("content-type", "")
    return extract_page(result.body, where, content_type, base=result.final_url or result.url)


def extract_page(data: bytes, where: str, content_type: str = "", *, base: str = "") -> list[Block]:
    """The article blocks of a downloaded page; `LoadFailure` when it is no HTML or has no text."""
    from tuinews.sources.decode import decode_bytes
    from tuinews.sources.html import parse_html
    from tuinews.sources.local import _HTML_START

    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in _HTML_TYPES and not _HTML_START.match(data[:4096]):
        raise LoadFailure(where, _("not an HTML page ({type})").format(type=mime))
    if not mime and not _HTML_START.match(data[:4096]) and b"<body" not in data[:65536].lower():
        raise LoadFailure(where, _("not an HTML page"))
    declared = _declared_charset(content_type, data)
    text = decode_bytes(data, where, declared)
    try:
        page = parse_html(_with_base(text, base), where)
    except (RecursionError, MemoryError):
        raise LoadFailure(where, _("cannot parse the page")) from None
    blocks = [block for block in page.blocks if block.text or block.kind is BlockKind.IMAGE]
    if not any(block.kind is not BlockKind.IMAGE for block in blocks):
        raise LoadFailure(where, _("no article text"))
    return blocks


def _check(article: Article) -> str:
    if article.id is None:
        raise ValueError("fetch_full_text needs a stored article")
    link = (article.link or "").strip()
    if not link.lower().startswith(("http://", "https://")):
        raise LoadFailure(article.title or article.guid, _("the article has no web link"))
    return link


def _save(store: Store, article: Article, blocks: list[Block]) -> Article:
    article_id = article.id or 0
    store.save_full_text(article_id, blocks, EXTRACTOR)
    fresh = store.article(article_id)
    if fresh is None:  # removed meanwhile: show what was fetched all the same
        article.blocks, article.full_text, article.extractor = blocks, True, EXTRACTOR
        return article
    return fresh


def _declared_charset(content_type: str, data: bytes) -> str | None:
    """The HTTP header's charset, else the page's own `<meta charset>`."""
    match = _CHARSET.search(content_type)
    if match:
        return match.group(1)
    from tuinews.sources.local import _declared_charset as meta_charset

    return meta_charset(data)


def _with_base(text: str, base: str) -> str:
    """Relative links and images resolve against the page's URL unless it names its own base."""
    if not base or re.search(r"<base\s[^>]*href", text[:65536], re.I):
        return text
    from html import escape

    tag = f'<base href="{escape(base, quote=True)}">'
    head = re.search(r"<head[^>]*>", text[:65536], re.I)
    if head:
        return text[: head.end()] + tag + text[head.end() :]
    return tag + text
