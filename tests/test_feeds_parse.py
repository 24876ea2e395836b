"""Feed parsing: RSS and Atom into articles (language, links, alternates, bodies, dates, guids)."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime

import pytest

from tuinews.model import Alternate, BlockKind, LangOrigin, LinkSpan, LoadFailure
from tuinews.sources.feeds import ParsedFeed, parse_feed

URL = "https://news.example.org/feed.xml"
FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def parse(xml: str | bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return parse_feed(data, URL, headers, fetched_at=FETCHED)


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Le Petit Matin &amp; Cie</title>
  <link>https://petit-matin.example.fr/</link>
  <language>fr-FR</language>
  <item>
    <title>La fête de la soupe</title>
    <link>https://petit-matin.example.fr/soupe</link>
    <guid isPermaLink="false">soupe-2026</guid>
    <dc:creator>Anne Martin</dc:creator>
    <pubDate>Tue, 17 Nov 2026 08:30:00 +0100</pubDate>
    <description>&lt;p&gt;Le village a fêté la soupe.&lt;/p&gt;&lt;p&gt;Deux cents bols.&lt;/p&gt;</description>
  </item>
</channel>
</rss>"""


def test_rss_feed_and_item_metadata() -> None:
    feed = parse(RSS)
    assert feed.title == "Le Petit Matin & Cie"
    assert feed.link == "https://petit-matin.example.fr/"
    assert feed.language == "fr-FR"
    assert feed.warning is None
    [article] = feed.articles
    assert article.guid == "soupe-2026"
    assert article.title == "La fête de la soupe"
    assert article.link == "https://petit-matin.example.fr/soupe"
    assert article.author == "Anne Martin"
    assert article.published == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)
    assert article.published.tzinfo is UTC
    assert (article.language, article.lang_origin) == ("fr-FR", LangOrigin.META)
    assert article.paragraphs == ["Le village a fêté la soupe.", "Deux cents bols."]
    assert {block.kind for block in article.blocks} == {BlockKind.PARAGRAPH}


@pytest.mark.parametrize(("declared", "expected"), [("en_US", "en-US"), ("iw", "he"), ("EN", "en")])
def test_feed_language_is_normalised(declared: str, expected: str) -> None:
    feed = parse(RSS.replace("<language>fr-FR</language>", f"<language>{declared}</language>"))
    assert feed.language == expected
    assert feed.articles[0].language == expected


ATOM_LANGS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>World Wire</title>
  <id>urn:uuid:feed</id>
  <link rel="alternate" href="https://wire.example.com/"/>
  <updated>2026-11-18T10:00:00Z</updated>
  <entry xml:lang="de">
    <title>Hochwasser-App wird Open Source</title>
    <id>tag:wire.example.com,2026:flood-de</id>
    <link href="https://wire.example.com/de/flood"/>
    <updated>2026-11-18T10:00:00Z</updated>
    <summary>Die App warnt vor Hochwasser.</summary>
  </entry>
  <entry>
    <title>Flood alert app goes open source</title>
    <id>tag:wire.example.com,2026:flood-en</id>
    <link href="https://wire.example.com/en/flood"/>
    <updated>2026-11-18T09:00:00Z</updated>
    <summary>The app warns about floods.</summary>
  </entry>
</feed>"""


def test_atom_entry_xml_lang_beats_the_feed_language() -> None:
    feed = parse(ATOM_LANGS)
    assert feed.language == "en"
    german, english = feed.articles
    assert (german.language, german.lang_origin) == ("de", LangOrigin.META)
    assert (english.language, english.lang_origin) == ("en", LangOrigin.META)
    assert german.guid == "tag:wire.example.com,2026:flood-de"
    assert german.link == "https://wire.example.com/de/flood"
    assert feed.link == "https://wire.example.com/"


ATOM_HREFLANG = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>World Wire</title>
  <id>urn:uuid:feed</id>
  <updated>2026-11-18T10:00:00Z</updated>
  <entry xml:lang="uk">
    <title>Застосунок для попередження про повені</title>
    <id>urn:uuid:flood-uk</id>
    <link rel="alternate" hreflang="en" href="https://wire.example.com/en/flood"/>
    <link rel="alternate" hreflang="uk" href="https://wire.example.com/uk/flood"/>
    <link rel="alternate" hreflang="de-DE" href="https://wire.example.com/de/flood"/>
    <link rel="alternate" hreflang="x-default" href="https://wire.example.com/flood"/>
    <link rel="enclosure" type="image/jpeg" href="https://wire.example.com/flood.jpg"/>
    <updated>2026-11-18T10:00:00Z</updated>
    <summary>Застосунок попереджає про повені.</summary>
  </entry>
  <entry>
    <title>No language anywhere</title>
    <id>urn:uuid:flood-2</id>
    <link rel="alternate" hreflang="fr" href="https://wire.example.com/fr/2"/>
    <link rel="alternate" href="https://wire.example.com/2"/>
    <updated>2026-11-18T10:00:00Z</updated>
  </entry>
</feed>"""


