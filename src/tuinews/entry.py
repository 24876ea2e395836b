"""The `tuinews` console script (and `python -m tuinews`): a main module that imports little.

Worker processes started by multiprocessing's fork server import the main module of the process
that started them. With `tuinews.cli` as the main module, every feed parser imported the whole
command line (tens of milliseconds each, on every refresh); this module imports it in `main`,
which only the console script calls.

A first `tuinews fetch` (no cache yet, so every feed answers with content) starts the parsers'
fork server here, after reading the config and before importing the command line, so that the
parsers load on another core meanwhile: its workers are ready about 0.1 s sooner, a tenth of a
first fetch of 200 feeds. Later fetches decide once the cache is open (`refresh.start_workers_early`:
a fetch whose feeds answer 304 needs no parsers).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path


def main() -> int:
    """Entry point of the `tuinews` console script."""
    argv = sys.argv[1:]
    if _command(argv) == "fetch" and (os.cpu_count() or 1) > 1:
        with contextlib.suppress(Exception):  # whatever is wrong, the command line says it
            _start_first_fetch_workers(argv)
    from tuinews.cli import main as cli_main

    return cli_main()


def _start_first_fetch_workers(argv: list[str]) -> None:
    from tuinews import fork_server
    from tuinews.config import load_config
    from tuinews.model import SourceKind

    config = load_config(_config_path(argv))
    if config.cache.path.exists():
        return
    feeds = sum(1 for source in config.sources if source.kind is SourceKind.URL)
    if feeds >= fork_server.REFRESH_POOL_THRESHOLD:
        fork_server.start(fork_server.REFRESH_PRELOAD)


def _command(argv: list[str]) -> str | None:
    """The subcommand of a command line (`--config FILE` may come first), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--config":
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def _config_path(argv: list[str]) -> Path | None:
    """What `--config` names (as `cli` reads it), or None for the default file."""
    path = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--config" and index + 1 < len(argv):
            path = Path(argv[index + 1])
        elif arg.startswith("--config="):
            path = Path(arg.removeprefix("--config="))
    return path
