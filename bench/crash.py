"""Crash bench: `kill -9` a `tuinews fetch` at random moments and check that nothing was lost.

Serves 200 feeds x 50 items from loopback servers (8 feeds per server). Each round publishes a new
revision of every feed (3 new items per feed, every fifth item retitled), marks 40 random articles
read, unread, starred or unstarred through the store, starts a real `tuinews fetch --quiet`
(its own XDG folders, its own session) and kills it with SIGKILL after a random delay up to the
length of the last complete fetch (three kills in four after the first 40% of it, when feeds are
being written, the others anywhere, start-up included). After each kill:

- `PRAGMA integrity_check` must say ok;
- every article committed before the round must be there with its read and starred flags;
- each feed must be stored whole at the new revision or left whole at the old one;
- no process of the killed fetch (fork server, parser workers) may outlive it;

and then a fetch left alone must complete (exit 0, no errors, every feed current, the expected
article count, no uid twice). A kill that arrives after the fetch has already ended does not count;
rounds go on until `--kills` kills have landed. The first kill hits an empty cache (schema creation).

Usage: python bench/crash.py [--kills 50] [--feeds 200] [--items 50] [--seed 8]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from crashkit import CrashRig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--mark", type=int, default=40, help="articles marked before each round")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    landed = rounds = checked = 0
    violations: list[str] = []
    written: list[float] = []
    delays: list[float] = []
    completes: list[float] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        CrashRig(Path(tmp), feeds=args.feeds, items=args.items) as rig,
    ):
        estimate = 1.0  # the first kill: into an empty cache, within its first second
        while landed < args.kills:
            rounds += 1
            if rig.cache.exists():
                rig.mark(rng, args.mark)
            # One kill in four anywhere (start-up included), the others while feeds are written.
            low = 0.0 if rounds % 4 == 1 else 0.4
            delay = rng.uniform(low * estimate, estimate)
            result = rig.kill_round(delay)
            violations += result.violations
            if result.landed:
                landed += 1
                checked += result.checked
                delays.append(delay)
                written.append(result.feeds_written / args.feeds)
            began = time.perf_counter()
            problems = rig.fetch_to_end()
            completes.append(time.perf_counter() - began)
            # A fetch after a late kill has little left to do: the longest recent one is the guide.
            estimate = max(completes[-5:])
            violations += problems
            state = "killed" if result.landed else "ended before the kill"
            print(
                f"round {rounds:3}: {state} at {delay:5.2f} s, {result.feeds_written:3} of"
                f" {args.feeds} feeds written, {result.checked:6} articles checked,"
                f" {len(result.violations) + len(problems)} violations;"
                f" the next fetch took {completes[-1]:.2f} s",
                flush=True,
            )
            for problem in [*result.violations, *problems][:5]:
                print(f"    ! {problem}", flush=True)
        with rig.connect() as conn:
            total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            flagged = conn.execute(
                "SELECT count(*) FROM articles WHERE read = 1 OR starred = 1"
            ).fetchone()[0]
    elapsed = time.perf_counter() - started
    quartiles = statistics.quantiles(written, n=4) if len(written) > 1 else written * 3
    print()
    print(
        f"{landed} kills landed mid-fetch in {rounds} rounds ({args.feeds} feeds x"
        f" {args.items} items, {rig.revision} revisions)"
    )
    print(
        f"kill moments {min(delays):.2f}-{max(delays):.2f} s; share of feeds the killed fetch had"
        f" written: min {min(written):.0%}, quartiles"
        f" {' / '.join(f'{q:.0%}' for q in quartiles)}, max {max(written):.0%}"
    )
    print(
        f"{checked:,} article checks after kills (flags and presence); {total:,} articles and"
        f" {flagged:,} read or starred at the end"
    )
    print(
        f"complete fetch after a kill: median {statistics.median(completes):.2f} s,"
        f" max {max(completes):.2f} s; every one completed: {not any('fetch' in v for v in violations)}"
    )
    print(f"violations: {len(violations)}; total time {elapsed:.0f} s")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