def test_link_is_the_alternate_in_the_entry_language_and_the_others_are_alternates() -> None:
    feed = parse(ATOM_HREFLANG)
    ukrainian, other = feed.articles
    assert ukrainian.language == "uk"
    assert ukrainian.link == "https://wire.example.com/uk/flood"
    assert ukrainian.alternates == [
        Alternate("en", "https://wire.example.com/en/flood"),
        Alternate("de-DE", "https://wire.example.com/de/flood"),
    ]
    # Without hreflang matching the language, the link without hreflang is the one to read.
    assert other.link == "https://wire.example.com/2"
    assert other.alternates == [Alternate("fr", "https://wire.example.com/fr/2")]


ATOM_BASE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.net/journal/">
  <title>Journal</title>
  <id>urn:uuid:journal</id>
  <updated>2026-11-18T10:00:00Z</updated>
  <entry xml:base="2026/">
    <title>Relative links</title>
    <id>urn:uuid:rel</id>
    <link rel="alternate" href="relative.html"/>
    <updated>2026-11-18T10:00:00Z</updated>
    <content type="html">&lt;p&gt;See &lt;a href="notes/one"&gt;the notes&lt;/a&gt; and
      &lt;a href="/about"&gt;about&lt;/a&gt;.&lt;/p&gt;&lt;img src="pics/river.jpg" alt="The river"&gt;</content>
  </entry>
</feed>"""


def test_xml_base_resolves_links_and_body_urls() -> None:
    [article] = parse(ATOM_BASE).articles
    assert article.link == "https://blog.example.net/journal/2026/relative.html"
    paragraph, image = article.blocks
    assert paragraph.text == "See the notes and about."
    assert paragraph.links == (
        LinkSpan(4, 13, "https://blog.example.net/journal/2026/notes/one"),
        LinkSpan(18, 23, "https://blog.example.net/about"),
    )
    assert (image.kind, image.text) == (BlockKind.IMAGE, "The river")
    assert image.url == "https://blog.example.net/journal/2026/pics/river.jpg"


def test_relative_links_without_xml_base_resolve_against_the_feed_url() -> None:
    xml = RSS.replace("https://petit-matin.example.fr/soupe", "/soupe")
    assert parse(xml).articles[0].link == "https://news.example.org/soupe"
    moved = parse(xml, {"Content-Location": "https://cdn.example.net/feeds/fr.xml"})
    assert moved.articles[0].link == "https://cdn.example.net/soupe"


RSS_HOSTILE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
  <title>City Courier</title>
  <link>https://courier.example.com/</link>
  <language>en</language>
  <item>
    <title>Tram line 9 opens</title>
    <link>https://courier.example.com/tram-9</link>
    <description><![CDATA[
      <p onclick="steal()">The new tram line opened on Monday.</p>
      <script>document.write("SCRIPTED TEXT")</script>
      <style>p { color: red }</style>
      <iframe src="https://ads.example.com/frame"></iframe>
      <object data="https://ads.example.com/flash.swf"><embed src="https://ads.example.com/e.swf"></object>
      <form action="/subscribe"><label>FORM TEXT</label><input name="email"></form>
      <p>Ridership <a href="/stats" onmouseover="x()">doubled</a>.<img src="https://courier.example.com/pixel.gif" width="1" height="1"></p>
      <img src="https://stats.tracker.example.com/open.gif?id=42" alt="">
      <img src="https://feeds.feedburner.com/~r/courier/~4/abc" alt="">
      <img src="/img/map.png" alt="map">
    ]]></description>
  </item>
</channel>
</rss>"""


