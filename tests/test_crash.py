"""`kill -9` or Ctrl+C of `tuinews fetch` mid-refresh: nothing committed is lost, no process stays.

A small version of `bench/crash.py` (which does 50 kills over 200 feeds): 16 feeds, five kills at
different points of the refresh (found from its progress lines, not from timings), each followed by
the checks of `crashkit.CrashRig` and a fetch that must complete.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from crashkit import CrashRig, stragglers

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc to find the fetch's processes"
)


def after_progress_lines(rig: CrashRig, count: int):
    """Wait until the fetch has reported `count` progress lines (or has ended)."""

    def wait(proc: subprocess.Popen[bytes]) -> None:
        log = rig.folder / "fetch.log"
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if log.read_bytes().count(b"refreshed ") >= count:
                return
            time.sleep(0.005)

    return wait


def test_kill_9_mid_refresh_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(8)
    with CrashRig(tmp_path, feeds=16, items=20, feeds_per_server=4, delay=0.03) as rig:
        results = []
        # The first kill hits an empty cache; the others land further and further into a refresh.
        for lines in (1, 3, 6, 10, 14):
            if rig.cache.exists():
                rig.mark(rng, 15)
            result = rig.kill_round(after_progress_lines(rig, lines))
            assert result.violations == [], result.violations
            assert rig.fetch_to_end() == []
            results.append(result)
    assert any(result.landed for result in results)
    assert any(result.checked for result in results)
    with rig.connect() as conn:
        flagged = conn.execute("SELECT count(*) FROM articles WHERE read OR starred").fetchone()[0]
    assert flagged > 0


def test_ctrl_c_mid_refresh_stops_quietly_and_leaves_no_process(tmp_path: Path) -> None:
    with CrashRig(tmp_path, feeds=16, items=20, feeds_per_server=4, delay=0.1) as rig:
        fetch = rig.spawn_fetch(quiet=False)
        after_progress_lines(rig, 3)(fetch)
        os.killpg(fetch.pid, signal.SIGINT)  # as Ctrl+C does: the whole foreground group
        fetch.wait(60)
        output = (rig.folder / "fetch.log").read_text()
        assert fetch.returncode in (0, 130), output
        assert "Traceback" not in output and "Error" not in output, output
        assert stragglers(fetch.pid) == []
        assert rig.check_integrity() == []
        assert rig.fetch_to_end() == []
