"""Turn one feed entry, as the XML or JSON reader extracted it, into a clean `Article`.

Both readers fill an `EntryDraft` per entry; `build_entries` applies the rules they share:

* language, most specific first: the entry's own, the feed's, the HTTP Content-Language, then
  detection on the text (only when nothing is declared);
* link: the alternate link whose hreflang is missing or matches the entry's language; the other
  hreflang links become `Alternate`s;
* guid: the entry's id, else its link, else a hash of its title and date (stable across fetches),
  made unique within the feed (see `build_entries`);
* published: the entry's date, else when the feed was fetched;
* title: cleaned, or the start of the text for an untitled entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from tuinews.model import UNKNOWN_LANGUAGE, Alternate, Article, Block, BlockKind, LangOrigin
from tuinews.sources.fast_url import is_plain_absolute, url_scheme
from tuinews.sources.feed_body import html_blocks, html_text, text_blocks
from tuinews.sources.html_meta import absolute_url
from tuinews.sources.language import detect_language, normalize_language
from tuinews.textclean import clean_line

_TEXT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.ITEM, BlockKind.QUOTE})
_META = LangOrigin.META  # read once: an enum member is a look-up on its class at every use
_FALLBACK_TITLE_CHARS = 80
_DETECT_CHARS = 2000
# Link schemes a reader can open ("" is a relative link left as it is when there is no base).
# Not "file": a feed from the web must not point the reader at local files.
_LINK_SCHEMES = frozenset({"http", "https", "ftp", "gopher", "gemini", ""})


@dataclass(slots=True)
class ParsedFeed:
    """A parsed feed: its own metadata and its entries as articles, in feed order."""

    title: str
    link: str | None
    language: str | None
    articles: list[Article]
    warning: str | None = None


@dataclass(slots=True)
class FeedContext:
    """What every entry of one feed shares."""

    url: str
    language: str | None = None  # the feed's declared language, normalised
    header_language: str | None = None  # the HTTP Content-Language, normalised
    fetched_at: datetime | None = None
    detect: Callable[[str], str | None] = detect_language
    """Detection for an entry without a declared language, given its text sample (title and
    first paragraphs, as plain text); a sync gives one that learns the feed's language."""


@dataclass(slots=True)
class EntryDraft:
    """One entry as a reader found it: raw strings, nothing cleaned or chosen yet."""

    guid: str = ""
    title: str = ""
    title_is_html: bool = False
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (href, hreflang or "")
    link: str = ""  # used when the entry has no alternate link
    author: str = ""
    published: datetime | None = None
    date_text: str = ""  # the date as written, for a guid when there is no id and no link
    language: str = ""
    body: str = ""
    body_is_html: bool = False
    base: str = ""  # an xml:base for the body's relative URLs; "" means the entry's link
    image: str = ""  # a picture that goes before the body (JSON Feed `image`)


@lru_cache(maxsize=512)
def language_tag(code: str) -> str | None:
    """`normalize_language` for metadata values, first of a comma list, memoised (feeds repeat them)."""
    code = code.split(",", 1)[0].strip()
    return normalize_language(code) if code else None


