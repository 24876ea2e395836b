"""Download feeds over HTTP: many at once, politely, within hard limits of time and size.

`fetch_all` takes `FetchRequest`s (a URL and the validators kept from the last fetch) and returns one
`FetchResult` per request, in request order, calling `on_result` as each one finishes. It never
raises for one feed's problem: a failure is a result with `status == "error"` and a short reason.

Politeness: at most `concurrency` downloads in flight, at most `per_host` per host (host and port),
conditional GET with the stored ETag / Last-Modified, `Retry-After` reported back to the caller.
Limits: `timeout` bounds a feed's whole download, redirects included; the body is streamed and
decompressed here in bounded steps, so neither a huge body nor a compression bomb can take more than
about `max_bytes` of memory. Redirects are followed here too, to tell permanent moves from the rest.

No parsing of feed content, no SQL, no printing.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Literal, Protocol

import httpx

from tuinews import __version__
from tuinews.i18n import N_, _
from tuinews.sources.http_transport import LazyTLS, transport_options

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] installs it
    brotli = None

USER_AGENT = f"tuinews/{__version__} (+https://github.com/tuinews/tuinews)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# Brotli is only offered when the installed module can decompress in bounded steps (brotli >= 1.2).
_BOUNDED_BROTLI = brotli is not None and hasattr(brotli.Decompressor, "can_accept_more_data")
ACCEPT_ENCODING = "gzip, deflate, br" if _BOUNDED_BROTLI else "gzip, deflate"

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The most decompressed output produced from one step of input.
_CHUNK = 64 * 1024
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)[^/?#]*@")
# Loopback is never reached through a proxy, whatever HTTP_PROXY / ALL_PROXY say.
_NO_PROXY_MOUNTS: dict[str, httpx.AsyncBaseTransport | None] = {
    "all://127.0.0.1": None,
    "all://localhost": None,
    "all://[::1]": None,
}

Status = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to fetch, with the validators its last successful fetch returned."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class FetchResult:
    """What became of one `FetchRequest`.

    `etag` / `last_modified` are the validators to keep for the next fetch: the response's on "ok"
    (None when it sent none), the request's on "not_modified" (unless the 304 brought new ones) and
    on "error". No field but `url` ever holds the URL's credentials.
    """

    url: str
    status: Status
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    moved_to: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    error: str | None = None
    elapsed: float = 0.0


class _Failure(Exception):
    """A fetch that ended for a reason already put in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redact_url(url: str) -> str:
    """`url` without its userinfo (`user:password@`), for anything a person may read."""
    return _USERINFO.sub(r"\1", url, count=1)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After value (delta-seconds or an HTTP date) as a POSIX time, or None if unreadable."""
    if not value:
        return None
    value = value.strip()
    now = time.time() if now is None else now
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return now + float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


async def fetch_all(
    requests: Sequence[FetchRequest],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = 8,
    per_host: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every request and return the results in request order.

    `timeout` bounds each feed's whole download (connection, headers, body, every redirect); time
    spent waiting for a free slot does not count. `on_result` is called in the event loop's thread
    as each feed finishes; an exception it raises cancels the run and propagates (in an
    ExceptionGroup).
    """
    if timeout <= 0 or concurrency < 1 or per_host < 1 or max_bytes < 0:
        raise ValueError(
            "timeout, concurrency and per_host must be positive, max_bytes not negative"
        )
    results: list[FetchResult | None] = [None] * len(requests)
    if not requests:
        return []
    overall = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    # A client (a connection pool) per host: httpcore's pool checks each of its connections at
    # every request, and once it holds more than 20 it closes idle ones, so one pool shared by
    # many hosts keeps hardly any connection alive. The clients share one TLS context, made at
    # the first https request.
    clients: dict[str, httpx.AsyncClient] = {}
    tls = LazyTLS()

    async with contextlib.AsyncExitStack() as stack:

        async def run(index: int, request: FetchRequest) -> None:
            result = _reject(request)
            if result is None:
                key = _host_key(request.url)
                host = hosts.setdefault(key, asyncio.Semaphore(per_host))
                client = clients.get(key)
                if client is None:
                    client = clients[key] = _new_client(timeout, tls)
                    stack.push_async_callback(client.aclose)
                # The host's slot first: a feed waiting for its busy host holds no overall slot.
                async with host, overall:
                    result = await _fetch_one(client, request, timeout, max_bytes)
            results[index] = result
            if on_result is not None:
                on_result(result)

        async with asyncio.TaskGroup() as group:
            for index, request in enumerate(requests):
                group.create_task(run(index, request))

    return [result for result in results if result is not None]


def fetch_all_sync(
    requests: Sequence[FetchRequest],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = 8,
    per_host: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """`fetch_all` run in a new event loop, for the CLI and worker threads (not inside a loop)."""
    return asyncio.run(
        fetch_all(
            requests,
            timeout=timeout,
            concurrency=concurrency,
            per_host=per_host,
            max_bytes=max_bytes,
            on_result=on_result,
        )
    )


def _new_client(timeout: float, tls: LazyTLS) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        **transport_options(tls),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=True,
        mounts=_NO_PROXY_MOUNTS,
    )


