"""End to end in a real terminal: tuinews in tmux, driven by keys, checked from the screen and cache.

Types a search, opens a hit, marks it unread again, stars it, and checks what the screen shows and
what the cache holds afterwards. Prints one line per step and exits 1 on the first failure.
Needs tmux. Usage: python bench/e2e_tmux.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SESSION = "tuinews-e2e"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(text: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in screen():
            return True
        time.sleep(0.1)
    return False


def keys(*names: str) -> None:
    for name in names:
        tmux("send-keys", "-t", SESSION, name)
        time.sleep(0.15)


def check(label: str, ok: bool) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {label}")
    if not ok:
        print(screen())
        tmux("kill-session", "-t", SESSION)
        sys.exit(1)


def main() -> None:
    if not shutil.which("tmux"):
        print("tmux is not installed")
        sys.exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "XDG_DATA_HOME": f"{tmp}/data",
            "XDG_CONFIG_HOME": f"{tmp}/config",
            "LANG": "C.UTF-8",
        }
        command = " ".join(["env", *(f"{k}={v}" for k, v in env.items()), sys.executable])
        command += " -m tuinews"
        tmux("kill-session", "-t", SESSION)
        tmux("new-session", "-d", "-s", SESSION, "-x", "130", "-y", "40", command)
        try:
            check("demo library on screen", wait_for("22 articles"))
            keys("/", *"lighthouse")
            check("search filters as you type", wait_for("1 article"))
            keys("Enter", "Enter")
            check("Enter, Enter opens the hit", wait_for("Greyhaven Lighthouse shone"))
            keys("m", "s")
            time.sleep(1.0)
            keys("q")
            time.sleep(1.0)
        finally:
            tmux("kill-session", "-t", SESSION)
        result = subprocess.run(
            [sys.executable, "-m", "tuinews", "list", "--json", "--starred"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=False,
        )
        rows = json.loads(result.stdout or "[]")
        check(
            "the cache has it starred and unread again",
            len(rows) == 1 and "Lighthouse" in rows[0]["title"] and not rows[0]["read"],
        )
        print("all steps passed")


if __name__ == "__main__":
    main()
