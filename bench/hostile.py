"""Hostile servers benchmark: each case of `tests/hostile_feeds.py` through a real `tuinews fetch`.

For every case (endless body, 1 byte per second, gzip bomb, 100,000 nested elements, billion laughs,
external entities, redirect loops, a 2 GB Content-Length, 100,000 items, broken or lying charsets)
a fresh cache and config hold the hostile feed and a good feed; `tuinews fetch` runs as its own
process and this prints its wall time, its peak RSS (from `wait4`, so per case), its exit status,
the error line it printed for the hostile feed, and whether the good feed's articles arrived.

Usage: python bench/hostile.py [--timeout 5] [--max-bytes 20971520] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from feedserver import FeedServer
from hostile_feeds import GOOD_PATH, GOOD_TITLES, Case, install

# The fetch runs under a small wrapper process: a child's peak RSS counts the memory of the process
# it was forked from, so measured straight from here it would include this script's own.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_fetch(config: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MiB, exit status and stderr of one `tuinews fetch`."""
    command = [sys.executable, "-m", "tuinews", "--config", str(config), "fetch", "--quiet"]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, env=env
    )
    elapsed = time.perf_counter() - started
    status, peak = result.stdout.split()
    return elapsed, int(peak) / 1024, int(status), result.stderr


def listed(config: Path, env: dict[str, str]) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "tuinews", "--config", str(config), "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(result.stdout or "[]")


def run_case(server: FeedServer, case: Case | None, args: argparse.Namespace, folder: Path) -> dict:
    folder.mkdir()
    urls = [server.url(GOOD_PATH)] + ([server.url(case.path)] if case else [])
    config = folder / "config.toml"
    config.write_text(
        f'[cache]\npath = "{folder / "cache.db"}"\n'
        f"[network]\ntimeout = {args.timeout}\nmax_bytes = {args.max_bytes}\n"
        + "".join(f'[[sources]]\nurl = "{url}"\n' for url in urls),
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(folder), "XDG_DATA_HOME": str(folder)}
    elapsed, rss, status, stderr = run_fetch(config, env)
    rows = listed(config, env)
    good = {row["title"] for row in rows if row["source"] == "Good"}
    lines = [line for line in stderr.splitlines() if line.strip()]
    hostile = [line for line in lines if case and server.url(case.path) in line]
    return {
        "elapsed": elapsed,
        "rss": rss,
        "status": status,
        "error": hostile[0].split(": ", 2)[-1] if hostile else "",
        "articles": sum(1 for row in rows if row["source"] != "Good"),
        "good": good >= set(GOOD_TITLES),
        "traceback": "Traceback" in stderr,
        "other_lines": [line for line in lines if line not in hostile],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="[network] timeout (seconds)")
    parser.add_argument(
        "--max-bytes", type=int, default=20 * 1024 * 1024, help="[network] max_bytes"
    )
    parser.add_argument("--only", metavar="NAME", help="only the cases whose name contains NAME")
    args = parser.parse_args()
    with FeedServer() as server, tempfile.TemporaryDirectory(prefix="tuinews-hostile-") as tmp:
        cases = [case for case in install(server) if not args.only or args.only in case.name]
        print(
            f"tuinews fetch of one hostile feed + one good feed; timeout {args.timeout:g} s, "
            f"max_bytes {args.max_bytes / 1024 / 1024:g} MiB\n"
        )
        header = f"{'case':36} {'wall s':>7} {'peak RSS':>9} {'exit':>4}  {'good':4} {'articles':>8}  outcome"
        print(header)
        print("-" * len(header))
        failures = []
        for index, case in enumerate([None, *cases]):
            name = case.name if case else "(good feed alone: baseline)"
            result = run_case(server, case, args, Path(tmp) / f"case{index}")
            outcome = result["error"] or ("loaded" if case else "")
            print(
                f"{name:36} {result['elapsed']:7.2f} {result['rss']:6.0f} MiB {result['status']:4}  "
                f"{'ok' if result['good'] else 'LOST':4} {result['articles']:8}  {outcome}",
                flush=True,
            )
            if case is None:
                continue
            expected = case.error or "loaded"
            if (
                outcome != expected
                or not result["good"]
                or result["traceback"]
                or result["elapsed"] > args.timeout + 10
            ):
                failures.append(f"{case.name}: expected {expected!r}, got {result}")
        print()
        print("all cases as expected" if not failures else "\n".join(["UNEXPECTED:", *failures]))


if __name__ == "__main__":
    main()
