"""TLS only where a request needs it (`tuinews.sources.http_transport`): refreshes and syncs over
plain http read no CA bundle; https still verifies every certificate, through one context shared
by the clients, after a redirect from http too. Real servers on 127.0.0.1, one of them speaking
https with a certificate from a test CA (tests/tls)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_greader import FakeGReader
from feedserver import FeedServer
from tuinews.sources.fetch import FetchRequest, fetch_all
from tuinews.sources.http_transport import LazyTLS, transport_options
from tuinews.sync.greader import GReaderClient

TLS = Path(__file__).parent / "tls"
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title></channel></rss>'
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture
def ca_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CA bundle a TLS context reads from now on."""
    reads: list[str] = []
    load = ssl.SSLContext.load_verify_locations
    load_default = ssl.SSLContext.load_default_certs

    def counting(self: ssl.SSLContext, cafile=None, capath=None, cadata=None) -> None:
        reads.append(str(cafile or capath or "data"))
        load(self, cafile, capath, cadata)

    def counting_default(self: ssl.SSLContext, purpose=ssl.Purpose.SERVER_AUTH) -> None:
        reads.append("default")
        load_default(self, purpose)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", counting_default)
    return reads


def _https_server() -> FeedServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "server.pem")
    return FeedServer(tls=context).start()


@pytest.fixture
def https_servers() -> Iterator[tuple[FeedServer, FeedServer]]:
    """Two https servers (two hosts to the fetch: one client each) serving /feed.xml."""
    first, second = _https_server(), _https_server()
    for server in (first, second):
        server.add_feed("/feed.xml", RSS)
    yield first, second
    first.close()
    second.close()


def _fetch(*urls: str):
    return asyncio.run(fetch_all([FetchRequest(url) for url in urls], timeout=10))


def test_a_refresh_over_plain_http_reads_no_ca_bundle(
    feed_server: FeedServer, ca_reads: list[str]
) -> None:
    feed_server.add_feed("/feed.xml", RSS)
    feed_server.add_feed("/other.xml", RSS)
    results = _fetch(feed_server.url("/feed.xml"), feed_server.url("/other.xml"))
    assert [result.status for result in results] == ["ok", "ok"]
    assert ca_reads == []


def test_a_sync_over_plain_http_reads_no_ca_bundle(ca_reads: list[str]) -> None:
    class Server(FakeGReader):
        def answer(self, path: str, query: dict, body: bytes):
            if path == "accounts/ClientLogin":
                return "Auth=token\n"
            return '{"subscriptions": [{"id": "feed/1", "title": "One"}]}'

    server = Server()

    async def sync() -> list:
        async with GReaderClient(server.url, "user", "secret") as client:
            await client.login()
            return await client.subscriptions()

    try:
        assert [feed.title for feed in asyncio.run(sync())] == ["One"]
    finally:
        server.close()
    assert ca_reads == []


def test_https_verifies_with_one_context_for_every_client(
    https_servers: tuple[FeedServer, FeedServer],
    ca_reads: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))
    first, second = https_servers
    results = _fetch(first.url("/feed.xml"), second.url("/feed.xml"))
    assert [result.status for result in results] == ["ok", "ok"]
    assert ca_reads == [str(TLS / "ca.pem")]  # read once, for both hosts' clients


def test_https_still_refuses_a_certificate_no_trusted_ca_signed(
    https_servers: tuple[FeedServer, FeedServer],
) -> None:
    (result,) = _fetch(https_servers[0].url("/feed.xml"))
    assert (result.status, result.error) == ("error", "TLS error")


def test_a_redirect_from_http_to_https_is_verified(
    feed_server: FeedServer,
    https_servers: tuple[FeedServer, FeedServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.add_redirect("/feed.xml", https_servers[0].url("/feed.xml"))
    (untrusted,) = _fetch(feed_server.url("/feed.xml"))
    assert (untrusted.status, untrusted.error) == ("error", "TLS error")
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))
    (trusted,) = _fetch(feed_server.url("/feed.xml"))
    assert trusted.status == "ok"
    assert trusted.final_url == https_servers[0].url("/feed.xml")


def test_with_proxies_in_the_environment_the_context_is_made_at_once(
    monkeypatch: pytest.MonkeyPatch, ca_reads: list[str]
) -> None:
    """httpx makes its proxy transports with the client, so they get the context then."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    options = transport_options(LazyTLS())
    assert isinstance(options["verify"], ssl.SSLContext) and "transport" not in options
    assert len(ca_reads) == 1
    client = httpx.AsyncClient(trust_env=True, **options)
    asyncio.run(client.aclose())
