"""A real LibreTranslate-speaking HTTP server on 127.0.0.1, for the machine translation tests.

`LibreTranslateServer` runs a `ThreadingHTTPServer` on a free port in a daemon thread and answers:

- `GET /languages`: `[{code, name, targets}]` for `LANGUAGES`, every pair but those in `unsupported`;
- `POST /translate`: JSON `{q, source, target, format, api_key}`; `q` a string or a list. Each word is
  looked up in a tiny per-language `DICTIONARY`; an unknown word comes back as `[target]word` (the
  brackets are there to prove the reader shows them literally, never as markup);
- 400 `{"error": "... is not supported"}` for an unsupported pair or language, 403 for a wrong
  `api_key` (when the server has one), 500 while `fail_with_500` is set; `delay` seconds before any
  answer (for timeouts).

It counts requests per path (`hits`) and keeps each `/translate` payload (`payloads`). `close()` stops
it at once. The `libretranslate` pytest fixture yields a started server.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

LANGUAGES = {
    "en": "English",
    "uk": "Ukrainian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
}
DICTIONARY: dict[str, dict[str, str]] = {
    "uk": {
        "tram": "трамвай",
        "line": "лінія",
        "opens": "відкривається",
        "the": "",
        "new": "новий",
        "paragraph": "абзац",
        "second": "другий",
        "harbour": "гавань",
    },
    "de": {"tram": "Straßenbahn", "line": "Linie", "opens": "eröffnet", "new": "neue"},
    "en": {"herbststurm": "autumn storm", "rhein": "Rhine", "am": "on the"},
}
_WORD = re.compile(r"\w+")


def fake_translate(text: str, target: str) -> str:
    """The server's deterministic "translation" of `text` into `target`."""
    words = DICTIONARY.get(target, {})

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in words:
            return words[word.lower()]
        return f"[{target}]{word}"

    return re.sub(r" {2,}", " ", _WORD.sub(one, text)).strip()


class LibreTranslateServer:
    """A loopback LibreTranslate. Use as a context manager."""

    def __init__(
        self, api_key: str | None = None, unsupported: set[tuple[str, str]] | None = None
    ) -> None:
        self.api_key = api_key
        self.unsupported = set(unsupported or ())
        """(source, target) pairs the server refuses with 400."""
        self.fail_with_500 = False
        self.delay = 0.0
        self.hits: Counter[str] = Counter()
        self.payloads: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", 0), self)
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None
        self._closed = False

    def __enter__(self) -> LibreTranslateServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> int:
        """Every request so far, on any path."""
        return sum(self.hits.values())

    def start(self) -> LibreTranslateServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"LibreTranslate:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving: later connections are refused."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(1.0)
        self._httpd.server_close()

    def languages(self) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "name": name,
                "targets": [
                    other
                    for other in LANGUAGES
                    if other != code and (code, other) not in self.unsupported
                ],
            }
            for code, name in LANGUAGES.items()
        ]

    def answer(self, payload: Any) -> tuple[int, Any]:
        """The status and JSON body for one `/translate` request."""
        if not isinstance(payload, dict) or "q" not in payload:
            return 400, {"error": "Invalid request: missing q parameter"}
        if self.api_key is not None and payload.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        source, target = payload.get("source", "auto"), payload.get("target", "")
        if target not in LANGUAGES:
            return 400, {"error": f"{target} is not supported"}
        if source != "auto" and (source not in LANGUAGES or (source, target) in self.unsupported):
            return 400, {
                "error": f"{source} ({LANGUAGES.get(source, source)}) → {target} is not supported"
            }
        q = payload["q"]
        if isinstance(q, list):
            return 200, {"translatedText": [fake_translate(text, target) for text in q]}
        return 200, {"translatedText": fake_translate(q, target)}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], owner: LibreTranslateServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: close() leaves nothing open
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _begin(self) -> tuple[LibreTranslateServer, str] | None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        with owner._lock:
            owner.hits[path] += 1
        if owner.delay and owner._stop.wait(owner.delay):
            return None
        if owner.fail_with_500:
            self._json(500, {"error": "Internal server error"})
            return None
        return owner, path

    def do_GET(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        owner, path = begun
        if path == "/languages":
            self._json(200, owner.languages())
        else:
            self._json(404, {"error": "Not Found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        begun = self._begin()
        if begun is None:
            return
        owner, path = begun
        if path != "/translate":
            self._json(404, {"error": "Not Found"})
            return
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            self._json(400, {"error": "Invalid JSON"})
            return
        with owner._lock:
            owner.payloads.append(payload)
        self._json(*owner.answer(payload))

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


@pytest.fixture
def libretranslate() -> Iterator[LibreTranslateServer]:
    """A started `LibreTranslateServer` on 127.0.0.1, closed after the test."""
    with LibreTranslateServer() as server:
        yield server
