"""A real FreshRSS (Google Reader API) on 127.0.0.1 for the sync tests and the sync benchmark.

`FreshRSS.start` runs `../shared/services/freshrss-start` (which installs PHP with apt-get on a
fresh machine when run as root: allow it a few minutes) and a loopback `FeedServer` with feeds for
FreshRSS to subscribe to. `new_account` makes a fresh user per test, so tests do not see each
other's read flags. `stop` and `restart` take the server down and bring it back on the same folder
and port (the offline tests). `Account` talks to the API directly, as another device would.

The session-scoped `freshrss` fixture starts one of each for the whole test run, or skips the sync
tests with the reason when PHP cannot be had (no PHP, and not root to install it).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from fake_greader import sync_config
from feedserver import FeedServer

try:
    import pytest
except ImportError:  # the benchmark runs without pytest
    pytest = None

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
START_SCRIPT = SHARED / "services" / "freshrss-start"
START_TIMEOUT = 900
"""Seconds the first start may take: on a fresh machine it installs PHP with apt-get."""
API = "/api/greader.php"
_users = itertools.count(1)


class Unavailable(Exception):
    """FreshRSS cannot run here (no PHP and not root); the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss(title: str, items: list[dict[str, str]], *, link: str = "https://example.org/") -> bytes:
    """An RSS 2.0 feed; each item has title, link, guid, body (HTML) and an optional date."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>x</description>",
    ]
    for n, item in enumerate(items):
        date = item.get("date") or format_datetime(start + timedelta(minutes=n))
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<guid>{escape(item.get('guid', item['link']))}</guid><pubDate>{date}</pubDate>"
            f"<description>{escape(item.get('body', '<p>' + item['title'] + '</p>'))}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


@dataclass
class FreshRSS:
    """One FreshRSS server (PHP's built-in web server over an SQLite FreshRSS) and its feeds."""

    folder: Path
    port: int
    feeds: FeedServer
    pid: int | None = None
    workers: int = 0
    """PHP_CLI_SERVER_WORKERS: requests served at once (0: one at a time)."""
    _child: subprocess.Popen | None = None

    @classmethod
    def start(cls, folder: Path, *, workers: int = 0) -> FreshRSS:
        """Install into `folder` and start; raises `Unavailable` when PHP cannot be had."""
        if not START_SCRIPT.exists():
            raise Unavailable(f"{START_SCRIPT} is not available")
        if shutil.which("php") is None and os.geteuid() != 0:
            raise Unavailable("PHP is not installed and this is not root (cannot apt-get it)")
        port = free_port()
        env = dict(os.environ)
        if workers:
            env["PHP_CLI_SERVER_WORKERS"] = str(workers)
        result = subprocess.run(
            [str(START_SCRIPT), str(folder), str(port), "admin", "admin-api-password"],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            env=env,
        )
        if result.returncode == 2 and "not root" in result.stderr:
            raise Unavailable(result.stderr.strip())
        if result.returncode != 0:
            raise RuntimeError(f"freshrss-start failed: {result.stderr.strip()}")
        return cls(folder, port, FeedServer().start(), int(result.stdout.strip()), workers)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    def php(self, *args: str, timeout: float = 120) -> str:
        """Run one of FreshRSS's command line scripts in its folder."""
        result = subprocess.run(
            ["php", *args], cwd=self.folder, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"php {' '.join(args)}: {result.stderr.strip() or result.stdout}")
        return result.stdout

    def new_account(self, prefix: str = "u") -> Account:
        """A fresh user with no subscriptions; its API password is `<user>-pw`."""
        user = f"{prefix}{os.getpid()}x{next(_users)}"
        self.php(
            "cli/create-user.php",
            "--user",
            user,
            "--password",
            f"{user}-web-pw",
            "--api-password",
            f"{user}-pw",
        )
        account = Account(self, user, f"{user}-pw")
        for stream_id in account.subscriptions():  # FreshRSS's own default feed
            account.unsubscribe(stream_id)
        return account

    def actualize(self, user: str) -> None:
        """Make FreshRSS fetch the user's feeds now, however recently it fetched them."""
        # FreshRSS skips feeds fetched less than their time-to-live ago, and keeps their bodies in
        # a cache for as long: make every feed due and forget the cached bodies.
        with contextlib.closing(
            sqlite3.connect(self.folder / "data/users" / user / "db.sqlite")
        ) as db:
            db.execute("UPDATE feed SET lastUpdate = 0")
            db.commit()
        for cached in (self.folder / "data/cache").glob("*.spc"):
            cached.unlink(missing_ok=True)
        self.php("cli/actualize-user.php", "--user", user, timeout=300)

    def stop(self) -> None:
        """Stop the web server (the data stays in the folder)."""
        if self.pid is None:
            return
        # With PHP_CLI_SERVER_WORKERS the server forks workers, which outlive their parent.
        for pid in [self.pid, *_children(self.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._answers():
            time.sleep(0.05)
        if self._child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._child.wait(5)
            self._child = None
        self.pid = None

    def restart(self) -> None:
        """Start the web server again on the same folder and port."""
        self.stop()
        env = dict(os.environ)
        if self.workers:
            env["PHP_CLI_SERVER_WORKERS"] = str(self.workers)
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - the server keeps it
        self._child = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", "p/"],
            cwd=self.folder,
            stdout=log,
            stderr=log,
            env=env,
        )
        log.close()
        self.pid = self._child.pid
        deadline = time.monotonic() + 30
        while not self._answers():
            if time.monotonic() > deadline or self._child.poll() is not None:
                raise RuntimeError("FreshRSS did not come back")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def close(self) -> None:
        self.stop()
        self.feeds.close()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@dataclass
class Account:
    """A FreshRSS user, with API calls made as another device would make them."""

    server: FreshRSS
    user: str
    password: str

    def config(self, folder: Path, *, password: str | None = None, extra: str = "") -> Path:
        """A tuinews config file syncing with this account, its cache in `folder`."""
        password = password if password is not None else self.password
        return sync_config(folder, self.server.api, self.user, password, extra)

    def _client(self) -> tuple[httpx.Client, dict[str, str]]:
        client = httpx.Client(timeout=60)
        answer = client.post(
            f"{self.server.api}/accounts/ClientLogin",
            data={"Email": self.user, "Passwd": self.password},
        )
        answer.raise_for_status()
        auth = next(line[5:] for line in answer.text.splitlines() if line.startswith("Auth="))
        return client, {"Authorization": f"GoogleLogin auth={auth}"}

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        client, headers = self._client()
        try:
            if method == "POST":
                token = client.get(f"{self.server.api}/reader/api/0/token", headers=headers)
                kwargs["data"] = {**kwargs.get("data", {}), "T": token.text.strip()}
            answer = client.request(
                method, f"{self.server.api}/reader/api/0/{path}", headers=headers, **kwargs
            )
            answer.raise_for_status()
            return answer
        finally:
            client.close()

    def subscribe(self, feed_url: str) -> str:
        """Subscribe on the server (FreshRSS fetches the feed at once); returns the stream id."""
        answer = self.call("POST", "subscription/quickadd", data={"quickadd": feed_url}).json()
        assert answer.get("streamId"), answer
        return answer["streamId"]

    def unsubscribe(self, stream_id: str) -> None:
        self.call("POST", "subscription/edit", data={"ac": "unsubscribe", "s": stream_id})

    def subscriptions(self) -> dict[str, str]:
        """Stream id -> feed URL of the account's subscriptions."""
        answer = self.call("GET", "subscription/list", params={"output": "json"}).json()
        return {entry["id"]: entry["url"] for entry in answer["subscriptions"]}

    def ids(self, stream: str, exclude: str | None = None) -> set[int]:
        params = {"s": stream, "n": 10000}
        if exclude:
            params["xt"] = exclude
        answer = self.call("GET", "stream/items/ids", params=params).json()
        return {int(ref["id"]) for ref in answer.get("itemRefs") or []}

    def items(self) -> list[dict]:
        """Every item of the reading list, newest first (title, id, categories...)."""
        answer = self.call(
            "GET", "stream/contents/user/-/state/com.google/reading-list", params={"n": 1000}
        ).json()
        return answer["items"]

    def edit_tag(self, item_id: str, *, add: str | None = None, remove: str | None = None) -> None:
        data = {"i": item_id}
        if add:
            data["a"] = add
        if remove:
            data["r"] = remove
        self.call("POST", "edit-tag", data=data)


if pytest is not None:

    @pytest.fixture(scope="session")
    def freshrss() -> Iterator[FreshRSS]:
        """One FreshRSS and one feed server for the whole test run (skips without PHP)."""
        folder = Path(tempfile.mkdtemp(prefix="tuinews-freshrss-"))
        try:
            server = FreshRSS.start(folder / "freshrss")
        except Unavailable as exc:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"sync tests need a FreshRSS server: {exc}")
        try:
            yield server
        finally:
            server.close()
            shutil.rmtree(folder, ignore_errors=True)
