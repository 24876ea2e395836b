"""The refresh's cheaper routes give exactly what the general code gives.

* `fast_url.join_url` / `url_scheme` against `urllib.parse` on the corpus's URLs and odd ones;
* `textclean`'s shortcuts against the plain regular-expression cleaning;
* `fast_feed`'s RFC 822 dates against `email.utils`;
* `store.bulk.glob` against SQLite's own GLOB; staged inserts against row-by-row inserts (rows and
  the full-text index); `Store.batch` as one transaction;
* a refresh through worker processes (which write the cache themselves) against the same feeds
  read in one process.
"""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_path
from feedserver import FeedServer
from tuinews import refresh as refresh_module
from tuinews import textclean
from tuinews.config import NetworkConfig
from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.refresh import refresh_feeds
from tuinews.search_query import parse_query
from tuinews.sources import fast_feed
from tuinews.sources.fast_url import join_url, url_scheme
from tuinews.store import HeadlineFilter, Store, bulk
from tuinews.store.schema import UNSPACED_GLOB

# URLs


def _outcome(function, *args):
    try:
        return ("ok", function(*args))
    except ValueError:
        return ("error",)


def _corpus_urls() -> list[str]:
    found: set[str] = set()
    pattern = re.compile(
        rb'(?:href|src|url)\s*=\s*["\']([^"\'<>]{1,200})["\']|<(?:link|guid)>([^<]{1,200})</'
    )
    root = shared_path("corpus", "feeds")
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        for match in pattern.finditer(path.read_bytes()):
            found.add((match[1] or match[2]).decode("utf-8", "replace"))
    return sorted(found)


_ODD = """
    item-0-1 a/b ./a ../a a/../b a//b a/ /abs / /a/ /a//b /a/./b /a/.. /. /a?x /a? /a# /a#x?y
    /a;p //host/x ?q #f a?b a#b a:b http:x HTTP://X/Y http://x/a? http://x/a# http://x/a;p
    http:///x https://x/%41 mailto:a@b tag:x,2020:1 .hidden ... a/./b a/.. .. . http://[::1]/a
    http://[x/a https://example.org/news/item?id=1#top https://example.org:8080/a/b.html
"""
ODD_URLS = [*_ODD.split(), " http://x/a", "http://x/a\t", "http://x\n/a", ""]
_BASES = """
    http://127.0.0.1:5/feeds/0.xml https://a.b https://a.b/ http://x/a/b/ http://x/a/./b/c
    http://x//a/b http://x/a//b/c HTTP://x/a http://x/a?q#f http://[::1]/a http://x:80/a;p/b
    https://x/a/.. ftp://x/y http://[x/a
"""
ODD_BASES = [*_BASES.split(), ""]


def test_join_url_is_urljoin() -> None:
    urls = _corpus_urls()
    assert len(urls) > 1000
    rng = random.Random(4)
    bases = ODD_BASES + [url for url in urls if url.startswith(("http://", "https://"))][:300]
    for base in bases:
        for url in rng.sample(urls, 100) + ODD_URLS:
            assert _outcome(join_url, base, url) == _outcome(urljoin, base, url), (base, url)


def test_url_scheme_is_urlsplit_scheme() -> None:
    for url in _corpus_urls() + ODD_URLS + ODD_BASES:
        assert _outcome(url_scheme, url) == _outcome(lambda u: urlsplit(u).scheme, url), url


# Text cleaning: the shortcuts skip the regular expressions only when they would change nothing.


def _strip_controls(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return textclean._CONTROLS.sub("", textclean._ESCAPES.sub("", text))


def _clean_text(text: str) -> str:
    return textclean._BLANK_LINES.sub("\n\n", unicodedata.normalize("NFC", _strip_controls(text)))


def _clean_line(text: str) -> str:
    folded = _clean_text(text).replace("\n", " ").replace("\t", " ")
    return textclean._SPACES.sub(" ", folded).strip()


TRICKY = "ab cd\t\n\r\x1b[]0m;\x9b\x85\u00a0\u2028\u1680\u3000\u202e\u0301e\u00e9\x07\x0b\x1cЖ中"


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=14) | st.text(max_size=20))
def test_text_cleaning_shortcuts(text: str) -> None:
    assert textclean.strip_controls(text) == _strip_controls(text)
    assert textclean.clean_text(text) == _clean_text(text)
    assert textclean.clean_line(text) == _clean_line(text)


