"""Hostile servers and feeds, all fetched in one refresh beside a good feed (`hostile_feeds.py`).

Each case ends with a named per-feed error, or loads with sane text (deep nesting, entities, many
items, broken or lying charsets); no entity is expanded past its bounds, no external entity is read,
and the good feed's articles always arrive. `bench/hostile.py` times each case and reports its
peak RSS; these tests only check what happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_cli
from feedserver import FeedServer
from hostile_feeds import CASES, GOOD_PATH, GOOD_TITLES, SECRET_FILE, Case, install
from tuinews.config import NetworkConfig
from tuinews.library import LoadReport
from tuinews.model import Article, Source, SourceKind
from tuinews.refresh import refresh_feeds
from tuinews.sources.feed_limit import MAX_ITEMS
from tuinews.store import HeadlineFilter, Store

MB = 1024 * 1024
# Small limits keep the slow cases short; the downloads that must succeed are well inside them.
NETWORK = NetworkConfig(timeout=2.0, concurrency=8, max_bytes=16 * MB)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class Run:
    server: FeedServer
    store: Store
    report: LoadReport
    sources: dict[str, Source]

    def articles(self, path: str) -> list[Article]:
        source = self.sources[path]
        rows = self.store.headlines(HeadlineFilter(source_ids=(source.id,)))
        return [article for row in rows if (article := self.store.article(row.id)) is not None]

    def errors(self, path: str) -> list[str]:
        url = self.server.url(path)
        return [error.reason for error in self.report.errors if error.where == url]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Every hostile case and the good feed, fetched together in one refresh."""
    with FeedServer() as server:
        install(server)
        with Store(tmp_path_factory.mktemp("hostile") / "cache.db") as store:
            paths = [GOOD_PATH] + [case.path for case in CASES]
            sources = {
                path: store.upsert_source(Source(SourceKind.URL, server.url(path), path))
                for path in paths
            }
            report = refresh_feeds(store, list(sources.values()), NETWORK)
            yield Run(server, store, report, sources)


def texts(article: Article) -> list[str]:
    return [article.title, article.author or "", article.link or "", *article.paragraphs]


def test_the_good_feed_arrives_whatever_the_others_do(run: Run) -> None:
    assert run.errors(GOOD_PATH) == []
    assert {article.title for article in run.articles(GOOD_PATH)} == set(GOOD_TITLES)
    # Exactly the error cases failed, each with one error.
    failing = [case.path for case in CASES if case.error]
    assert sorted(error.where for error in run.report.errors) == sorted(
        run.server.url(path) for path in failing
    )
    assert run.report.failed_sources == len(failing)


@pytest.mark.parametrize("case", [c for c in CASES if c.error], ids=lambda case: case.name)
def test_hostile_server_gives_a_named_error(run: Run, case: Case) -> None:
    assert run.errors(case.path) == [case.error]
    assert run.articles(case.path) == []
    (source,) = run.store.sources([run.sources[case.path].id])
    assert source.last_error == case.error


@pytest.mark.parametrize("case", [c for c in CASES if not c.error], ids=lambda case: case.name)
def test_hostile_feed_loads_with_sane_text(run: Run, case: Case) -> None:
    assert run.errors(case.path) == []
    articles = run.articles(case.path)
    titles = {article.title for article in articles}
    for wanted in case.titles:
        if wanted.endswith("…"):
            assert any(title.startswith(wanted[:-1]) for title in titles), (wanted, titles)
        else:
            assert wanted in titles
    for article in articles[:50]:
        for text in texts(article):
            assert not CONTROL.search(text), text[:80]
        # No entity expanded (the blowup would be 2 GB), no nesting turned into a wall of text.
        assert sum(len(text) for text in texts(article)) < 1_000_000


