"""Parse a saved HTML article page with selectolax (lexbor): metadata, the article body, its blocks.

Steps: read metadata (title, date, language, author, canonical link, hreflang alternates) from the
whole page; remove elements that are never article text (scripts, navigation, share bars, cookie
banners, sidebars ...); pick the article container (`[itemprop=articleBody]`, `<article>`, `<main>`,
else the element holding the most paragraph text, with its substantial siblings); walk it into blocks.
The shared clean-up (chrome lines, dateline, title repeats, language detection) is `article_builder`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from tuinews.model import Alternate, Article, Block, BlockKind
from tuinews.sources.article_builder import Draft, build_article
from tuinews.sources.dates import parse_date
from tuinews.sources.inline import InlineText
from tuinews.sources.language import normalize_language
from tuinews.textclean import clean_line, clean_text

_ALWAYS_DROP = (
    "script style noscript iframe template svg math object embed canvas video audio select "
    "textarea input button dialog"
).split()
_DROP_UNLESS_MAIN = "nav header footer aside form".split()
_CHROME_TOKENS = frozenset(
    """
    nav navbar navigation navlinks menu menus submenu megamenu breadcrumb breadcrumbs share shares
    sharing sharebar sharetools sharethis addthis sharedaddy social socials socialmedia cookie
    cookies consent gdpr related comments comment disqus newsletter newsletters subscribe
    subscription advert adverts advertisement advertising ads ad adslot adunit dfp sidebar promo
    promos popup modal overlay outbrain taboola skiplink skip toolbar masthead
    """.split()
)
_CHROME_CLASSES = frozenset(
    "sr-only visually-hidden visuallyhidden screen-reader-text screen-reader-only element-invisible "
    "hidden hide".split()
)
_CHROME_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar dialog alertdialog".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CLASS_SPLIT = re.compile(r"[\s_\-:]+|(?<=[a-z])(?=[A-Z])")
_CONTAINER_SELECTORS = ("[itemprop=articleBody]", "article", "main", "[role=main]")
_MIN_CONTAINER_TEXT = 250
_SIBLING_SHARE = 0.25
_MAX_DEPTH = 300
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|/|»|:)\s+")
_WORDS = re.compile(r"\w+")

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = frozenset(
    """
    p div section article main header footer aside nav figure figcaption dl dt dd address center
    details summary hgroup fieldset legend caption tbody thead tfoot body html form
    """.split()
)
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


def _attr(node: Any, name: str) -> str:
    value = node.attributes.get(name) if node is not None else None
    return clean_line(value) if value else ""


def _first(tree: Any, selector: str, attribute: str) -> str:
    for node in tree.css(selector):
        value = _attr(node, attribute)
        if value:
            return value
    return ""


def _text(node: Any) -> str:
    return clean_line(node.text(deep=True, separator=" ")) if node is not None else ""


def _absolute(url: str, base: str) -> str:
    url = clean_line(url)
    if not url or url.startswith("#"):
        return ""
    scheme = urlsplit(url).scheme.casefold()
    if scheme in ("javascript", "data", "vbscript", "about", "blob"):
        return ""
    if scheme or not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _same(a: str, b: str) -> bool:
    return bool(a) and _WORDS.findall(a.casefold()) == _WORDS.findall(b.casefold())


def _strip_site_suffix(title: str, heading: str, site: str) -> str:
    """'Headline | Site' -> 'Headline' when the page's h1 or og:site_name confirms the split."""
    for match in _TITLE_SEPARATORS.finditer(title):
        prefix, suffix = title[: match.start()].strip(), title[match.end() :].strip()
        if _same(heading, prefix) or _same(site, suffix):
            return prefix
        if _same(heading, suffix) or _same(site, prefix):
            return suffix
    return title


def _title(tree: Any) -> str:
    h1 = _text(tree.css_first("article h1") or tree.css_first("main h1") or tree.css_first("h1"))
    site = _first(tree, 'meta[property="og:site_name"]', "content")
    for candidate in (
        _first(tree, 'meta[property="og:title"]', "content"),
        _first(tree, 'meta[name="og:title"]', "content"),
        _first(tree, 'meta[name="twitter:title"]', "content"),
        _text(tree.css_first("head title") or tree.css_first("title")),
    ):
        if candidate:
            return _strip_site_suffix(candidate, h1, site)
    return h1


def _language(tree: Any) -> str | None:
    html = tree.css_first("html")
    candidates = [
        _attr(html, "lang"),
        _attr(html, "xml:lang"),
        _first(tree, 'meta[property="og:locale"]', "content"),
        _first(tree, 'meta[http-equiv="content-language"]', "content"),
        _first(tree, 'meta[http-equiv="Content-Language"]', "content"),
        _first(tree, 'meta[name="language"]', "content"),
    ]
    for candidate in candidates:
        code = normalize_language(candidate.split(",", 1)[0]) if candidate else None
        if code:
            return code
    return None


def _author(tree: Any) -> str | None:
    for selector in _AUTHOR_META:
        value = _first(tree, selector, "content")
        if value and not value.startswith(("http://", "https://")):
            return value
    return None


