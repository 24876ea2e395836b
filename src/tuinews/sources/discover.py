"""Find the feed behind a URL a user wants to subscribe to: the URL itself, or the feed its page links.

`probe(url, timeout)` downloads the start of the one URL (httpx, redirects followed) and decides:
a feed (RSS, Atom, RDF or JSON Feed) is subscribed as given; an HTML page is searched for
`<link rel="alternate" type="application/rss+xml" href>` and its kin (`feed_links`); a network or
HTTP failure gives back the URL as given with the reason, since the user may just be offline.
Only an HTML page without any feed link is an error (`LoadFailure`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin

from tuinews import __version__
from tuinews.i18n import _
from tuinews.model import LoadFailure
from tuinews.sources.html_depth import bounded_depth
from tuinews.sources.opml import http_url

PROBE_BYTES = 2 * 1024 * 1024
"""How much of a page `probe` reads at most: feed links sit in the `<head>`."""

# Feed link types by preference; within one rank, the first link in the document wins.
_FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/feed+json": 1,
    "application/json": 2,
}
# `application/json` alternates that are not feeds (WordPress's REST API, oEmbed).
_NOT_JSON_FEED = re.compile(r"/wp-json/|oembed", re.IGNORECASE)

_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>/]")
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title)[\s>/]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Probe:
    """What `probe` found. `url` is what to subscribe to; `problem` says why it could not check."""

    url: str
    discovered: bool = False
    """True when `url` is a feed linked from the page at the URL given."""
    problem: str | None = None


def probe(url: str, timeout: float, max_bytes: int = PROBE_BYTES) -> Probe:
    """Look at `url` once and return the feed URL to subscribe to (see the module docstring).

    Raises `LoadFailure(url, reason)` only when the URL is an HTML page that links no feed.
    """
    import httpx

    try:
        final_url, status, content_type, body = _download(url, timeout, max_bytes)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return Probe(url, problem=_network_reason(exc))
    if status >= 400:
        return Probe(url, problem=f"HTTP {status}")
    kind = sniff(body, content_type)
    if kind == "feed":
        return Probe(url)
    if kind == "html":
        links = feed_links(_decode_html(body, content_type), final_url)
        if not links:
            raise LoadFailure(
                url, _("no feed link on this page (--no-discover subscribes to it as is)")
            )
        return Probe(links[0], discovered=links[0] != url)
    shown = content_type.split(";")[0].strip() or _("unknown content type")
    return Probe(url, problem=_("it does not look like a feed ({type})").format(type=shown))


def _download(url: str, timeout: float, max_bytes: int) -> tuple[str, int, str, bytes]:
    import httpx

    headers = {
        "User-Agent": f"tuinews/{__version__}",
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
    }
    deadline = time.monotonic() + timeout
    with (
        httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
        client.stream("GET", url) as response,
    ):
        chunks: list[bytes] = []
        size = 0
        if response.status_code < 400:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= max_bytes:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        _("took longer than {seconds} s").format(seconds=f"{timeout:g}")
                    )
        content_type = response.headers.get("content-type", "")
        return str(response.url), response.status_code, content_type, b"".join(chunks)[:max_bytes]


def _network_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason or type(exc).__name__


def sniff(body: bytes, content_type: str = "") -> str:
    """ "feed", "html" or "other": what the start of a response body is, whatever its content type says."""
    head = body[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        head = head.decode(encoding, errors="replace").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"{"):
        return "feed" if _JSON_FEED.search(head) else "other"
    position = 0
    while match := _PROLOG.match(head, position):
        if match.end() == position:
            break
        position = match.end()
    rest = head[position:].lstrip()
    if _FEED_ROOT.match(rest):
        return "feed"
    mime = content_type.split(";")[0].strip().lower()
    if _HTML_START.match(rest) or mime in ("text/html", "application/xhtml+xml"):
        return "html"
    return "other"


def feed_links(html: str, page_url: str) -> list[str]:
    """The http(s) feed URLs a page advertises, best first, resolved against `<base>` or `page_url`."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(bounded_depth(html))
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None and (href := (base_node.attributes.get("href") or "").strip()):
        base = urljoin(page_url, href)
    found: list[tuple[int, int, str]] = []
    for order, node in enumerate(tree.css("link[rel][href]")):
        attrs = node.attributes
        rels = (attrs.get("rel") or "").lower().split()
        mime = (attrs.get("type") or "").split(";")[0].strip().lower()
        href = (attrs.get("href") or "").strip()
        if "alternate" not in rels or mime not in _FEED_TYPES or not href:
            continue
        if mime == "application/json" and _NOT_JSON_FEED.search(href):
            continue
        url = http_url(urljoin(base, href))
        if url is not None:
            found.append((_FEED_TYPES[mime], order, url))
    return list(dict.fromkeys(url for _, _, url in sorted(found)))


def _decode_html(body: bytes, content_type: str) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    charset = None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    if match:
        charset = match.group(1)
    elif meta := _META_CHARSET.search(body[:8192]):
        charset = meta.group(1).decode("ascii")
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding, errors="replace")
            except LookupError:
                continue
    return body.decode("utf-8", errors="replace")
