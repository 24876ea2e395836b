"""A fast reader for the common feed: well-formed UTF-8 RSS 0.9x/1.0/2.0 or Atom 1.0.

It reads the document with the C `xml.etree.ElementTree` parser and fills the same `EntryDraft`s
that `feeds.py` builds from feedparser's entries, reproducing what feedparser does to each value
(white space stripped, links resolved against the document URL, the UTF-8 and cp1252 repairs, RSS
titles that look like HTML, the choice of `entry.link`, authors split from e-mail addresses).

feedparser stays the reference: `parse_fast` returns None, meaning "read it with feedparser",
for anything it is not sure to read alike: DTDs and entities, other encodings, ill-formed XML,
`xml:base`, XHTML or base64 content, dates outside RFC 822 / W3C-DTF, unknown root elements,
and any element feedparser gives a meaning this module does not reproduce.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.entities import entitydefs
from xml.etree.ElementTree import Element, ParseError, fromstring

from tuinews.sources.fast_url import join_url
from tuinews.sources.feed_entry import (
    EntryDraft,
    FeedContext,
    ParsedFeed,
    build_entries,
    language_tag,
    link_url,
)

_XML = "{http://www.w3.org/XML/1998/namespace}"
_XML_LANG = _XML + "lang"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ATOM = "http://www.w3.org/2005/Atom"
_RSS10 = "http://purl.org/rss/1.0/"
# `Element.get` rather than `Element.attrib` below: it makes no dictionary for an element without
# attributes. Names made once:
_ATOM_PREFIX = "{" + _ATOM
_ATOM_LINK = f"{{{_ATOM}}}link"
_RDF_ABOUT = f"{{{_RDF}}}about"
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
# Namespace URIs (lowercased, as feedparser matches them) and the prefix feedparser gives them.
# feedparser also maps any URI containing "backend.userland.com/rss" to "" (see `_prefix`).
_PREFIXES = {
    "": "",
    _RSS10: "",
    _RSS090: "",
    _ATOM.lower(): "",
    "http://purl.org/atom/ns#": "",
    "http://purl.org/rss/1.0/modules/rss091#": "",
    "http://blogs.law.harvard.edu/tech/rss": "",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content",
    _RDF: "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://example.com/dtds/podcast-1.0.dtd": "itunes",
    "http://backend.userland.com/creativecommonsrssmodule": "creativecommons",
    "http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html": "creativecommons",
    "http://creativecommons.org/ns#license": "cc",
    "http://web.resource.org/cc/": "cc",
    "http://podlove.org/simple-chapters": "psc",
    "http://webns.net/mvcb/": "admin",
    "http://www.georss.org/georss": "georss",
    "http://www.opengis.net/gml": "gml",
    "http://www.w3.org/1999/xhtml": "xhtml",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://wellformedweb.org/commentapi/": "wfw",
    "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
    "http://purl.org/rss/1.0/modules/threading/": "thr",
    "http://purl.org/rss/1.0/modules/image/": "image",
    "http://purl.org/rss/1.0/modules/link/": "l",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "http://prismstandard.org/namespaces/1.2/basic/": "prism",
    "http://purl.org/rss/1.0/modules/taxonomy/": "taxo",
}
# Prefixes feedparser has handlers for: an element of an unknown URI under one of these prefixes
# (or under no prefix) would reach those handlers.
_RISKY_PREFIXES = frozenset(
    "dc dcterms content rdf media itunes georss gml psc cc creativecommons admin xhtml xml".split()
)
# Elements of an entry that cannot change what `feeds.py` reads (feedparser names).
_ENTRY_INERT = frozenset(
    """
    category dc_subject enclosure media_content media_thumbnail media_group media_keywords
    media_category media_credit media_rating media_player media_license media_restriction
    itunes_image itunes_explicit itunes_block itunes_keywords itunes_category itunes_subtitle
    rights dc_rights cc_license creativecommons_license expirationdate
    """.split()
)
# Every element name feedparser has a handler for; any other element is stored and ignored.
_HANDLED = frozenset(
    """
    abstract author body category channel cloud content content_encoded contributor created
    description email enclosure entry expirationdate feed generator guid height id image info item
    language link name newlocation published rights rss source subtitle summary textinput title
    updated url webmaster width issued pubdate modified lastbuilddate tagline managingeditor fullitem
    xhtml_body admin_errorreportsto admin_generatoragent cc_license creativecommons_license
    dc_author dc_contributor dc_creator dc_date dc_description dc_language dc_publisher dc_rights
    dc_subject dc_title dcterms_created dcterms_issued dcterms_modified dcterms_valid
    georss_box georss_line georss_point georss_polygon gml_exterior gml_linearring gml_linestring
    gml_point gml_polygon gml_pos gml_poslist where itunes_author itunes_block itunes_category
    itunes_email itunes_explicit itunes_image itunes_keywords itunes_name itunes_owner
    itunes_subtitle itunes_summary itunes_link media_category media_content media_credit
    media_description media_group media_keywords media_license media_player media_rating
    media_restriction media_thumbnail media_title psc_chapter psc_chapters
    """.split()
)
_HANDLED_NOT_INERT = _HANDLED - _ENTRY_INERT
_AUTHORS = frozenset({"author", "dc_creator", "dc_author", "itunes_author", "managingeditor"})
_PUBLISHED = frozenset({"published", "pubdate", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "dc_date", "dcterms_modified"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_ATOM_TYPES = {"text": "text/plain", "html": "text/html", "text/plain": "text/plain"}
_ATOM_TYPES["text/html"] = "text/html"
_FEED_SENSITIVE = frozenset(
    "title link language dc_language dc_title media_title image textinput item entry".split()
)
_IMAGE_CHILDREN = frozenset({"title", "link", "description", "url", "width", "height"})
_TEXTINPUT_CHILDREN = frozenset({"title", "link", "description", "name"})
_ROOT_VERSIONS = {
    "rss": "rss",
    f"{{{_RDF}}}RDF": "rdf",
    f"{{{_ATOM}}}feed": "atom",
}
_ASCII_ENCODINGS = frozenset(
    "us-ascii ascii utf-8 utf8 iso-8859-1 latin-1 latin1 windows-1252 cp1252".split()
)
_XML_MIMES = frozenset(
    """
    application/rss+xml application/atom+xml application/rdf+xml application/xml text/xml
    application/x-rss+xml application/x-atom+xml
    """.split()
)
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_NAMESPACES = re.compile(rb"xmlns(?::([^\s=]+))?\s*=\s*[\"']([^\"']*)[\"']")
_BASE_ATTRIBUTE = re.compile(rb"[\s:]base\s*=")
_URI_FIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_CHARREF_IN_LINK = re.compile(r"&([A-Za-z0-9_]+);")
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
_RFC822 = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (GMT|UTC|UT|Z|[ECMP][SD]T|[+-]\d{4})$"
)
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTH_DIGITS = {name: f"{number:02d}" for name, number in _MONTHS.items()}
# `email.utils` offsets of the zone names `_RFC822` takes, in hours.
_ZONES = {"GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5}
_ZONES.update({"MST": -7, "MDT": -6, "PST": -8, "PDT": -7})
# The same in seconds, with the most common numeric zones.
_ZONE_SECONDS = {name: hours * 3600 for name, hours in _ZONES.items()} | {"+0000": 0, "-0000": 0}
_W3CDTF = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$"
)
_TAG_OR_REF = re.compile(r"</\w+>|&#?\w+;")  # a closing tag or a character reference
_C1 = re.compile("[\x80-\x9f]")
# A UTF-8 lead byte and a continuation byte, each read as a Latin-1 character.
_UTF8_AS_LATIN1 = re.compile("[\xc2-\xf4][\x80-\xbf]")
_CP1252 = {
    code: ord(bytes([code]).decode("cp1252"))
    for code in range(128, 160)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


class _Unsure(Exception):
    """Raised anywhere in this module when feedparser must read the document."""


def parse_fast(
    data: bytes, headers: dict[str, str], context: FeedContext, document_base: str
) -> ParsedFeed | None:
    """The feed, read without feedparser; None when only feedparser is sure to read it right.

    `headers` have lower-case names; `document_base` is the URL relative links resolve against.
    On success `context.language` is set to the feed's declared language.
    """
    prefixes = _plain_document(data, headers)
    if prefixes is None:
        return None
    try:
        root = fromstring(data)
    except (ParseError, ValueError):
        return None
    try:
        return _Reader(root, headers, context, document_base, prefixes).read()
    except _Unsure:
        return None


def _plain_document(data: bytes, headers: dict[str, str]) -> dict[str, str] | None:
    """The names feedparser gives the namespace URIs the document declares; None when it is not
    UTF-8 (or ASCII), has a DTD or an xml:base, or binds a prefix feedparser knows to another URI.
    """
    # `bytes.find` looks for one byte much faster than for several: a document without "!" is
    # read once rather than thrice.
    if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"<!doctype" in data):
        return None
    if data.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00", b"\x4c\x6f\xa7\x94")):
        return None
    ascii_only = data.isascii()
    allowed = _ASCII_ENCODINGS if ascii_only else ("utf-8", "utf8")
    found = _DECLARATION.match(data[:200])
    if found and found[1].decode("ascii", "replace").strip().casefold() not in allowed:
        return None
    content_type = headers.get("content-type", "")
    if content_type:
        mime, _, params = content_type.partition(";")
        mime = mime.strip().casefold()
        if mime not in _XML_MIMES:
            return None
        charset = ""
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().casefold() == "charset":
                charset = value.strip().strip("\"'").casefold()
        if charset and charset not in allowed:
            return None
        if not charset and mime.startswith("text/") and not ascii_only:
            return None  # RFC 3023: text/xml without a charset is US-ASCII
    if b"base" in data and _BASE_ATTRIBUTE.search(data):
        return None
    prefixes: dict[str, str] = {}
    for prefix, uri in _NAMESPACES.findall(data):
        name = prefix.decode("utf-8", "replace").lower()
        text = uri.decode("utf-8", "replace")
        known = _prefix(text)
        if known is None:
            if not name or name in _RISKY_PREFIXES:
                return None
            known = "?"  # feedparser has no handler under this prefix
        prefixes[text] = known
    return prefixes


def _prefix(uri: str) -> str | None:
    lowered = uri.lower()
    if "backend.userland.com/rss" in lowered:
        return ""
    return _PREFIXES.get(lowered)


def _tag_name(tag: str, prefixes: dict[str, str]) -> str:
    """feedparser's name for a tag: its prefix, "_", its lower-case local name."""
    if tag[0] != "{":
        return tag.lower()
    uri, _, local = tag[1:].partition("}")
    prefix = prefixes.get(uri)
    if prefix is None:
        prefix = _prefix(uri)
    if prefix is None:
        raise _Unsure
    if prefix == "?":
        return "?"
    return f"{prefix.lower()}_{local.lower()}" if prefix else local.lower()


