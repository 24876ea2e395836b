"""Which browser opens a link, and whether it would run inside our own terminal.

The stdlib `webbrowser` tries `$BROWSER` first, then graphical browsers (with a display), then the
console ones it knows (www-browser, links, elinks, lynx, w3m), which run in the terminal they are
started from. Started from the reader's thread they would fight the TUI for the screen, so the UI
asks `browser_candidates()` what it would run, and runs a console browser only with the app
suspended (or not at all). `$BROWSER` is read at each call (the stdlib reads it once per process).
Nothing here imports Textual.
"""

from __future__ import annotations

import os
import shlex
import shutil
import webbrowser
from dataclasses import dataclass

CONSOLE_BROWSERS = frozenset(
    {
        "www-browser",
        "links",
        "links2",
        "elinks",
        "lynx",
        "w3m",
        "browsh",
        "carbonyl",
        "netsurf-fb",
        "edbrowse",
    }
)
"""Browsers that draw in the terminal they are started from."""


@dataclass(frozen=True, slots=True)
class Browser:
    """A way to open a link: the stdlib controller, its name, and whether it uses the terminal."""

    controller: webbrowser.BaseBrowser
    name: str
    console: bool

    def open(self, url: str) -> bool:
        """Open `url`; True when the browser started (a console browser: when it exited 0)."""
        try:
            return bool(self.controller.open(url))
        except (webbrowser.Error, OSError):
            return False


def browser_candidates() -> list[Browser]:
    """The browsers to try, in order: each `$BROWSER` entry, then those `webbrowser` registered."""
    choices = [entry for entry in os.environ.get("BROWSER", "").split(os.pathsep) if entry.strip()]
    found: list[Browser] = []
    for entry in choices:
        controller = _controller(entry)
        if controller is not None:
            found.append(_describe(controller, entry))
    for name in _registered_order():
        if name in choices:
            continue
        try:
            controller = webbrowser.get(name)
        except webbrowser.Error:
            continue
        found.append(_describe(controller, name))
    return found


def is_console_browser(command: str) -> bool:
    """Whether a command (a name, a path, or a `$BROWSER` command line) is a console browser.

    A path is followed through its symbolic links: Debian's `www-browser` is one to the
    browser it stands for.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if not words:
        return False
    program = words[0]
    names = {os.path.basename(program).lower()}
    path = shutil.which(program)
    if path:
        names.add(os.path.basename(os.path.realpath(path)).lower())
    return bool(names & CONSOLE_BROWSERS)


def _controller(entry: str) -> webbrowser.BaseBrowser | None:
    """A `$BROWSER` entry as the stdlib would run it (a "%s" command line, a name or a path)."""
    try:
        return webbrowser.get(entry)
    except webbrowser.Error:
        pass
    program = entry.split()[0] if entry.split() else ""
    if not shutil.which(program):
        return None
    # As `webbrowser` registers a `$BROWSER` entry it has no controller for.
    return webbrowser.GenericBrowser(entry)


def _describe(controller: webbrowser.BaseBrowser, name: str) -> Browser:
    command = str(getattr(controller, "name", "") or name)
    # By name, whatever the controller's class: elinks has a remote-control class of its own, and
    # a console browser started "in the background" (`lynx %s &`) still draws on our terminal.
    console = is_console_browser(command) or is_console_browser(name)
    words = command.split()
    return Browser(controller, os.path.basename(words[0]) if words else name, console)


def _registered_order() -> list[str]:
    """The names `webbrowser.open` would try, in its order (registering them on first use)."""
    try:
        webbrowser.get()
    except webbrowser.Error:
        return []
    return list(getattr(webbrowser, "_tryorder", None) or [])