def test_external_entities_are_never_read(run: Run) -> None:
    secret = Path(SECRET_FILE).read_text(encoding="utf-8", errors="replace")
    first_line = secret.splitlines()[0]
    for path in ("/xxe-file.xml", "/xxe-http.xml", "/xxe-parameter.xml"):
        for article in run.articles(path):
            for text in texts(article):
                assert first_line not in text and "LEAKED" not in text
    assert run.server.hits["/xxe-probe"] == 0


def test_entities_are_not_expanded(run: Run) -> None:
    (laughs,) = run.articles("/billion-laughs.xml")
    assert "lollollol" not in " ".join(texts(laughs))
    (blowup,) = run.articles("/quadratic-blowup.xml")
    assert "x" * 1000 not in " ".join(texts(blowup))


def test_deep_nesting_keeps_the_innermost_text(run: Run) -> None:
    for path in ("/deep-html.xml", "/deep-xhtml.xml"):
        (article,) = run.articles(path)
        assert article.paragraphs == ["deep text"]


def test_a_feed_of_too_many_items_keeps_the_first_ones_and_says_so(run: Run) -> None:
    for path in ("/many-items.xml", "/tiny-items.xml"):
        titles = {article.title for article in run.articles(path)}
        assert len(titles) == MAX_ITEMS
        assert {f"Item {n}" for n in range(MAX_ITEMS)} == titles
    notes = [note for note in run.report.notes if run.server.url("/many-items.xml") in note]
    assert notes == [
        f"{run.server.url('/many-items.xml')}: only the first 10,000 of its 100,000 items were read"
    ]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/declared-latin1-utf8-bytes.xml", "Привіт, café"),
        ("/declared-utf8-latin1-bytes.xml", "La fête, café"),
        ("/header-latin1-utf8-bytes.xml", "Привіт, café"),
        ("/header-utf8-latin1-bytes.xml", "La fête, café"),
    ],
)
def test_a_wrong_charset_still_reads(run: Run, path: str, title: str) -> None:
    assert [article.title for article in run.articles(path)] == [title]


def test_invalid_utf8_reads_as_text(run: Run) -> None:
    (article,) = run.articles("/invalid-utf8.xml")
    assert article.title.startswith("Caf") and article.title.endswith("ok")
    assert article.paragraphs and article.paragraphs[0].startswith("Broken")


def test_a_feed_turning_hostile_keeps_its_cached_articles(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    install(feed_server)
    feed_server.add_redirect("/turns.xml", GOOD_PATH, status=302)
    with Store(tmp_path / "cache.db") as store:
        source = store.upsert_source(Source(SourceKind.URL, feed_server.url("/turns.xml"), "t"))
        refresh_feeds(store, [source], NETWORK)
        for hostile in ("/gzip-bomb", "/endless", "/loop1"):
            feed_server.add_redirect("/turns.xml", hostile, status=302)
            report = refresh_feeds(store, [source], NETWORK)
            assert len(report.errors) == 1
            titles = {row.title for row in store.headlines(HeadlineFilter())}
            assert titles == set(GOOD_TITLES)


def test_fetch_command_names_each_hostile_feed_once(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    install(feed_server)
    paths = ["/gzip-bomb", "/endless", "/loop1", "/huge-length", "/deep-xml.xml", GOOD_PATH]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "cache.db"}"\n[network]\ntimeout = 5\nmax_bytes = {2 * MB}\n'
        + "".join(f'[[sources]]\nurl = "{feed_server.url(path)}"\n' for path in paths),
        encoding="utf-8",
    )
    result = run_cli("--config", str(config), "fetch")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "refreshed" not in line]
    assert sorted(lines) == sorted(
        [
            f"tuinews: {feed_server.url('/gzip-bomb')}: too large",
            f"tuinews: {feed_server.url('/endless')}: too large",
            f"tuinews: {feed_server.url('/loop1')}: redirect loop",
            f"tuinews: {feed_server.url('/huge-length')}: too large",
        ]
    )
    assert "3 new" in result.stdout
