"""`tuinews add/remove/sources/import/export`, run as a user would, in subprocesses."""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from tuinews.config import load_config
from tuinews.model import Article, SourceKind, paragraph
from tuinews.store import Store

NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

CONFIG = """\
# My own tuinews config: keep these comments!

[cache]
path = "cache.db"   # beside this file

[reader]
language = "uk"  # Ukrainian first
# ui_language = "de"

[[sources]]
path = "saved"
name = "Saved articles"
tags = ["reading"]

# More sources go below.
"""

OPML = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Export</title></head>
  <body>
    <outline text="Tech">
      <outline type="rss" text="LWN &amp; friends" xmlUrl="https://lwn.net/headlines/rss"/>
      <outline type="rss" text="Ars" title="Ars Technica" xmlUrl="https://arstechnica.com/feed/"/>
    </outline>
    <outline text="Новини">
      <outline type="rss" text="Українська правда" xmlUrl="https://www.pravda.com.ua/rss/" language="uk"/>
    </outline>
    <outline type="rss" text="XKCD" xmlUrl="https://xkcd.com/atom.xml"/>
  </body>
</opml>
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "saved").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _cli(config: Path, *args: str):
    return run_cli("--config", str(config), *args, env=NO_PROXY)


def _sources(config: Path) -> list[dict]:
    result = _cli(config, "sources", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# add / remove


def test_add_and_remove_keep_the_file_byte_identical(config: Path) -> None:
    added = _cli(
        config,
        "add",
        "https://example.com/feed.xml",
        "--no-discover",
        "--name",
        'Example "News" & more',
        "--language",
        "de",
        "--tags",
        "world, tech ,",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == f"Subscribed to https://example.com/feed.xml in {config}\n"
    assert added.stderr == ""
    (saved, feed) = load_config(config).sources
    assert saved.name == "Saved articles"
    assert (feed.location, feed.name, feed.language, feed.tags) == (
        "https://example.com/feed.xml",
        'Example "News" & more',
        "de",
        ("world", "tech"),
    )
    assert "# Ukrainian first" in config.read_text()

    removed = _cli(config, "remove", 'example "NEWS" & MORE')
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith('Removed Example "News" & more')
    assert config.read_text(encoding="utf-8") == CONFIG


def test_adding_twice_writes_nothing(config: Path) -> None:
    assert _cli(config, "add", "https://example.com/rss", "--no-discover").returncode == 0
    before = config.read_bytes()
    again = _cli(config, "add", "https://EXAMPLE.com/rss", "--no-discover")
    assert again.returncode == 0
    assert again.stdout.strip() == "Already subscribed: https://EXAMPLE.com/rss"
    assert config.read_bytes() == before


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "example.com/feed", "file:///etc/passwd"]
)
def test_add_refuses_a_non_http_url(config: Path, url: str) -> None:
    result = _cli(config, "add", url)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "http:// or https://" in result.stderr
    assert config.read_text() == CONFIG


def test_add_creates_the_default_config_user_only(xdg_home: Path) -> None:
    result = run_cli("add", "https://example.com/atom.xml", "--no-discover")
    assert result.returncode == 0, result.stderr
    created = xdg_home / "xdg_config_home" / "tuinews" / "config.toml"
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    assert [s.location for s in load_config(created).sources] == ["https://example.com/atom.xml"]
    listed = run_cli("sources", "--json")
    assert [row["location"] for row in json.loads(listed.stdout)] == [
        "https://example.com/atom.xml"
    ]


def test_remove_unknown_source_fails(config: Path) -> None:
    result = _cli(config, "remove", "https://nowhere.example/feed")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"tuinews: https://nowhere.example/feed: no such source in {config}"
    )
    assert config.read_text() == CONFIG


def test_remove_a_path_source_by_name_keeps_its_cached_articles(config: Path) -> None:
    _cache_some_articles(config)
    result = _cli(config, "remove", "saved ARTICLES")
    assert result.returncode == 0, result.stderr
    assert "cache" not in result.stdout.lower()
    assert load_config(config).sources == ()
    with Store(config.parent / "cache.db") as store:
        assert sum(count.total for count in store.source_counts()) == 3


