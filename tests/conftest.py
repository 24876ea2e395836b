"""Shared fixtures: every test gets its own XDG folders, so no test touches a real config or cache."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import feed_server  # noqa: F401
from freshrss_server import freshrss  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def xdg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME at the test's temporary folder."""
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    # English interface whatever the developer's locale: tests that want another set LANG themselves.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from tuinews.i18n import set_ui_language

    set_ui_language("en")
    yield home
    set_ui_language("en")


@pytest.fixture
def cache_path(xdg_home: Path) -> Path:
    """Where the default cache lives under the test's XDG_DATA_HOME."""
    return xdg_home / "xdg_data_home" / "tuinews" / "cache.db"


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    """Run `python -m tuinews ARGS` in a subprocess, as a user would, and return the result."""
    return subprocess.run(
        [sys.executable, "-m", "tuinews", *args],
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def shared_path(*parts: str) -> Path:
    """A file under ../shared, skipping the test when the shared folder is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
