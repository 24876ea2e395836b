"""Bounds on what a feed may make tuinews build: entries per document, HTML nesting depth."""

from __future__ import annotations

import json

from conftest import shared_path
from corpus import corpus_files
from tuinews.sources.feed_limit import limit_entries
from tuinews.sources.feeds import parse_feed
from tuinews.sources.html_depth import MAX_DEPTH, bounded_depth

URL = "https://feeds.example/feed.xml"


def rss(count: int, extra: str = "") -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><guid>g{n}</guid>"
        f"<description><![CDATA[<p>not an <item> tag</p>]]></description>{extra}</item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def test_a_feed_within_the_limit_is_untouched() -> None:
    data = rss(30)
    assert limit_entries(data, limit=30) == (data, 0)


def test_entries_past_the_limit_are_cut_and_the_document_closed() -> None:
    cut, total = limit_entries(rss(30), limit=10)
    assert total == 30
    assert cut.endswith(b"</item></channel></rss>")
    feed = parse_feed(cut, URL)
    assert [a.title for a in feed.articles] == [f"Item {n}" for n in range(10)]
    assert feed.warning is None  # well-formed: read by the fast path


def test_tags_inside_cdata_and_undeclared_entities_do_not_count() -> None:
    data = rss(12, "<author>&nbsp;someone</author>")
    cut, total = limit_entries(data, limit=10)
    assert total == 12
    assert cut.count(b"<item>") == 20  # ten items, each with an <item> inside its CDATA


def test_atom_and_rdf_with_prefixes_are_cut_too() -> None:
    entries = "".join(
        f"<a:entry><a:id>{n}</a:id><a:title>E {n}</a:title></a:entry>" for n in range(5)
    )
    atom = f"<a:feed xmlns:a='http://www.w3.org/2005/Atom'><a:title>T</a:title>{entries}</a:feed>"
    cut, total = limit_entries(atom.encode(), limit=3)
    assert total == 5 and cut.endswith(b"E 2</a:title></a:entry></a:feed>")
    items = "".join(f"<item rdf:about='u{n}'><title>R {n}</title></item>" for n in range(5))
    rdf = (
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
        f" xmlns='http://purl.org/rss/1.0/'><channel rdf:about='c'><title>T</title>"
        f"<items><rdf:Seq/></items></channel>{items}</rdf:RDF>"
    )
    cut, total = limit_entries(rdf.encode(), limit=3)
    assert total == 5 and cut.endswith(b"R 2</title></item></rdf:RDF>")
    assert [a.title for a in parse_feed(cut, URL).articles] == ["R 0", "R 1", "R 2"]


def test_an_ill_formed_document_is_cut_at_the_tag_found() -> None:
    data = rss(30).replace(b"<title>Item 3</title>", b"<title>Item 3</title><b>", 1)
    cut, total = limit_entries(data, limit=10)
    assert total > 10 and len(cut) < len(data)
    feed = parse_feed(cut, URL)  # the lenient parser reads what is left
    assert 0 < len(feed.articles) <= 10


def test_json_feeds_are_capped_alike() -> None:
    from tuinews.sources import feed_limit

    items = [{"id": str(n), "title": f"J{n}"} for n in range(feed_limit.MAX_ITEMS + 5)]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    feed = parse_feed(json.dumps(document).encode(), URL)
    assert len(feed.articles) == feed_limit.MAX_ITEMS
    assert feed.warning == "only the first 10,000 of its 10,005 items were read"


def test_html_deeper_than_the_limit_is_flattened_keeping_its_text() -> None:
    html = "<div>" * (MAX_DEPTH + 50) + "deep <b>text</b>" + "</div>" * (MAX_DEPTH + 50)
    flat = bounded_depth(html)
    assert flat.count("<div>") == MAX_DEPTH and flat.count("</div>") == MAX_DEPTH
    assert "deep text" in flat.replace("<b>", "").replace("</b>", "")


def test_unclosed_paragraphs_and_void_elements_do_not_count() -> None:
    html = "<div>" + "<p>para<br><img src=x>" * 2000 + "</div>"
    assert bounded_depth(html) == html


def test_real_pages_pass_unchanged() -> None:
    root = shared_path("corpus", "articles")
    pages = [path for path in corpus_files(root) if path.suffix == ".html"]
    assert len(pages) > 90
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        assert bounded_depth(text) == text, page.name