# discovery over HTTP


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:
        content_type, body = self.pages.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    """A blog on 127.0.0.1: `/` links its feed, `/feed.xml` is the feed, `/about` links none."""
    pages = {
        "/": (
            "text/html; charset=utf-8",
            b"<!DOCTYPE html><html><head><title>Blog</title>"
            b'<link rel="alternate" type="application/rss+xml" title="Blog" href="/feed.xml">'
            b"</head><body><h1>Blog</h1></body></html>",
        ),
        "/feed.xml": (
            "application/rss+xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title></channel></rss>',
        ),
        "/about": ("text/html", b"<html><head><title>About</title></head></html>"),
    }
    handler = type("Handler", (_Handler,), {"pages": pages})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_add_a_page_subscribes_to_the_feed_it_links(config: Path, site: str) -> None:
    result = _cli(config, "add", f"{site}/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Found feed: {site}/feed.xml"
    assert result.stderr == ""
    assert [s.location for s in load_config(config).sources][1:] == [f"{site}/feed.xml"]
    # The page again finds the same feed: already subscribed.
    again = _cli(config, "add", f"{site}/")
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == f"Already subscribed: {site}/feed.xml"


def test_add_a_feed_subscribes_to_it_as_given(config: Path, site: str) -> None:
    result = _cli(config, "add", f"{site}/feed.xml")
    assert result.returncode == 0, result.stderr
    assert "Found feed" not in result.stdout
    assert [s.location for s in load_config(config).sources][1:] == [f"{site}/feed.xml"]


def test_add_a_page_without_a_feed_fails_and_writes_nothing(config: Path, site: str) -> None:
    result = _cli(config, "add", f"{site}/about")
    assert result.returncode == 1
    assert "no feed link on this page" in result.stderr
    assert config.read_text() == CONFIG


def test_add_an_unreachable_url_subscribes_anyway_with_a_warning(config: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    result = _cli(config, "add", url)
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"tuinews: warning: could not check {url}")
    assert warning.endswith("subscribed anyway")
    assert [s.location for s in load_config(config).sources][1:] == [url]


# sources


def _cache_some_articles(config: Path) -> None:
    """Put the configured path source in the cache with 3 articles, 1 read, and a failed fetch."""
    saved = load_config(config).sources[0]
    with Store(config.parent / "cache.db") as store:
        store.upsert_source(saved)
        assert saved.id is not None
        store.upsert_articles(
            saved,
            [(Article(f"g{i}", f"Title {i}", [paragraph("x")]), None) for i in range(3)],
        )
        first = store.article_by_guid(saved.id, "g0")
        assert first is not None and first.id is not None
        store.set_read([first.id])
        store.record_fetch(saved.id, "saved: permission denied")


def test_sources_lists_counts_from_the_cache(config: Path) -> None:
    assert (
        _cli(config, "add", "https://example.com/rss", "--no-discover", "--tags", "a,b").returncode
        == 0
    )
    _cache_some_articles(config)
    saved, feed = _sources(config)
    assert saved["name"] == "Saved articles"
    assert (saved["kind"], saved["location"]) == ("path", str(config.parent / "saved"))
    assert (saved["articles"], saved["unread"]) == (3, 2)
    assert saved["last_fetch"] is not None and saved["last_fetch"][:2] == "20"
    assert saved["last_error"] == "saved: permission denied"
    assert saved["tags"] == ["reading"] and saved["language"] is None
    assert feed == {
        "name": "https://example.com/rss",
        "kind": "url",
        "location": "https://example.com/rss",
        "tags": ["a", "b"],
        "language": None,
        "articles": 0,
        "unread": 0,
        "last_fetch": None,
        "last_error": None,
    }


def test_sources_table_shows_names_as_text(config: Path) -> None:
    name = "[bold red]Not markup[/] ✓"
    assert (
        _cli(config, "add", "https://example.com/rss", "--no-discover", "--name", name).returncode
        == 0
    )
    _cache_some_articles(config)
    result = _cli(config, "sources")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "Name",
        "Kind",
        "Location",
        "Articles",
        "Unread",
        "Last",
        "fetch",
        "Last",
        "error",
    ]
    assert name in result.stdout
    saved_line = next(line for line in lines if line.startswith("Saved articles"))
    assert saved_line.split()[2:6] == ["path", str(config.parent / "saved"), "3", "2"]
    feed_line = next(line for line in lines if line.startswith(name))
    assert feed_line[len(name) :].split() == ["url", "https://example.com/rss", "0", "0", "never"]


def test_sources_with_none_configured(tmp_path: Path) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("# nothing\n")
    assert _sources(config) == []
    plain = _cli(config, "sources")
    assert plain.returncode == 0 and "tuinews add URL" in plain.stdout
    assert not (tmp_path / "cache.db").exists()


# import / export