def _reject(request: FetchRequest) -> FetchResult | None:
    """An error result for a URL that must not be requested at all, else None."""
    try:
        url = httpx.URL(request.url)
    except (httpx.InvalidURL, TypeError, ValueError):
        reason = _("invalid URL")
    else:
        if url.scheme in _DEFAULT_PORTS and url.host:
            return None
        reason = (
            _("unsupported URL scheme")
            if url.scheme and url.scheme not in _DEFAULT_PORTS
            else _("invalid URL")
        )
    return FetchResult(
        url=request.url,
        status="error",
        etag=request.etag,
        last_modified=request.last_modified,
        error=reason,
    )


def _host_key(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.host}:{parsed.port or _DEFAULT_PORTS[parsed.scheme]}"


async def _fetch_one(
    client: httpx.AsyncClient, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult:
    result = FetchResult(
        url=request.url, status="error", etag=request.etag, last_modified=request.last_modified
    )
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            await _download(client, request, result, max_bytes)
    except _Failure as failure:
        result.status, result.error, result.body = "error", failure.reason, b""
    except Exception as exc:
        result.status, result.error, result.body = "error", _describe_error(exc), b""
    result.elapsed = time.monotonic() - started
    return result


async def _download(
    client: httpx.AsyncClient, request: FetchRequest, result: FetchResult, max_bytes: int
) -> None:
    """Fetch `request` into `result`, following redirects; raise `_Failure` or httpx errors."""
    original = httpx.URL(request.url)
    credentials = (original.username, original.password) if original.userinfo else None
    url = original.copy_with(userinfo=b"")
    conditional: dict[str, str] = {}
    if request.etag:
        conditional["If-None-Match"] = request.etag
    if request.last_modified:
        conditional["If-Modified-Since"] = request.last_modified
    seen = {str(url)}
    permanent = True
    redirects = 0

    while True:
        # Credentials go only to the URL's own origin (or its https upgrade), as httpx would do.
        auth = credentials if credentials and _same_origin(original, url) else None
        async with client.stream("GET", url, headers=conditional, auth=auth) as response:
            status = response.status_code
            if status in _REDIRECT_STATUSES:
                url = _redirect_target(url, response.headers.get("location"))
                permanent = permanent and status in _PERMANENT_STATUSES
                redirects += 1
                if str(url) in seen:
                    raise _Failure(_("redirect loop"))
                if redirects > MAX_REDIRECTS:
                    raise _Failure(_("too many redirects"))
                seen.add(str(url))
                continue

            result.final_url = str(url)
            result.headers = {name.lower(): value for name, value in response.headers.items()}
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            if status == 304:
                result.status = "not_modified"
                result.etag = etag or request.etag
                result.last_modified = last_modified or request.last_modified
            elif 200 <= status < 300:
                result.body = await _read_body(response, max_bytes)
                result.status, result.etag, result.last_modified = "ok", etag, last_modified
            else:
                result.error = _status_text(status, response.reason_phrase)
                if status in (429, 503):
                    result.retry_after = parse_retry_after(response.headers.get("retry-after"))
                return
            if permanent and redirects:
                result.moved_to = str(url)
            return


def _redirect_target(current: httpx.URL, location: str | None) -> httpx.URL:
    if not location or not location.strip():
        raise _Failure(_("redirect without Location"))
    try:
        target = current.join(location.strip())
    except httpx.InvalidURL:
        raise _Failure(_("invalid redirect URL")) from None
    if target.scheme not in _DEFAULT_PORTS:
        raise _Failure(_("redirect to unsupported URL scheme"))
    if not target.host:
        raise _Failure(_("invalid redirect URL"))
    return target.copy_with(userinfo=b"")


def _same_origin(original: httpx.URL, url: httpx.URL) -> bool:
    if original.host != url.host:
        return False
    port = original.port or _DEFAULT_PORTS[original.scheme]
    if original.scheme == url.scheme:
        return port == (url.port or _DEFAULT_PORTS[url.scheme])
    return (
        original.scheme == "http"
        and port == 80
        and url.scheme == "https"
        and url.port in (None, 443)
    )


def _status_text(status: int, reason: str) -> str:
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    if reason in _STANDARD_PHRASES:
        reason = _(reason)
    return f"HTTP {status} {reason}".rstrip()


_STANDARD_PHRASES = frozenset(
    (
        N_("Bad Request"),
        N_("Unauthorized"),
        N_("Forbidden"),
        N_("Not Found"),
        N_("Gone"),
        N_("Too Many Requests"),
        N_("Internal Server Error"),
        N_("Bad Gateway"),
        N_("Service Unavailable"),
        N_("Gateway Timeout"),
    )
)
"""Reason phrases shown in the interface language when a server sends the standard one."""


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, or `_Failure("too large")` once it passes `max_bytes`."""
    # A compressed body over the limit is refused too: decoding does not make it smaller.
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise _Failure(_("too large"))
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    body = io.BytesIO()
    size = 0
    try:
        async for raw in response.aiter_raw():
            for piece in decoder.feed(raw):
                size += len(piece)
                if size > max_bytes:
                    raise _Failure(_("too large"))
                body.write(piece)
        for piece in decoder.finish():
            size += len(piece)
            if size > max_bytes:
                raise _Failure(_("too large"))
            body.write(piece)
    except zlib.error:
        raise _Failure(_("bad compressed data")) from None
    except Exception as exc:
        if brotli is not None and isinstance(exc, brotli.error):
            raise _Failure(_("bad compressed data")) from None
        raise
    return body.getvalue()


class _StepDecoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class _Decoder:
    """Undo a Content-Encoding chain in steps of at most about `_CHUNK` bytes of output.

    httpx's own decoders turn each network read into all of its output at once, which for a
    compression bomb is hundreds of megabytes; these never hold more than one step.
    Unknown codings are passed through, as httpx does.
    """

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        self._steps: list[_StepDecoder] = []
        # The last coding listed was applied last, so it is undone first.
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                self._steps.append(_ZlibStep(gzip=True))
            elif coding == "deflate":
                self._steps.append(_ZlibStep(gzip=False))
            elif coding == "br" and _BOUNDED_BROTLI:
                self._steps.append(_BrotliStep())

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._push(0, data)

    def finish(self) -> Iterator[bytes]:
        for index, step in enumerate(self._steps):
            for piece in step.flush():
                yield from self._push(index + 1, piece)

    def _push(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._steps):
            if data:
                yield data
            return
        for piece in self._steps[index].feed(data):
            yield from self._push(index + 1, piece)


class _ZlibStep:
    """gzip (every member) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._tried = False
        self._done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while not self._done:
            try:
                out = self._inflater.decompress(data, _CHUNK)
            except zlib.error:
                if self._gzip or self._tried:
                    raise
                self._wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self._wbits)
                self._tried = True
                continue
            self._tried = True
            if out:
                yield out
            if self._inflater.eof:
                data = self._inflater.unused_data
                if self._gzip and data[:2] == b"\x1f\x8b":
                    self._inflater = zlib.decompressobj(self._wbits)
                    continue
                self._done = True  # anything after the end of the stream is ignored
                return
            data = self._inflater.unconsumed_tail
            # A full step may leave output pending inside zlib: ask again until a short one.
            if not data and len(out) < _CHUNK:
                return

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _BrotliStep:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decompressor.is_finished():
            return
        out = self._decompressor.process(data, output_buffer_limit=_CHUNK)
        while out:
            yield out
            if self._decompressor.can_accept_more_data():
                return
            out = self._decompressor.process(b"", output_buffer_limit=_CHUNK)

    def flush(self) -> Iterator[bytes]:
        while not self._decompressor.is_finished():
            out = self._decompressor.process(b"", output_buffer_limit=_CHUNK)
            if not out:
                return
            yield out


