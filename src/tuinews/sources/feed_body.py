"""Turn a feed entry's body (an HTML fragment or plain text) and HTML titles into clean text.

HTML goes through the page loader's machinery: `html_body.remove_chrome_elements` drops scripts,
styles, iframes, objects, embeds and chrome, and `html.walk_blocks` walks what is left into blocks
with link spans. Before that, this module removes what only feeds carry: forms and tracking pixels
(tiny images, images served by counters and ad servers). Attributes such as `onclick` are never
read, so event handlers vanish with the markup.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from tuinews.model import Block, BlockKind
from tuinews.sources.html import walk_blocks
from tuinews.sources.html_body import _is_chrome_element, remove_chrome_elements
from tuinews.sources.html_depth import bounded_depth
from tuinews.sources.html_meta import absolute_url
from tuinews.sources.inline import InlineText
from tuinews.textclean import clean_line, clean_text, strip_controls

# On top of what `remove_chrome_elements` always drops (scripts, styles, iframes, objects, embeds...).
_DROP_TAGS = ["form", "applet", "frameset", "frame"]
_TITLE_DROP_TAGS = ["script", "style", "noscript", "template"]
# Hosts (and their subdomains) that serve counters, ad pixels or share buttons, never pictures.
_TRACKER_DOMAINS = (
    "doubleclick.net",
    "google-analytics.com",
    "googlesyndication.com",
    "googleadservices.com",
    "feedburner.com",
    "feedsportal.com",
    "feedblitz.com",
    "pheedo.com",
    "pixel.wp.com",
    "stats.wordpress.com",
    "feeds.wordpress.com",
    "scorecardresearch.com",
    "quantserve.com",
    "chartbeat.net",
    "imrworldwide.com",
    "assoc-amazon.com",
    "buysellads.com",
    "mediaplex.com",
    "analytics.twitter.com",
)
_TRACKER_LABELS = frozenset(
    "pixel pixels track tracker tracking beacon analytics stats stat counter metrics telemetry "
    "ad ads adserver".split()
)
_TRACKER_PATH = re.compile(r"(?:^|/)(?:(?:pixel|beacon|1x1|tracking)(?:[._/?;]|$)|track/)", re.I)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.I)
_STYLE_SIZE = re.compile(r"(?<![-\w])(?:width|height)\s*:\s*(\d+(?:\.\d+)?)\s*px", re.I)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_MAX_PIXEL = 2


def _tiny(value: str | None) -> bool:
    match = _SIZE.match(value or "")
    return match is not None and float(match[1]) <= _MAX_PIXEL


def is_tracker_url(url: str) -> bool:
    """Whether an image URL points at a counter or ad server rather than a picture."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").casefold()
    if any(host == domain or host.endswith("." + domain) for domain in _TRACKER_DOMAINS):
        return True
    if any(label in _TRACKER_LABELS for label in host.split(".")[:-2]):
        return True
    return bool(_TRACKER_PATH.search(parts.path)) or "/~r/" in parts.path


def _is_tracking_pixel(node: Any) -> bool:
    attributes = node.attributes
    if _tiny(attributes.get("width")) or _tiny(attributes.get("height")):
        return True
    style = attributes.get("style") or ""
    if any(float(size) <= _MAX_PIXEL for size in _STYLE_SIZE.findall(style)):
        return True
    source = attributes.get("src") or ""
    return bool(source) and is_tracker_url(source)


def html_blocks(html: str, base: str) -> list[Block]:
    """The blocks of an HTML fragment; links and images resolved against `base`."""
    if "<" not in html and "&" not in html:
        return text_blocks(html)
    blocks = simple_html_blocks(html, base)
    if blocks is not None:
        return blocks
    return general_html_blocks(html, base)


def general_html_blocks(html: str, base: str) -> list[Block]:
    """`html_blocks` through the HTML parser and the page walker, whatever the markup."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(bounded_depth(html))
    tree.strip_tags(_DROP_TAGS)
    for image in tree.css("img"):
        if _is_tracking_pixel(image):
            image.decompose()
    remove_chrome_elements(tree)
    body = tree.body
    if body is None:
        return []
    return [
        block
        for block in walk_blocks([body], base)
        if block.kind is not BlockKind.IMAGE or not is_tracker_url(block.url)
    ]


# The fast route: a fragment made only of paragraphs, line breaks, links and inline formatting,
# properly nested, gives the same tree to any HTML parser; walking its tags in order with the page
# walker's rules gives the walker's blocks without building the tree. Anything else returns None.
_SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>")
_SIMPLE_ATTRIBUTE = re.compile(
    r"""\s+([A-Za-z][A-Za-z0-9_:-]*)(?:\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'=<>`]+)))?"""
)
_SIMPLE_ATTRIBUTES = re.compile(
    r"""(?:\s+[A-Za-z][A-Za-z0-9_:-]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?)*\s*"""
)
_SIMPLE_INLINE = frozenset("b i em strong span u s small sub sup".split())
# Attributes nothing but `_is_chrome_element` reads on these elements (and `href` on a link).
_SIMPLE_NAMES = frozenset("href title target rel lang dir class id style role".split())
# Of those, the ones `_is_chrome_element` reads.
_CHROME_READS = frozenset("class id style role".split())
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos|nbsp)|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


class _Unsimple(Exception):
    """The fragment needs the HTML parser."""