def _lang(element: Element, inherited: str | None) -> str | None:
    # `Element.get`, unlike `Element.attrib`, makes no dictionary for an element without any.
    lang = element.get(_XML_LANG)
    if lang is None:
        lang = element.get("lang")
        if lang is None:
            return inherited
    return lang or None


def _fix(text: str) -> str:
    """feedparser's repairs of every text value: stripped, double UTF-8 undone, cp1252 mapped."""
    text = text.strip()
    if text.isascii():
        return text
    if _UTF8_AS_LATIN1.search(text):  # else it cannot be UTF-8 read as Latin-1
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
    if text.isprintable():  # the quicker test: C1 controls are not printable
        return text
    return text.translate(_CP1252) if _C1.search(text) else text


def _text(element: Element) -> str:
    if len(element):
        raise _Unsure  # markup inside a text element: feedparser rebuilds it
    return _fix(element.text or "")


def _urljoin(base: str, uri: str) -> str:
    if ":///" in uri:  # the only case `_URI_FIXER` changes anything
        uri = _URI_FIXER.sub(r"\1\3", uri)
    try:
        return join_url(base, uri)
    except ValueError:
        return ""


def _looks_like_html(text: str) -> bool:
    if ("<" not in text and "&" not in text) or _TAG_OR_REF.search(text) is None:
        return None
    from feedparser.sanitizer import _HTMLSanitizer

    allowed = _HTMLSanitizer.acceptable_elements
    if any(tag.lower() not in allowed for tag in re.findall(r"</?(\w+)", text)):
        return None
    return all(name in entitydefs for name in re.findall(r"&(\w+);", text))


