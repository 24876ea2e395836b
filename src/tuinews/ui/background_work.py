"""Keep the interface responsive while a refresh runs (in a child process: `tuinews.background_load`).

* `frozen_heap` moves the objects that exist when the refresh starts (the widgets, styles and
  caches of the interface, the headline rows) out of the garbage collector's sight until it ends.
  The interface allocates all the time (Textual restyles with throwaway objects at each change of
  focus, and each progress step repaints the status line); each collection of the oldest
  generation would otherwise walk the whole interface while holding the interpreter, a pause of
  tens of milliseconds that the next key press waits for. Objects made meanwhile are collected as
  usual.
  In the reader's own process (`keep_heap_frozen`) the heap stays frozen after the refresh too:
  what lived through a refresh lives on, and the few objects of it that later become garbage in a
  reference cycle are kept rather than walked over again and again. Tests and other callers get
  the heap back as it was at the end.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_frozen = 0
_keep_frozen = False


def keep_heap_frozen() -> None:
    """From now on, `frozen_heap` leaves what it froze frozen (for the reader's own process)."""
    global _keep_frozen
    _keep_frozen = True


@contextmanager
def frozen_heap() -> Iterator[None]:
    """No garbage collection walks the objects that exist on entry, until the (last) exit."""
    global _frozen
    with _lock:
        _frozen += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _frozen -= 1
            if _frozen == 0 and not _keep_frozen:
                gc.unfreeze()
