"""The fork server that starts tuinews's worker processes, started once per process with a preload.

Worker processes (refresh and sync parsers, the reader's background load) come from
multiprocessing's fork server: it imports its preload once, and every process it forks starts with
those modules loaded. Its imports take a few tenths of a second, so whoever knows first that workers
will be needed starts it (`tuinews fetch` does so before importing the rest of tuinews: see
`tuinews.entry`). Importing this module loads nothing of tuinews.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading

REFRESH_PRELOAD = ["tuinews.refresh", "tuinews.sources.feeds", "langcodes"]
"""A feed refresh's workers: the parsers, and the language-tag tables the first item needs
(langcodes: ~50 ms of imports that each worker would otherwise do on its own)."""
REFRESH_POOL_THRESHOLD = 4
"""A refresh parses in worker processes once at least this many feeds answer with content."""
SYNC_PRELOAD = ["tuinews.sync.preload"]
"""A sync's workers: the parsers and the language model (`tuinews.sync.preload`)."""


def start(preload: list[str]) -> None:
    """Start the fork server (and multiprocessing's resource tracker) unless it runs already; a
    running one keeps the preload it started with. Raises OSError (or another exception of
    multiprocessing) when no process can be started."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    from multiprocessing import forkserver, resource_tracker

    # Both pass stderr's file descriptor to the process they start; inside the TUI, Textual has
    # replaced sys.stderr with an object whose descriptor is not valid, and starting them fails.
    # Once they run, worker processes are forked by the fork server and stderr no longer matters.
    saved = sys.stderr
    try:
        os.fstat(saved.fileno())
    except (AttributeError, OSError, ValueError):
        sys.stderr = sys.__stderr__
    # Started with Ctrl+C ignored, the fork server and the workers it forks inherit that: a Ctrl+C
    # on `tuinews fetch` stops the parent cleanly instead of killing a worker as it starts.
    interrupt = None
    if threading.current_thread() is threading.main_thread():
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
        forkserver.ensure_running()
    finally:
        sys.stderr = saved
        if interrupt is not None:
            signal.signal(signal.SIGINT, interrupt)
