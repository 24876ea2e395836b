"""A real HTTP server on 127.0.0.1 for tests and benchmarks: feeds, redirects, errors, misbehaviour.

`FeedServer` runs a `ThreadingHTTPServer` on a free port in a daemon thread. Routes are added at
runtime (`add_feed`, `add_redirect`, `add_status`); feeds answer conditional requests with 304.
Built-in endpoints misbehave on purpose:

- `/slow`: headers at once, then one byte per second until the client goes away;
- `/hang`: reads the request and never answers;
- `/endless`: streams data forever;
- `/huge-length`: announces Content-Length 2 GB, sends 1 KB, then waits;
- `/huge-length-stream`: announces Content-Length 2 GB and sends it, as fast as the client reads;
- `/gzip-bomb`: about 1 MB of gzip that decodes to 1 GB of zeros (deflate cannot do better than
  about 1:1000, so "a few KB" is not possible);
- `/loop1` and `/loop2`: 301 redirects to each other.

The server counts requests per path (`hits`), keeps each path's last request headers
(`last_headers`, lower-case names), and counts requests in progress (`in_flight`, peak in
`max_in_flight`; a feed stops counting just before its response is written, so a client that has
read a response never sees it still counted). `close()` stops everything within about a second,
clients mid-stream included. The `feed_server` pytest fixture yields a started server.
"""

from __future__ import annotations

import contextlib
import gzip as gziplib
import hashlib
import select
import socket
import ssl
import struct
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

try:
    import pytest
except ImportError:  # the benchmarks may run without pytest
    pytest = None

RSS = "application/rss+xml; charset=utf-8"
HUGE_LENGTH = 2 * 1024**3
BOMB_MEGABYTES = 1024
_STREAM_CHUNK = 64 * 1024


@dataclass(frozen=True)
class _Feed:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    encoding: str | None
    encoded: bytes
    headers: dict[str, str]
    delay: float


@dataclass(frozen=True)
class _Redirect:
    target: str
    status: int


