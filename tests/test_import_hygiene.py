"""The core layers never import Textual: the CLI, the tests and the app share them."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "tuinews.model",
    "tuinews.textclean",
    "tuinews.config",
    "tuinews.paths",
    "tuinews.languages",
    "tuinews.library",
    "tuinews.store",
    "tuinews.render.article",
    "tuinews.sources.local",
    "tuinews.sources.feeds",
    "tuinews.sources.fetch",
    "tuinews.sources.opml",
    "tuinews.refresh",
    "tuinews.subscriptions",
    "tuinews.cli_subscriptions",
    "tuinews.cli",
]


def test_core_modules_do_not_load_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
