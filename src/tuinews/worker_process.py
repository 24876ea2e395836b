"""What every helper process of tuinews does first: end with its parent, speak its language.

The refresh's and the sync's worker processes (and the reader's background-load process) are
started from a fork server. Without `watch_parent`, a `kill -9` of `tuinews fetch` (or of the
reader) leaves them behind for good: each holds both ends of its pool's pipes, so none ever reads
end-of-file, and the fork server waits for them. Ctrl+C is the parent's to handle: they ignore it.
They also speak the parent's interface language: the reasons of failed feeds are written there.
Importing this module loads nothing else of tuinews (the sync's process imports it early).
"""

from __future__ import annotations

import gc
import os
import select
import signal
import threading
import time

WORKER_GC_THRESHOLD = 10_000
"""Allocations between young-generation collections in a worker (Python's default: 700). Parsing
makes many short-lived objects and few cycles: collecting less often saves about 4% of a parse."""


def watch_parent(parent: int, language: str = "en") -> None:
    """The process ends as soon as `parent` is gone, ignores Ctrl+C and speaks `language`."""
    from tuinews.i18n import set_ui_language

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_ui_language(language)
    threading.Thread(
        target=_exit_with, args=(parent,), name="tuinews-parent-watch", daemon=True
    ).start()


def start_worker(parent: int, language: str) -> None:
    """Process-pool initializer of a parsing worker: `watch_parent`, and the garbage collector's
    young generation collected less often."""
    watch_parent(parent, language)
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _exit_with(parent: int) -> None:
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd here (old kernel, not Linux): poll
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except OSError:
                pass
            time.sleep(1.0)
    select.select([handle], [], [])  # readable once the parent has exited
    os._exit(1)
