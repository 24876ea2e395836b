"""OPML import and export: folders as tags, hostile and broken documents, encodings, round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import shared_path
from tuinews.model import LoadFailure, Source, SourceKind
from tuinews.sources.opml import looks_like_opml, parse_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/feed"/>
    <outline text="Tech" title="ignored title">
      <outline type="rss" text="Tech News" title="Other" xmlUrl=" https://tech.example/rss "
               language="uk" category="/Gadgets,linux"/>
      <outline title="Deep">
        <outline type="rss" title="Only a title" xmlUrl="http://deep.example/atom.xml"/>
      </outline>
    </outline>
    <outline type="rss" xmlUrl="https://untitled.example/feed" language="not a code"/>
  </body>
</opml>
"""


def _summary(sources: list[Source]) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    return [(s.location, s.name, s.tags, s.language) for s in sources]


def test_nested_outlines_become_tags_and_names_come_from_text_then_title() -> None:
    result = parse_opml(NESTED, "feeds.opml")
    assert _summary(result.sources) == [
        ("https://loose.example/feed", "Loose", (), None),
        ("https://tech.example/rss", "Tech News", ("Tech", "Gadgets", "linux"), "uk"),
        ("http://deep.example/atom.xml", "Only a title", ("Tech", "Deep"), None),
        ("https://untitled.example/feed", "https://untitled.example/feed", (), None),
    ]
    assert all(s.kind is SourceKind.URL for s in result.sources)
    assert result.skipped == []


def test_opml_1_namespaces_and_attribute_case_are_accepted() -> None:
    data = b"""<opml xmlns="http://opml.org/spec2" version="1.0"><body>
        <outline TEXT="Shouty" XMLURL="https://shout.example/feed"/>
        <outline text="pie" type="pie" xmlurl="https://pie.example/feed"/>
    </body></opml>"""
    result = parse_opml(data, "x.opml")
    assert [(s.name, s.location) for s in result.sources] == [
        ("Shouty", "https://shout.example/feed"),
        ("pie", "https://pie.example/feed"),
    ]


def test_non_http_feed_urls_are_skipped_with_a_reason() -> None:
    data = b"""<opml version="2.0"><body>
        <outline text="pipe" xmlUrl="|~/bin/tweets.py"/>
        <outline text="file" xmlUrl="file:///etc/passwd"/>
        <outline text="js" xmlUrl="javascript:alert(1)"/>
        <outline text="ok" xmlUrl="https://ok.example/feed"/>
        <outline text="no host" xmlUrl="https:///feed"/>
    </body></opml>"""
    result = parse_opml(data, "list.opml")
    assert [s.location for s in result.sources] == ["https://ok.example/feed"]
    assert len(result.skipped) == 4
    assert all(
        str(skip).startswith("list.opml: not an http(s) feed URL: ") for skip in result.skipped
    )
    assert "|~/bin/tweets.py" in str(result.skipped[0])


@pytest.mark.parametrize(
    "document",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<opml><body><outline text="&lol2;" xmlUrl="https://a.example/"/></body></opml>',
        # external entity
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&xxe;" xmlUrl="https://a.example/"/></body></opml>',
        # a DOCTYPE alone, even harmless, is refused
        b'<!DOCTYPE opml><opml><body><outline xmlUrl="https://a.example/"/></body></opml>',
        # UTF-16: the check does not depend on the bytes being ASCII
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE opml [<!ENTITY a "b">]><opml/>'.encode(
            "utf-16"
        ),
    ],
)
def test_dtds_are_refused(document: bytes) -> None:
    with pytest.raises(LoadFailure) as caught:
        parse_opml(document, "evil.opml")
    assert str(caught.value) == "evil.opml: DTDs are not allowed in OPML"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"", "not well-formed XML"),
        (b"<opml><body><outline xmlUrl='https://a.example/'></body>", "not well-formed XML"),
        (b"<opml></opml><opml></opml>", "not well-formed XML: junk after document element"),
        (b"<opml version='2.0'><head/></opml>", "not an OPML document (no <body>)"),
        (b"<rss><channel/></rss>", "not an OPML document (the root element is <rss>)"),
        (b"<opml><body>" + b"<outline>" * 150, "outlines nested more than 100 deep"),
    ],
)
def test_broken_documents_give_one_line_naming_the_file(document: bytes, reason: str) -> None:
    with pytest.raises(LoadFailure) as caught:
        parse_opml(document, "bad.opml")
    message = str(caught.value)
    assert message.startswith(f"bad.opml: {reason}")
    assert "\n" not in message


