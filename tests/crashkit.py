"""Killing `tuinews fetch` mid-refresh and checking what it left: shared by a test and a bench.

`CrashRig` serves feeds from loopback `FeedServer`s and publishes a new revision of every feed per
round: a few new items, and every fifth item retitled. A round runs a real `tuinews fetch`
subprocess (its own session, its XDG folders in a temporary folder) and `kill -9`s it, then checks
the cache as the kill left it:

- `PRAGMA integrity_check` is ok;
- every article committed before the round is still there, with its read and starred flags;
- each feed was written whole or not at all (all of its new items and retitles, or none);
- no process of the killed fetch (fork server, parser workers) outlives it.

Then a fetch that is left alone must complete: exit status 0, no error, every feed current, the
expected number of articles and no uid twice.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from feedserver import FeedServer

TEXT = "The council approved the new tram line after a long debate about costs and routes."


@dataclass
class KillResult:
    """What one kill found."""

    landed: bool
    """The fetch was still running when the signal went out."""
    checked: int = 0
    """Articles committed before the round that were checked afterwards."""
    feeds_written: int = 0
    """Feeds of this round's revision the killed fetch had committed."""
    violations: list[str] = field(default_factory=list)


class CrashRig:
    """Feeds on loopback servers, a config and a cache in `folder`; use as a context manager."""

    def __init__(
        self,
        folder: Path,
        *,
        feeds: int,
        items: int,
        new_per_round: int = 3,
        feeds_per_server: int = 8,
        delay: float = 0.0,
    ) -> None:
        self.folder = folder
        self.feeds = feeds
        self.items = items
        self.new_per_round = new_per_round
        self.delay = delay
        self.slow: dict[int, float] = {}
        """Feed index -> seconds that feed waits before answering (else `delay`)."""
        self.revision = 0
        self.cache = folder / "cache.db"
        self.config = folder / "config.toml"
        self._stack = contextlib.ExitStack()
        count = (feeds + feeds_per_server - 1) // feeds_per_server
        self.servers = [self._stack.enter_context(FeedServer()) for _ in range(count)]
        self.urls = [self.servers[i % count].url(f"/feeds/{i}.xml") for i in range(feeds)]
        self.base = datetime.now(UTC) - timedelta(days=1)
        lines = [f'[cache]\npath = "{self.cache}"\n[network]\nconcurrency = 8\ntimeout = 30\n']
        lines += [f'[[sources]]\nurl = "{url}"\n' for url in self.urls]
        self.config.write_text("\n".join(lines), encoding="utf-8")
        home = folder / "home"
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
        }
        self.publish(0)

    def __enter__(self) -> CrashRig:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    # The feeds

    def window(self, revision: int) -> range:
        """The item numbers every feed lists at `revision`."""
        start = revision * self.new_per_round
        return range(start, start + self.items)

    def title(self, feed: int, n: int, revision: int) -> str:
        """Every fifth item is retitled at each revision, so a round updates as well as adds."""
        return f"Headline {feed}-{n} rev {revision if n % 5 == 0 else 0}"

    def publish(self, revision: int) -> None:
        """Serve `revision` of every feed."""
        self.revision = revision
        for index, url in enumerate(self.urls):
            server = self.servers[index % len(self.servers)]
            server.add_feed(
                url[len(server.base_url) :],
                self._feed(index, revision),
                delay=self.slow.get(index, self.delay),
            )

    def _feed(self, index: int, revision: int) -> bytes:
        parts = [
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
            f"<title>Feed {index}</title><link>https://example.org/{index}/</link>",
            "<language>en</language><description>Crash test feed</description>",
        ]
        for n in reversed(self.window(revision)):
            date = format_datetime(self.base + timedelta(seconds=n))
            body = escape(f"<p>{TEXT}</p><p>{TEXT} {n}</p>")
            parts.append(
                f"<item><title>{escape(self.title(index, n, revision))}</title>"
                f'<link>https://example.org/{index}/{n}</link><guid isPermaLink="false">item-{index}-{n}</guid>'
                f"<pubDate>{date}</pubDate><description>{body}</description></item>"
            )
        parts.append("</channel></rss>")
        return "".join(parts).encode("utf-8")

    # Running tuinews

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tuinews", "--config", str(self.config), *args]

    def spawn_fetch(self, *, quiet: bool = True, log: str = "fetch.log") -> subprocess.Popen[bytes]:
        """A `tuinews fetch` in its own session (so its helpers can be found by process group).

        Output goes to files: a pipe would keep a reader waiting for as long as any process
        holding it lives.
        """
        output = open(self.folder / log, "wb")  # noqa: SIM115 - the child has its own copy
        try:
            return subprocess.Popen(
                self.command("fetch", *(["--quiet"] if quiet else [])),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            output.close()

    def fetch_to_end(self) -> list[str]:
        """Run `tuinews fetch` to its end; returns what went wrong (nothing when it completed)."""
        return self.ended_well(self.spawn_fetch()) + self.check_current()

    def ended_well(self, proc: subprocess.Popen[bytes], log: str = "fetch.log") -> list[str]:
        """Wait for a fetch; what went wrong (exit status, a traceback, a lock error, stragglers)."""
        try:
            proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return ["a fetch did not end within 300 s"]
        problems = []
        output = (self.folder / log).read_text(encoding="utf-8", errors="replace")
        if proc.returncode != 0:
            problems.append(f"fetch exited {proc.returncode}: {output[-400:]}")
        if "Traceback" in output or "locked" in output or "busy" in output:
            start = max(0, output.find("Traceback"))
            problems.append(f"fetch printed: {output[start : start + 3000]}")
        return problems + stragglers(proc.pid)

    def check_current(self) -> list[str]:
        """After a complete fetch: no feed errors, every feed at the current revision, every
        article once."""
        problems = []
        with self.connect() as conn:
            errors = conn.execute(
                "SELECT location, last_error FROM sources WHERE last_error IS NOT NULL"
            ).fetchall()
            problems += [f"{location}: {error}" for location, error in errors]
            rows = self.rows(conn)
            stored, uids = conn.execute(
                "SELECT count(*), count(DISTINCT uid) FROM articles"
            ).fetchone()
            if stored != uids or stored != len(rows):
                problems.append(f"an article is stored twice ({stored} rows, {uids} uids)")
        expected = self.feeds * (self.items + self.revision * self.new_per_round)
        if len(rows) != expected:
            problems.append(f"{len(rows)} articles after a complete fetch, expected {expected}")
        for index, url in enumerate(self.urls):
            if self.written(rows, index, url, self.revision) is not True:
                problems.append(f"{url}: not at revision {self.revision} after a complete fetch")
                break
        return problems

    def kill_round(self, delay: float | Callable[[subprocess.Popen[bytes]], None]) -> KillResult:
        """Publish the next revision, start a fetch, `kill -9` it and check the cache.

        `delay` is seconds to wait before the kill, or a function that waits for the right moment.
        """
        before = self.snapshot()
        revision = self.revision
        if self.cache.exists():  # else the first fetch, into an empty cache, takes revision 0
            revision += 1
            self.publish(revision)
        proc = self.spawn_fetch(quiet=not callable(delay))
        if callable(delay):
            delay(proc)
        else:
            time.sleep(delay)
        landed = proc.poll() is None
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        result = KillResult(landed=landed)
        result.violations += stragglers(proc.pid)
        result.violations += self.check_integrity()
        rows = {}
        if self.cache.exists():  # else killed before it made the cache
            with self.connect() as conn:
                rows = self.rows(conn)
        for key, flags in before.items():
            now = rows.get(key)
            if now is None:
                result.violations.append(f"{key[0]} {key[1]}: lost")
            elif now[1:] != flags:
                result.violations.append(f"{key[0]} {key[1]}: flags {flags} became {now[1:]}")
        result.checked = len(before)
        for index, url in enumerate(self.urls):
            state = self.written(rows, index, url, revision)
            if state is None:
                result.violations.append(f"{url}: revision {revision} only partly written")
            elif state:
                result.feeds_written += 1
        return result

    # Looking at the cache (through a connection of our own, read-only)

    @contextlib.contextmanager
    def connect(self):
        conn = sqlite3.connect(f"file:{self.cache}?mode=ro", uri=True, timeout=30)
        try:
            yield conn
        finally:
            conn.close()

    def check_integrity(self) -> list[str]:
        if not self.cache.exists():
            return []
        with self.connect() as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        return [] if result == ["ok"] else [f"integrity_check: {result[:3]}"]

    @staticmethod
    def rows(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, int, int]]:
        """(feed URL, guid) -> (title, read, starred) of every cached article."""
        try:
            found = conn.execute(
                "SELECT s.location, a.guid, a.title, a.read, a.starred"
                " FROM articles a JOIN sources s ON s.id = a.source_id"
            ).fetchall()
        except sqlite3.OperationalError:  # killed before the schema existed
            return {}
        return {
            (location, guid): (title, read, starred)
            for location, guid, title, read, starred in found
        }

    def snapshot(self) -> dict[tuple[str, str], tuple[int, int]]:
        """The committed articles and their flags, as a kill must leave them."""
        if not self.cache.exists():
            return {}
        with self.connect() as conn:
            return {key: value[1:] for key, value in self.rows(conn).items()}

    def written(
        self, rows: dict[tuple[str, str], tuple[str, int, int]], index: int, url: str, revision: int
    ) -> bool | None:
        """True when feed `index` is stored at `revision`, False when still at the one before,
        None when it is a mix (a feed written in part: what a per-feed transaction rules out)."""
        previous = self.window(revision - 1) if revision else range(0)
        new = [n for n in self.window(revision) if n not in previous]
        retitled = [n for n in self.window(revision) if n in previous and n % 5 == 0]
        states = {(url, f"item-{index}-{n}") in rows for n in new}
        for n in retitled:
            row = rows.get((url, f"item-{index}-{n}"))
            states.add(row is not None and row[0] == self.title(index, n, revision))
        return states.pop() if len(states) == 1 else None

    def mark(self, rng: random.Random, count: int) -> None:
        """Mark `count` random articles read or unread, starred or unstarred, as a user would."""
        from tuinews.store import Store

        with Store(self.cache) as store:
            ids = [row.id for row in store.headlines(_all())]
            for article_id in rng.sample(ids, min(count, len(ids))):
                choice = rng.randrange(4)
                if choice == 0:
                    store.set_read([article_id], True)
                elif choice == 1:
                    store.set_read([article_id], False)
                elif choice == 2:
                    store.set_starred([article_id], True)
                else:
                    store.set_starred([article_id], False)


def _all():
    from tuinews.store import HeadlineFilter

    return HeadlineFilter()


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) whose process group is `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def stragglers(pgid: int, grace: float = 10.0) -> list[str]:
    """Processes of a finished fetch's session still alive after `grace` seconds; they are killed.

    Only on Linux (/proc); elsewhere nothing is checked.
    """
    if not Path("/proc/self/stat").exists():
        return []
    deadline = time.monotonic() + grace
    left = group_members(pgid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = group_members(pgid)
    problems = []
    for pid in left:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
        except OSError:
            command = b"?"
        problems.append(f"process {pid} outlived the fetch: {command.decode(errors='replace')}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return problems