def aware_utc(value: datetime | None) -> datetime | None:
    """`value` as a timezone-aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0].casefold()


def _choose_link(links: list[tuple[str, str | None]], language: str | None) -> tuple[str, str]:
    """The (url, hreflang) of the link to read: hreflang equal to `language`, else missing."""
    exact = primary = missing = None
    for url, hreflang in links:
        if not hreflang:
            missing = missing or (url, "")
        elif language and hreflang.casefold() == language.casefold():
            exact = exact or (url, hreflang)
        elif language and _primary(hreflang) == _primary(language):
            primary = primary or (url, hreflang)
    chosen = exact or primary or missing or links[0]
    return chosen[0], chosen[1] or ""


def _alternates(
    links: list[tuple[str, str | None]], chosen: str, chosen_lang: str, language: str
) -> list[Alternate]:
    found: list[Alternate] = []
    seen = {chosen}
    skip = {chosen_lang.casefold(), language.casefold()}
    for url, hreflang in links:
        if hreflang and url not in seen and hreflang.casefold() not in skip:
            seen.add(url)
            found.append(Alternate(hreflang, url))
    return found


def _text_sample(title: str, blocks: list[Block], limit: int) -> str:
    parts = [title] if title else []
    size = len(title)
    for block in blocks:
        if size >= limit:
            break
        if block.kind in _TEXT_KINDS and block.text:
            parts.append(block.text)
            size += len(block.text) + 1
    return "\n".join(parts)[:limit]


def _fallback_title(blocks: list[Block]) -> str:
    for block in blocks:
        if block.kind in _TEXT_KINDS and block.text:
            line = block.text.split("\n", 1)[0]
            if len(line) <= _FALLBACK_TITLE_CHARS:
                return line
            cut = line[: _FALLBACK_TITLE_CHARS - 1]
            if " " in cut[_FALLBACK_TITLE_CHARS // 2 :]:
                cut = cut.rsplit(" ", 1)[0]
            return cut.rstrip(" ,;:-–—") + "…"
    return ""


def _fingerprint(title: str, date_text: str, blocks: list[Block], link: str = "") -> str:
    """A hash of what identifies an entry that has no id of its own: title and date as written."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{title}\0{clean_line(date_text)}\0{link}".encode("utf-8", "surrogatepass"))
    if not title:
        digest.update(_text_sample("", blocks, 500).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def link_url(href: str, base: str) -> str:
    """`href` made absolute; "" for ids that are no links ("tag:", "urn:") and scripts."""
    if is_plain_absolute(href):
        return href  # what the general route gives it, quicker
    url = absolute_url(href, base)
    try:
        scheme = url_scheme(url).casefold()
    except ValueError:
        return ""
    return url if scheme in _LINK_SCHEMES else ""


def _resolve_links(draft: EntryDraft, base: str) -> list[tuple[str, str | None]]:
    links: list[tuple[str, str | None]] = []
    for href, hreflang in draft.alternates:
        url = link_url(href, base)
        if url:
            links.append((url, language_tag(hreflang) if hreflang else None))
    if not links and draft.link:
        url = link_url(draft.link, base)
        if url:
            links.append((url, None))
    return links


_Fingerprint = tuple[str, str, list[Block], str]
"""What `_fingerprint` hashes (title, date as written, blocks, link), hashed only when needed."""


def _build(draft: EntryDraft, context: FeedContext) -> tuple[Article, str | _Fingerprint] | None:
    """The article for one entry and its fingerprint (or what to make it of); None when it has
    no title, body or link."""
    declared = language_tag(draft.language) if draft.language else None
    language = declared or context.language or context.header_language
    links = _resolve_links(draft, draft.base or context.url)

    if len(links) == 1:  # what `_choose_link` gives
        chosen = (links[0][0], links[0][1] or "")
    else:
        chosen = _choose_link(links, language) if links else ("", "")
    link = chosen[0]
    base = draft.base or link or context.url
    blocks = html_blocks(draft.body, base) if draft.body_is_html else text_blocks(draft.body)
    if draft.image:
        image = absolute_url(draft.image, base)
        if image and all(block.url != image for block in blocks):
            blocks.insert(0, Block(BlockKind.IMAGE, "", url=image))

    title = html_text(draft.title) if draft.title_is_html else clean_line(draft.title)
    origin = _META if language else LangOrigin.UNKNOWN
    if language is None:
        language = context.detect(_text_sample(title, blocks, _DETECT_CHARS))
        origin = LangOrigin.DETECTED if language else LangOrigin.UNKNOWN
        language = language or UNKNOWN_LANGUAGE
        if links:
            chosen = _choose_link(links, language)

    alternates: list[Alternate] = []
    if links:
        link, link_lang = chosen
        if len(links) > 1:  # else the one link is the chosen one: no alternate
            alternates = _alternates(links, link, link_lang, language)

    fingerprint: str | _Fingerprint = (title, draft.date_text, blocks, link)
    if not title:
        title = _fallback_title(blocks) or link
    if not title and not blocks:
        return None
    guid = clean_line(draft.guid) or link
    if not guid:
        fingerprint = _fingerprint(*fingerprint)
        guid = "sha1:" + fingerprint
    article = Article(
        guid=guid,
        title=title,
        blocks=blocks,
        link=link or None,
        author=clean_line(draft.author) or None,
        published=aware_utc(draft.published) or aware_utc(context.fetched_at),
        language=language,
        lang_origin=origin,
        alternates=alternates,
    )
    return article, fingerprint


def build_entries(drafts: list[EntryDraft], context: FeedContext) -> list[Article]:
    """The articles of a feed's entries, in feed order, each guid unique within the feed.

    Feeds repeat entries, reuse one id for several entries, or give every id-less entry the same
    link. Exact repeats are dropped. Entries that share a guid but differ all get the guid plus
    their fingerprint (a hash of title, date and link as written), so that none of their guids
    depends on the entry's position in the feed.
    """
    built: list[tuple[Article, str | _Fingerprint]] = []
    groups: dict[str, list[int]] = {}
    for draft in drafts:
        result = _build(draft, context)
        if result is not None:
            groups.setdefault(result[0].guid, []).append(len(built))
            built.append(result)

    dropped: set[int] = set()
    for indexes in groups.values():
        if len(indexes) == 1:
            continue
        distinct: dict[str, int] = {}
        for index in indexes:
            key = built[index][0].content_hash()
            if key in distinct:
                dropped.add(index)
            else:
                distinct[key] = index
        if len(distinct) == 1:
            continue
        fingerprints: set[str] = set()
        for index in distinct.values():
            article, fingerprint = built[index]
            if not isinstance(fingerprint, str):
                fingerprint = _fingerprint(*fingerprint)
            if fingerprint in fingerprints:
                dropped.add(index)  # same title, date and link: an older copy of an entry
            fingerprints.add(fingerprint)
            article.guid = f"{article.guid}#{fingerprint[:16]}"
    return [article for index, (article, _) in enumerate(built) if index not in dropped]