def test_summary_html_drops_scripts_iframes_forms_handlers_and_tracking_pixels() -> None:
    [article] = parse(RSS_HOSTILE).articles
    texts = " ".join(block.text for block in article.blocks)
    for unwanted in ("SCRIPTED", "color", "steal", "onclick", "subscribe"):
        assert unwanted not in texts
    urls = [block.url for block in article.blocks] + [
        span.url for block in article.blocks for span in block.links
    ]
    assert not any("ads.example.com" in url or "track" in url for url in urls)
    kinds = [block.kind for block in article.blocks]
    assert kinds == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH, BlockKind.IMAGE]
    assert article.blocks[1].text == "Ridership doubled."
    assert article.blocks[1].links == (LinkSpan(10, 17, "https://courier.example.com/stats"),)
    image = article.blocks[2]
    assert (image.text, image.url) == ("map", "https://courier.example.com/img/map.png")


def test_markup_like_text_and_escapes_in_titles_are_kept_as_data() -> None:
    xml = RSS.replace(
        "<title>La fête de la soupe</title>",
        "<title>[bold]x[/] \x1b[31mred\x1b[0m [link=https://evil.example]y[/link]</title>",
    ).replace("Deux cents bols.", "Deux [red]cents[/] bols.\x07")
    [article] = parse(xml).articles
    assert article.title == "[bold]x[/] red [link=https://evil.example]y[/link]"
    assert article.paragraphs[-1] == "Deux [red]cents[/] bols."
    for text in [article.title, *article.paragraphs]:
        assert not CONTROL.search(text)


def test_html_titles_become_plain_text() -> None:
    xml = ATOM_LANGS.replace(
        "<title>Flood alert app goes open source</title>",
        '<title type="html">Flood &lt;em&gt;alert&lt;/em&gt; app &amp;amp; more</title>',
    )
    assert parse(xml).articles[1].title == "Flood alert app & more"


def test_content_language_header_when_the_feed_declares_none() -> None:
    xml = RSS.replace("<language>fr-FR</language>", "")
    feed = parse(xml, {"Content-Language": "de-AT, en"})
    assert feed.language == "de-AT"
    assert (feed.articles[0].language, feed.articles[0].lang_origin) == ("de-AT", LangOrigin.META)
    # The feed's own declaration beats the header.
    assert parse(RSS, {"content-language": "de"}).articles[0].language == "fr-FR"


def test_language_is_detected_only_when_nothing_declares_one() -> None:
    xml = RSS.replace("<language>fr-FR</language>", "")
    [article] = parse(xml).articles
    assert (article.language, article.lang_origin) == ("fr", LangOrigin.DETECTED)
    tiny = (
        xml.replace("La fête de la soupe", "Ok")
        .replace("<description>", "<!--")
        .replace("</description>", "-->")
    )
    [untitled] = parse(tiny).articles
    assert (untitled.language, untitled.lang_origin) == ("und", LangOrigin.UNKNOWN)


def test_ill_formed_feed_keeps_the_items_it_can_recover() -> None:
    xml = """<rss version="2.0"><channel><title>Broken & co</title>
      <item><title>First</title><link>https://e.example/1</link></item>
      <item><title>Second <b>bold</title><link>https://e.example/2</link><description>Text</description></item>
      <item><title>Third</title><link>https://e.example/3</link>"""
    feed = parse(xml)
    assert [article.title for article in feed.articles] == ["First", "Second bold", "Third"]
    assert feed.warning == "ill-formed XML, 3 items recovered"


@pytest.mark.parametrize(
    "data",
    [
        b"<!doctype html><html><head><title>Home</title></head><body><p>Hello</p></body></html>",
        b"",
        b"   \n",
        b"\x00\xff\xfe garbage \x89PNG",
        b"/etc/passwd",
        b"https://example.com/feed.xml",
        b"<?xml version='1.0'?><catalog><book><title>Not a feed</title></book></catalog>",
    ],
)
def test_what_is_not_a_feed_raises_load_failure(data: bytes) -> None:
    with pytest.raises(LoadFailure) as caught:
        parse_feed(data, URL)
    assert caught.value.error.reason == "not a feed"
    assert caught.value.error.where == URL


