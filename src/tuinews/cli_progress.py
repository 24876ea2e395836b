"""Progress on stderr for `tuinews fetch` and `tuinews sync`: a Rich bar on a terminal, plain
lines when piped (about every tenth step), nothing when quiet or when there is nothing to count."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager


@contextmanager
def progress_reporter(
    description: str, line: Callable[[int, int], str], *, quiet: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """Yield a `progress(done, total)` callback; the total may first be known at the first call.

    `description` labels the bar; `line(done, total)` words a plain line ("refreshed 20/200 feeds").
    """
    if quiet:
        yield lambda done, total: None
        return
    with ExitStack() as stack:
        bar: list[Callable[[int], None]] = []
        last = -1

        def progress(done: int, total: int) -> None:
            nonlocal last
            if total <= 0:
                return
            if sys.stderr.isatty():
                if not bar:
                    bar.append(_rich_bar(stack, description, total))
                bar[0](done)
                return
            step = max(1, total // 10)
            if done and done != last and (done % step == 0 or done == total):
                last = done
                print(f"tuinews: {line(done, total)}", file=sys.stderr, flush=True)

        yield progress


def _rich_bar(stack: ExitStack, description: str, total: int) -> Callable[[int], None]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    rich_bar = stack.enter_context(
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
    )
    task = rich_bar.add_task(description, total=total)
    return lambda done: rich_bar.update(task, completed=done)
