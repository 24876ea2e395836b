"""Start-up benchmark: time to first headlines, memory, and key-to-frame latency, in a real pty.

Builds caches of 1,000 and 100,000 synthetic articles in several languages, then runs `tuinews` as a
whole process in a pseudo-terminal (120x40) for each and prints:

Each size is started `--runs` times (median of first headlines and RSS; latency from the first run).

- first headlines: seconds from spawn until the newest headline's title is written to the terminal;
- RSS after start (MiB), read from /proc once the full list has loaded;
- key-to-frame: median and p95 milliseconds from writing `j` to the first byte of the next frame.

Targets (issue 3): first headlines <= 0.45 s at 100,000 and <= 1.2x the 1,000 figure; RSS <= 100 MiB;
key-to-frame median <= 8 ms. Usage: python bench/startup.py [--sizes 1000,100000] [--keys 100]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.store import Store
from user_env import user_env

WORDS = {
    "en": [
        "city",
        "council",
        "tram",
        "harbour",
        "library",
        "opens",
        "new",
        "line",
        "river",
        "storm",
        "museum",
    ],
    "uk": [
        "місто",
        "трамвай",
        "бібліотека",
        "відкрила",
        "нову",
        "лінію",
        "річка",
        "буря",
        "музей",
        "ярмарок",
    ],
    "de": [
        "Stadt",
        "Straßenbahn",
        "Bibliothek",
        "öffnet",
        "neue",
        "Linie",
        "Fluss",
        "Sturm",
        "Museum",
        "Markt",
    ],
    "fr": [
        "ville",
        "tramway",
        "bibliothèque",
        "ouvre",
        "nouvelle",
        "ligne",
        "rivière",
        "tempête",
        "musée",
        "marché",
    ],
    "es": [
        "ciudad",
        "tranvía",
        "biblioteca",
        "abre",
        "nueva",
        "línea",
        "río",
        "tormenta",
        "museo",
        "mercado",
    ],
    "ja": [
        "東京",
        "新しい",
        "路面電車",
        "図書館",
        "開館",
        "川",
        "嵐",
        "博物館",
        "市場",
        "ニュース",
    ],
}
MARKER = "NEWEST-HEADLINE-MARKER"


def build_cache(folder: Path, count: int) -> Path:
    """A config and a cache holding `count` articles over 8 sources."""
    cache = folder / "cache.db"
    sources_dir = folder / "sources"
    lines = [f'[cache]\npath = "{cache}"\n']
    with Store(cache) as store:
        sources = []
        for index in range(8):
            path = sources_dir / f"site-{index}"
            path.mkdir(parents=True)
            source = store.upsert_source(Source(SourceKind.PATH, str(path), f"Site {index}"))
            sources.append(source)
            lines.append(f'[[sources]]\npath = "{path}"\nname = "Site {index}"\n')
        start = datetime(2026, 11, 1, tzinfo=UTC)
        languages = list(WORDS)
        per_source = count // len(sources)
        for s_index, source in enumerate(sources):
            batch = []
            for i in range(per_source):
                n = s_index * per_source + i
                lang = languages[n % len(languages)]
                words = WORDS[lang]
                title = " ".join(words[(n + k) % len(words)] for k in range(6)) + f" {n}"
                if n == count - 1:
                    title = MARKER
                batch.append(
                    (
                        Article(
                            guid=f"{source.location}/{n}",
                            title=title,
                            blocks=[paragraph(" ".join(words) * 5)] * 3,
                            published=start + timedelta(minutes=n),
                            language=lang,
                        ),
                        None,
                    )
                )
            store.upsert_articles(source, batch)
    config = folder / "config.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def spawn(config: Path, home: Path, base: dict[str, str]) -> tuple[int, int]:
    """Run tuinews in a pty of 120x40 with the environment `base` (plus XDG folders and the
    terminal); returns (pid, master fd)."""
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(base)
        env.update(
            TERM="xterm-256color",
            COLUMNS="120",
            LINES="40",
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
        )
        os.execvpe(sys.executable, [sys.executable, "-m", "tuinews", "--config", str(config)], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, fd


def read_until(fd: int, needle: bytes, timeout: float) -> float | None:
    """Read the pty until `needle` shows up; returns the time it did, or None."""
    buffer = b""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return None
            buffer += chunk
            if needle in buffer:
                return time.perf_counter()
            buffer = buffer[-len(needle) :]
    return None


def drain(fd: int, quiet: float = 0.3, limit: float = 10.0) -> None:
    """Read until the terminal has been quiet for `quiet` seconds."""
    deadline = time.perf_counter() + limit
    last = time.perf_counter()
    while time.perf_counter() < deadline and time.perf_counter() - last < quiet:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return
            last = time.perf_counter()


def key_latency(fd: int, presses: int, key: bytes = b"j") -> list[float]:
    """Milliseconds from writing `key` to the first byte of the frame that follows."""
    samples = []
    for _ in range(presses):
        drain(fd, quiet=0.03)
        sent = time.perf_counter()
        os.write(fd, key)
        ready, _, _ = select.select([fd], [], [], 2.0)
        if ready:
            samples.append((time.perf_counter() - sent) * 1000)
            os.read(fd, 65536)
    return samples


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(count: int, presses: int, runs: int) -> dict[str, float]:
    """Median figures over `runs` starts of the app on one cache."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = build_cache(folder, count)
        results = [run_once(config, folder, presses if i == 0 else 0) for i in range(runs)]
    merged = {key: statistics.median(r[key] for r in results) for key in ("first", "rss")}
    merged["median"], merged["p95"] = results[0]["median"], results[0]["p95"]
    return merged


def run_once(config: Path, folder: Path, presses: int) -> dict[str, float]:
    """One start: first headlines, RSS, and (when `presses`) key-to-frame latencies."""
    base = user_env()  # (compiles what needs it: before the clock starts)
    started = time.perf_counter()
    pid, fd = spawn(config, folder, base)
    try:
        seen = read_until(fd, MARKER.encode(), timeout=30)
        first = (seen - started) if seen else float("nan")
        drain(fd, quiet=1.0, limit=20)
        rss = rss_mib(pid)
        latencies = key_latency(fd, presses)
        os.write(fd, b"q")
        drain(fd, quiet=0.5, limit=5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return {
        "first": first,
        "rss": rss,
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p95": statistics.quantiles(latencies, n=20)[18] if len(latencies) > 20 else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="starts per size (median reported)")
    args = parser.parse_args()
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = measure(size, args.keys, args.runs)
        r = results[size]
        print(
            f"{size:>7} articles: first headlines {r['first']:.3f} s, RSS {r['rss']:.1f} MiB, "
            f"key-to-frame median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms"
        )
    if 1000 in results and 100000 in results:
        ratio = results[100000]["first"] / results[1000]["first"]
        print(f"first-headlines ratio 100,000 / 1,000: {ratio:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