def _date(text: str) -> datetime | None:
    """A date both this module and feedparser read alike; raises `_Unsure` for any other."""
    if not text:
        return None
    match = _RFC822.match(text)
    if match is not None:
        # Four digits; else `email.utils` reads the year its own way.
        if "0100" <= match[3] < "9999":
            return _rfc822_date(*match.groups())
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as error:
            raise _Unsure from error
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(microsecond=0)
    match = _W3CDTF.match(text)
    if match is None:
        raise _Unsure
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError as error:
        raise _Unsure from error
    if zone and zone != "Z":
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        value = value - offset if zone[0] == "+" else value + offset
    return value


def _rfc822_date(
    day: str, month: str, year: str, hour: str, minute: str, second: str | None, zone: str
) -> datetime:
    """What `parsedate_to_datetime` and `astimezone(UTC)` give for a date `_RFC822` matched."""
    offset = _ZONE_SECONDS.get(zone)
    if offset is None:  # "+hhmm", minutes past 59 counted as such, as `email.utils` counts them
        offset = int(zone[1:3]) * 3600 + int(zone[3:5]) * 60
        offset = -offset if zone[0] == "-" else offset
        if abs(offset) >= 86400:
            raise _Unsure  # not a valid time zone: `email.utils` fails
    if hour > "23":
        raise _Unsure  # `datetime` refuses it (`fromisoformat` reads "24:00" in later Pythons)
    if len(day) == 1:
        day = "0" + day
    # `datetime(int(year), ..., tzinfo=UTC)`, in a fifth of the time.
    iso = f"{year}-{_MONTH_DIGITS[month]}-{day}T{hour}:{minute}:{second or '00'}+00:00"
    try:
        value = datetime.fromisoformat(iso)
    except ValueError as error:
        raise _Unsure from error
    return value - timedelta(seconds=offset) if offset else value