def test_html_entities_are_read_and_unknown_ones_kept_as_text() -> None:
    data = b"""<opml><body>
        <outline text="arch&aelig;ology&nbsp;now" xmlUrl="https://a.example/?x=1&amp;y=2"/>
        <outline text="arch&nosuchentity;ology &lt;b&gt;" xmlUrl="https://b.example/"/>
    </body></opml>"""
    result = parse_opml(data, "x")
    assert [s.name for s in result.sources] == ["archæology now", "arch&nosuchentity;ology <b>"]
    assert result.sources[0].location == "https://a.example/?x=1&y=2"


def test_names_are_cleaned_of_terminal_escapes_and_controls() -> None:
    data = b'<opml><body><outline text="Evil&#x9b;31m red&#x202e;" xmlUrl="https://e.example/"/></body></opml>'
    assert parse_opml(data, "x").sources[0].name == "Evil red"


@pytest.mark.parametrize("encoding", ["windows-1251", "shift_jis", "utf-16", "koi8-r"])
def test_declared_encodings_are_honoured(encoding: str) -> None:
    name = "Новини" if encoding != "shift_jis" else "ニュース"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<opml version="1.1"><body><outline text="Папка"><outline text="{name}" '
        f'xmlUrl="https://news.example/rss"/></outline></body></opml>'
    )
    if encoding == "shift_jis":
        text = text.replace("Папка", "フォルダ")
    result = parse_opml(text.encode(encoding), "enc.opml")
    assert [s.name for s in result.sources] == [name]
    assert result.sources[0].tags == ("フォルダ" if encoding == "shift_jis" else "Папка",)


def test_looks_like_opml_tells_xml_from_a_urls_file() -> None:
    assert looks_like_opml(b'\xef\xbb\xbf  <?xml version="1.0"?><opml/>')
    assert looks_like_opml("<opml/>".encode("utf-16"))
    assert not looks_like_opml(b"https://example.com/feed.xml tag\n")
    assert not looks_like_opml(b"# my feeds\nhttps://example.com/feed\n")


# Export


TRICKY = [
    Source(
        SourceKind.URL,
        "https://a.example/feed?x=1&y=<2>",
        'A & B <"quoted"> \'s',
        "de",
        ("News", "World & co"),
    ),
    Source(SourceKind.URL, "https://b.example/rss", "Bee\nline\ttab", None, ("News",)),
    Source(SourceKind.URL, "https://c.example/atom", "https://c.example/atom", None, ()),
    Source(SourceKind.URL, "https://d.example/j.json", "Dee\x01", "pt-BR", ("Fun", "x")),
    Source(SourceKind.PATH, "/home/me/articles", "Saved", None, ("News",)),
]


def test_export_is_valid_xml_grouped_by_first_tag() -> None:
    text = write_opml(TRICKY)
    root = ET.fromstring(text.encode("utf-8"))  # an independent parser agrees it is XML
    assert root.tag == "opml" and root.get("version") == "2.0"
    body = root.find("body")
    assert body is not None
    top = list(body)
    assert [o.get("text") for o in top] == ["https://c.example/atom", "News", "Fun"]
    news = top[1]
    assert [o.get("xmlUrl") for o in news] == [
        "https://a.example/feed?x=1&y=<2>",
        "https://b.example/rss",
    ]
    first = news[0]
    assert first.get("text") == first.get("title") == 'A & B <"quoted"> \'s'
    assert first.get("type") == "rss"
    assert first.get("language") == "de"
    assert first.get("category") == "World & co"
    assert news[1].get("text") == "Bee\nline\ttab"
    assert "/home/me/articles" not in text


