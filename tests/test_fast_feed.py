"""The fast feed reader gives exactly what feedparser gives, on every corpus feed it accepts.

Every file under ../shared/corpus/feeds/ is parsed twice, with `fast=True` and `fast=False`; for
each file the fast path reads, the two `ParsedFeed`s must agree field by field. Small cases check
that the fast path leaves what it is not sure of to feedparser.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import shared_path
from tuinews.model import Article, BlockKind, LoadFailure
from tuinews.sources import fast_feed
from tuinews.sources.feed_entry import FeedContext, ParsedFeed
from tuinews.sources.feeds import parse_feed

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)
URL = "https://example.org/feed.xml"


def corpus_files(root: Path) -> list[Path]:
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".expected." not in path.name and not path.name.startswith(".")
    ]


def article_fields(article: Article) -> dict[str, object]:
    return {
        "guid": article.guid,
        "title": article.title,
        "link": article.link,
        "author": article.author,
        "published": article.published,
        "language": article.language,
        "lang_origin": article.lang_origin,
        "alternates": article.alternates,
        "blocks": [(b.kind, b.text, b.links, b.url, b.level, b.marker) for b in article.blocks],
    }


def differences(fast: ParsedFeed, slow: ParsedFeed) -> list[str]:
    found = []
    for name in ("title", "link", "language"):
        if getattr(fast, name) != getattr(slow, name):
            found.append(f"feed {name}: {getattr(fast, name)!r} != {getattr(slow, name)!r}")
    if len(fast.articles) != len(slow.articles):
        found.append(f"{len(fast.articles)} articles != {len(slow.articles)}")
    for index, (one, other) in enumerate(zip(fast.articles, slow.articles, strict=False)):
        left, right = article_fields(one), article_fields(other)
        for name, value in left.items():
            if value != right[name]:
                found.append(f"article {index} {name}: {value!r} != {right[name]!r}")
    return found


def parse(data: bytes, url: str, fast: bool) -> ParsedFeed | None:
    try:
        return parse_feed(data, url, fetched_at=FETCHED, fast=fast)
    except LoadFailure:
        return None


def test_fast_path_matches_feedparser_on_the_corpus() -> None:
    root = shared_path("corpus", "feeds")
    taken: dict[str, list[int]] = {}
    mismatches: list[str] = []
    for path in corpus_files(root):
        name = str(path.relative_to(root))
        group = name.split("/", 1)[0]
        counts = taken.setdefault(group, [0, 0])
        counts[1] += 1
        data = path.read_bytes()
        url = f"https://corpus.example/{name}"
        fast = parse(data, url, fast=True)
        if fast is None:
            continue
        counts[0] += 1
        slow = parse(data, url, fast=False)
        if slow is None:
            mismatches.append(f"{name}: feedparser fails, fast path reads it")
            continue
        mismatches += [f"{name}: {problem}" for problem in differences(fast, slow)[:3]]
    for group, (fast_count, total) in sorted(taken.items()):
        print(f"fast path took {fast_count} of {total} files under {group}/")
    assert not mismatches, "\n".join(mismatches[:40])
    assert taken["real"][0] >= 150  # of 457; the others are mostly not UTF-8, DTDs, xml:base


def test_fast_path_reads_the_benchmark_feed() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from refresh import make_feed

    for index in range(4):
        data = make_feed(index, 20)
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        fast = parse_feed(data, URL, headers, fetched_at=FETCHED, fast=True)
        slow = parse_feed(data, URL, headers, fetched_at=FETCHED, fast=False)
        assert differences(fast, slow) == []
        assert len(fast.articles) == 20


RSS = (
    '<?xml version="1.0" encoding="{encoding}"?>{prolog}<rss version="2.0"><channel>'
    "<title>T</title><link>https://example.org/</link>"
    "<item><title>{title}</title><link>https://example.org/1</link>"
    "<description>&lt;p&gt;Body&lt;/p&gt;</description></item></channel></rss>"
)


def fast_read(data: bytes, headers: dict[str, str] | None = None) -> ParsedFeed | None:
    context = FeedContext(url=URL, fetched_at=FETCHED)
    return fast_feed.parse_fast(data, headers or {}, context, URL)


def rss(title: str = "Hello", encoding: str = "utf-8", prolog: str = "") -> bytes:
    text = RSS.format(title=title, encoding=encoding, prolog=prolog)
    return text.encode("utf-8" if encoding == "utf-8" else encoding)


def test_plain_rss_is_read() -> None:
    feed = fast_read(rss("Grüße"))
    assert feed is not None
    assert feed.articles[0].title == "Grüße"


@pytest.mark.parametrize(
    "data",
    [
        rss(prolog='<!DOCTYPE rss [<!ENTITY e "x">]>'),
        rss(prolog="<!DOCTYPE rss>"),
        rss("Grüße", encoding="iso-8859-1"),
        rss("Привет", encoding="windows-1251"),
        rss().replace(b"</channel>", b""),
        rss().replace(b"<channel>", b'<channel xml:base="https://other.example/">'),
        rss().replace(b"<item>", b'<item xml:base="/sub/">'),
        rss().replace(b"<title>Hello", b"<title>&nbsp;Hello"),
        b"<html><body>not a feed</body></html>",
        rss().replace(b'version="2.0"', b'version="3.0"'),
    ],
    ids=[
        "entity",
        "doctype",
        "latin-1",
        "cp1251",
        "ill-formed",
        "xml-base-channel",
        "xml-base-item",
        "undefined-entity",
        "html",
        "unknown-version",
    ],
)
def test_fast_path_leaves_doubtful_documents_to_feedparser(data: bytes) -> None:
    assert fast_read(data) is None
    parse_feed(data, URL, fetched_at=FETCHED) if b"<html>" not in data else None


def test_charset_disagreeing_with_the_document_goes_to_feedparser() -> None:
    assert fast_read(rss("Grüße"), {"content-type": "application/rss+xml; charset=koi8-r"}) is None
    assert fast_read(rss("Grüße"), {"content-type": "text/xml"}) is None
    assert fast_read(rss("Gruss"), {"content-type": "text/xml"}) is not None


def test_atom_xhtml_content_goes_to_feedparser() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>urn:x:1</id>'
        b'<title>A</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        b"<p>Hi</p></div></content></entry></feed>"
    )
    assert fast_read(data) is None
    assert parse_feed(data, URL, fetched_at=FETCHED).articles[0].blocks[0].text == "Hi"


def test_unsure_dates_go_to_feedparser() -> None:
    data = rss().replace(
        b"<title>Hello", b"<pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate><title>Hello"
    )
    assert fast_read(data) is None


def test_dropped_elements_leave_no_text() -> None:
    body = (
        "&lt;p&gt;Kept&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;iframe src='x'&gt;"
        "Loading...&lt;/iframe&gt;&lt;noscript&gt;Enable JS&lt;/noscript&gt;"
        "&lt;style&gt;p{}&lt;/style&gt;&lt;form&gt;&lt;input&gt;Form text&lt;/form&gt;"
        "&lt;object&gt;Object text&lt;/object&gt;&lt;p onclick='evil()'&gt;Tail&lt;/p&gt;"
        "&lt;img src='https://example.org/p.gif' width='1' height='1'&gt;"
    )
    data = rss().replace(b"&lt;p&gt;Body&lt;/p&gt;", body.encode())
    for fast in (True, False):
        article = parse_feed(data, URL, fetched_at=FETCHED, fast=fast).articles[0]
        assert [(block.kind, block.text, block.url) for block in article.blocks] == [
            (BlockKind.PARAGRAPH, "Kept", ""),
            (BlockKind.PARAGRAPH, "Tail", ""),
        ]
