"""The environment the benchmarks run `tuinews` in: a user's, with compiled bytecode.

A user's Python keeps the compiled bytecode of tuinews's modules (`__pycache__`, written on the
first run of an editable install, at install time otherwise). With PYTHONDONTWRITEBYTECODE set,
as some shells and containers do, every run compiles all of them again: ~40 ms in the command
and as much in its fork server, which no user pays. So the benchmarks compile them once and run
the commands without that variable, and say so.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tuinews"
_said = False


def user_env(**extra: str) -> dict[str, str]:
    """`os.environ` plus `extra`, without PYTHONDONTWRITEBYTECODE, after compiling tuinews."""
    global _said
    compileall.compile_dir(PACKAGE, quiet=1)
    env = {**os.environ, **extra}
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None and not _said:
        _said = True
        print("(PYTHONDONTWRITEBYTECODE is set here: the commands run without it, as a user's do)")
    return env