def _describe_error(exc: BaseException) -> str:
    """A short reason for a failed fetch, never containing the URL."""
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return _("timed out")
    if isinstance(exc, httpx.ProxyError):
        return _("proxy error")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return _("invalid URL")
    if isinstance(exc, httpx.LocalProtocolError):
        return _("invalid request")
    if isinstance(exc, httpx.RemoteProtocolError):
        message = str(exc).lower()
        if "without sending" in message:
            return _("server closed the connection")
        if "incomplete" in message or "peer closed" in message:
            return _("incomplete response")
        return _("bad HTTP response")
    if isinstance(exc, httpx.DecodingError):
        return _("bad compressed data")
    if isinstance(exc, httpx.TransportError | OSError):
        return _describe_network_error(exc, connecting=isinstance(exc, httpx.ConnectError))
    return _("fetch failed ({error})").format(error=type(exc).__name__)


def _describe_network_error(exc: BaseException, *, connecting: bool) -> str:
    message = ""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return _("DNS lookup failed")
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return _("TLS error")
        if isinstance(cause, ConnectionRefusedError):
            return _("connection refused")
        if isinstance(cause, ConnectionResetError):
            return _("connection reset")
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            if cause.errno == errno.ENETUNREACH:
                return _("network unreachable")
            return _("host unreachable")
        message += f" {cause}".lower()
    if any(
        hint in message
        for hint in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
        )
    ):
        return _("DNS lookup failed")
    if "refused" in message:
        return _("connection refused")
    if "certificate" in message or "ssl" in message or "tls" in message:
        return _("TLS error")
    return _("connection failed") if connecting else _("network error")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what caused it, through `__cause__`, `__context__` and exception groups."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)
