"""Hatch build hook: compile the gettext catalogs (`.po`) into `.mo` files inside the wheel.

The `.mo` files are build output, never committed (they are git-ignored, so hatchling would leave them
out on its own): the hook compiles each `src/tuinews/locale/<lang>/LC_MESSAGES/tuinews.po` into a
temporary folder and force-includes the result at `tuinews/locale/<lang>/LC_MESSAGES/tuinews.mo`.
Editable installs skip this: `tuinews.i18n` compiles the `.po` files in memory at first use.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src") / "tuinews" / "locale"
COMPILER = Path("src") / "tuinews" / "i18n_build.py"


def compile_catalogs(root: Path, out_dir: Path) -> dict[str, str]:
    """Compile every catalog under `root`'s locale folder into `out_dir`.

    Returns the `force_include` mapping: compiled file -> its path inside the wheel.
    """
    spec = importlib.util.spec_from_file_location("_tuinews_i18n_build", root / COMPILER)
    assert spec is not None and spec.loader is not None
    compiler = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = compiler  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(compiler)
        written = compiler.compile_tree(root / LOCALE, out_dir)
    finally:
        sys.modules.pop(spec.name, None)
    return {str(path): f"tuinews/locale/{path.relative_to(out_dir).as_posix()}" for path in written}


class LocaleBuildHook(BuildHookInterface):
    """Adds compiled `.mo` catalogs to wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._out = Path(tempfile.mkdtemp(prefix="tuinews-mo-"))
        build_data["force_include"].update(compile_catalogs(Path(self.root), self._out))

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
