"""Sync benchmark: `tuinews sync` against a local FreshRSS, compared with a cold `tuinews fetch`.

Serves 200 feeds x 50 items (10,000 articles) from loopback feed servers (as `bench/refresh.py`
makes them), subscribes a fresh FreshRSS user to all of them and lets FreshRSS fetch them (not
timed), then times, as whole processes:

- first sync: `tuinews sync --quiet` into an empty cache (every article comes down);
- incremental sync: again, nothing new on the server;
- cold fetch: `tuinews fetch --quiet` of the same 200 feeds straight from the feed servers, into
  an empty cache; and again with the feeds' <language> element taken out, so that the fetch
  detects every item's language as the sync must (the Google Reader API says no language);
- first sync from a replay of FreshRSS's answers (`replay_greader.py`, recorded before the runs):
  a server that costs next to nothing, so the figure is the sync's own cost. FreshRSS's PHP
  runs on the same cores as the sync; the difference between the two first syncs is its share.

Targets (issue 7): incremental <= 0.5 s; first sync no slower than the cold fetch. With `--tui`,
also key-to-frame in the reader while it runs its first sync (target < 50 ms). FreshRSS runs in
PHP's built-in web server with `--php-workers` workers (PHP_CLI_SERVER_WORKERS; a real server has
several PHP processes). Needs PHP (tests/freshrss_server.py starts FreshRSS).
Each figure is the best of `--repeat` runs (alternating sync and fetch, each into an empty cache),
with the runs and their median after it, and the load average before and after (a shared machine).
Usage: python bench/sync.py [--feeds 200] [--items 50] [--php-workers 2] [--repeat 3] [--tui]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from feedserver import FeedServer
from freshrss_server import FreshRSS
from refresh import FEEDS_PER_SITE, make_feed, run
from replay_greader import ReplayServer, record
from user_env import user_env


def serve_feeds(stack: contextlib.ExitStack, feeds: int, items: int) -> tuple[list[str], list[str]]:
    """The feeds' URLs, and the URLs of the same feeds without their <language> element."""
    sites = [
        stack.enter_context(FeedServer())
        for _ in range((feeds + FEEDS_PER_SITE - 1) // FEEDS_PER_SITE)
    ]
    urls, plain = [], []
    for index in range(feeds):
        server = sites[index % len(sites)]
        body = make_feed(index, items)
        server.add_feed(f"/feeds/{index}.xml", body)
        server.add_feed(f"/plain/{index}.xml", re.sub(rb"<language>[^<]*</language>", b"", body))
        urls.append(server.url(f"/feeds/{index}.xml"))
        plain.append(server.url(f"/plain/{index}.xml"))
    return urls, plain


def opml(urls: list[str]) -> str:
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl={quoteattr(url)}/>'
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head>'
        f'<body><outline text="Bench">{outlines}</outline></body></opml>'
    )


def fetch_setup(folder: Path, urls: list[str]) -> list[str]:
    """A config with these feeds in `folder`; the `tuinews fetch` command line for it."""
    folder.mkdir()
    config = folder / "config.toml"
    lines = [f'[cache]\npath = "{folder / "cache.db"}"\n[network]\nconcurrency = 8\n']
    lines += [f'[[sources]]\nurl = "{url}"\n' for url in urls]
    config.write_text("\n".join(lines), encoding="utf-8")
    return [sys.executable, "-m", "tuinews", "--config", str(config), "fetch", "-q"]


def empty(cache: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)


