"""The `tuinews` console script (and `python -m tuinews`): a main module that imports nothing.

Worker processes started by multiprocessing's fork server import the main module of the process
that started them. With `tuinews.cli` as the main module, every feed parser imported the whole
command line (tens of milliseconds each, on every refresh); this module defers that import to
`main`, which only the console script calls.
"""

from __future__ import annotations


def main() -> int:
    """Entry point of the `tuinews` console script."""
    from tuinews.cli import main as cli_main

    return cli_main()