@dataclass(frozen=True)
class _Status:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """A gzip stream of `BOMB_MEGABYTES` MB of zeros, built once without ever holding the zeros.

    After a full flush, deflate forgets its history, so each further megabyte of zeros compresses to
    exactly the bytes of the first: one block is repeated, and only the CRC needs the whole length.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            megabyte = bytes(1024 * 1024)
            deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
            block = deflater.compress(megabyte) + deflater.flush(zlib.Z_FULL_FLUSH)
            crc = 0
            for _ in range(BOMB_MEGABYTES):
                crc = zlib.crc32(megabyte, crc)
            size = BOMB_MEGABYTES * len(megabyte)
            _bomb = b"".join(
                [
                    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff",
                    block * BOMB_MEGABYTES,
                    deflater.flush(),
                    struct.pack("<II", crc, size & 0xFFFFFFFF),
                ]
            )
        return _bomb


def _encode(body: bytes, encoding: str | None) -> bytes:
    if encoding is None:
        return body
    if encoding == "gzip":
        return gziplib.compress(body, mtime=0)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        import brotli

        return brotli.compress(body)
    raise ValueError(f"unknown encoding {encoding!r}")


def _etag_matches(header: str, etag: str | None) -> bool:
    if etag is None:
        return False
    wanted = etag.removeprefix("W/")
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or wanted in tags


def _not_modified_since(header: str, last_modified: str | None) -> bool:
    if last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False


class FeedServer:
    """A loopback HTTP server whose routes tests add at runtime. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        """With `tls` (a server context), the server speaks https only."""
        self.host = host
        self.scheme = "https" if tls is not None else "http"
        self.hits: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._routes: dict[str, _Feed | _Redirect | _Status] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._httpd = _HTTPServer((host, 0), self)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None
        self._closed = False
        self.add_redirect("/loop1", "/loop2")
        self.add_redirect("/loop2", "/loop1")

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> FeedServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FeedServer:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and end every handler, streaming ones included, within about a second."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(1.0)
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        deadline = time.monotonic() + 1.0
        for thread in connections.values():
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def add_feed(
        self,
        path: str,
        body: bytes,
        content_type: str = RSS,
        etag: bool | str = True,
        last_modified: bool | str = True,
        gzip: bool = False,
        headers: dict[str, str] | None = None,
        *,
        encoding: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve `body` at `path`.

        `etag` / `last_modified`: True for generated validators, a string for that value, False for
        none. `gzip=True` or `encoding` ("gzip", "deflate", "br") compresses the body for clients
        that accept the coding. `delay` seconds pass before the answer.
        """
        if etag is True:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if last_modified is True:
            last_modified = formatdate(time.time() - 3600, usegmt=True)
        encoding = encoding or ("gzip" if gzip else None)
        feed = _Feed(
            body=body,
            content_type=content_type,
            etag=etag or None,
            last_modified=last_modified or None,
            encoding=encoding,
            encoded=_encode(body, encoding),
            headers=dict(headers or {}),
            delay=delay,
        )
        with self._lock:
            self._routes[path] = feed

    def add_redirect(self, path: str, target: str, status: int = 301) -> None:
        """Redirect `path` to `target` (a path or an absolute URL, sent as given)."""
        with self._lock:
            self._routes[path] = _Redirect(target, status)

    def add_status(
        self, path: str, status: int, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        """Answer `path` with `status`, `headers` and `body`."""
        with self._lock:
            self._routes[path] = _Status(status, dict(headers or {}), body)

    def reset_counters(self) -> None:
        """Forget hits, headers seen and the in-flight peak."""
        with self._lock:
            self.hits.clear()
            self.last_headers.clear()
            self.max_in_flight = self.in_flight

    def feed_etag(self, path: str) -> str | None:
        """The ETag the feed at `path` is served with."""
        route = self._routes[path]
        assert isinstance(route, _Feed)
        return route.etag

    def _route(self, path: str) -> _Feed | _Redirect | _Status | None:
        with self._lock:
            return self._routes.get(path)

    def _started(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits[path] += 1
            self.last_headers[path] = headers
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _finished(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _connected(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections[connection] = threading.current_thread()

    def _disconnected(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() joins its handlers itself, with a deadline

    def __init__(self, address: tuple[str, int], feeds: FeedServer) -> None:
        self.feeds = feeds
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client going away mid-response is what half of these endpoints are for.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FeedServer/1.0"
    timeout = 10  # idle keep-alive connections
    # Headers and body go out in separate writes: without this, Nagle plus delayed ACKs add ~40 ms.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.feeds._connected(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.feeds._disconnected(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        feeds = self.server.feeds
        path = urlsplit(self.path).path
        feeds._started(path, {name.lower(): value for name, value in self.headers.items()})
        self._counted = True
        try:
            route = feeds._route(path)
            if isinstance(route, _Feed):
                self._feed(route)
            elif isinstance(route, _Redirect):
                self._respond(route.status, {"Location": route.target}, b"")
            elif isinstance(route, _Status):
                self._respond(route.status, route.headers, route.body)
            elif path in _BUILTINS:
                self.close_connection = True
                _BUILTINS[path](self)
            else:
                self._respond(404, {"Content-Type": "text/plain"}, b"not found\n")
        except OSError:
            self.close_connection = True
        finally:
            self._uncount()

    def _uncount(self) -> None:
        if self._counted:
            self._counted = False
            self.server.feeds._finished()

    @property
    def _stopping(self) -> threading.Event:
        return self.server.feeds._stop

    def _respond(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        names = {name.lower() for name in headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "content-length" not in names and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self._uncount()
        self.end_headers()
        if body and status not in (204, 304):
            self.wfile.write(body)

    def _feed(self, feed: _Feed) -> None:
        if feed.delay and self._stopping.wait(feed.delay):
            self.close_connection = True
            return
        validators = {}
        if feed.etag:
            validators["ETag"] = feed.etag
        if feed.last_modified:
            validators["Last-Modified"] = feed.last_modified
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_none_match is not None:
            not_modified = _etag_matches(if_none_match, feed.etag)
        else:
            not_modified = if_modified_since is not None and _not_modified_since(
                if_modified_since, feed.last_modified
            )
        if not_modified:
            self._respond(304, validators, b"")
            return
        headers = {"Content-Type": feed.content_type, **validators}
        body = feed.body
        accepted = {
            c.split(";")[0].strip() for c in self.headers.get("Accept-Encoding", "").split(",")
        }
        if feed.encoding:
            headers["Vary"] = "Accept-Encoding"
            if feed.encoding in accepted:
                headers["Content-Encoding"] = feed.encoding
                body = feed.encoded
        self._respond(200, {**headers, **feed.headers}, body)

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _wait_for_client_to_leave(self) -> None:
        while not self._stopping.wait(0.05):
            if self._client_gone():
                return

    def _stream_headers(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()

    def slow(self) -> None:
        self._stream_headers({"Content-Type": RSS})
        text = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
        index = 0
        while True:
            self.wfile.write(text[index % len(text) : index % len(text) + 1])
            index += 1
            if self._stopping.wait(1.0):
                return

    def hang(self) -> None:
        self._wait_for_client_to_leave()

    def endless(self) -> None:
        self._stream_headers({"Content-Type": RSS})
        chunk = b"<item><title>more</title></item>\n" * (_STREAM_CHUNK // 34)
        while not self._stopping.is_set():
            self.wfile.write(chunk)

    def huge_length(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", RSS)
        self.send_header("Content-Length", str(HUGE_LENGTH))
        self.end_headers()
        self.wfile.write(b" " * 1024)
        self._wait_for_client_to_leave()

    def huge_length_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", RSS)
        self.send_header("Content-Length", str(HUGE_LENGTH))
        self.end_headers()
        chunk = b"<item><title>more</title></item>\n" * (_STREAM_CHUNK // 34)
        sent = 0
        while sent < HUGE_LENGTH and not self._stopping.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)

    def bomb(self) -> None:
        data = memoryview(gzip_bomb())
        self.send_response(200)
        self.send_header("Content-Type", RSS)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        for start in range(0, len(data), _STREAM_CHUNK):
            if self._stopping.is_set():
                return
            self.wfile.write(data[start : start + _STREAM_CHUNK])


_BUILTINS = {
    "/slow": _Handler.slow,
    "/hang": _Handler.hang,
    "/endless": _Handler.endless,
    "/huge-length": _Handler.huge_length,
    "/huge-length-stream": _Handler.huge_length_stream,
    "/gzip-bomb": _Handler.bomb,
}


if pytest is not None:

    @pytest.fixture
    def feed_server() -> Iterator[FeedServer]:
        """A started `FeedServer` on 127.0.0.1, closed after the test."""
        with FeedServer() as server:
            yield server