def _runs(times: list[float]) -> str:
    import statistics

    return ", ".join(f"{t:.2f}" for t in times) + f"; median {statistics.median(times):.2f}"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def count_articles(cache: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(cache)) as db:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--php-workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (the best counts)")
    parser.add_argument("--tui", action="store_true", help="key-to-frame during a first sync")
    args = parser.parse_args()
    if shutil.which("php") is None:
        sys.exit("bench/sync.py needs PHP (FreshRSS); see tests/freshrss_server.py")

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        urls, plain = serve_feeds(stack, args.feeds, args.items)
        started = time.perf_counter()
        server = FreshRSS.start(folder / "freshrss", workers=args.php_workers)
        stack.callback(server.close)
        account = server.new_account("bench")
        (folder / "subscriptions.opml").write_text(opml(urls), encoding="utf-8")
        server.php(
            "cli/import-for-user.php",
            "--user",
            account.user,
            "--filename",
            str(folder / "subscriptions.opml"),
            timeout=900,
        )
        server.actualize(account.user)
        on_server = len(account.ids("user/-/state/com.google/reading-list"))
        print(
            f"FreshRSS ({args.php_workers} PHP workers) holds {on_server:,} items of"
            f" {args.feeds} feeds (set up in {time.perf_counter() - started:.0f} s, not timed)"
        )

        replay = ReplayServer(record(account))
        stack.callback(replay.close)

        env = user_env(XDG_CONFIG_HOME=str(folder / "config"), XDG_DATA_HOME=str(folder / "data"))
        sync_config = account.config(folder / "sync")
        sync_command = [sys.executable, "-m", "tuinews", "--config", str(sync_config), "sync", "-q"]
        fetch_folder = folder / "fetch"
        fetch_command = fetch_setup(fetch_folder, urls)
        plain_folder = folder / "plain"
        plain_command = fetch_setup(plain_folder, plain)
        replay_config = replay.config(folder / "replay")
        replay_command = [*sync_command[:3], "--config", str(replay_config), "sync", "-q"]

        # Alternate the two, each into an empty cache, and keep the best of `--repeat` runs:
        # other work on the machine slows single runs by whole seconds.
        firsts, colds, plains, incrementals, replays = [], [], [], [], []
        print(f"load average before the runs: {_load()}")
        for _ in range(args.repeat):
            empty(folder / "sync" / "cache.db")
            firsts.append(run(sync_command, env)[0])
            synced = count_articles(folder / "sync" / "cache.db")
            incrementals += [run(sync_command, env)[0] for _ in range(2)]
            empty(fetch_folder / "cache.db")
            colds.append(run(fetch_command, env)[0])
            fetched = count_articles(fetch_folder / "cache.db")
            empty(plain_folder / "cache.db")
            plains.append(run(plain_command, env)[0])
            empty(folder / "replay" / "cache.db")
            replays.append(run(replay_command, env)[0])
            replayed = count_articles(folder / "replay" / "cache.db")
        first, cold, incremental = min(firsts), min(colds), min(incrementals)
        print(f"load average after the runs: {_load()}")

        print(f"first sync: {first:.2f} s ({synced:,} articles; runs {_runs(firsts)})")
        print(
            f"incremental sync, nothing new: {incremental:.2f} s (runs {_runs(incrementals)})"
            " (target <= 0.5 s)"
        )
        print(
            f"cold fetch of the same feeds: {cold:.2f} s ({fetched:,} articles; runs"
            f" {_runs(colds)}); first sync / cold fetch = {first / cold:.2f} (target <= 1.0)"
        )
        print(
            f"cold fetch of the same feeds without <language> (detected, as the server's"
            f" items are): {min(plains):.2f} s (runs {_runs(plains)});"
            f" first sync / that = {first / min(plains):.2f}"
        )
        print(
            f"first sync from a replay of FreshRSS's answers (a server that costs next to"
            f" nothing: what the sync itself costs): {min(replays):.2f} s ({replayed:,} articles;"
            f" runs {_runs(replays)}); / cold fetch = {min(replays) / cold:.2f}"
        )

        if args.tui:
            from refresh import tui_latency

            tui_folder = folder / "tui"
            tui_config = account.config(tui_folder)
            print("reader during its first sync:")
            tui_latency(tui_config, tui_folder)


if __name__ == "__main__":
    main()
