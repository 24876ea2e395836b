"""`fetch_all` against a real loopback server: validators, codings, redirects, errors, limits, concurrency."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import socket
import threading
import time
import tracemalloc
import zlib
from email.utils import formatdate

import pytest

from feedserver import FeedServer, gzip_bomb
from tuinews.sources.fetch import (
    ACCEPT,
    USER_AGENT,
    FetchRequest,
    FetchResult,
    fetch_all,
    fetch_all_sync,
    parse_retry_after,
    redact_url,
)

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title></channel></rss>'
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def unresolvable(monkeypatch: pytest.MonkeyPatch) -> str:
    """A host name whose DNS lookup fails (without asking a real resolver)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "feeds.example.invalid"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def fetch_one(request: FetchRequest | str, **options) -> FetchResult:
    if isinstance(request, str):
        request = FetchRequest(request)
    [result] = await fetch_all([request], **options)
    return result


def varied_text(size: int) -> bytes:
    """Feed-like bytes that compress, but not to nothing."""
    lines = (
        f"<item><title>Headline {n}</title><guid>{n * 7919}</guid></item>\n" for n in range(size)
    )
    return b"".join(line.encode() for line in lines)[:size]


# Conditional GET


async def test_ok_returns_body_validators_and_sends_our_headers(feed_server: FeedServer) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert result.status == "ok"
    assert result.body == RSS
    assert result.error is None
    assert result.etag == feed_server.feed_etag("/feed.xml")
    assert result.last_modified and result.last_modified.endswith("GMT")
    assert result.final_url == feed_server.url("/feed.xml")
    assert result.moved_to is None
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert all(name == name.lower() for name in result.headers)
    assert result.elapsed > 0
    seen = feed_server.last_headers["/feed.xml"]
    assert seen["user-agent"] == USER_AGENT
    assert seen["accept"] == ACCEPT
    assert seen["accept-encoding"] == "gzip, deflate, br"
    assert "if-none-match" not in seen and "if-modified-since" not in seen


async def test_second_fetch_with_validators_is_not_modified(feed_server: FeedServer) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    first = await fetch_one(feed_server.url("/feed.xml"))
    again = FetchRequest(first.url, etag=first.etag, last_modified=first.last_modified)
    second = await fetch_one(again)
    assert second.status == "not_modified"
    assert second.body == b""
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    seen = feed_server.last_headers["/feed.xml"]
    assert seen["if-none-match"] == first.etag
    assert seen["if-modified-since"] == first.last_modified
    assert feed_server.hits["/feed.xml"] == 2


async def test_last_modified_alone_gives_not_modified(feed_server: FeedServer) -> None:
    feed_server.add_feed("/feed.xml", RSS, etag=False)
    first = await fetch_one(feed_server.url("/feed.xml"))
    assert first.etag is None
    second = await fetch_one(FetchRequest(first.url, last_modified=first.last_modified))
    assert second.status == "not_modified"
    assert feed_server.last_headers["/feed.xml"]["if-modified-since"] == first.last_modified


async def test_changed_feed_returns_new_body_and_validators(feed_server: FeedServer) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    first = await fetch_one(feed_server.url("/feed.xml"))
    feed_server.add_feed("/feed.xml", RSS + b"<!-- new -->", last_modified=False)
    second = await fetch_one(
        FetchRequest(first.url, etag=first.etag, last_modified=first.last_modified)
    )
    assert second.status == "ok"
    assert second.body.endswith(b"<!-- new -->")
    assert second.etag not in (None, first.etag)
    assert second.last_modified is None


