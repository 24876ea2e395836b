"""The refresh's shortcuts give exactly what the general code gives.

* `feed_body.simple_html_blocks` (the fast route for simple bodies) against the HTML parser and the
  page walker, on every HTML body of the shared feed corpus and on hand-made fragments;
* `Store.prepare_rows` + `Store.upsert_prepared` (rows made in the parser processes) against
  `Store.upsert_articles`.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import shared_path
from tuinews.library import apply_source_language
from tuinews.model import Article, Source, SourceKind
from tuinews.refresh import parse_job, prepare_job
from tuinews.sources import feed_body, feed_entry
from tuinews.sources.feeds import parse_feed
from tuinews.store import Store

BASE = "https://example.org/news/item?id=1"

SIMPLE = [
    "<p>One</p><p>Two</p>",
    "<p>The council approved it.</p><p>More 7</p><p><a href='/x/7'>More</a></p>",
    "plain <b>bold</b> and <i>italic</i> &amp; <em>em</em> <strong>strong</strong>",
    "  <p> leading   and trailing  </p>  \n ",
    "<p>line<br>break<br/>again<br />end</p><br><br>",
    '<p><a href="https://a.example/x?q=1&amp;r=2">link</a> after</p>',
    "<p>before <a href='rel/path'> spaced link </a> after</p>",
    "<p><a href=''>empty</a><a>none</a><a href='#top'>fragment</a></p>",
    "<p><a href='javascript:alert(1)'>script</a> <a href='data:x'>data</a></p>",
    "text <a href=/unquoted>unquoted</a> text",
    "<P>Upper <B>case</B> <A HREF='/up'>tags</A></P>",
    "<p>&lt;tag&gt; &quot;quoted&quot; &apos;apos&apos; non&nbsp;breaking &#233; &#xE9; &#x1F600;</p>",
    "<p>caf\u0065\u0301 composed</p>",
    "<p>a&#10;b&#9;c</p>",
    "<p>x<b>y<i>z</i></b>w</p><p><span>s</span> <u>u</u> <s>s</s> <small>m</small></p>",
    "<p><a href='/one'>one</a><a href='/two'>two</a></p>",
    "<p><a href='/x'><b>bold link</b></a>, tail</p>",
    "<p class='lead' id='intro'>classy</p><p class='body-text'>text</p>",
    "<p style='color: red'>styled</p><p role='note'>note</p>",
    "<p title='t' lang='en' dir='ltr'>attrs</p>",
    "<a href='/a' target='_blank' rel='noopener'>a</a>",
    "<p>\u0007bell \u202eoverride\u202c and \x1b[31mred</p>",
    "text only &amp; nothing else",
    "<p></p><p> </p><p><br></p>",
    "<p>a</p>tail text<p>b</p>",
    "<p>" + "word " * 300 + "</p>",
    "<p>tab\tand\nnewline</p>",
    "<p>\u00a0\u00a0nbsp\u00a0</p>",
    "<p>\u3000ideographic space\u3000</p>",
    "<img src='/x.png'>",
    "<p>text <img src='/i.png' alt=' An  image '> more</p><img data-src=/lazy.jpg hspace=4/>",
    "<p><a href='/l'><img src='/i.png' title='t'></a> <img class='emoji' alt=':)' src='/e.png'></p>",
    "<img src='https://pixel.wp.com/g.gif'><img width='1' src='/a.png'><img style='width:1px'>",
]

NOT_SIMPLE = [
    "<p>one<p>two",
    "<p>unclosed",
    "<b>bad <i>nesting</b></i>",
    "<p><div>block</div></p>",
    "<b><p>p in b</p></b>",
    "<a href='/a'><a href='/b'>nested</a></a>",
    "<!-- comment --><p>x</p>",
    "<p>1 < 2</p>",
    "<p>AT&T</p>",
    "<p>&copy; &AMP;</p>",
    "<p>&#128; &#0; &#xD800;</p>",
    "<img hidden src='/x.png'>",
    "<img src='/x.png' class='share-button'>",
    "<img src='/x.png'></img>",
    "<p hidden>x</p>",
    "<p class='share-buttons'>share</p>",
    "<p style='display:none'>hidden</p><p>shown</p>",
    "<p role='navigation'>nav</p>",
    "<p onclick='x()'>x</p>",
    "<p class='a' class='b'>dup</p>",
    "<a href='/a' href='/b'>dup</a>",
    "<p/>x",
    "</br>",
    "</p>",
    "<p>a\r\nb</p>",
    "<a href='x>y'>q</a>",
    "<script>x</script>",
    "<h1>head</h1>",
    "<ul><li>x</li></ul>",
]


def general(html: str, base: str):
    return feed_body.general_html_blocks(html, base)


@pytest.mark.parametrize("html", SIMPLE)
def test_simple_route_matches_the_walker(html: str) -> None:
    fast = feed_body.simple_html_blocks(html, BASE)
    assert fast is not None, "expected the fast route to take it"
    assert fast == general(html, BASE)
    assert feed_body.html_blocks(html, BASE) == general(html, BASE)


@pytest.mark.parametrize("html", NOT_SIMPLE)
def test_other_fragments_take_the_general_route(html: str) -> None:
    fast = feed_body.simple_html_blocks(html, BASE)
    if fast is not None:  # taking it is allowed only when the result is the same
        assert fast == general(html, BASE)
    assert feed_body.html_blocks(html, BASE) == general(html, BASE)


def test_refusals_are_refused() -> None:
    refused = [html for html in NOT_SIMPLE if feed_body.simple_html_blocks(html, BASE) is None]
    assert len(refused) == len(NOT_SIMPLE)


def corpus_bodies(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    root = shared_path("corpus", "feeds")
    seen: list[tuple[str, str]] = []
    real = feed_entry.html_blocks

    def record(html: str, base: str):
        seen.append((html, base))
        return real(html, base)

    monkeypatch.setattr(feed_entry, "html_blocks", record)
    fetched = datetime(2026, 11, 20, tzinfo=UTC)
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".expected." in path.name or path.name.startswith("."):
            continue
        data = path.read_bytes()
        for fast in (None, False):
            # Not a feed: its bodies (if any) were recorded anyway.
            with contextlib.suppress(Exception):
                parse_feed(
                    data, f"https://feeds.example/{path.name}", fetched_at=fetched, fast=fast
                )
    return seen


def test_simple_route_on_every_corpus_body(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = corpus_bodies(monkeypatch)
    assert bodies
    taken = 0
    for html, base in dict.fromkeys(bodies):
        fast = feed_body.simple_html_blocks(html, base)
        if fast is None:
            continue
        taken += 1
        assert fast == general(html, base), html[:200]
    assert taken > 100  # the route is worth having: many real bodies take it


# The store: rows prepared in the parser processes store exactly what `upsert_articles` stores.

_COLUMNS = (
    "uid, source_id, guid, link, title, author, published, language, lang_origin, blocks,"
    " search_text, content_hash, read, starred, stamp, story_id, sort_date IS NOT NULL"
)


def _snapshot(store: Store) -> tuple[list[tuple], list[tuple]]:
    conn = store._conn
    articles = conn.execute(f"SELECT id, {_COLUMNS} FROM articles ORDER BY id").fetchall()
    alternates = conn.execute("SELECT * FROM alternates ORDER BY article_id, url").fetchall()
    return articles, alternates


def _bench_feed(index: int, items: int, hreflang: bool = False) -> bytes:
    entries = []
    for n in range(items):
        links = f"<link>https://example.org/{index}/{n}</link>"
        if hreflang:
            links = (
                f'<atom:link rel="alternate" hreflang="en" href="https://example.org/en/{n}"/>'
                f'<atom:link rel="alternate" hreflang="de" href="https://example.org/de/{n}"/>'
            )
        body = "&lt;p&gt;Text %d&lt;/p&gt;&lt;p&gt;&lt;a href='/x/%d'&gt;More&lt;/a&gt;&lt;/p&gt;"
        entries.append(
            f"<item><title>Headline {index}-{n}</title>{links}<guid>item-{index}-{n}</guid>"
            f"<pubDate>Sun, 01 Nov 2026 03:{n % 60:02d}:00 GMT</pubDate>"
            f"<description>{body % (n, n)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Feed {index}</title><link>https://example.org/</link><language>en</language>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def test_prepared_rows_store_what_upsert_articles_stores(tmp_path: Path) -> None:
    stores = [Store(tmp_path / "a.db"), Store(tmp_path / "b.db")]
    fetched = datetime(2026, 11, 20, tzinfo=UTC)
    try:
        for round_ in range(3):  # new articles, then unchanged, then changed ones
            for index in range(4):
                items = 5 + round_ * 2
                data = _bench_feed(index, items, hreflang=index % 2 == 1)
                if round_ == 2:
                    data = data.replace(b"Headline", b"Revised headline")
                language = "fr" if index == 3 else None
                url = f"https://feeds.example/{index}.xml"
                results = []
                for way, store in enumerate(stores):
                    source = Source(SourceKind.URL, url, f"Feed {index}", language=language)
                    store.upsert_source(source)
                    if way == 0:
                        parsed = parse_job(data, url, {}, fetched)
                        for article in parsed.articles:
                            apply_source_language(article, source)
                        counts = store.upsert_articles(source, [(a, None) for a in parsed.articles])
                    else:
                        prepared = prepare_job(data, url, {}, fetched, source.key, language)
                        counts = store.upsert_prepared(source, prepared.rows)
                    results.append(counts)
                assert results[0] == results[1]
            assert _snapshot(stores[0]) == _snapshot(stores[1])
        assert len(_snapshot(stores[0])[0]) == 4 * 9
        assert _snapshot(stores[0])[1]  # alternates were written
    finally:
        for store in stores:
            store.close()


def test_a_guid_repeated_in_one_call(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    try:
        source = store.upsert_source(Source(SourceKind.URL, "https://feeds.example/x", "X"))

        def article(title: str) -> Article:
            published = datetime(2026, 11, 1, tzinfo=UTC)
            return Article(guid="same", title=title, blocks=[], published=published)

        first, again, changed = article("One"), article("One"), article("Two")
        counts = store.upsert_articles(source, [(first, "1"), (again, "2"), (changed, None)])
        assert (counts.added, counts.updated, counts.unchanged) == (1, 1, 1)
        assert first.id == again.id == changed.id
        stored = store.article(first.id or 0)
        assert stored is not None and stored.title == "Two"
        stamp = store._conn.execute("SELECT stamp FROM articles").fetchall()
        assert stamp == [(None,)]
        assert store.stamps(source.id or 0) == {}
    finally:
        store.close()
