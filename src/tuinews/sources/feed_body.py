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

from tuinews.model import Block, BlockKind, link_span, paragraph
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


# The fast route: a fragment made only of paragraphs, line breaks, links, images and inline
# formatting, properly nested, gives the same tree to any HTML parser; walking its tags in order
# with the page walker's rules (and the feed's: tracking pixels) gives the walker's blocks without
# building the tree. Anything else returns None.
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
# Attributes an image may not have (the others are read by `_is_chrome_element` for the names
# in `_CHROME_READS`, by `_is_tracking_pixel` and the page walker's `image`, or by nothing).
_IMAGE_REFUSED = frozenset({"hidden", "aria-hidden"})
_IMAGE_SOURCES = ("src", "data-src", "data-original", "data-lazy-src")
_HREF_STARTS = frozenset({' href="', " href='"})
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
    if tag == "a" and text[:7] in _HREF_STARTS and len(text) > 7 and text[-1] == text[6]:
        value = text[7:-1]
        if text[6] not in value and "<" not in value and ">" not in value:
            # ` href="..."`: what the expressions below make of it
            attributes["href"] = _decode(value)
            return attributes
    matches: Any = None
    match = _SIMPLE_ATTRIBUTE.match(text)
    if match is not None and (match.end() == len(text) or text[match.end() :].isspace()):
        matches = (match,)  # one attribute: what the two expressions below find
    elif _SIMPLE_ATTRIBUTES.fullmatch(text) is None:
        raise _Unsimple
    for match in matches or _SIMPLE_ATTRIBUTE.finditer(text):
        name = match[1].lower()
        if tag == "img":
            if name in attributes or name in _IMAGE_REFUSED:
                raise _Unsimple
        elif name in attributes or name not in _SIMPLE_NAMES or (name == "href" and tag != "a"):
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

    Simple: only `<p>`, `<br>`, `<a>`, `<img>` and inline formatting, every element closed in
    order, no paragraph inside another element, no comment, no attribute that could make an element
    chrome, only the character references every parser decodes alike.
    """
    if "\r" in html or "\x00" in html or "<!" in html or "<?" in html or html.startswith("\ufeff"):
        return None
    # Surrogates are not printable: `isprintable` is the quicker test when it says yes.
    if not html.isascii() and not html.isprintable() and _SURROGATE.search(html):
        return None
    try:
        return _simple_walk(html, base)
    except _Unsimple:
        return None


def _simple_walk(html: str, base: str) -> list[Block]:
    blocks: list[Block] = []
    # The text of the paragraph being read; None stands for a new, empty one (a pending space or
    # an empty buffer changes nothing, so one is made only when text arrives).
    buffer: InlineText | None = None
    images: list[Block] = []  # the walker's pending images: they follow the paragraph
    stack: list[str] = []
    # Text, then (closing slash, tag name, attributes, text after the tag) for each tag.
    parts = _SIMPLE_TAG.split(html)
    last = len(parts) - 1
    if parts[0]:
        buffer = InlineText()
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
            if buffer is not None:
                buffer.newline()
        elif tag == "img":
            if closing:
                raise _Unsimple
            if rest[-1:] == "/" and (len(rest) == 1 or rest[-2] in " \t\n\f\"'"):
                rest = rest[:-1]  # <img ... />
            attributes = _attributes(rest, tag) if rest else _NO_ATTRIBUTES
            if attributes and _is_chrome(attributes):
                raise _Unsimple
            image = _image(attributes, base)
            if isinstance(image, str):
                if buffer is None:
                    buffer = InlineText()
                buffer.add(image)
            elif image is not None:
                images.append(image)
        elif tag != "p" and tag != "a" and tag not in _SIMPLE_INLINE:
            raise _Unsimple
        elif closing:
            if rest.strip() or not stack or stack.pop() != tag:
                raise _Unsimple
            if tag == "a":
                buffer.close_link()  # type: ignore[union-attr]  # the link's `open_link` made it
            elif tag == "p":
                if buffer is not None:
                    _flush(buffer, blocks)
                    buffer = None
                if images:
                    blocks.extend(images)
                    images = []
        else:
            attributes = _attributes(rest, tag) if rest else _NO_ATTRIBUTES
            if attributes and _is_chrome(attributes):
                raise _Unsimple
            if tag == "p":
                if stack:
                    raise _Unsimple  # a paragraph inside another element (or an implied </p>)
                if buffer is not None:
                    _flush(buffer, blocks)
                    buffer = None
                if images:
                    blocks.extend(images)
                    images = []
                if index < last and parts[index + 1] in ("p", "P") and parts[index] == "/":
                    if not parts[index + 2]:
                        # <p>text</p>: what the buffer would make of the text alone.
                        _plain_paragraph(text, blocks)
                        text = parts[index + 3]
                        index += 4
                        tag = ""
                elif (
                    not text
                    and index + 8 < last
                    and parts[index + 9] in ("p", "P")
                    and parts[index + 5] in ("a", "A")
                    and parts[index + 1] in ("a", "A")
                    and parts[index] == ""
                    and parts[index + 4] == parts[index + 8] == "/"
                    and parts[index + 6] == parts[index + 7] == parts[index + 10] == ""
                ):
                    # <p><a href=...>text</a></p>: what the buffer would make of it.
                    _link_paragraph(parts[index + 2], parts[index + 3], base, blocks)
                    text = parts[index + 11]
                    index += 12
                    tag = ""
            elif tag == "a":
                if "a" in stack:
                    raise _Unsimple
                if buffer is None:
                    buffer = InlineText()
                buffer.open_link(absolute_url(attributes.get("href") or "", base))
            if tag:
                stack.append(tag)
        if text:
            if buffer is None:
                buffer = InlineText()
            buffer.add(_text(text))
    if stack:
        raise _Unsimple
    if buffer is not None:
        _flush(buffer, blocks)
    blocks.extend(images)
    return blocks


_NO_ATTRIBUTES: dict[str, str] = {}


def _is_chrome(attributes: dict[str, str]) -> bool:
    return not attributes.keys().isdisjoint(_CHROME_READS) and _is_chrome_element(_Tag(attributes))


def _image(attributes: dict[str, str], base: str) -> Block | str | None:
    """What the HTML route makes of an `<img>`: a block to follow the paragraph, text for the
    paragraph (an emoji's alt text), or nothing (a tracking pixel, nothing to show)."""
    if _is_tracking_pixel(_Tag(attributes)):
        return None
    if attributes.get("width") == "1" or attributes.get("height") == "1":
        return None
    url = ""
    for name in _IMAGE_SOURCES:
        url = absolute_url(attributes.get(name) or "", base)
        if url:
            break
    alt = clean_line(attributes.get("alt") or "") or clean_line(attributes.get("title") or "")
    if "emoji" in (attributes.get("class") or "") and alt:
        return alt
    if (alt or url) and not is_tracker_url(url):
        return Block(BlockKind.IMAGE, alt, url=url)
    return None


def _flush(buffer: InlineText, blocks: list[Block]) -> None:
    if buffer:
        text, links = buffer.result()
        if text:
            blocks.append(paragraph(text, links))


def _plain_paragraph(text: str, blocks: list[Block]) -> None:
    """The paragraph of `<p>text</p>`, as the buffer would make it of the text alone."""
    if text:
        text = _words(_text(text))
        if text:
            blocks.append(paragraph(text))


def _link_paragraph(attributes: str, text: str, base: str, blocks: list[Block]) -> None:
    """The paragraph of `<p><a attributes>text</a></p>`, as the buffer would make it."""
    found = _attributes(attributes, "a") if attributes else _NO_ATTRIBUTES
    if found and _is_chrome(found):
        raise _Unsimple
    url = absolute_url(found.get("href") or "", base)
    if text:
        text = _words(_text(text))
        if text:
            blocks.append(paragraph(text, (link_span(0, len(text), url),) if url else ()))


def _text(text: str) -> str:
    """The text between two tags, character references decoded."""
    if "<" in text:
        raise _Unsimple
    return _decode(text)


def _words(text: str) -> str:
    """`" ".join(...split())` of `InlineText.add`'s cleaning of a piece of text: its words."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # printable: no control character, no white space but " "
        return " ".join(strip_controls(text).split())
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text


def text_blocks(text: str) -> list[Block]:
    """Plain text split into paragraphs on blank lines; each paragraph's lines are joined."""
    blocks = []
    for chunk in _BLANK_LINES.split(clean_text(text)):
        line = clean_line(chunk)
        if line:
            blocks.append(paragraph(line))
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