def _reference_fix(text: str) -> str:
    text = text.strip()
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(fast_feed._CP1252)


LATIN = "".join(map(chr, range(0x20, 0x100))) + "Ж中€ \n" + "é ß € Ж".encode().decode("latin-1")


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(LATIN), max_size=12))
def test_feedparser_text_repairs_shortcut(text: str) -> None:
    assert fast_feed._fix(text) == _reference_fix(text)


# Dates


def _email_date(text: str):
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return "unsure"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        return "overflow"


def _fast_date(text: str):
    try:
        return fast_feed._date(text)
    except fast_feed._Unsure:
        return "unsure"
    except OverflowError:
        return "overflow"


def test_rfc822_dates_read_as_email_utils_reads_them() -> None:
    rng = random.Random(9)
    zones = "GMT UTC UT Z EST EDT CST CDT MST MDT PST PDT +0000 -0000 +0530 -0930 +2359 -2400"
    zones += " +2400 +0099 -1299 +9999"
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    for _ in range(20000):
        year = rng.choice([rng.randint(1900, 2100), rng.randint(0, 9999), 1, 50, 99, 100, 9999])
        seconds = rng.choice(["", f":{rng.randint(0, 61):02d}"])
        text = (
            f"{rng.choice(['Mon, ', 'Sun, ', ''])}{rng.randint(0, 35)} {rng.choice(months)}"
            f" {year:04d} {rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}{seconds}"
            f" {rng.choice(zones.split())}"
        )
        assert fast_feed._RFC822.match(text)
        assert _fast_date(text) == _email_date(text), text


# GLOB


def _sqlite_glob(pattern, text):
    with sqlite3.connect(":memory:") as conn:
        return conn.execute("SELECT glob(?, ?)", (pattern, text)).fetchone()[0]


GLOB_CHARS = "ab-]^[*?c\n\u4e00zé"


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(GLOB_CHARS), max_size=8),
    st.text(alphabet=st.sampled_from(GLOB_CHARS), max_size=8),
    st.booleans(),
)
def test_glob_is_sqlite_glob(pattern: str, text: str, starred: bool) -> None:
    if starred:
        pattern = f"*{pattern}*"
    assert bulk.glob(pattern, text) == _sqlite_glob(pattern, text)


@pytest.mark.parametrize(
    "text", ["", "plain ascii", "中文", "x\u3042y", "a\u0e01", "\uac00", "ÄÖÜ" * 50, "a\0中"]
)
def test_glob_of_the_trigram_rule(text: str) -> None:
    assert bulk.glob(UNSPACED_GLOB, text) == _sqlite_glob(UNSPACED_GLOB, text)


@pytest.mark.parametrize("args", [(None, "a"), ("a", None), (1, 1), ("1*", 12), ("a*", 1.5)])
def test_glob_of_values_that_are_not_text(args) -> None:
    assert bulk.glob(*args) == _sqlite_glob(*args)


# Staged inserts and batches


def _articles(count: int, prefix: str) -> list[tuple[Article, None]]:
    words = ["tram", "图书馆", "library", "Straßenbahn", "бібліотека"]
    return [
        (
            Article(
                guid=f"{prefix}-{n}",
                title=f"{prefix} headline {n} {words[n % len(words)]}",
                blocks=[paragraph(f"Body {n} of {prefix}: {words[(n + 1) % len(words)]} news")],
                published=datetime(2026, 11, 1, n % 24, tzinfo=UTC),
                language="en",
            ),
            None,
        )
        for n in range(count)
    ]


def _state(store: Store) -> tuple[list, list, list]:
    conn = store._conn
    rows = conn.execute("SELECT id, uid, title, search_text FROM articles ORDER BY id").fetchall()
    words = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'headline' ORDER BY rowid"
    ).fetchall()
    trigrams = conn.execute(
        "SELECT rowid FROM articles_trigram WHERE articles_trigram MATCH '图书馆' ORDER BY rowid"
    ).fetchall()
    return rows, words, trigrams


