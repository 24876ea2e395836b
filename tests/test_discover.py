"""Feed discovery: feed links in HTML pages, sniffing feeds, and the one probe of a URL over HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tuinews.model import LoadFailure
from tuinews.sources.discover import feed_links, probe, sniff

RSS = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title></channel></rss>'


# Links in a page


def test_links_resolve_against_the_page_and_rss_atom_come_before_json() -> None:
    html = """<html><head>
      <link rel="alternate" type="application/json" href="/feed.json">
      <link rel="alternate" type="application/feed+json" href="feed.jsonfeed">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" type="application/atom+xml" href="atom.xml">
      <link rel="alternate" type="application/rss+xml" href="https://other.example/rss">
    </head><body></body></html>"""
    assert feed_links(html, "https://site.example/blog/post.html") == [
        "https://site.example/blog/atom.xml",
        "https://other.example/rss",
        "https://site.example/blog/feed.jsonfeed",
        "https://site.example/feed.json",
    ]


def test_rel_tokens_type_parameters_case_and_base_href() -> None:
    html = """<head><base href="https://cdn.example/sub/">
      <LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF=" rss.xml ">
    </head>"""
    assert feed_links(html, "https://site.example/") == ["https://cdn.example/sub/rss.xml"]


def test_non_feed_alternates_and_non_http_links_are_ignored() -> None:
    html = """<head>
      <link rel="alternate" hreflang="de" href="/de/">
      <link rel="alternate" type="application/json" href="https://s.example/wp-json/wp/v2/posts/1">
      <link rel="alternate" type="application/json+oembed" href="https://s.example/oembed">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href="">
      <link rel="feed" type="application/rss+xml" href="/not-alternate.xml">
    </head>"""
    assert feed_links(html, "https://s.example/") == []


# What a response is


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (RSS, "text/html", "feed"),  # the body wins over a wrong content type
        (
            b'\xef\xbb\xbf<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">',
            "",
            "feed",
        ),
        (b'<?xml version="1.0"?>\n<!DOCTYPE rss>\n<rdf:RDF xmlns:rdf="x">', "", "feed"),
        (
            b'  {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
            "",
            "feed",
        ),
        ('<?xml version="1.0"?><rss version="2.0">'.encode("utf-16"), "", "feed"),
        (b"<!DOCTYPE html><html><head>", "", "html"),
        (b"<p>fragment", "text/html; charset=utf-8", "html"),
        (b'{"some": "json"}', "application/json", "other"),
        (b"\x89PNG\r\n", "image/png", "other"),
    ],
)
def test_sniff(body: bytes, content_type: str, kind: str) -> None:
    assert sniff(body, content_type) == kind


# Probing a real (local) server


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}

    def do_GET(self) -> None:
        status, content_type, body, headers = self.routes.get(
            self.path, (404, "text/plain", b"not found", {})
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict]]:
    """A local HTTP server; tests fill `routes` (path -> status, content type, body, headers)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    finally:
        httpd.shutdown()
        httpd.server_close()


PAGE = b"""<!DOCTYPE html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
</head><body>Hello</body></html>"""


def test_a_page_gives_the_feed_it_links(server: tuple[str, dict]) -> None:
    base, routes = server
    routes["/blog"] = (200, "text/html; charset=utf-8", PAGE, {})
    found = probe(f"{base}/blog", timeout=5)
    assert found.url == f"{base}/feed.xml"
    assert found.discovered and found.problem is None


def test_a_feed_is_subscribed_as_given(server: tuple[str, dict]) -> None:
    base, routes = server
    routes["/feed.xml"] = (200, "application/rss+xml", RSS, {})
    found = probe(f"{base}/feed.xml", timeout=5)
    assert (found.url, found.discovered, found.problem) == (f"{base}/feed.xml", False, None)


def test_redirects_are_followed_and_links_resolve_against_the_final_url(
    server: tuple[str, dict],
) -> None:
    base, routes = server
    routes["/old"] = (301, "text/plain", b"", {"Location": "/new/page"})
    routes["/new/page"] = (
        200,
        "text/html",
        b'<link rel="alternate" type="application/atom+xml" href="atom">',
        {},
    )
    found = probe(f"{base}/old", timeout=5)
    assert found.url == f"{base}/new/atom"


def test_a_page_without_a_feed_link_is_an_error(server: tuple[str, dict]) -> None:
    base, routes = server
    routes["/plain"] = (200, "text/html", b"<html><head><title>x</title></head></html>", {})
    with pytest.raises(LoadFailure) as caught:
        probe(f"{base}/plain", timeout=5)
    assert str(caught.value).startswith(f"{base}/plain: no feed link on this page")


def test_http_errors_and_odd_content_give_the_url_back_with_the_problem(
    server: tuple[str, dict],
) -> None:
    base, routes = server
    routes["/image"] = (200, "image/png", b"\x89PNG\r\n\x1a\n", {})
    missing = probe(f"{base}/missing", timeout=5)
    assert (missing.url, missing.problem) == (f"{base}/missing", "HTTP 404")
    image = probe(f"{base}/image", timeout=5)
    assert image.url == f"{base}/image"
    assert image.problem == "it does not look like a feed (image/png)"


def test_an_unreachable_host_gives_the_url_back_with_the_reason() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    found = probe(url, timeout=5)
    assert found.url == url and not found.discovered
    assert found.problem and "\n" not in found.problem
