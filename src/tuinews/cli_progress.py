"""Progress for `tuinews fetch`: a Rich bar on a terminal, plain lines when piped, nothing when quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tuinews.i18n import _, ngettext


@contextmanager
def progress_reporter(total: int, *, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """Yield a `progress(done, total)` callback that shows feed refresh progress on stderr."""
    if quiet or total == 0:
        yield lambda done, total: None
        return
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task(_("Refreshing feeds"), total=total)
            yield lambda done, _total: bar.update(task, completed=done)
        return

    step = max(1, total // 10)
    last = -1

    def plain(done: int, _total: int) -> None:
        nonlocal last
        if done != last and (done % step == 0 or done == total):
            last = done
            line = ngettext(
                "refreshed {done}/{total} feed", "refreshed {done}/{total} feeds", total
            ).format(done=done, total=total)
            print(f"tuinews: {line}", file=sys.stderr, flush=True)

    yield plain
