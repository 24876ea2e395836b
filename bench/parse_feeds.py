"""Feed parsing benchmark: parse every real feed of the shared corpus with `parse_feed`.

Prints files, items, total seconds and items per second (after one warm-up pass, so imports and the
language detector's first load are not counted), how many files the fast path read, the same parse
with feedparser only (`fast=False`), and feedparser's own time for comparison.
Usage: python bench/parse_feeds.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tuinews.model import LoadFailure
from tuinews.sources.feeds import parse_feed

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "feeds"
FETCHED = datetime(2026, 11, 20, tzinfo=UTC)


def load(root: Path) -> list[tuple[str, bytes]]:
    return [
        (str(path.relative_to(root)), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".expected." not in path.name
    ]


def parse_all(feeds: list[tuple[str, bytes]], fast: bool | None = None) -> tuple[int, int, float]:
    """(feeds parsed, items, seconds)."""
    parsed = items = 0
    start = time.perf_counter()
    for name, data in feeds:
        try:
            feed = parse_feed(data, f"https://bench.example/{name}", fetched_at=FETCHED, fast=fast)
        except LoadFailure:
            continue
        parsed += 1
        items += len(feed.articles)
    return parsed, items, time.perf_counter() - start


def feedparser_alone(feeds: list[tuple[str, bytes]]) -> float:
    import feedparser

    start = time.perf_counter()
    for _, data in feeds:
        feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes (best is reported)")
    args = parser.parse_args()
    root = CORPUS / "real"
    if not root.is_dir():
        print(f"{root} is missing", file=sys.stderr)
        return 1
    feeds = load(root)
    parse_all(feeds)  # warm-up: imports, the language detector, dateparser
    best = min((parse_all(feeds) for _ in range(max(args.rounds, 1))), key=lambda run: run[2])
    parsed, items, seconds = best
    fast_files = parse_all(feeds, fast=True)[0]
    slow = min(
        (parse_all(feeds, fast=False) for _ in range(max(args.rounds, 1))), key=lambda r: r[2]
    )
    baseline = feedparser_alone(feeds)
    print(f"files:            {len(feeds)} ({parsed} feeds, {len(feeds) - parsed} not feeds)")
    print(f"items:            {items}")
    print(f"total seconds:    {seconds:.2f}")
    print(f"items/s:          {items / seconds:,.0f}")
    print(f"ms per feed:      {seconds / max(parsed, 1) * 1000:.1f}")
    print(f"fast path read:   {fast_files} of {parsed} feeds")
    print(f"feedparser only:  {slow[2]:.2f} s, {slow[1] / slow[2]:,.0f} items/s")
    print(f"feedparser alone: {baseline:.2f} s (sanitising off as in parse_feed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