def test_import_opml_twice_adds_nothing_the_second_time(config: Path, tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, encoding="utf-8")
    first = _cli(config, "import", str(opml))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "4 added, 0 already subscribed"
    sources = {s.location: s for s in load_config(config).sources if s.kind is SourceKind.URL}
    assert sources["https://lwn.net/headlines/rss"].name == "LWN & friends"
    assert sources["https://lwn.net/headlines/rss"].tags == ("Tech",)
    assert sources["https://www.pravda.com.ua/rss/"].tags == ("Новини",)
    assert sources["https://www.pravda.com.ua/rss/"].language == "uk"
    assert sources["https://xkcd.com/atom.xml"].tags == ()
    before = config.read_bytes()
    second = _cli(config, "import", str(opml))
    assert second.returncode == 0
    assert second.stdout.strip() == "0 added, 4 already subscribed"
    assert config.read_bytes() == before
    assert "# Ukrainian first" in config.read_text()


def test_import_a_newsboat_urls_file(config: Path, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(
        "# newsboat feeds\n"
        'https://lwn.net/headlines/rss linux "~LWN" "two words"\n'
        '"query:Unread Articles:unread = \\"yes\\""\n'
        "exec:~/bin/feed.sh\n"
        "https://xkcd.com/atom.xml ! comics\n",
        encoding="utf-8",
    )
    result = _cli(config, "import", str(urls))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f'tuinews: {urls}:3: skipped a newsboat query feed: query:Unread Articles:unread = "yes"',
        f"tuinews: {urls}:4: skipped a newsboat exec: feed: exec:~/bin/feed.sh",
    ]
    assert result.stdout.strip() == "2 added, 0 already subscribed, 2 skipped"
    feeds = [(s.location, s.name, s.tags) for s in load_config(config).sources][1:]
    assert feeds == [
        ("https://lwn.net/headlines/rss", "LWN", ("linux", "two words")),
        ("https://xkcd.com/atom.xml", "https://xkcd.com/atom.xml", ("comics",)),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<opml><body><outline xmlUrl='https://a.example/'></body>", "not well-formed XML"),
        ("<?xml version='1.0'?><opml><head/></opml>", "not an OPML document (no <body>)"),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml><body/></opml>',
            "DTDs are not allowed in OPML",
        ),
        ("just some words\nand more\n", "no http(s) feed URLs found"),
    ],
)
def test_import_a_broken_file_fails_with_one_line(
    config: Path, tmp_path: Path, content: str, reason: str
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text(content)
    result = _cli(config, "import", str(bad))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"tuinews: {bad}: {reason}")
    assert config.read_text() == CONFIG


def test_import_a_missing_file_fails(config: Path, tmp_path: Path) -> None:
    result = _cli(config, "import", str(tmp_path / "nope.opml"))
    assert result.returncode == 2  # a file that does not exist is a bad argument
    assert (
        result.stderr.strip()
        == f"tuinews: {tmp_path / 'nope.opml'}: cannot read: no such file or directory"
    )


def test_export_then_import_gives_the_same_feeds(config: Path, tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, encoding="utf-8")
    assert _cli(config, "import", str(opml)).returncode == 0
    name = "Tricky <&> \"quotes\" 'n' more"
    assert (
        _cli(
            config,
            "add",
            "https://a.example/?x=1&y=2",
            "--no-discover",
            "--name",
            name,
            "--tags",
            "Tech,extra",
        ).returncode
        == 0
    )
    exported = _cli(config, "export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">'
    )
    assert "saved" not in exported.stdout  # path sources are not feeds
    out = tmp_path / "out.opml"
    out.write_text(exported.stdout, encoding="utf-8")

    fresh = tmp_path / "fresh.toml"
    fresh.write_text("")
    back = _cli(fresh, "import", str(out))
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == "5 added, 0 already subscribed"

    def feeds(path: Path) -> set[tuple]:
        return {
            (s.location, s.name, frozenset(s.tags), s.language)
            for s in load_config(path).sources
            if s.kind is SourceKind.URL
        }

    assert feeds(fresh) == feeds(config)
    assert len(feeds(fresh)) == 5


def test_add_creates_a_missing_explicit_config(tmp_path: Path) -> None:
    config = tmp_path / "new" / "tuinews.toml"
    result = run_cli(
        "--config", str(config), "add", "--no-discover", "https://example.org/feed.xml"
    )
    assert result.returncode == 0, result.stderr
    assert "https://example.org/feed.xml" in config.read_text()
    assert config.stat().st_mode & 0o077 == 0
