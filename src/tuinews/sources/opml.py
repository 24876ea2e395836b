"""Subscription lists in OPML: read OPML 1.0, 1.1 and 2.0, write OPML 2.0.

Reading turns every `<outline xmlUrl=...>` into a URL `Source`: the name is the outline's `text`
(else `title`), the tags are the `text` of the folders (outlines without `xmlUrl`) it sits in,
outermost first, plus the comma-separated OPML 2.0 `category` attribute; a `language` attribute
that looks like a language code becomes the source's language. Feeds whose URL is not http(s)
(newsboat's `|command` pipes, `file:` URLs) are reported as skipped, not imported.

Safety: the XML goes through expat directly (the parser under `xml.etree`), with a handler that
stops at any `<!DOCTYPE`, so no entity can be declared and no billion-laughs or external-entity
expansion can happen, whatever the expat version; defusedxml does the same, and is not needed for
it. HTML named entities that sloppy exporters leave in (`&nbsp;`, `&aelig;`) are turned into
character references before parsing; unknown ones are kept as literal text.
"""

from __future__ import annotations

import html.entities
import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from tuinews.i18n import _
from tuinews.model import LoadError, LoadFailure, Source, SourceKind
from tuinews.textclean import clean_line

MAX_BYTES = 16 * 1024 * 1024
"""A subscription list larger than this is refused (real ones are a few hundred KB at most)."""
_MAX_DEPTH = 100

_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# Characters XML 1.0 cannot carry at all, even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(slots=True)
class SubscriptionList:
    """What a subscription file holds: the feeds to add, and what was left out and why."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[LoadError] = field(default_factory=list)


def http_url(text: str) -> str | None:
    """`text` stripped when it is an absolute http(s) URL with a host and no spaces, else None."""
    url = text.strip()
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def language_code(text: str | None) -> str | None:
    """A BCP 47-looking language code ("pt-BR"; "pt_BR" becomes "pt-BR"), else None."""
    code = (text or "").strip()
    if not _LANGUAGE.match(code):
        return None
    return code.replace("_", "-")


def looks_like_opml(data: bytes) -> bool:
    """True when the data is XML (or at least starts with markup) rather than a plain-text list."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or head[:2] in (b"\xff\xfe", b"\xfe\xff")


# Reading


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node] = field(default_factory=list)


class _Refused(Exception):
    """Raised from inside expat's callbacks to stop at a DTD or at absurd nesting."""


class _TreeBuilder:
    """Collects elements and their attributes (OPML keeps everything in attributes; text is ignored)."""

    def __init__(self) -> None:
        self.root: _Node | None = None
        self._stack: list[_Node] = []
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def _doctype(self, *args: object) -> None:
        raise _Refused(_("DTDs are not allowed in OPML"))

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if len(self._stack) >= _MAX_DEPTH:
            raise _Refused(_("outlines nested more than {depth} deep").format(depth=_MAX_DEPTH))
        node = _Node(name.rpartition(":")[2].lower(), attrs)
        if self._stack:
            self._stack[-1].children.append(node)
        elif self.root is None:
            self.root = node
        self._stack.append(node)

    def _end(self, name: str) -> None:
        self._stack.pop()