async def test_not_modified_keeps_request_validators_unless_new_ones_come(
    feed_server: FeedServer,
) -> None:
    feed_server.add_status("/bare-304", 304)
    feed_server.add_status("/new-304", 304, {"ETag": '"v2"'})
    bare, new = await fetch_all(
        [
            FetchRequest(
                feed_server.url("/bare-304"),
                etag='"v1"',
                last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
            ),
            FetchRequest(
                feed_server.url("/new-304"),
                etag='"v1"',
                last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
            ),
        ]
    )
    assert bare.status == new.status == "not_modified"
    assert (bare.etag, bare.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert (new.etag, new.last_modified) == ('"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")


# Content codings and size limits


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_bodies_are_decoded(feed_server: FeedServer, encoding: str) -> None:
    body = varied_text(300_000)
    feed_server.add_feed("/feed.xml", body, encoding=encoding)
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert result.status == "ok"
    assert result.headers["content-encoding"] == encoding
    assert int(result.headers["content-length"]) < len(body)
    assert result.body == body


async def test_raw_deflate_is_decoded_too(feed_server: FeedServer) -> None:
    deflater = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = deflater.compress(RSS) + deflater.flush()
    feed_server.add_status("/feed.xml", 200, {"Content-Encoding": "deflate"}, raw)
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert (result.status, result.body) == ("ok", RSS)


async def test_broken_compressed_body_is_an_error(feed_server: FeedServer) -> None:
    feed_server.add_status(
        "/feed.xml", 200, {"Content-Encoding": "gzip"}, b"\x1f\x8b not gzip at all"
    )
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert (result.status, result.error) == ("error", "bad compressed data")


async def test_limit_counts_decoded_bytes(feed_server: FeedServer) -> None:
    body = varied_text(100_000)
    feed_server.add_feed("/exact.xml", body)
    feed_server.add_feed("/over.xml", body + b"!")
    feed_server.add_feed("/zipped.xml", body + b"!", gzip=True)
    exact, over, zipped = await fetch_all(
        [FetchRequest(feed_server.url(p)) for p in ("/exact.xml", "/over.xml", "/zipped.xml")],
        max_bytes=len(body),
    )
    assert (exact.status, exact.body) == ("ok", body)
    assert (over.status, over.error) == ("error", "too large")
    # Under the limit on the wire, over it once decoded.
    assert int(zipped.headers["content-length"]) < len(body)
    assert (zipped.status, zipped.error, zipped.body) == ("error", "too large", b"")


@pytest.mark.parametrize("path", ["/endless", "/gzip-bomb", "/huge-length"])
async def test_oversized_responses_stop_early_in_bounded_memory(
    feed_server: FeedServer, path: str
) -> None:
    max_bytes = 2 * MB
    assert len(gzip_bomb()) < max_bytes  # built before measuring; small enough to be streamed
    feed_server.add_feed("/warm-up.xml", RSS)
    await fetch_one(feed_server.url("/warm-up.xml"), max_bytes=max_bytes)  # lazy imports
    tracemalloc.start()
    try:
        result = await fetch_one(feed_server.url(path), max_bytes=max_bytes, timeout=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.status, result.error) == ("error", "too large")
    assert result.elapsed < 5
    # httpx's own gzip decoder would turn a single 64 KB read of the bomb into 64 MB.
    assert peak < max_bytes + 4 * MB


# Redirects


async def test_permanent_redirect_chain_sets_moved_to(feed_server: FeedServer) -> None:
    feed_server.add_feed("/new/feed.xml", RSS)
    feed_server.add_redirect("/old.xml", "/older-hop")
    feed_server.add_redirect("/older-hop", feed_server.url("/new/feed.xml"), status=308)
    result = await fetch_one(feed_server.url("/old.xml"))
    assert (result.status, result.body) == ("ok", RSS)
    assert result.moved_to == result.final_url == feed_server.url("/new/feed.xml")


async def test_permanent_redirect_to_a_304_sets_moved_to(feed_server: FeedServer) -> None:
    feed_server.add_feed("/new.xml", RSS, etag='"same"')
    feed_server.add_redirect("/old.xml", "new.xml")
    result = await fetch_one(FetchRequest(feed_server.url("/old.xml"), etag='"same"'))
    assert result.status == "not_modified"
    assert result.moved_to == feed_server.url("/new.xml")


@pytest.mark.parametrize("statuses", [[302], [307], [303], [301, 302], [302, 301]])
async def test_temporary_hop_means_no_moved_to(
    feed_server: FeedServer, statuses: list[int]
) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    for hop, status in enumerate(statuses):
        target = f"/hop{hop + 1}" if hop + 1 < len(statuses) else "/feed.xml"
        feed_server.add_redirect(f"/hop{hop}", target, status=status)
    result = await fetch_one(feed_server.url("/hop0"))
    assert (result.status, result.body) == ("ok", RSS)
    assert result.final_url == feed_server.url("/feed.xml")
    assert result.moved_to is None


async def test_permanent_redirect_to_an_error_is_not_a_move(feed_server: FeedServer) -> None:
    feed_server.add_redirect("/old.xml", "/gone.xml")
    result = await fetch_one(feed_server.url("/old.xml"))
    assert (result.status, result.error) == ("error", "HTTP 404 Not Found")
    assert result.moved_to is None
    assert result.final_url == feed_server.url("/gone.xml")


async def test_redirect_loop_is_an_error(feed_server: FeedServer) -> None:
    result = await fetch_one(feed_server.url("/loop1"))
    assert (result.status, result.error) == ("error", "redirect loop")
    assert feed_server.hits["/loop1"] == feed_server.hits["/loop2"] == 1


@pytest.mark.parametrize(("hops", "error"), [(5, None), (6, "too many redirects")])
async def test_at_most_five_redirects(
    feed_server: FeedServer, hops: int, error: str | None
) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    for hop in range(hops):
        feed_server.add_redirect(f"/r{hop}", f"/r{hop + 1}" if hop + 1 < hops else "/feed.xml")
    result = await fetch_one(feed_server.url("/r0"))
    assert result.error == error
    assert feed_server.hits["/feed.xml"] == (1 if error is None else 0)


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("file:///etc/passwd", "redirect to unsupported URL scheme"),
        ("", "redirect without Location"),
    ],
)
async def test_bad_redirect_targets(feed_server: FeedServer, location: str, error: str) -> None:
    feed_server.add_redirect("/feed.xml", location, status=302)
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert (result.status, result.error) == ("error", error)