def _character(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    # Only characters every parser maps to themselves: no controls (nor the cp1252 remapping of
    # 0x80-0x9f), no surrogates, no noncharacters.
    if code in (0x09, 0x0A) or (
        (0x20 <= code < 0x7F or 0xA0 <= code <= 0x10FFFF)
        and not 0xD800 <= code <= 0xDFFF
        and not 0xFDD0 <= code <= 0xFDEF
        and (code & 0xFFFE) != 0xFFFE
    ):
        return chr(code)
    raise _Unsimple


def _decode(text: str) -> str:
    if "&" not in text:
        return text
    if "&" in _ENTITY.sub("", text):
        raise _Unsimple  # a bare or unknown "&..." that a parser reads its own way
    return _ENTITY.sub(_character, text)


def _attributes(text: str, tag: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if not text:
        return attributes
    if _SIMPLE_ATTRIBUTES.fullmatch(text) is None:
        raise _Unsimple
    for match in _SIMPLE_ATTRIBUTE.finditer(text):
        name = match[1].lower()
        if name in attributes or name not in _SIMPLE_NAMES or (name == "href" and tag != "a"):
            raise _Unsimple
        value = match[2] if match[2] is not None else match[3] if match[3] is not None else match[4]
        attributes[name] = _decode(value or "")
    return attributes


class _Tag:
    __slots__ = ("attributes",)

    def __init__(self, attributes: dict[str, str]) -> None:
        self.attributes = attributes


def simple_html_blocks(html: str, base: str) -> list[Block] | None:
    """`general_html_blocks` for the common simple fragment; None when it is not one.

    Simple: only `<p>`, `<br>`, `<a>` and inline formatting, every element closed in order, no
    paragraph inside another element, no comment, no attribute that could make an element chrome,
    only the character references every parser decodes alike.
    """
    if "\r" in html or "\x00" in html or "<!" in html or "<?" in html or html.startswith("\ufeff"):
        return None
    if not html.isascii() and _SURROGATE.search(html):
        return None
    try:
        return _simple_walk(html, base)
    except _Unsimple:
        return None


def _simple_walk(html: str, base: str) -> list[Block]:
    blocks: list[Block] = []
    buffer = InlineText()
    stack: list[str] = []

    def flush() -> None:
        nonlocal buffer
        if not buffer:
            return  # nothing written yet: a pending space or an empty buffer changes nothing
        text, links = buffer.result()
        buffer = InlineText()
        if text:
            blocks.append(Block(BlockKind.PARAGRAPH, text, links=links))

    # Text, then (closing slash, tag name, attributes, text after the tag) for each tag.
    parts = _SIMPLE_TAG.split(html)
    last = len(parts) - 1
    if parts[0]:
        buffer.add(_text(parts[0]))
    index = 1
    while index < last:
        closing = parts[index]
        tag = parts[index + 1].lower()
        rest = parts[index + 2]
        text = parts[index + 3]
        index += 4
        if tag == "br":
            if closing or rest.strip() not in ("", "/"):
                raise _Unsimple
            buffer.newline()
        elif tag != "p" and tag != "a" and tag not in _SIMPLE_INLINE:
            raise _Unsimple
        elif closing:
            if rest.strip() or not stack or stack.pop() != tag:
                raise _Unsimple
            if tag == "a":
                buffer.close_link()
            elif tag == "p":
                flush()
        else:
            attributes = _attributes(rest, tag) if rest else {}
            chrome = attributes.keys() & _CHROME_READS and _is_chrome_element(_Tag(attributes))
            if chrome:
                raise _Unsimple
            if tag == "p":
                if stack:
                    raise _Unsimple  # a paragraph inside another element (or an implied </p>)
                flush()
                if index < last and parts[index : index + 3] in (["/", "p", ""], ["/", "P", ""]):
                    # <p>text</p>: what the buffer would make of the text alone.
                    words = _inline(_text(text)).split() if text else []
                    if words:
                        blocks.append(Block(BlockKind.PARAGRAPH, " ".join(words)))
                    text = parts[index + 3]
                    index += 4
                    tag = ""
            elif tag == "a":
                if "a" in stack:
                    raise _Unsimple
                buffer.open_link(absolute_url(attributes.get("href") or "", base))
            if tag:
                stack.append(tag)
        if text:
            buffer.add(_text(text))
    if stack:
        raise _Unsimple
    flush()
    return blocks


def _text(text: str) -> str:
    """The text between two tags, character references decoded."""
    if "<" in text:
        raise _Unsimple
    return _decode(text)


def _inline(text: str) -> str:
    """`InlineText.add`'s cleaning of a piece of text."""
    return strip_controls(unicodedata.normalize("NFC", text))


def text_blocks(text: str) -> list[Block]:
    """Plain text split into paragraphs on blank lines; each paragraph's lines are joined."""
    blocks = []
    for chunk in _BLANK_LINES.split(clean_text(text)):
        paragraph = clean_line(chunk)
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, paragraph))
    return blocks


def html_text(html: str) -> str:
    """The text of an HTML snippet (a title marked as HTML), tags removed, entities decoded."""
    from selectolax.lexbor import LexborHTMLParser

    if "<" not in html and "&" not in html:
        return clean_line(html)
    tree = LexborHTMLParser(bounded_depth(html))
    tree.strip_tags(_TITLE_DROP_TAGS)
    body = tree.body
    return clean_line(body.text(deep=True, separator="")) if body is not None else ""
