"""Counts benchmark: the sources pane's and language switcher's counts at 100,000 articles.

Builds the cache of bench/startup.py (8 sources) and times `Store.source_counts` and
`Store.language_counts` as the reader calls them (one fresh store connection, both counts), with no
`hide` rules, rules on one source, and rules on all eight (the worst case: every title goes through
a regular expression). Also checks that the counts agree with the headline list's count.

Usage: python bench/counts.py [--size 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from startup import build_cache
from tuinews.store import HeadlineFilter, Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build_cache(folder, args.size)
        cache = folder / "cache.db"
        with Store(cache) as store:
            ids = [source.id for source in store.sources() if source.id is not None]
        cases = {
            "no hide rules": (),
            "rules on 1 source": ((ids[0], "(?i)storm"),),
            "rules on all 8": tuple((i, "(?i)storm|^Sponsored") for i in ids),
        }
        for label, hide in cases.items():
            times = []
            for _ in range(args.runs):
                with Store(cache) as store:
                    started = time.perf_counter()
                    counts = store.source_counts(ids, hide=hide)
                    store.language_counts(ids, hide=hide)
                    times.append(time.perf_counter() - started)
            with Store(cache) as store:
                listed = store.count(HeadlineFilter(source_ids=tuple(ids), hide=hide))
            total = sum(item.total for item in counts)
            agree = "agree" if total == listed else f"DISAGREE (list {listed})"
            print(
                f"{label:>18}: counts median {statistics.median(times) * 1000:.0f} ms,"
                f" {total} articles counted, {agree}"
            )


if __name__ == "__main__":
    main()