# HTTP and network errors


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone"), (500, "HTTP 500 Internal Server Error")],
)
async def test_http_errors(feed_server: FeedServer, status: int, error: str) -> None:
    feed_server.add_status("/feed.xml", status, {"X-Reason": "test"}, b"nope")
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert (result.status, result.error, result.body) == ("error", error, b"")
    assert result.headers["x-reason"] == "test"
    assert result.retry_after is None


async def test_retry_after_in_seconds_and_as_a_date(feed_server: FeedServer) -> None:
    later = time.time() + 3600
    feed_server.add_status("/busy", 429, {"Retry-After": "120"})
    feed_server.add_status("/down", 503, {"Retry-After": formatdate(later, usegmt=True)})
    feed_server.add_status("/odd", 503, {"Retry-After": "soon"})
    before = time.time()
    busy, down, odd = await fetch_all(
        [FetchRequest(feed_server.url(p)) for p in ("/busy", "/down", "/odd")]
    )
    assert busy.error == "HTTP 429 Too Many Requests"
    assert before + 120 <= busy.retry_after <= time.time() + 120
    assert down.error == "HTTP 503 Service Unavailable"
    assert down.retry_after == int(later)
    assert odd.retry_after is None


def test_parse_retry_after() -> None:
    assert parse_retry_after("30", now=1000.0) == 1030.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 1445412480.0
    for value in (None, "", "-5", "tomorrow", "Wed, 99 Foo 2015"):
        assert parse_retry_after(value) is None


async def test_slow_and_hanging_servers_time_out(feed_server: FeedServer) -> None:
    started = time.monotonic()
    slow, hang = await fetch_all(
        [FetchRequest(feed_server.url("/slow")), FetchRequest(feed_server.url("/hang"))],
        timeout=1.5,
    )
    assert (slow.status, slow.error) == ("error", "timed out")
    assert (hang.status, hang.error) == ("error", "timed out")
    assert 1.4 < slow.elapsed < 2.5 and 1.4 < hang.elapsed < 2.5
    assert time.monotonic() - started < 2.5


