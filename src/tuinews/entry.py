"""The `tuinews` console script (and `python -m tuinews`): a main module that imports little.

Worker processes started by multiprocessing's fork server import the main module of the process
that started them. With `tuinews.cli` as the main module, every feed parser imported the whole
command line (tens of milliseconds each, on every refresh); this module imports it in `main`,
which only the console script calls.

A command (not the reader) ends without the interpreter's teardown when nothing else runs (`_exit`).

A first `tuinews fetch` (no cache yet, so every feed answers with content) starts the parsers'
fork server here, after reading the config and before importing the command line, so that the
parsers load on another core meanwhile: its workers are ready about 0.1 s sooner, a tenth of a
first fetch of 200 feeds. Later fetches decide once the cache is open (`refresh.start_workers_early`:
a fetch whose feeds answer 304 needs no parsers). A `tuinews sync` into a new cache (a first sync,
which downloads every item) starts the sync's fork server here too: with a server that answers
fast, the parsers are otherwise what its first items wait for (15 ms of 0.67 s with a replay of
FreshRSS's answers; nothing measurable with FreshRSS itself, whose login is slower).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def main() -> int:
    """Entry point of the `tuinews` console script."""
    argv = sys.argv[1:]
    command = _command(argv)
    if command in ("fetch", "sync") and (os.cpu_count() or 1) > 1:
        with contextlib.suppress(Exception):  # whatever is wrong, the command line says it
            _start_first_workers(argv, command)
    from tuinews.cli import COMMANDS
    from tuinews.cli import main as cli_main

    code = cli_main()
    if command in COMMANDS and not _still_running():
        _exit(code)
    return code


def _still_running() -> bool:
    """Whether a thread or a worker process that exit would wait for still runs (the pool that a
    failed sync left to stop on its own, say): then the interpreter ends as usual."""
    current = threading.current_thread()
    if any(t is not current and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return True
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and bool(multiprocessing.active_children())


def _exit(code: int) -> NoReturn:
    """End a command without the interpreter's teardown (freeing every module and object: ~40 ms
    after a fetch). A command has closed its cache and stopped its workers when it returns; what
    is left is the exit handlers (multiprocessing's release its locks) and writing out what it
    printed. (Not for the reader, whose threads may still be finishing.)"""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: `tuinews list | head -1`
            code = code or 1
    os._exit(code)


def _start_first_workers(argv: list[str], command: str) -> None:
    from tuinews import fork_server
    from tuinews.config import config_argument, load_config
    from tuinews.model import SourceKind

    config = load_config(config_argument(argv))
    if config.cache.path.exists():
        return
    if command == "sync":
        if config.sync.enabled:
            fork_server.start(fork_server.SYNC_PRELOAD)
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
