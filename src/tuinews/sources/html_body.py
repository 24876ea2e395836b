"""Find the article inside an HTML page: remove what is never article text, then pick its container.

Removed: scripts, styles, forms, navigation, headers, footers, asides, hidden elements, and elements
whose class, id or role says navigation, menu, breadcrumb, share, social, cookie, related, comments,
newsletter, advert or sidebar. An element that holds the article (the body, an `<article>`, most of
the page's text) is never removed, whatever its class says.

Container: `[itemprop=articleBody]`, `<article>`, `<main>` (the one holding the h1 or the densest
text), else the element with the most paragraph text, with its peers (same tag and class: an article
split into sections by figures) or its substantial siblings.
"""

from __future__ import annotations

import re
from typing import Any

from tuinews.sources.html_meta import node_text

_ALWAYS_DROP = (
    "script style noscript iframe template svg math object embed canvas video audio select "
    "textarea input button dialog rt rp"
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
_PEER_SCOPE_LEVELS = 5
_INLINE_TAGS = frozenset(
    "abbr b bdi bdo cite code del dfn em font i ins kbd mark q s samp small span strong sub sup "
    "time u var".split()
)
_TEXT_HOLDERS = frozenset("div section article main td center body".split())
_LETTER = re.compile(r"[^\W\d_]")


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
    if node.tag in ("nav", "header", "footer", "aside"):
        return False
    # A wrapper whose class happens to say "sidebar" or "share", or a page-wide <form>.
    return body_length >= 200 and len(node.text(deep=True)) > body_length * 0.4


def remove_chrome_elements(tree: Any) -> None:
    """Remove the elements of `tree` that are never article text."""
    tree.strip_tags(_ALWAYS_DROP)
    body = tree.body
    if body is None:
        return
    body_length = len(body.text(deep=True))
    doomed: list[Any] = [node for node in body.css(",".join(_DROP_UNLESS_MAIN))]
    for node in body.traverse():
        if node.tag not in ("-text", "-comment") and node.attributes and _is_chrome_element(node):
            doomed.append(node)
    doomed = [node for node in doomed if not _protected(node, body_length)]
    doomed_ids = {node.mem_id for node in doomed}
    # Decompose only the outermost doomed elements: a node inside one is freed with it.
    outermost = [node for node in doomed if not (_ancestor_ids(node.parent) & doomed_ids)]
    for node in outermost:
        node.decompose()


def _content_length(node: Any) -> int:
    """Length of the text under `node` that is not link text (menus and link lists score low)."""
    total = len(node_text(node))
    links = sum(len(node_text(link)) for link in node.css("a"))
    return max(total - links, 0)


def _letters(text: str) -> int:
    return len(_LETTER.findall(text))


def _inline_text_length(node: Any) -> int:
    """Letters directly in `node` or in its inline children, not in links or nested blocks."""
    length = 0
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            length += _letters(child.text_content or "")
        elif child.tag in _INLINE_TAGS:
            length += _letters(child.text(deep=True)) - sum(
                _letters(link.text(deep=True)) for link in child.css("a")
            )
    return length


def _best_scored(body: Any) -> Any | None:
    """The element with the most paragraph text, counted for the parent of each paragraph.

    A paragraph is a <p> or <pre>, or a block element holding text directly (text in <div>s and
    <span>s separated by <br>, as blog engines write it).
    """
    scores: dict[int, list[Any]] = {}
    for node in body.traverse():
        tag = node.tag
        if tag in ("p", "pre"):
            length = _letters(node.text(deep=True))
        elif tag in _TEXT_HOLDERS:
            length = _inline_text_length(node)
        else:
            continue
        if length < 25:
            continue
        parent = node.parent if tag != "body" else node
        for share in (1.0, 0.5):
            if parent is None:
                break
            entry = scores.setdefault(parent.mem_id, [parent, 0.0])
            entry[1] += length * share
            parent = parent.parent
    best = max(scores.values(), key=lambda entry: entry[1], default=None)
    return best[0] if best else None


def _ancestor_ids(node: Any) -> set[int]:
    ids = set()
    while node is not None:
        ids.add(node.mem_id)
        node = node.parent
    return ids


def _peers(body: Any, best: Any) -> list[Any]:
    """Elements like `best` (same tag and class) near it: an article split into sections by figures."""
    classes = best.attributes.get("class")
    if not classes:
        return []
    scope = best
    for _ in range(_PEER_SCOPE_LEVELS):
        if scope.parent is None or scope.parent.tag in ("body", "html"):
            break
        scope = scope.parent
    peers: list[Any] = []
    for node in scope.traverse():
        if node.tag == best.tag and node.attributes.get("class") == classes:
            if peers and peers[-1].mem_id in _ancestor_ids(node.parent):
                continue
            peers.append(node)
    return [node for node in peers if _content_length(node) >= 25 or node.mem_id == best.mem_id]


def article_containers(tree: Any) -> list[Any]:
    """The element(s) holding the article body, in document order."""
    body = tree.body
    if body is None:
        return [tree.root] if tree.root is not None else []
    best = _best_scored(body)
    best_length = _content_length(best) if best is not None else 0
    around_best = _ancestor_ids(best) if best is not None else set()
    heading = body.css_first("h1")
    around_heading = _ancestor_ids(heading) if heading is not None else set()

    for selector in _CONTAINER_SELECTORS:
        nodes = tree.css(selector)
        if not nodes:
            continue
        for around in (around_heading, around_best):
            holding = [node for node in nodes if node.mem_id in around]
            if holding and _content_length(holding[-1]) >= _MIN_CONTAINER_TEXT:
                return [holding[-1]]
        length, node = max(((_content_length(node), node) for node in nodes), key=lambda x: x[0])
        if length >= _MIN_CONTAINER_TEXT and length * 3 >= best_length:
            return [node]
    if best is None:
        return [body]
    parent = best.parent
    if parent is None or best.tag == "body":
        return [best]
    peers = _peers(body, best)
    if len(peers) > 1:
        return peers
    threshold = max(best_length, 1) * _SIBLING_SHARE
    siblings = []
    for child in parent.iter():
        substantial = child.tag in ("div", "section", "p") and (
            _content_length(child) >= threshold
            or (child.tag == "p" and len(node_text(child)) >= 80)
        )
        if child.mem_id == best.mem_id or substantial:
            siblings.append(child)
    return siblings
