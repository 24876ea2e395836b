"""A small fake Google Reader API server on 127.0.0.1 for sync tests: a subclass's `answer` says
what each call gets (the real FreshRSS tests are in test_sync.py)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tuinews.sync.protocol import ITEM_PREFIX

PREFIX = "/api/greader.php/"

Answer = str | bytes | tuple[int, str | bytes]
"""A body (status 200), or a status and a body."""


class FakeGReader:
    """Serves until `close`; `url` is the API base to put in `[sync] url`."""

    def __init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(b"")

            def do_POST(self) -> None:
                self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _answer(self, body: bytes) -> None:
                parts = urlsplit(self.path)
                answer = server.answer(parts.path.removeprefix(PREFIX), parse_qs(parts.query), body)
                status, data = answer if isinstance(answer, tuple) else (200, answer)
                data = data.encode() if isinstance(data, str) else data
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):  # the client stopped reading
                    self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{PREFIX.rstrip('/')}"

    def answer(self, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        """What the call to `path` (after the API base) gets."""
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wanted_items(body: bytes) -> list[int]:
    """The item numbers an items/contents request names (long hex form)."""
    return [int(value.rsplit("/", 1)[-1], 16) for value in parse_qs(body.decode())["i"]]


def sync_config(
    folder: Path, url: str, user: str = "me", password: str = "pw", extra: str = ""
) -> Path:
    """A tuinews config file (readable by its owner only) syncing with `url`, its cache in
    `folder`; `extra` is appended as written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        f'[cache]\npath = "{folder / "cache.db"}"\n\n[sync]\nservice = "greader"\n'
        f'url = "{url}"\nuser = "{user}"\npassword = "{password}"\n{extra}',
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def tram_item(number: int, categories: Iterable[str] = ()) -> dict:
    """An items/contents item of feed/1 ("Courier"), story `number`, with these categories."""
    return {
        "id": f"{ITEM_PREFIX}{number:016x}",
        "title": f"Story {number} about the new tram line",
        "summary": {"content": f"<p>The council approved tram line {number} after a debate.</p>"},
        "alternate": [{"href": f"https://example.org/{number}"}],
        "origin": {"streamId": "feed/1", "title": "Courier", "htmlUrl": "https://example.org/"},
        "categories": ["user/-/state/com.google/reading-list", *categories],
        "published": 1_790_000_000 + number,
    }