def parse_opml(data: bytes, where: str) -> SubscriptionList:
    """Read an OPML document's feeds. Raises `LoadFailure(where, reason)` for a broken or hostile one."""
    if len(data) > MAX_BYTES:
        raise LoadFailure(
            where, _("larger than {size} MiB").format(size=MAX_BYTES // (1024 * 1024))
        )
    root = _parse_xml(_html_entities_to_references(data), where)
    if root.tag != "opml":
        raise LoadFailure(
            where,
            _("not an OPML document (the root element is <{tag}>)").format(tag=root.tag),
        )
    body = next((child for child in root.children if child.tag == "body"), None)
    if body is None:
        raise LoadFailure(where, _("not an OPML document (no <body>)"))
    result = SubscriptionList()
    _collect(body, (), result, where)
    return result


def _parse_xml(data: bytes, where: str) -> _Node:
    builder = _TreeBuilder()
    try:
        try:
            builder.parser.Parse(data, True)
        except (LookupError, ValueError):
            # An encoding expat cannot read itself (Shift_JIS, GB2312, an unknown label): decode here.
            builder = _TreeBuilder()
            builder.parser.Parse(_decode_declared(data), True)
    except _Refused as exc:
        raise LoadFailure(where, str(exc)) from None
    except xml.parsers.expat.ExpatError as exc:
        raise LoadFailure(where, _("not well-formed XML: {error}").format(error=exc)) from None
    except (LookupError, ValueError) as exc:
        raise LoadFailure(where, _("cannot decode: {error}").format(error=exc)) from None
    if builder.root is None:
        raise LoadFailure(where, _("empty document"))
    return builder.root


def _decode_declared(data: bytes) -> str:
    match = _DECLARED_ENCODING.match(data)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _html_entities_to_references(data: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        text = html.entities.html5.get(name.decode("ascii") + ";")
        if text is None:
            return b"&amp;" + name + b";"
        return "".join(f"&#{ord(ch)};" for ch in text).encode("ascii")

    return _NAMED_ENTITY.sub(replace, data)


def _collect(node: _Node, tags: tuple[str, ...], result: SubscriptionList, where: str) -> None:
    for child in node.children:
        if child.tag != "outline":
            continue
        # Attribute names are matched case-insensitively: exporters write xmlurl, XMLURL, xmlUrl.
        attrs = {key.lower(): value for key, value in child.attrs.items()}
        label = clean_line(attrs.get("text", "")) or clean_line(attrs.get("title", ""))
        raw_url = attrs.get("xmlurl", "").strip()
        if not raw_url:
            _collect(child, (*tags, label) if label else tags, result, where)
            continue
        url = http_url(raw_url)
        if url is None:
            shown = clean_line(raw_url)[:200]
            result.skipped.append(
                LoadError(where, _("not an http(s) feed URL: {url}").format(url=shown))
            )
        else:
            feed_tags = _unique((*tags, *_categories(attrs.get("category", ""))))
            result.sources.append(
                Source(
                    kind=SourceKind.URL,
                    location=url,
                    name=label or url,
                    language=language_code(attrs.get("language")),
                    tags=feed_tags,
                )
            )
        _collect(child, tags, result, where)


def _categories(text: str) -> list[str]:
    """OPML 2.0 `category`: comma-separated, each a tag or a slash-delimited path ("/News/World")."""
    return [tag for part in text.split(",") if (tag := clean_line(part).strip("/ "))]


def _unique(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag for tag in tags if tag))


# Writing


def write_opml(sources: Iterable[Source], title: str = "tuinews subscriptions") -> str:
    """OPML 2.0 of the URL sources, grouped in one folder outline per first tag, untagged ones first.

    Each feed outline has `type="rss"`, `text` and `title` (the name), `xmlUrl`, and when known
    `language` and `category` (its other tags), so `parse_opml` reads back the same sources.
    """
    loose: list[Source] = []
    folders: dict[str, list[Source]] = {}
    for source in sources:
        if source.kind is not SourceKind.URL:
            continue
        if source.tags:
            folders.setdefault(source.tags[0], []).append(source)
        else:
            loose.append(source)
    created = format_datetime(datetime.now(UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{created}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    lines.extend(f"    {_feed_outline(source, folder=None)}" for source in loose)
    for folder, members in folders.items():
        lines.append(f"    <outline text={_attr(folder)} title={_attr(folder)}>")
        lines.extend(f"      {_feed_outline(source, folder=folder)}" for source in members)
        lines.append("    </outline>")
    lines.extend(["  </body>", "</opml>", ""])
    return "\n".join(lines)


def _feed_outline(source: Source, folder: str | None) -> str:
    name = source.name or source.location
    parts = [
        'type="rss"',
        f"text={_attr(name)}",
        f"title={_attr(name)}",
        f"xmlUrl={_attr(source.location)}",
    ]
    if source.language:
        parts.append(f"language={_attr(source.language)}")
    other_tags = [tag for tag in source.tags if tag != folder and "," not in tag]
    if other_tags:
        parts.append(f"category={_attr(','.join(other_tags))}")
    return f"<outline {' '.join(parts)}/>"


def _attr(value: str) -> str:
    # quoteattr escapes &, <, >, quotes, and tab/newline as character references.
    return quoteattr(_NOT_XML.sub("", value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _text(value: str) -> str:
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