class _Reader:
    """One document's walk; mirrors feedparser's state where `feeds.py` depends on it."""

    def __init__(
        self,
        root: Element,
        headers: dict[str, str],
        context: FeedContext,
        base: str,
        prefixes: dict[str, str],
    ) -> None:
        self.root = root
        self.prefixes = prefixes
        self.names: dict[str, str] = {}
        self.context = context
        self.base = base
        self.header_lang = headers.get("content-language") or None
        self.version = _ROOT_VERSIONS.get(root.tag if isinstance(root.tag, str) else "")
        if self.version == "rss" and root.get("version", "").strip() not in (
            "2.0",
            "0.91",
            "0.92",
            "0.93",
            "0.94",
        ):
            self.version = None
        if self.version is None:
            raise _Unsure

    def _name(self, element: Element) -> str:
        tag = element.tag
        if not isinstance(tag, str):
            return "#"  # a comment or processing instruction
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = _tag_name(tag, self.prefixes)
        return name

    def read(self) -> ParsedFeed:
        root = self.root
        root_lang = _lang(root, self.header_lang)
        # feedparser takes the root's xml:lang for <rss> and <feed>; it never matches "rdf:RDF".
        feed_language = root_lang.replace("_", "-") if root_lang and self.version != "rdf" else ""
        feed_title: tuple[str, str] | None = None
        feed_links: list[str] = []
        feed_link: str | None = None
        entries: list[tuple[Element, str | None]] = []
        holders = [(root, root_lang)]
        if self.version == "rss":
            channels = [child for child in root if self._name(child) == "channel"]
            if len(channels) != 1 or len(root) != 1:
                raise _Unsure
            holders = [(channels[0], _lang(channels[0], root_lang))]
        elif self.version == "rdf":
            holders = []
            for child in root:
                name = self._name(child)
                if name == "item":
                    entries.append((child, _lang(child, root_lang)))
                elif name in ("channel", "image", "textinput"):
                    holders.append((child, _lang(child, root_lang)))
                elif name in _HANDLED:
                    raise _Unsure
                else:
                    self._check_subtree(child, _FEED_SENSITIVE)
            if [self._name(holder) for holder, _ in holders].count("channel") != 1:
                raise _Unsure
        for holder, lang in holders:
            holder_name = self._name(holder)
            if holder_name in ("image", "textinput"):
                self._check_aside(holder)
                continue
            for child in holder:
                name = self._name(child)
                if name in ("item", "entry"):
                    if entries and self.version == "rdf":
                        raise _Unsure
                    entries.append((child, _lang(child, lang)))
                elif name == "title":
                    value = self._text_construct(child, _lang(child, lang))
                    if feed_title is None or not feed_title[0]:
                        feed_title = value
                elif name == "link":
                    alternate, value = self._feed_link(child)
                    if alternate is not None:
                        feed_links.append(alternate)
                    if value is not None:
                        feed_link = value
                elif name in ("language", "dc_language"):
                    feed_language = _text(child)
                elif name in ("guid", "id"):
                    value = _text(child)
                    is_link = child.get("isPermaLink", child.get("ispermalink", "true")) == "true"
                    if is_link and feed_link is None:
                        feed_link = _urljoin(self.base, value) if value else value
                elif name in ("image", "textinput"):
                    self._check_aside(child)
                elif name in ("dc_title", "media_title", "itunes_link", "entry"):
                    raise _Unsure
                else:
                    self._check_subtree(child, _FEED_SENSITIVE)

        drafts = [self._entry(entry, lang) for entry, lang in entries]
        self.context.language = language_tag(feed_language or "")
        articles = build_entries(drafts, self.context)
        title = ""
        if feed_title is not None:
            title = feed_title[0]
            if feed_title[1] in _HTML_TYPES:
                from tuinews.sources.feed_body import html_text

                title = html_text(title)
            else:
                from tuinews.textclean import clean_line

                title = clean_line(title)
        link = None
        for href in feed_links:
            link = link_url(href, self.context.url)
            if link:
                break
        else:
            link = link_url(feed_link or "", self.context.url) or None
        return ParsedFeed(
            title=title,
            link=link,
            language=self.context.language or self.context.header_language,
            articles=articles,
        )

    def _check_aside(self, element: Element) -> None:
        """An image or text input: its title and link are its own unless it holds other elements."""
        allowed = _IMAGE_CHILDREN if self._name(element) == "image" else _TEXTINPUT_CHILDREN
        for child in element:
            if self._name(child) not in allowed or len(child):
                raise _Unsure

    def _check_subtree(self, element: Element, names: frozenset[str]) -> None:
        for node in element.iter():
            if self._name(node) in names:
                raise _Unsure

    def _feed_link(self, element: Element) -> tuple[str | None, str | None]:
        """(href added to the feed's alternates, value given to feed.link); None for neither."""
        if len(element):
            raise _Unsure
        if element.get("href") is not None or element.tag == _ATOM_LINK:
            href = element.get("href")
            if not href:
                raise _Unsure
            href = _urljoin(self.base, href)
            if element.get("rel", "alternate").lower() != "alternate":
                return None, None
            kind = element.get("type", "text/html").lower()
            return href, href if kind in _HTML_TYPES else None
        text = _fix(element.text or "")
        text = _urljoin(self.base, text) if text else text
        text = _CHARREF_IN_LINK.sub(r"&\g<1>", text)
        return (text or None), text

    def _text_construct(self, element: Element, lang: str | None) -> tuple[str, str]:
        """(value, MIME type) of a title as feedparser types it."""
        value = _text(element)
        if self.version == "atom" or element.tag.startswith(_ATOM_PREFIX):
            kind = _ATOM_TYPES.get(element.get("type", "text").lower())
            if kind is None:
                raise _Unsure
            return value, kind
        if element.get("type") is not None:
            raise _Unsure
        return value, "text/html" if _looks_like_html(value) else "text/plain"

    def _entry(self, entry: Element, entry_lang: str | None) -> EntryDraft:
        guid = entry.get(_RDF_ABOUT, "")
        title: tuple[str, str, str | None] | None = None  # value, type, language
        link: str | None = None
        alternates: list[tuple[str, str]] = []
        authors: list[tuple[str, bool]] = []  # (name, from an Atom <name>)
        last_author_text = ""
        published = updated = None
        published_text = updated_text = ""
        contents: list[tuple[str, str, str | None]] = []
        summary: tuple[str, str, str | None] | None = None
        summary_from_content = ""
        names = self.names
        for child in entry:
            name = names.get(child.tag)
            if name is None:
                name = self._name(child)
            lang = child.get(_XML_LANG)  # `_lang(child, entry_lang)`, without the call
            if lang is None:
                lang = child.get("lang")
                lang = entry_lang if lang is None else lang or None
            else:
                lang = lang or None
            if name == "title":
                value, kind = self._text_construct(child, lang)
                if title is None or not title[0]:
                    title = (value, kind, lang)
            elif name == "link":
                if len(child):
                    raise _Unsure
                if child.get("href") is not None or child.tag == _ATOM_LINK:
                    href = child.get("href")
                    if not href:
                        raise _Unsure
                    href = _urljoin(self.base, href)
                    rel = child.get("rel", "alternate").lower()
                    kind = child.get("type", "text/html").lower()
                    if rel == "alternate":
                        alternates.append((href, child.get("hreflang", "")))
                        if kind in _HTML_TYPES:
                            link = href
                else:
                    text = _fix(child.text or "")
                    text = _urljoin(self.base, text) if text else text
                    if "&" in text:
                        text = _CHARREF_IN_LINK.sub(r"&\g<1>", text.replace("&amp;", "&"))
                    link = text
                    if text:
                        alternates.append((text, ""))
            elif name in ("guid", "id"):
                value = _text(child)
                is_link = child.get("isPermaLink", child.get("ispermalink", "true")) == "true"
                if is_link and value:
                    value = _urljoin(self.base, value)
                guid = value
                if is_link and link is None:
                    link = value
            elif name in _AUTHORS:
                if len(child):
                    authors.append(self._atom_author(child))
                else:
                    last_author_text = _fix(child.text or "")
                    authors.append((_rss_author_name(last_author_text), False))
            elif name in _PUBLISHED:
                published_text = _text(child)
                published = _date(published_text)
            elif name in _UPDATED:
                updated_text = _text(child)
                updated = _date(updated_text)
            elif name in ("description", "summary", "itunes_summary"):
                if summary is not None and not contents:
                    raise _Unsure  # feedparser turns a second summary into content
                value, kind = self._body_construct(child, name)
                summary = (value, kind, lang)
            elif name in ("content", "content_encoded"):
                value, kind = self._body_construct(child, name)
                contents.append((value, kind, lang))
                if summary is None and not summary_from_content:
                    summary_from_content = value
            elif name in ("language", "dc_language", "comments", "source"):
                if len(child):
                    raise _Unsure
            elif name in _ENTRY_INERT:
                if len(child):  # (the child itself is none of those names)
                    self._check_subtree(child, _HANDLED_NOT_INERT)
            elif name in _HANDLED:
                raise _Unsure
            elif len(child):  # (nor is this one)
                self._check_subtree(child, _HANDLED)

        body = _body(contents, summary, summary_from_content)
        language = ""
        for detail in (title, body, summary):
            if detail is not None and detail[2]:
                language = detail[2].replace("_", "-")
                if self.context.header_language and (
                    language_tag(language) == self.context.header_language
                ):
                    language = ""
                break
        return EntryDraft(
            guid=guid,
            title=title[0] if title else "",
            title_is_html=title is not None and title[1] in _HTML_TYPES,
            alternates=alternates,
            link=link or "",
            author=_author(authors, last_author_text),
            published=published or updated,
            date_text=published_text or updated_text,
            language=language,
            body=body[0] if body else "",
            body_is_html=body is not None and body[1] in _HTML_TYPES,
        )

    def _atom_author(self, element: Element) -> tuple[str, bool]:
        name = None
        for child in element:
            child_name = self._name(child)
            if len(child):
                raise _Unsure
            if child_name == "name":
                name = (child.text or "").strip()
            elif child_name not in ("email", "uri", "url"):
                raise _Unsure
        if not name:
            raise _Unsure
        return name, True

    def _body_construct(self, element: Element, name: str) -> tuple[str, str]:
        if len(element):
            raise _Unsure  # inline XHTML
        if name == "description" or name == "content_encoded":
            if element.get("type") is not None or element.get("mode") is not None:
                raise _Unsure
            return _fix(element.text or ""), "text/html"
        if element.get("src") is not None or element.get("mode") is not None:
            raise _Unsure
        kind = _ATOM_TYPES.get(element.get("type", "text").lower())
        if kind is None:
            raise _Unsure
        value = _fix(element.text or "")
        if self.version != "atom" and kind == "text/plain" and _looks_like_html(value):
            kind = "text/html"
        return value, kind


def _rss_author_name(text: str) -> str:
    """The name feedparser splits from an RSS author such as "jo@example.org (Jo Smith)"."""
    author = text
    match = _EMAIL.search(author)
    if match:
        author = author.replace(match[0], "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    return author


def _author(authors: list[tuple[str, bool]], last_text: str) -> str:
    if not authors:
        return ""
    names = [name for name, _ in authors if name.strip()]
    if len(authors) > 1:
        if len(names) != len(authors) or len({atom for _, atom in authors}) > 1:
            raise _Unsure
        return ", ".join(dict.fromkeys(names))
    return authors[0][0] or last_text


def _body(
    contents: list[tuple[str, str, str | None]],
    summary: tuple[str, str, str | None] | None,
    summary_from_content: str,
) -> tuple[str, str, str | None] | None:
    """`feeds._body`: the longest readable content, else the summary."""
    best = None
    for content in contents:
        if best is None or len(content[0]) > len(best[0]):
            best = content
    if best is not None and best[0].strip():
        return best
    if summary is not None:
        return summary
    if summary_from_content:
        return (summary_from_content, "text/html", None)
    return best
