"""httpx clients that read the CA bundle only when a request needs TLS.

A verifying TLS context reads the certificate bundle when it is made (~20 ms of CPU), on the
critical path of every refresh and sync. A sync with a server on the local network over plain
http, or a refresh of feeds served over http, never needs one: `LazyTLS` makes the context at the
first https request (one context for every client that shares it), and `PlainFirstTransport`
sends plain http requests without it. Verification is never weakened: an https request always
goes through the verifying context (a redirect from http to https too). With proxies in the
environment, httpx builds its proxy transports with the context at once, so it is made at once.
"""

from __future__ import annotations

import ssl
import threading
import urllib.request
from typing import Any

import httpx


class LazyTLS:
    """One verifying TLS context (the system's or `SSL_CERT_FILE`'s CAs, as httpx reads them),
    made when first asked for; safe to share between clients and threads."""

    def __init__(self) -> None:
        self._context: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def context(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                self._context = httpx.create_ssl_context(trust_env=True)
            return self._context


class PlainFirstTransport(httpx.AsyncBaseTransport):
    """Plain http through a pool of its own; https through one made at the first https request."""

    def __init__(self, tls: LazyTLS, limits: httpx.Limits) -> None:
        self._tls = tls
        self._limits = limits
        # A client context without CAs: a plain-http pool never uses it, and if it ever did,
        # every certificate would fail verification.
        self._plain = httpx.AsyncHTTPTransport(
            verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), limits=limits
        )
        self._secure: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return await self._plain.handle_async_request(request)
        if self._secure is None:
            self._secure = httpx.AsyncHTTPTransport(verify=self._tls.context(), limits=self._limits)
        return await self._secure.handle_async_request(request)

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._secure is not None:
            await self._secure.aclose()


def transport_options(tls: LazyTLS, limits: httpx.Limits | None = None) -> dict[str, Any]:
    """The arguments of an `httpx.AsyncClient` (created with `trust_env=True`) that make its
    connections with `tls`, only when a request needs TLS."""
    limits = limits or httpx.Limits()
    if urllib.request.getproxies():  # the proxy transports take the context when the client is made
        return {"verify": tls.context(), "limits": limits}
    return {"transport": PlainFirstTransport(tls, limits)}
