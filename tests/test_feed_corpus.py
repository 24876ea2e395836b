"""Sweep every feed of the shared corpus (feedparser's conformance suite and ~470 real feeds).

Whatever the file, `parse_feed` returns articles or raises `LoadFailure`; every article has a guid,
a title or a body, consistent link spans and no control characters; JSON feeds give their items.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import shared_path
from corpus import parse_corpus_feed
from tuinews.model import Article, LoadFailure

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FETCHED = datetime(2026, 11, 20, tzinfo=UTC)
HTML_PAGE = re.compile(rb"\s*(?:<!--.*?-->\s*)*(?:<!doctype html|<html)", re.IGNORECASE | re.DOTALL)
JSON_TEXT_FIELDS = ("title", "content_html", "content_text", "summary", "url", "external_url")


@dataclass
class Sweep:
    files: int = 0
    parsed: int = 0
    items: int = 0
    not_a_feed: list[str] = field(default_factory=list)
    other_failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    items_by_file: dict[str, int] = field(default_factory=dict)


def corpus_files(root: Path) -> list[Path]:
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".expected." not in path.name and not path.name.startswith(".")
    ]


def article_problems(article: Article) -> list[str]:
    problems = []
    if not article.guid:
        problems.append("empty guid")
    if not article.title and not article.blocks:
        problems.append("neither title nor body")
    if article.published is not None and article.published.tzinfo is None:
        problems.append("naive date")
    texts = [article.guid, article.title, article.link or "", article.author or ""]
    texts += [alternate.url for alternate in article.alternates]
    for block in article.blocks:
        texts += [block.text, block.url, block.marker]
        for span in block.links:
            texts.append(span.url)
            if not 0 <= span.start < span.end <= len(block.text):
                problems.append(f"link span {span} outside {len(block.text)} characters")
    for text in texts:
        if CONTROL.search(text):
            problems.append(f"control character in {text[:60]!r}")
    return problems


@pytest.fixture(scope="module")
def sweep() -> Sweep:
    root = shared_path("corpus", "feeds")
    result = Sweep()
    for path in corpus_files(root):
        name = str(path.relative_to(root))
        result.files += 1
        try:
            feed = parse_corpus_feed(root, name)  # parsed once per run, shared with the sweep
        except LoadFailure as failure:
            if failure.error.reason == "not a feed":
                result.not_a_feed.append(name)
            else:
                result.other_failures.append(f"{name}: {failure.error.reason}")
            continue
        except Exception as error:  # the point of the sweep: this must never happen
            result.problems.append(f"{name}: {type(error).__name__}: {error}")
            continue
        result.parsed += 1
        result.items += len(feed.articles)
        result.items_by_file[name] = len(feed.articles)
        if CONTROL.search(feed.title):
            result.problems.append(f"{name}: control character in the feed title")
        for article in feed.articles:
            result.problems += [f"{name}: {problem}" for problem in article_problems(article)]
    print(
        f"\nfeed corpus: {result.files} files, {result.parsed} parsed, "
        f"{len(result.not_a_feed)} not a feed, {len(result.other_failures)} other failures, "
        f"{result.items} items"
    )
    return result


def test_every_file_parses_or_fails_cleanly(sweep: Sweep) -> None:
    assert sweep.problems == []
    assert sweep.files > 2000
    # Failures are the exception: HTML pages, fragments, compressed bytes, broken JSON.
    assert len(sweep.not_a_feed) + len(sweep.other_failures) < 60
    assert sweep.parsed > 2400
    assert sweep.items > 6000
    assert all(
        reason.split(": ", 1)[1].startswith("invalid JSON") for reason in sweep.other_failures
    )


def test_html_pages_are_not_feeds(sweep: Sweep) -> None:
    root = shared_path("corpus", "feeds")
    pages = [
        str(path.relative_to(root))
        for path in corpus_files(root)
        if HTML_PAGE.match(path.read_bytes()[:4096])
    ]
    assert len(pages) >= 5
    assert [page for page in pages if page not in sweep.not_a_feed] == []


def test_json_feeds_give_their_items(sweep: Sweep) -> None:
    root = shared_path("corpus", "feeds")
    checked = 0
    for path in corpus_files(root):
        if path.suffix != ".json":
            continue
        try:
            document = json.loads(path.read_bytes())
        except ValueError:
            continue  # broken on purpose: covered by the failure counts
        version = str(document.get("version", "")) if isinstance(document, dict) else ""
        if "jsonfeed.org" not in version and version not in ("1", "1.0", "1.1"):
            continue
        # Items with something to read (a title, a text, a link); bare ids are no articles.
        readable = [
            item
            for item in document.get("items") or []
            if isinstance(item, dict)
            and any(str(item.get(key) or "").strip() for key in JSON_TEXT_FIELDS)
        ]
        name = str(path.relative_to(root))
        assert sweep.items_by_file.get(name) == len(readable), name
        checked += 1
    assert checked >= 20
    assert sweep.items_by_file["feedparser/json/example.json"] == 2


def test_real_feeds_keep_their_items(sweep: Sweep) -> None:
    # A few well-known feeds of the corpus, with the number of distinct items they hold.
    assert sweep.items_by_file["real/feeder/rss_nixos.xml"] == 99
    assert sweep.items_by_file["real/rsparser/DaringFireball.json"] == 48
    assert sweep.items_by_file["real/node-feedparser/illegally-nested.xml"] == 10