async def test_connection_refused() -> None:
    result = await fetch_one(f"http://127.0.0.1:{closed_port()}/feed.xml")
    assert (result.status, result.error) == ("error", "connection refused")


async def test_dns_failure(unresolvable: str) -> None:
    result = await fetch_one(f"https://{unresolvable}/feed.xml")
    assert (result.status, result.error) == ("error", "DNS lookup failed")


async def test_tls_failure(feed_server: FeedServer) -> None:
    result = await fetch_one(f"https://127.0.0.1:{feed_server.port}/feed.xml")
    assert (result.status, result.error) == ("error", "TLS error")


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", "unsupported URL scheme"),
        ("ftp://127.0.0.1:{port}/feed.xml", "unsupported URL scheme"),
        ("javascript:alert(1)", "unsupported URL scheme"),
        ("127.0.0.1:{port}/feed.xml", "invalid URL"),
        ("//127.0.0.1:{port}/feed.xml", "invalid URL"),
        ("http:///feed.xml", "invalid URL"),
        ("http://[::1/feed.xml", "invalid URL"),
        ("", "invalid URL"),
    ],
)
async def test_unfetchable_urls_are_never_requested(
    feed_server: FeedServer, url: str, error: str
) -> None:
    result = await fetch_one(url.format(port=feed_server.port))
    assert (result.status, result.error) == ("error", error)
    assert not feed_server.hits


