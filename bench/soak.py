"""Soak test: 1,000 feeds over loopback, 20 refresh rounds of changing items, the reader's queries alongside.

Each round, most feeds publish new items (their oldest fall out of the feed's window), a tenth
change the title of an item they still list, and a fifth do not change at all (they answer 304).
The refresh is the one the reader and `tuinews fetch` run (`refresh_feeds`, then retention with
small `[cache] keep_days` / `max_per_source`, so the cache fills within a few rounds and must then
stay flat). Meanwhile a thread with its own connection does what the reader does: the headline
list, unread and per-source counts, a search, opening articles and marking some read.

Per round it prints articles/s (items parsed and stored per second of refresh), the cache size
(database and WAL), the process RSS, and the reader-side query cycles (count, median and worst
latency, errors such as "database is locked"). The last lines say whether the cache size stayed
flat once full and whether RSS grew after the first rounds.

Usage: python bench/soak.py [--feeds 1000] [--rounds 20] [--items 15] [--new 3]
       [--max-per-source 30] [--keep-days 1]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from feedserver import FeedServer
from tuinews.config import NetworkConfig
from tuinews.model import Source, SourceKind
from tuinews.refresh import refresh_feeds
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store

FEEDS_PER_SITE = 8
"""At most 2 downloads per host at once: the feeds are spread over many loopback servers."""
WORDS = "council tram budget river library school harbour festival storm market".split()


def feed_body(index: int, newest: int, items: int, changed: int | None, start: datetime) -> bytes:
    """Feed `index` listing items newest..newest-items+1; `changed` is an item whose title changed."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Feed {index}</title><link>https://example.org/{index}/</link>",
        f"<language>{'en' if index % 3 else 'de'}</language>",
    ]
    for n in range(newest, max(newest - items, -1), -1):
        word = WORDS[(index + n) % len(WORDS)]
        title = f"Feed {index} item {n}: the {word} story"
        if n == changed:
            title += " (updated)"
        date = format_datetime(start + timedelta(hours=n))
        parts.append(
            f"<item><title>{title}</title><guid>f{index}-i{n}</guid>"
            f"<link>https://example.org/{index}/{n}</link><pubDate>{date}</pubDate>"
            f"<description>&lt;p&gt;The {word} item {n} of feed {index}, long enough to read "
            f"as a paragraph of text in the article pane.&lt;/p&gt;</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


@dataclass
class QueryStats:
    """What the reader-side thread did since it was last asked."""

    cycles: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[list[float], list[str]]:
        with self.lock:
            cycles, errors = self.cycles, self.errors
            self.cycles, self.errors = [], []
        return cycles, errors


def reader_queries(path: Path, stop: threading.Event, stats: QueryStats) -> None:
    """The reader's side: list, counts, search, open and mark read, over and over."""
    searches = [parse_query(word) for word in WORDS] + [parse_query("item lang:de")]
    turn = 0
    with Store(path) as store:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                rows = store.headlines(HeadlineFilter())
                store.count(HeadlineFilter(unread=True))
                store.source_counts()
                store.language_counts()
                found = store.headlines(
                    HeadlineFilter(query=searches[turn % len(searches)]), limit=200
                )
                ids = [row.id for row in list(rows)[turn % 7 :: 97]][:20]
                for article_id in ids[:5]:
                    store.article(article_id)
                store.set_read(ids)
                del found
            except Exception as error:  # counted and shown: the point is that none happen
                with stats.lock:
                    stats.errors.append(f"{type(error).__name__}: {error}")
            with stats.lock:
                stats.cycles.append(time.perf_counter() - started)
            turn += 1
            stop.wait(0.05)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def file_mib(path: Path) -> float:
    with contextlib.suppress(OSError):
        return path.stat().st_size / 1024 / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--items", type=int, default=15, help="items each feed lists")
    parser.add_argument("--new", type=int, default=3, help="new items per changing feed per round")
    parser.add_argument("--max-per-source", type=int, default=30)
    parser.add_argument("--keep-days", type=int, default=1)
    args = parser.parse_args()

    # An item an hour: the first ones are days old, so `keep_days` removes them once read.
    start = datetime.now(UTC) - timedelta(hours=args.items + args.new * args.rounds)
    network = NetworkConfig(timeout=20, concurrency=8)
    with (
        tempfile.TemporaryDirectory(prefix="tuinews-soak-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        cache = Path(tmp) / "cache.db"
        sites = [
            stack.enter_context(FeedServer())
            for _ in range((args.feeds + FEEDS_PER_SITE - 1) // FEEDS_PER_SITE)
        ]
        newest = [args.items - 1] * args.feeds
        urls = []
        for index in range(args.feeds):
            server = sites[index % len(sites)]
            server.add_feed(
                f"/{index}.xml", feed_body(index, newest[index], args.items, None, start)
            )
            urls.append(server.url(f"/{index}.xml"))

        print(
            f"{args.feeds} feeds of {args.items} items, {args.rounds} rounds "
            f"(+{args.new} items in 4 feeds of 5, a changed title in 1 of 10); "
            f"retention: keep_days {args.keep_days}, max_per_source {args.max_per_source}\n"
        )
        header = (
            f"{'round':>5} {'refresh s':>9} {'articles/s':>10} {'new':>6} {'upd':>5} {'304':>5} "
            f"{'removed':>7} {'articles':>8} {'cache MiB':>9} {'of it WAL':>7} {'RSS MiB':>8} "
            f"{'queries':>7} {'q med ms':>8} {'q max ms':>8} {'q err':>5}"
        )
        print(header)
        print("-" * len(header))
        stats = QueryStats()
        stop = threading.Event()
        history: list[tuple[int, float, float]] = []  # (articles, cache MiB, RSS MiB)
        wals: list[float] = []
        all_errors: list[str] = []
        with Store(cache) as store:
            sources = [
                store.upsert_source(Source(SourceKind.URL, url, f"Feed {index}"))
                for index, url in enumerate(urls)
            ]
            reader = threading.Thread(target=reader_queries, args=(cache, stop, stats))
            reader.start()
            try:
                for round_number in range(1, args.rounds + 1):
                    if round_number > 1:
                        for index in range(args.feeds):
                            if (index + round_number) % 5 == 0:
                                continue  # unchanged: answers 304
                            newest[index] += args.new
                            changed = (
                                newest[index] - args.items + 1
                                if (index + round_number) % 10 == 1
                                else None
                            )
                            body = feed_body(index, newest[index], args.items, changed, start)
                            sites[index % len(sites)].add_feed(f"/{index}.xml", body)
                    started = time.perf_counter()
                    report = refresh_feeds(store, sources, network)
                    removed = store.prune(args.keep_days, args.max_per_source)
                    elapsed = time.perf_counter() - started
                    gc.collect()
                    processed = report.added + report.updated + report.unchanged
                    articles = store.count(HeadlineFilter())
                    wal = file_mib(cache.with_name(cache.name + "-wal"))
                    size, rss = file_mib(cache) + wal, rss_mib()
                    history.append((articles, size, rss))
                    wals.append(wal)
                    cycles, errors = stats.take()
                    all_errors += errors + [str(e) for e in report.errors]
                    median = statistics.median(cycles) * 1000 if cycles else 0.0
                    worst = max(cycles) * 1000 if cycles else 0.0
                    print(
                        f"{round_number:5} {elapsed:9.2f} {processed / elapsed:10.0f} "
                        f"{report.added:6} {report.updated:5} {report.not_modified:5} "
                        f"{removed:7} {articles:8} {size:9.1f} {wal:7.1f} {rss:8.0f} "
                        f"{len(cycles):7} {median:8.1f} {worst:8.1f} "
                        f"{len(errors) + len(report.errors):5}",
                        flush=True,
                    )
            finally:
                stop.set()
                reader.join()

        print()
        # Full: every source at its max_per_source (within 1 %), so retention removes as much as
        # each round brings.
        target = args.feeds * args.max_per_source * 0.99
        full_at = next((i for i, (count, _, _) in enumerate(history) if count >= target), None)
        if full_at is None:
            print("cache never filled: run more rounds (--rounds) to judge retention")
        else:
            sizes = [size for _, size, _ in history[full_at:]]
            database = [size - wal for size, wal in zip(sizes, wals[full_at:], strict=True)]
            # The database file is what retention must hold; the write-ahead log is transient
            # (checkpoints fold it back and cut it to 8 MiB), so it is reported beside it.
            growth = (database[-1] - database[0]) / database[0] * 100
            rounds = len(database) - 1
            print(
                f"cache full at round {full_at + 1} ({history[full_at][0]:,} articles): database"
                f" file {database[0]:.1f} MiB then, {database[-1]:.1f} MiB at the end"
                f" ({growth:+.1f} %, {(database[-1] - database[0]) / max(rounds, 1) * 1024:+.0f} KiB"
                " a round)"
            )
            # The first removals leave free pages that later writes reuse: the file settles once
            # they are there. Judge the second half of the rounds after the cache filled.
            mid = len(database) // 2
            flat = max(database[mid:]) <= database[mid] * 1.10
            print(
                f"  settled (from round {full_at + mid + 1}): {database[mid]:.1f} MiB, then at most"
                f" {max(database[mid:]):.1f} MiB: {'FLAT' if flat else 'GREW'} (limit +10 %)"
            )
            print(
                f"  with the write-ahead log: {sizes[0]:.1f} -> {sizes[-1]:.1f} MiB; the log itself"
                f" {wals[full_at]:.1f} -> {wals[-1]:.1f} MiB, max {max(wals[full_at:]):.1f} MiB"
            )
        for label, settle in (("round 5", min(4, len(history) - 1)), ("the full cache", full_at)):
            if settle is None:
                continue
            rss_then, rss_end = history[settle][2], history[-1][2]
            rss_max = max(rss for _, _, rss in history[settle:])
            grew = rss_max > rss_then * 1.10
            print(
                f"RSS after {label} (round {settle + 1}): {rss_then:.0f} MiB, at the end "
                f"{rss_end:.0f} MiB, max since {rss_max:.0f} MiB: "
                f"{'GREW' if grew else 'NO GROWTH'} (limit +10 %)"
            )
        print(
            "errors (refresh and reader queries): "
            + (f"{len(all_errors)}, first: {all_errors[0]}" if all_errors else "none")
        )


if __name__ == "__main__":
    main()