def _integrity(store: Store) -> None:
    """FTS5's own checks: the word index against `articles`, the trigram index in itself (it
    holds only the rows with text in scripts without spaces)."""
    conn = store._conn
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    conn.execute(
        "INSERT INTO articles_trigram (articles_trigram, rank) VALUES ('integrity-check', 0)"
    )


def test_staged_inserts_store_and_index_what_single_inserts_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = []
    for way, minimum in enumerate((bulk.STAGE_MIN, 10**9)):
        monkeypatch.setattr(bulk, "STAGE_MIN", minimum)
        with Store(tmp_path / f"{way}.db") as store:
            source = store.upsert_source(Source(SourceKind.URL, "https://a.example/f", "A"))
            store.upsert_articles(source, _articles(40, "one"))
            store.upsert_articles(source, _articles(3, "two"))  # fewer than STAGE_MIN
            changed = _articles(40, "one")
            changed[5][0].title = "one headline changed"
            store.upsert_articles(source, changed)
            _integrity(store)
            states.append(_state(store))
            hits = store.headlines(HeadlineFilter(query=parse_query("changed")))
            assert len(hits) == 1
    assert states[0] == states[1]
    assert len(states[0][0]) == 43 and states[0][2]


def test_a_batch_is_one_transaction(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        source = store.upsert_source(Source(SourceKind.URL, "https://a.example/f", "A"))
        with pytest.raises(RuntimeError), store.batch():
            store.upsert_articles(source, _articles(20, "lost"))
            store.record_feed_success(source.id or 0, etag="e1", last_modified=None)
            raise RuntimeError("interrupted")
        assert store._conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert store.feed_state(source.id or 0).etag is None
        with store.batch():
            store.upsert_articles(source, _articles(20, "kept"))
            store.record_feed_success(source.id or 0, etag="e2", last_modified=None)
            assert store._conn.in_transaction
        assert not store._conn.in_transaction
        assert store._conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
        assert store.feed_state(source.id or 0).etag == "e2"
        _integrity(store)


# A refresh through worker processes


def _feed(index: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {index} story {n} 城市</title><link>https://example.org/{index}/{n}</link>"
        f"<guid>g-{index}-{n}</guid><pubDate>Sun, 01 Nov 2026 0{n % 10}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Story {n} of feed {index}, words to search.&lt;/p&gt;</description>"
        "</item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>https://example.org/</link><language>en</language>"
        f"{entries}</channel></rss>"
    ).encode()


def test_workers_store_what_one_process_stores(
    feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = []
    for index in range(6):
        feed_server.add_feed(f"/w/{index}.xml", _feed(index, 12))
        urls.append(feed_server.url(f"/w/{index}.xml"))
    snapshots = []
    for way, threshold in enumerate((1, 10**6)):  # worker processes, then the loop's threads
        monkeypatch.setattr(refresh_module, "POOL_THRESHOLD", threshold)
        with Store(tmp_path / f"{way}.db") as store:
            sources = [store.upsert_source(Source(SourceKind.URL, url, url)) for url in urls]
            report = refresh_feeds(store, sources, NetworkConfig(timeout=5.0))
            assert (report.added, report.errors) == (72, [])
            _integrity(store)
            conn = store._conn
            snapshots.append(
                (
                    conn.execute(
                        "SELECT uid, title, link, search_text, content_hash FROM articles"
                        " ORDER BY uid"
                    ).fetchall(),
                    conn.execute(
                        "SELECT key, etag, last_error, feed_title, last_fetch IS NOT NULL"
                        " FROM sources ORDER BY key"
                    ).fetchall(),
                    len(store.headlines(HeadlineFilter(query=parse_query("城市")))),
                    len(store.headlines(HeadlineFilter(query=parse_query("search")))),
                )
            )
            again = refresh_feeds(store, sources, NetworkConfig(timeout=5.0))
            assert (again.added, again.not_modified) == (0, 6)
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][2] == snapshots[0][3] == 72
