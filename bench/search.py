"""Search benchmark: full-text queries over a cache of 100,000 synthetic articles in six languages.

Builds the cache the way `bench/startup.py` does (8 sources, titles and bodies in en, uk, de, fr, es and
ja), then runs typical queries of the search box and `tuinews search` many times each. For each: the hits,
then the median and p95 milliseconds of the first screenful (200 headlines, newest first: what the
reader paints and `tuinews search --limit 200` prints), and of every hit (what the reader loads after
painting). Also prints how long building the cache (with its search indexes) took, and its size.

The synthetic bodies hold every word of their language, so a word matches a sixth to a third of the
cache: far more than real news, the worst case for "newest first".

Target (issue 6): median <= 50 ms per query (first screenful) on 100,000 articles.
Usage: python bench/search.py [--count 100000] [--runs 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import build_cache
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store

QUERIES = {
    "single word": "museum",
    "word prefix (as typed)": "muse",
    "two words": "tram library",
    "Ukrainian word": "трамвай",
    "German, folded": "strassenbahn",
    "phrase": '"opens new"',
    "exclusion": "river -storm",
    "lang: filter": "lang:fr tempete",
    "source: + is:unread": 'source:"site 3" is:unread city',
    "CJK substring": "路面電車",
    "CJK, 2 chars (scan)": "東京",
    "no hits": "zeppelin",
    "one letter": "m",
}
PAGE = 200


def timed(runs: int, call: Callable[[], object]) -> tuple[float, float]:
    """Median and p95 milliseconds of `runs` calls (after one warm-up call)."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the cache in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        cache = folder / "cache.db"
        if not cache.exists():
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            build_cache(folder, args.count)
            print(f"built {args.count:,} articles in {time.perf_counter() - started:.1f} s")
        size = cache.stat().st_size + (
            cache.with_name("cache.db-wal").stat().st_size
            if cache.with_name("cache.db-wal").exists()
            else 0
        )
        print(f"cache size: {size / 1024 / 1024:.1f} MiB")
        with Store(cache) as store:
            print(
                f"{'query':26} {'hits':>7} {'first page ms':>14} {'p95':>6}"
                f" {'all hits ms':>12} {'p95':>6}"
            )
            medians = []
            for label, text in QUERIES.items():
                view = HeadlineFilter(query=parse_query(text))
                hits = store.count(view)
                median, p95 = timed(args.runs, lambda v=view: store.headlines(v, limit=PAGE))
                whole = timed(max(3, args.runs // 5), lambda v=view: store.headlines(v))
                medians.append(median)
                print(
                    f"{label:26} {hits:>7,} {median:>14.1f} {p95:>6.1f}"
                    f" {whole[0]:>12.1f} {whole[1]:>6.1f}"
                )
            print(
                f"first page: median of medians {statistics.median(medians):.1f} ms,"
                f" worst median {max(medians):.1f} ms (target <= 50 ms)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
