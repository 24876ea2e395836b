"""Refresh benchmark: `tuinews fetch` against a loopback server of synthetic feeds.

Serves 200 feeds x 50 items (10,000 articles) and 200 x 500 (100,000) from 127.0.0.1 (8 feeds per
server, so per-host limits act as they do on real subscriptions) and times, as a
whole `tuinews fetch --quiet` process:

- cold: into an empty cache;
- warm: again, every feed answering 304 Not Modified;
- peak RSS of the fetch and its worker processes.

Targets (issue 4): cold 10,000 <= 1.0 s, warm <= 0.5 s, cold 100,000 <= 4 s, peak RSS <= 300 MiB.
When newsboat is installed, it runs on the same feeds for the ratio (cold at most half of newsboat's,
warm at most a third). It first prints a machine probe (CPU per item of a fixed standard-library workload): refresh
times are comparable between runs at similar probes. Usage: python bench/refresh.py [--sets 200x50,200x500]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from feedserver import FeedServer
from user_env import user_env

LANGUAGES = {
    "en": "The council approved the new tram line after a long debate about costs and routes.",
    "uk": "Міська рада схвалила нову трамвайну лінію після тривалої дискусії про вартість.",
    "de": "Der Stadtrat hat die neue Straßenbahnlinie nach langer Debatte genehmigt.",
    "fr": "Le conseil municipal a approuvé la nouvelle ligne de tramway après un long débat.",
}


def make_feed(index: int, items: int) -> bytes:
    """One RSS 2.0 feed with `items` items, in one of four languages."""
    lang = list(LANGUAGES)[index % len(LANGUAGES)]
    text = LANGUAGES[lang]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Feed {index}</title><link>https://example.org/{index}/</link>",
        f"<language>{lang}</language><description>Synthetic feed {index}</description>",
    ]
    for n in range(items):
        date = format_datetime(start + timedelta(minutes=index * items + n))
        body = escape(f"<p>{text}</p><p>{text} {n}</p><p><a href='/x/{n}'>More</a></p>")
        parts.append(
            f"<item><title>Headline {index}-{n}: {escape(text[:40])}</title>"
            f"<link>https://example.org/{index}/{n}</link><guid>item-{index}-{n}</guid>"
            f"<pubDate>{date}</pubDate><description>{body}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds of a command, and its exit status."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(f"  ! {' '.join(command[:3])} exited {result.returncode}: {result.stderr[-300:]}")
    return elapsed, result.returncode


FEEDS_PER_SITE = 8
"""Feeds per loopback server: tuinews fetches at most 2 at once from one host (host and port), so
the feeds are spread over several servers, as real subscriptions are spread over many sites."""


def bench_set(feeds: int, items: int, tui: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        sites = [
            stack.enter_context(FeedServer())
            for _ in range((feeds + FEEDS_PER_SITE - 1) // FEEDS_PER_SITE)
        ]
        urls = []
        for index in range(feeds):
            server = sites[index % len(sites)]
            path = f"/feeds/{index}.xml"
            server.add_feed(path, make_feed(index, items))
            urls.append(server.url(path))
        config = folder / "config.toml"
        lines = [f'[cache]\npath = "{folder / "cache.db"}"\n[network]\nconcurrency = 8\n']
        lines += [f'[[sources]]\nurl = "{url}"\n' for url in urls]
        config.write_text("\n".join(lines), encoding="utf-8")
        env = user_env(XDG_CONFIG_HOME=str(folder / "config"), XDG_DATA_HOME=str(folder / "data"))
        command = [sys.executable, "-m", "tuinews", "--config", str(config), "fetch", "--quiet"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cold, _ = run(command, env)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        warm, _ = run(command, env)
        total = feeds * items
        rss = f"peak RSS {peak / 1024:.0f} MiB" if peak > before else "peak RSS (see first set)"
        print(
            f"{feeds} x {items} ({total:,} articles): cold {cold:.2f} s, warm {warm:.2f} s, {rss}"
        )

        if tui:
            (folder / "cache.db").unlink()
            for extra in ("cache.db-wal", "cache.db-shm"):
                (folder / extra).unlink(missing_ok=True)
            tui_latency(config, folder)

        newsboat = shutil.which("newsboat")
        if newsboat:
            home = folder / "newsboat"
            home.mkdir()
            (home / "urls").write_text("\n".join(urls) + "\n")
            (home / "config").write_text("reload-threads 8\n")
            nb = [
                newsboat,
                "-u",
                str(home / "urls"),
                "-c",
                str(home / "cache.db"),
                "-C",
                str(home / "config"),
                "-x",
                "reload",
            ]
            nb_cold, _ = run(nb, env)
            nb_warm, _ = run(nb, env)
            print(
                f"  newsboat: cold {nb_cold:.2f} s, warm {nb_warm:.2f} s;"
                f" ratio cold {cold / nb_cold:.2f} (target <= 0.5),"
                f" warm {warm / nb_warm:.2f} (target <= 0.33)"
            )


def tui_latency(config: Path, home: Path, presses: int = 60) -> None:
    """Key-to-frame in the reader while it refreshes every feed (it does at first start)."""
    import statistics

    from startup import drain, key_latency, read_until, spawn

    pid, fd = spawn(config, home, user_env())
    try:
        read_until(fd, b"Language", timeout=20)
        drain(fd, quiet=0.05, limit=0.5)
        started = time.perf_counter()
        before = schedstat(pid)
        samples = key_latency(fd, presses, key=b"\t")
        after = schedstat(pid)
        spent = time.perf_counter() - started
        os.write(fd, b"q")
        drain(fd, quiet=0.5, limit=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
        os.waitpid(pid, 0)
        os.close(fd)
    median = statistics.median(samples)
    worst = max(samples)
    print(
        f"  TUI during the refresh: {len(samples)} Tab presses over {spent:.1f} s, key-to-frame"
        f" median {median:.1f} ms, max {worst:.1f} ms (target < 50 ms)"
    )
    if before and after:
        # On a busy machine the wait for a processor says how much of the latency is not the
        # reader's own doing; its other threads' time is what the refresh costs it.
        ran, waited, main = (after[i] - before[i] for i in range(3))
        print(
            f"  reader's processor time over the presses: {ran:.0f} ms ({ran - main:.0f} ms outside"
            f" its interface thread), waiting for a processor {waited:.0f} ms;"
            f" load average {os.getloadavg()[0]:.2f}"
        )


def schedstat(pid: int) -> tuple[float, float, float] | None:
    """Milliseconds a process's threads ran and waited to run, and its main thread ran (Linux)."""
    ran = waited = main = 0.0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError):
                fields = Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()
                ran += int(fields[0]) / 1e6
                waited += int(fields[1]) / 1e6
                if task == str(pid):
                    main = int(fields[0]) / 1e6
    except OSError:
        return None
    return ran, waited, main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="200x50,200x500")
    parser.add_argument(
        "--tui", action="store_true", help="also time keys in the reader during a cold refresh"
    )
    args = parser.parse_args()
    print(f"machine probe: {speed_probe():.1f} us of CPU per item of a fixed stdlib workload")
    for spec in args.sets.split(","):
        feeds, items = (int(n) for n in spec.split("x"))
        bench_set(feeds, items, args.tui)


def speed_probe() -> float:
    """CPU microseconds per item of a fixed standard-library workload on four bench feeds (XML
    parse; per item a tag split, entity decoding, a JSON dump and a SHA-1), best of five, in this
    process. It runs no tuinews code, so it stays comparable when tuinews gets faster: a slower
    figure means a slower machine right now (shared hosts drift by a fifth over a day); compare
    refresh times at similar probes."""
    import hashlib
    import html
    import json
    import re
    import xml.etree.ElementTree as ElementTree

    tag = re.compile(r"<(/?)([A-Za-z]+)([^>]*)>")
    feeds = [make_feed(index, 500) for index in range(4)]
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for body in feeds:
            for item in ElementTree.fromstring(body).iter("item"):
                fields = {child.tag: child.text or "" for child in item}
                parts = tag.split(html.unescape(fields.get("description", "")))
                text = " ".join(part.strip() for part in parts[::4] if part.strip())
                row = json.dumps([fields.get("title"), fields.get("link"), text, parts[2::4]])
                hashlib.sha1(row.encode("utf-8")).hexdigest()
        best = min(best, time.process_time() - started)
    return best / (4 * 500) * 1e6


if __name__ == "__main__":
    main()