def _alternates(tree: Any, base: str) -> list[Alternate]:
    found: list[Alternate] = []
    seen: set[tuple[str, str]] = set()
    for node in tree.css("link[hreflang]"):
        if "alternate" not in _attr(node, "rel").casefold().split():
            continue
        language = normalize_language(_attr(node, "hreflang"))
        url = _absolute(_attr(node, "href"), base)
        if language and url and (language, url) not in seen:
            seen.add((language, url))
            found.append(Alternate(language, url))
    return found


def _metadata(tree: Any, where: str) -> Draft:
    link = _first(tree, 'link[rel="canonical"]', "href") or _first(
        tree, 'meta[property="og:url"]', "content"
    )
    base = _first(tree, "base[href]", "href") or link
    published = None
    for selector, attribute in _DATE_META:
        value = _first(tree, selector, attribute)
        published = parse_date(value) if value else None
        if published is not None:
            break
    return Draft(
        where=where,
        title=_title(tree),
        link=_absolute(link, "") or None,
        author=_author(tree),
        published=published,
        language=_language(tree),
        alternates=_alternates(tree, base),
    )


def _is_chrome_element(node: Any) -> bool:
    attributes = node.attributes
    if "hidden" in attributes or (attributes.get("aria-hidden") or "").strip() == "true":
        return True
    role = (attributes.get("role") or "").strip().casefold()
    if role in _CHROME_ROLES:
        return True
    style = attributes.get("style") or ""
    if style and _HIDDEN_STYLE.search(style):
        return True
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    if not names.strip():
        return False
    if any(name.casefold() in _CHROME_CLASSES for name in names.split()):
        return True
    return any(token.casefold() in _CHROME_TOKENS for token in _CLASS_SPLIT.split(names) if token)


def _protected(node: Any, body_length: int) -> bool:
    """Elements that hold the article must stay, whatever their class says."""
    if node.tag in ("html", "body", "article", "main"):
        return True
    attributes = node.attributes
    if (attributes.get("itemprop") or "").casefold() == "articlebody":
        return True
    if node.css_first("article, main, [itemprop=articleBody]") is not None:
        return True
    return body_length > 500 and len(node.text(deep=True)) > body_length * 0.4


def _remove_chrome(tree: Any) -> None:
    tree.strip_tags(_ALWAYS_DROP)
    body = tree.body
    if body is None:
        return
    body_length = len(body.text(deep=True))
    doomed: list[Any] = [node for node in body.css(",".join(_DROP_UNLESS_MAIN))]
    for node in body.traverse():
        if node.tag not in ("-text", "-comment") and node.attributes and _is_chrome_element(node):
            doomed.append(node)
    doomed_ids = {node.mem_id for node in doomed}
    for node in doomed:
        parent = node.parent
        nested = False
        while parent is not None:
            if parent.mem_id in doomed_ids:
                nested = True
                break
            parent = parent.parent
        if nested or _protected(node, body_length):
            doomed_ids.discard(node.mem_id)
    for node in doomed:
        if node.mem_id in doomed_ids:
            node.decompose()


def _paragraph_text_length(node: Any) -> int:
    return sum(len(_text(p)) for p in node.css("p, pre, blockquote, li"))


def _containers(tree: Any) -> list[Any]:
    """The element(s) holding the article body, in document order."""
    body = tree.body
    if body is None:
        return [tree.root] if tree.root is not None else []
    scores: dict[int, list[Any]] = {}
    for paragraph in body.css("p, pre"):
        length = len(_text(paragraph))
        if length < 25:
            continue
        parent = paragraph.parent
        for share in (1.0, 0.5):
            if parent is None:
                break
            entry = scores.setdefault(parent.mem_id, [parent, 0.0])
            entry[1] += length * share
            parent = parent.parent
    best = max(scores.values(), key=lambda entry: entry[1], default=None)
    best_length = _paragraph_text_length(best[0]) if best else 0

    for selector in _CONTAINER_SELECTORS:
        nodes = tree.css(selector)
        if not nodes:
            continue
        measured = [(_paragraph_text_length(node), node) for node in nodes]
        length, node = max(measured, key=lambda item: item[0])
        if length >= _MIN_CONTAINER_TEXT and length * 3 >= best_length:
            return [node]
    if best is None:
        return [body]
    top = best[0]
    parent = top.parent
    if parent is None:
        return [top]
    top_length = max(best_length, 1)
    siblings = []
    for child in parent.iter():
        if child.mem_id == top.mem_id:
            siblings.append(child)
        elif child.tag in ("div", "section", "p") and (
            _paragraph_text_length(child) >= top_length * _SIBLING_SHARE
            or (child.tag == "p" and len(_text(child)) >= 80)
        ):
            siblings.append(child)
    return siblings


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
            url = _absolute(attributes.get(name) or "", self.base)
            if url:
                break
        alt = _attr(node, "alt") or _attr(node, "title")
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
                self.buffer.open_link(_absolute(child.attributes.get("href") or "", self.base))
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


def parse_html(text: str, where: str) -> Article:
    """Parse an HTML page into an `Article` whose guid is `where`."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    draft = _metadata(tree, where)
    _remove_chrome(tree)
    base = _first(tree, "base[href]", "href") or draft.link or ""
    walker = _Walker(base)
    for container in _containers(tree):
        walker.walk(container)
        walker.flush()
    draft.blocks = walker.blocks
    return build_article(draft)