async def test_loopback_ignores_proxy_variables(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    feed_server.add_feed("/feed.xml", RSS)
    result = await fetch_one(feed_server.url("/feed.xml"))
    assert (result.status, result.body) == ("ok", RSS)


# Credentials


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:s3cret@example.com/feed", "https://example.com/feed"),
        ("https://token@example.com:8443/a?b=c#d", "https://example.com:8443/a?b=c#d"),
        ("http://us%40er:p@ss@example.com/", "http://example.com/"),
        ("//user:pw@example.com/x", "//example.com/x"),
        ("https://mastodon.social/@someone.rss", "https://mastodon.social/@someone.rss"),
        ("https://example.com/feed?mail=a@b.c", "https://example.com/feed?mail=a@b.c"),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


async def test_credentials_stay_out_of_results(feed_server: FeedServer, unresolvable: str) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    feed_server.add_redirect("/moved.xml", "/feed.xml")
    secret = "user:s3cret@"
    urls = [
        feed_server.url("/moved.xml").replace("://", "://" + secret),
        feed_server.url("/missing.xml").replace("://", "://" + secret),
        f"http://{secret}127.0.0.1:{closed_port()}/feed.xml",
        f"https://{secret}{unresolvable}/feed.xml",
        f"ftp://{secret}example.com/feed.xml",
        f"http://{secret}[::1/feed.xml",
    ]
    results = await fetch_all([FetchRequest(url) for url in urls])
    assert [r.status for r in results] == ["ok"] + ["error"] * 5
    assert results[0].moved_to == feed_server.url("/feed.xml")
    for result in results:
        assert "s3cret" not in repr(dataclasses.replace(result, url=""))
    # The credentials were used, as Basic auth on the feed's own origin.
    basic = "Basic " + base64.b64encode(b"user:s3cret").decode()
    assert feed_server.last_headers["/moved.xml"]["authorization"] == basic
    assert feed_server.last_headers["/feed.xml"]["authorization"] == basic


async def test_credentials_are_not_sent_to_another_origin(feed_server: FeedServer) -> None:
    with FeedServer() as other:
        other.add_feed("/feed.xml", RSS)
        feed_server.add_redirect("/feed.xml", other.url("/feed.xml"), status=302)
        url = feed_server.url("/feed.xml").replace("://", "://user:s3cret@")
        result = await fetch_one(url)
    assert result.status == "ok"
    assert "authorization" in feed_server.last_headers["/feed.xml"]
    assert "authorization" not in other.last_headers["/feed.xml"]


# Concurrency


async def test_per_host_limit(feed_server: FeedServer) -> None:
    paths = [f"/feed{n}.xml" for n in range(6)]
    for path in paths:
        feed_server.add_feed(path, RSS, delay=0.3)
    results = await fetch_all([FetchRequest(feed_server.url(p)) for p in paths], per_host=2)
    assert all(r.status == "ok" for r in results)
    assert feed_server.max_in_flight == 2


async def test_overall_limit(feed_server: FeedServer) -> None:
    paths = [f"/feed{n}.xml" for n in range(6)]
    for path in paths:
        feed_server.add_feed(path, RSS, delay=0.3)
    requests = [FetchRequest(feed_server.url(p)) for p in paths]
    results = await fetch_all(requests, per_host=10, concurrency=3)
    assert all(r.status == "ok" for r in results)
    assert feed_server.max_in_flight == 3


async def test_many_hosts_are_fetched_in_parallel() -> None:
    servers = [FeedServer().start() for _ in range(6)]
    try:
        for server in servers:
            server.add_feed("/feed.xml", RSS, delay=0.6)
        started = time.monotonic()
        results = await fetch_all([FetchRequest(s.url("/feed.xml")) for s in servers])
        took = time.monotonic() - started
    finally:
        for server in servers:
            server.close()
    assert all(r.status == "ok" for r in results)
    assert took < 1.8  # one after the other would take 3.6 s


async def test_results_in_request_order_callbacks_as_they_finish(feed_server: FeedServer) -> None:
    feed_server.add_feed("/slow.xml", RSS, delay=0.5)
    feed_server.add_feed("/fast.xml", RSS)
    seen: list[tuple[str, int]] = []
    requests = [
        FetchRequest(feed_server.url("/slow.xml")),
        FetchRequest("ftp://example.com/feed.xml"),
        FetchRequest(feed_server.url("/fast.xml")),
    ]
    results = await fetch_all(
        requests, on_result=lambda r: seen.append((r.url, threading.get_ident()))
    )
    assert [r.url for r in results] == [r.url for r in requests]
    assert [url for url, _ in seen] == [requests[1].url, requests[2].url, requests[0].url]
    assert {thread for _, thread in seen} == {threading.get_ident()}


async def test_one_failing_feed_does_not_affect_the_others(
    feed_server: FeedServer, unresolvable: str
) -> None:
    feed_server.add_feed("/a.xml", RSS)
    feed_server.add_feed("/b.xml", RSS, gzip=True)
    feed_server.add_status("/broken.xml", 500)
    urls = [
        feed_server.url("/a.xml"),
        f"http://127.0.0.1:{closed_port()}/",
        feed_server.url("/broken.xml"),
        f"http://{unresolvable}/",
        "gopher://example.com/",
        feed_server.url("/endless"),
        feed_server.url("/b.xml"),
    ]
    results = await fetch_all([FetchRequest(url) for url in urls], max_bytes=MB)
    assert [r.status for r in results] == ["ok", "error", "error", "error", "error", "error", "ok"]
    assert results[0].body == results[-1].body == RSS
    assert [r.error for r in results[1:-1]] == [
        "connection refused",
        "HTTP 500 Internal Server Error",
        "DNS lookup failed",
        "unsupported URL scheme",
        "too large",
    ]


async def test_nothing_to_fetch() -> None:
    assert await fetch_all([]) == []


def test_fetch_all_sync(feed_server: FeedServer) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    finished: list[FetchResult] = []
    results = fetch_all_sync(
        [FetchRequest(feed_server.url("/feed.xml"))], on_result=finished.append
    )
    assert [r.status for r in results] == ["ok"]
    assert finished == results


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        asyncio.run(fetch_all([FetchRequest("http://127.0.0.1/")], per_host=0))


# The server itself


def test_server_closes_promptly_with_clients_mid_stream() -> None:
    server = FeedServer().start()
    clients = []
    for path in ("/slow", "/hang", "/endless", "/huge-length"):
        client = socket.create_connection(("127.0.0.1", server.port))
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        clients.append(client)
    try:
        deadline = time.monotonic() + 2
        while server.in_flight < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.in_flight == 4
        started = time.monotonic()
        server.close()
        assert time.monotonic() - started < 1.5
        assert server.in_flight == 0
    finally:
        for client in clients:
            client.close()
