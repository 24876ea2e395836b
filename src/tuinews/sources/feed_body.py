"""Turn a feed entry's body (an HTML fragment or plain text) and HTML titles into clean text.

HTML goes through the page loader's machinery: `html_body.remove_chrome_elements` drops scripts,
styles, iframes, objects, embeds and chrome, and `html.walk_blocks` walks what is left into blocks
with link spans. Before that, this module removes what only feeds carry: forms and tracking pixels
(tiny images, images served by counters and ad servers). Attributes such as `onclick` are never
read, so event handlers vanish with the markup.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tuinews.model import Block, BlockKind
from tuinews.sources.html import walk_blocks
from tuinews.sources.html_body import remove_chrome_elements
from tuinews.textclean import clean_line, clean_text

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
    from selectolax.lexbor import LexborHTMLParser

    if "<" not in html and "&" not in html:
        return text_blocks(html)
    tree = LexborHTMLParser(html)
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
    tree = LexborHTMLParser(html)
    tree.strip_tags(_TITLE_DROP_TAGS)
    body = tree.body
    return clean_line(body.text(deep=True, separator="")) if body is not None else ""
