"""Benchmark the live interface-language switch (a plain script, not a test).

Run: `PYTHONPATH=src /tmp/venv/bin/python bench/ui_language.py [--articles 10000] [--rounds 4]`

Opens the reader under Pilot (120x40) on a cache of synthetic articles (bench/startup.py's, 8
sources in 8 languages, and the demo's story in three languages) with that story open, then switches the interface language with the
switcher as a reader does: `l`, move to the language, Enter; en -> uk -> de -> fr -> es -> en, ROUNDS
times. Every frame Textual hands to the terminal is recorded (the compositor update, turned into
text the way the terminal driver would; that cost counts too), and for each switch it prints:

- first frame: ms from the Enter key to the first frame (the switcher is gone);
- all labels: ms from the Enter key to the end of the frame by which every label of the main screen
  had changed: the footer ("Quit"), the status line ("Language:"), the three pane titles, the sources
  pane's "All" row and the open article's header ("Also in:"). Target (issue 5): under 100 ms.

Pilot adds its own waits after the key, but frames are timed by the app itself, so they do not
count. `--profile`: one more switch runs under cProfile and the functions that cost most are listed.
`--compare`: the same run first with the switch as it was before it was tuned (the footer rebuilt
by `refresh_bindings()` a frame later, no catalogs and date data loaded while the switcher is open),
so both figures come from the same machine at the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
ORDER = ["uk", "de", "fr", "es", "en"]


def labels() -> list[str]:
    """What the main screen shows in the current interface language once it is relabelled."""
    from tuinews.i18n import _

    return [
        _("Quit"),
        _("Language:"),
        _("Sources"),
        _("Headlines"),
        _("Article"),
        _("All"),
        _("Also in:"),
    ]


class Frames:
    """Wraps `App._display`: the time of every frame, its text, and what rendering it cost."""

    def __init__(self, app) -> None:
        self.app = app
        self.records: list[tuple[float, float, str]] = []
        original = app._display

        def display(screen, renderable) -> None:
            started = time.perf_counter()
            original(screen, renderable)
            if renderable is None or not hasattr(renderable, "render_segments"):
                return
            text = ANSI.sub("", renderable.render_segments(app.console))
            self.records.append((started, time.perf_counter(), text))

        app._display = display

    def since(self, start: float) -> list[tuple[float, float, str]]:
        return [record for record in self.records if record[0] >= start]


def finished(frames: list[tuple[float, float, str]], wanted: list[str]) -> float | None:
    """The end of the frame by which every wanted label had been painted, or None."""
    missing = set(wanted)
    for _started, ended, text in frames:
        missing = {label for label in missing if label not in text}
        if not missing:
            return ended
    return None


async def settle(pilot, app, rounds: int = 4) -> None:
    for _round in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def switch(pilot, app, code: str) -> None:
    """`l`, then up from the last interface language to `code`; the Enter key is the caller's."""
    await pilot.press("l")
    await pilot.pause()
    options = app.screen.query_one("#language-options")
    await pilot.press("G")
    while options.get_option_at_index(options.highlighted).id != f"ui:{code}":
        await pilot.press("k")


async def run(config_path: Path, rounds: int) -> tuple[list[float], list[float], str]:
    from tuinews.config import load_config
    from tuinews.i18n import set_ui_language
    from tuinews.ui.app import TuinewsApp

    app = TuinewsApp(load_config(config_path))
    firsts: list[float] = []
    totals: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, 8)
        await pilot.press(
            "G", "enter"
        )  # the oldest: a story in 3 languages, its header relabelled too
        await settle(pilot, app)
        frames = Frames(app)
        for index in range(rounds * len(ORDER)):
            code = ORDER[index % len(ORDER)]
            await switch(pilot, app, code)
            started = time.perf_counter()
            await pilot.press("enter")
            await pilot.pause(0.25)
            await settle(pilot, app)
            set_ui_language(code)  # the app switched already; this only picks the labels' language
            seen = frames.since(started)
            done = finished(seen, labels())
            if not seen or done is None:
                painted = "".join(text for _start, _end, text in seen)
                missing = [label for label in labels() if label not in painted]
                raise SystemExit(f"switch to {code}: {missing} never painted ({len(seen)} frames)")
            firsts.append((seen[0][1] - started) * 1000)
            totals.append((done - started) * 1000)
        # One more switch under the profiler: where the time goes.
        await switch(pilot, app, "uk")
        profiler = cProfile.Profile()
        profiler.enable()
        await pilot.press("enter")
        await pilot.pause(0.25)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"src/tuinews", 30)
    stats.sort_stats("tottime").print_stats(25)
    return firsts, totals, out.getvalue()


def legacy() -> None:
    """The switch as it was: every screen's bindings refreshed, nothing prepared in advance."""
    import tuinews.ui.app as app_module
    import tuinews.ui.language_screen as screen_module

    def refresh_bindings(app) -> None:
        for screen in app.screen_stack:
            screen.refresh_bindings()

    app_module.relabel_footers = refresh_bindings
    screen_module.prepare_interface_languages = lambda: None


def report(title: str, firsts: list[float], totals: list[float]) -> None:
    print(title)
    for name, values in (("first frame", firsts), ("all labels", totals)):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"  {name:12} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms"
            f"   max {max(values):6.1f} ms"
        )
    cold = len(ORDER)
    print(
        "  first time in each language:",
        ", ".join(f"{code} {ms:.0f} ms" for code, ms in zip(ORDER, totals[:cold], strict=False)),
    )
    if len(totals) > cold:
        print(
            f"  all labels, languages used before: median {statistics.median(totals[cold:]):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="print the profile of one switch")
    parser.add_argument("--compare", action="store_true", help="measure the untuned switch too")
    parser.add_argument("--legacy", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    from startup import build_cache

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            (home / name).mkdir()
            os.environ[name] = str(home / name)
        os.environ["LANG"] = "C.UTF-8"
        config = build_cache(home, options.articles)
        story = HERE.parent / "src" / "tuinews" / "demo" / "world-wire"
        for page in story.iterdir():
            (home / "sources" / "site-0" / page.name).write_bytes(page.read_bytes())
        if options.compare:
            import subprocess

            before = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--legacy",
                    "--articles",
                    str(options.articles),
                    "--rounds",
                    str(options.rounds),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            print(before.stdout, end="")
        if options.legacy:
            legacy()
        firsts, totals, profile = asyncio.run(run(config, options.rounds))
    label = "before tuning" if options.legacy else "now"
    report(
        f"interface-language switch ({label}), {options.articles:,} articles, {len(totals)} switches",
        firsts,
        totals,
    )
    if options.profile:
        print(profile)


if __name__ == "__main__":
    main()
