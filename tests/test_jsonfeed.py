"""JSON Feed 1.0 and 1.1: detection, items, authors, bodies, languages, broken documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tuinews.model import BlockKind, LangOrigin, LinkSpan, LoadFailure
from tuinews.sources.feeds import ParsedFeed, parse_feed

URL = "https://journal.example.net/feed.json"
FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def parse(document: dict | str | bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    if isinstance(document, dict):
        document = json.dumps(document)
    data = document.encode("utf-8") if isinstance(document, str) else document
    return parse_feed(data, URL, headers, fetched_at=FETCHED)


FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Journal \u001b[31mred",
    "home_page_url": "https://journal.example.net/",
    "feed_url": URL,
    "author": {"name": "Feed Author"},
    "items": [
        {
            "id": 2,
            "url": "/2026/river",
            "title": "The river [bold]rises[/]",
            "content_html": (
                '<p>The <a href="/gauges">gauges</a> rose.</p><script>alert(1)</script>'
                '<iframe src="https://ads.example.com/x">IFRAME TEXT</iframe>'
                '<img src="https://pixel.example.com/p.gif" width="1" height="1">'
                '<img src="/img/river.jpg" alt="The river" onerror="steal()">'
            ),
            "content_text": "The gauges rose.",
            "date_published": "2026-11-17T08:30:00+01:00",
            "author": {"name": "Ann Lee", "url": "https://ann.example"},
            "tags": ["river", "weather"],
        },
        {
            "id": "1",
            "external_url": "https://elsewhere.example.org/story",
            "content_text": "No title here, so the first words of the text have to stand in for one.\n\nSecond paragraph.",
            "date_modified": "2026-11-16T10:00:00Z",
        },
    ],
}

FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Kyiv Daily",
    "home_page_url": "https://kyiv-daily.example.ua/",
    "language": "uk-UA",
    "authors": [{"name": "Редакція"}],
    "items": [
        {
            "id": "medovyi",
            "url": "https://kyiv-daily.example.ua/medovyi",
            "title": "Медовий ярмарок",
            "summary": "Ярмарок відкрився.",
            "authors": [{"name": "Олена"}, {"name": "Петро"}],
            "image": "https://kyiv-daily.example.ua/honey.jpg",
        },
        {
            "id": "en-version",
            "url": "https://kyiv-daily.example.ua/en/honey",
            "title": "Honey fair",
            "language": "en_GB",
            "content_text": "The honey fair opened.",
        },
    ],
}


def test_json_feed_10_items() -> None:
    feed = parse(FEED_10)
    assert feed.title == "Journal red"
    assert feed.link == "https://journal.example.net/"
    assert feed.warning is None
    river, untitled = feed.articles
    assert river.guid == "2"
    assert river.title == "The river [bold]rises[/]"
    assert river.link == "https://journal.example.net/2026/river"
    assert river.author == "Ann Lee"
    assert river.published == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)
    # content_html wins over content_text; unsafe and invisible parts are gone.
    paragraph, image = river.blocks
    assert paragraph.text == "The gauges rose."
    assert paragraph.links == (LinkSpan(4, 10, "https://journal.example.net/gauges"),)
    assert (image.kind, image.text) == (BlockKind.IMAGE, "The river")
    assert image.url == "https://journal.example.net/img/river.jpg"

    assert untitled.link == "https://elsewhere.example.org/story"
    assert untitled.author == "Feed Author"
    assert untitled.published == datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    assert untitled.paragraphs == [
        "No title here, so the first words of the text have to stand in for one.",
        "Second paragraph.",
    ]
    assert untitled.title == untitled.paragraphs[0]
    assert (untitled.language, untitled.lang_origin) == ("en", LangOrigin.DETECTED)


def test_json_feed_11_authors_language_and_image() -> None:
    feed = parse(FEED_11, {"Content-Type": "application/feed+json"})
    assert feed.language == "uk-UA"
    honey, english = feed.articles
    assert honey.author == "Олена, Петро"
    assert (honey.language, honey.lang_origin) == ("uk-UA", LangOrigin.META)
    assert honey.blocks[0].kind is BlockKind.IMAGE
    assert honey.blocks[0].url == "https://kyiv-daily.example.ua/honey.jpg"
    assert honey.paragraphs == ["Ярмарок відкрився."]
    assert honey.published == FETCHED
    assert (english.language, english.lang_origin) == ("en-GB", LangOrigin.META)
    assert english.author == "Редакція"


def test_long_untitled_item_gets_a_cut_title() -> None:
    text = "word " * 60
    feed = parse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "x", "content_text": text}],
        }
    )
    [article] = feed.articles
    assert article.title.endswith("…")
    assert len(article.title) <= 80
    assert article.title.startswith("word word")


def test_items_without_id_have_stable_guids() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"title": "A", "content_text": "a"},
            {"url": "https://x.example/b", "title": "B"},
        ],
    }
    first, second = parse(document).articles
    assert first.guid.startswith("sha1:")
    assert second.guid == "https://x.example/b"
    assert [a.guid for a in parse(document).articles] == [first.guid, second.guid]


@pytest.mark.parametrize(
    "version", ["https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1", "1.1"]
)
def test_version_spellings_are_accepted(version: str) -> None:
    feed = parse({"version": version, "title": "T", "items": [{"id": "1", "title": "One"}]})
    assert [a.title for a in feed.articles] == ["One"]


def test_detected_by_content_type_even_with_leading_space() -> None:
    data = "\n  " + json.dumps(FEED_11)
    assert len(parse(data, {"content-type": "application/feed+json; charset=utf-8"}).articles) == 2
    assert len(parse("\ufeff" + json.dumps(FEED_11)).articles) == 2


def test_invalid_json_raises_load_failure() -> None:
    with pytest.raises(LoadFailure) as caught:
        parse(
            '{"version": "https://jsonfeed.org/version/1", "items": [',
            {"Content-Type": "application/json"},
        )
    assert caught.value.error.reason.startswith("invalid JSON")
    with pytest.raises(LoadFailure):
        parse(b'{"version": "https://jsonfeed.org/version/1.1", "title": "\xff\xfe broken')


@pytest.mark.parametrize(
    "document",
    [
        '{"hello": "world"}',
        '{"version": "2.0", "items": []}',
        "[1, 2, 3]",
    ],
)
def test_json_that_is_no_json_feed_is_not_a_feed(document: str) -> None:
    with pytest.raises(LoadFailure) as caught:
        parse(document, {"Content-Type": "application/json"})
    assert caught.value.error.reason == "not a feed"


def test_odd_values_are_tolerated() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": ["not", "a", "string"],
        "items": [
            None,
            3,
            {"id": None, "title": 7, "content_html": None, "summary": "Just a summary."},
        ],
    }
    feed = parse(document)
    assert feed.title == ""
    [article] = feed.articles
    assert article.paragraphs == ["Just a summary."]