def test_export_then_import_gives_the_same_sources() -> None:
    back = parse_opml(write_opml(TRICKY).encode("utf-8"), "export.opml")
    expected = {
        (
            s.location,
            s.name.replace("\n", " ").replace("\t", " ").replace("\x01", ""),
            frozenset(s.tags),
            s.language,
        )
        for s in TRICKY
        if s.kind is SourceKind.URL
    }
    got = {(s.location, s.name, frozenset(s.tags), s.language) for s in back.sources}
    assert got == expected
    assert back.skipped == []


# The shared corpus

# Files that are not OPML at all (FOAF/RDF lists, other roots), or not well-formed XML: each
# must give the one-line LoadFailure, never another exception.
EXPECTED_REJECTS = {
    "feeder/Programming.opml",  # an unescaped HTML `"` inside a description attribute
    "listparser/malformed/concatenated-documents.xml",
    "listparser/malformed/end-element-missing.xml",
    "listparser/malformed/end-element-unexpected-with-prefix.xml",
    "listparser/malformed/end-element-unexpected.xml",
    "listparser/malformed/xmlns-without-value.xml",
    "listparser/unknown-namespace.xml",
    "newsboat/body-element-missing.opml",
    "newsboat/opml-element-missing.opml",
}


def _corpus_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and ".expected." not in path.name and path.suffix in (".opml", ".xml")
    )


def _well_formed_opml(data: bytes) -> bool:
    """The oracle: ElementTree (on this trusted corpus) finds an <opml> root with a <body>."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return False
    return root.tag.rpartition("}")[2] == "opml" and any(
        child.tag.rpartition("}")[2] == "body" for child in root
    )


def test_every_corpus_opml_file_parses_or_is_rejected_cleanly() -> None:
    root = shared_path("corpus", "opml")
    files = _corpus_files(root)
    assert len(files) > 100
    rejected: dict[str, str] = {}
    feeds: dict[str, list[Source]] = {}
    for path in files:
        name = path.relative_to(root).as_posix()
        data = path.read_bytes()
        try:
            result = parse_opml(data, name)
        except LoadFailure as failure:
            message = str(failure)
            assert message.startswith(f"{name}: ") and "\n" not in message
            assert not _well_formed_opml(data), f"{name} is well-formed OPML: {message}"
            rejected[name] = message
            continue
        for source in result.sources:
            assert source.location.startswith(("http://", "https://")), (name, source)
            assert source.name
        feeds[name] = result.sources

    # The RDF/FOAF lists are another format; everything else rejected is on the known list.
    assert set(rejected) - EXPECTED_REJECTS == {
        name for name in rejected if name.startswith("listparser/rdf/")
    }
    assert {name for name in rejected if name.startswith("listparser/rdf/")}
    # Real exports give all their feeds, with their folders as tags.
    counts = {name: len(sources) for name, sources in feeds.items()}
    assert counts["rsparser/Subs.opml"] == 207
    assert counts["rsparser/SubsNoTitleAttributes.opml"] == 207
    assert counts["feeder/rssguard_1.opml"] == 30
    assert counts["feeder/Flym_auto_backup.opml"] == 11
    assert counts["feedsmith/subscriptions.opml"] == 13
    yarr = feeds["yarr/sample_win1251.opml"]
    assert [(s.name, s.tags) for s in yarr] == [("пример2", ("папка",)), ("пример1", ())]
    assert feeds["newsboat/category.opml"][0].tags == ("tag one", "tag_two", "tag/three")
    assert sum(counts.values()) > 500