def test_deeply_nested_input_raises_nothing_but_load_failure() -> None:
    nested = b"<rss version='2.0'><channel>" + b"<x>" * 50_000 + b"</channel></rss>"
    with contextlib.suppress(LoadFailure):
        parse_feed(nested, URL)


RSS_NO_GUID = """<rss version="2.0"><channel><title>Undated</title>
  <item><title>Only a title</title><description>Body one.</description></item>
  <item><title>Updated only</title><description>Body two.</description></item>
</channel></rss>"""


def test_entries_without_guid_get_the_same_id_every_time() -> None:
    first = parse(RSS_NO_GUID).articles
    again = parse_feed(RSS_NO_GUID.encode(), URL, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert [a.guid for a in first] == [a.guid for a in again.articles]
    assert all(a.guid.startswith("sha1:") for a in first)
    assert first[0].guid != first[1].guid
    # An entry with a link but no guid is known by its link.
    assert parse(RSS.replace('<guid isPermaLink="false">soupe-2026</guid>', "")).articles[
        0
    ].guid == ("https://petit-matin.example.fr/soupe")


def test_repeated_and_clashing_guids_stay_unique() -> None:
    item = "<item><guid isPermaLink='false'>same</guid><title>{}</title><description>x</description></item>"
    xml = "<rss version='2.0'><channel><title>t</title>{}</channel></rss>".format(
        item.format("A") + item.format("A") + item.format("B")
    )
    articles = parse(xml).articles
    assert [a.title for a in articles] == ["A", "B"]
    assert len({a.guid for a in articles}) == 2
    assert all(a.guid.startswith("same#") for a in articles)
    assert [a.guid for a in parse(xml).articles] == [a.guid for a in articles]


def test_published_falls_back_to_updated_then_to_fetched_at() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
      <entry><id>urn:1</id><title>Both</title><published>2026-11-01T10:00:00+02:00</published>
        <updated>2026-11-05T10:00:00Z</updated></entry>
      <entry><id>urn:2</id><title>Updated</title><updated>2026-11-05T10:00:00Z</updated></entry>
      <entry><id>urn:3</id><title>Neither</title></entry>
    </feed>"""
    both, updated, neither = parse(atom).articles
    assert both.published == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert updated.published == datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
    assert neither.published == FETCHED
    assert parse_feed(atom.encode(), URL).articles[2].published is None


def test_localised_dates_are_read_with_the_feed_language() -> None:
    xml = RSS.replace(
        "<pubDate>Tue, 17 Nov 2026 08:30:00 +0100</pubDate>",
        "<pubDate>mar., 17 nov. 2026 08:30:00 +0100</pubDate>",
    )
    assert parse(xml).articles[0].published == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)


def test_plain_text_content_splits_into_paragraphs() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
      <entry><id>urn:1</id><title>Plain</title><content type="text">First line
wrapped here.

Second &lt;b&gt;paragraph&lt;/b&gt;.</content></entry></feed>"""
    [article] = parse(atom).articles
    assert article.paragraphs == ["First line wrapped here.", "Second <b>paragraph</b>."]


def test_content_is_preferred_over_summary_and_untitled_entries_get_a_title() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
      <entry><id>urn:1</id><summary>Short summary.</summary>
        <content type="html">&lt;p&gt;The full text of the entry, which is rather longer than
        eighty characters so that the fallback title has to be cut somewhere.&lt;/p&gt;</content>
      </entry></feed>"""
    [article] = parse(atom).articles
    assert article.paragraphs[0].startswith("The full text of the entry")
    assert article.title.endswith("…")
    assert len(article.title) <= 80
    assert article.paragraphs[0].startswith(article.title[:-1])


def test_the_content_type_charset_decodes_the_bytes() -> None:
    data = RSS.replace('encoding="utf-8"', "").encode("iso-8859-1")
    feed = parse(data, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"})
    assert feed.articles[0].title == "La fête de la soupe"
    assert feed.warning is None


def test_a_wrong_declared_encoding_is_a_warning() -> None:
    feed = parse(RSS.encode("iso-8859-1"))
    assert feed.articles[0].title == "La fête de la soupe"
    assert feed.warning is not None
    assert feed.warning.startswith("wrong encoding declared")
