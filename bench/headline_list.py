"""Benchmark the headline list with 100,000 synthetic rows (a plain script, not a test).

Run: `PYTHONPATH=src /tmp/venv/bin/python bench/headline_list.py [ROWS]`

Prints the time to build the rows, to mount and paint the first frame, the median and p95 time of
200 `j` presses (each `await pilot.press("j")` plus `await pilot.pause()`: wall clock, CPU, and the
time spent in the screen's layout and compositor), the cost of painting a cold page, and the
process RSS before and after loading. The same app with 1,000 rows is measured as a baseline: the
pilot sleeps in 20 ms steps while it waits for idle, so wall times have a floor of about 60-80 ms
that has nothing to do with the widget.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

SCRIPTS = [
    "Parliament approves the new budget after a long night of debate in the capital",
    "Верховна Рада ухвалила новий бюджет після довгої нічної дискусії у столиці",
    "東京で新しい研究所が開設され、世界中の研究者が集まる予定です",
    "البرلمان يوافق على الميزانية الجديدة بعد نقاش طويل في العاصمة",
    "संसद ने राजधानी में लंबी बहस के बाद नए बजट को मंजूरी दी",
    "Η Βουλή ενέκρινε τον νέο προϋπολογισμό μετά από μακρά συζήτηση",
    "국회는 수도에서 밤샘 토론 끝에 새 예산안을 승인했다",
    "O parlamento aprovou o novo orçamento depois de um longo debate 🎉",
]
LANGUAGES = ["en", "uk", "ja", "ar", "hi", "el", "ko", "pt-BR"]
PRESSES = 200


def rss_mib() -> float:
    """The resident set size of this process, in MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def import_widget() -> None:
    """Make `tuinews` importable when run from a checkout without PYTHONPATH."""
    try:
        import tuinews  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def make_rows(count: int) -> list:
    from tuinews.model import Headline

    rng = random.Random(42)
    now = time.time()
    rows = []
    for i in range(count):
        kind = i % len(SCRIPTS)
        text = SCRIPTS[kind]
        title = f"{text[: rng.randint(12, len(text))]} #{i}"
        published = 0.0 if i % 50 == 0 else now - i * 97.0
        read, starred = i % 3 == 0, i % 11 == 0
        rows.append(Headline(i, title, 1 + i % 40, LANGUAGES[kind], published, read, starred))
    return rows


async def measure(rows: list) -> dict[str, float]:
    """Mount a list of `rows`, press `j` PRESSES times; times in seconds, RSS in MiB."""
    from textual.app import App, ComposeResult
    from textual.geometry import Region
    from textual.strip import Strip

    from tuinews.ui.headline_list import HeadlineList

    names = {n: f"Source {n} " + "long name " * (n % 3) for n in range(1, 41)}
    result: dict[str, float] = {}

    class TimedList(HeadlineList):
        def render_lines(self, crop: Region) -> list[Strip]:
            strips = super().render_lines(crop)
            if self.row_count and "first_frame" not in result:
                result["first_frame"] = time.perf_counter()
            return strips

    class BenchApp(App[None]):
        def compose(self) -> ComposeResult:
            yield TimedList()

        def on_mount(self) -> None:
            widget = self.query_one(TimedList)
            t0 = time.perf_counter()
            widget.set_rows(rows, names)
            result["set_rows"] = time.perf_counter() - t0
            widget.focus()

    app = BenchApp()
    app_start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        result["settled"] = time.perf_counter() - app_start
        result["first_frame"] -= app_start
        widget = app.query_one(TimedList)
        result["rss_loaded"] = rss_mib()

        # Time spent painting the screen (layout + compositor), summed per press.
        screen = app.screen
        painted = [0.0]
        for name in ("_compositor_refresh", "_refresh_layout"):
            original = getattr(screen, name)

            def timed(*args, _original=original, **kwargs):
                t0 = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    painted[0] += time.perf_counter() - t0

            setattr(screen, name, timed)

        walls: list[float] = []
        cpus: list[float] = []
        paints: list[float] = []
        for _ in range(PRESSES):
            painted[0] = 0.0
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - cpu0)
            paints.append(painted[0])
        assert widget.cursor == min(PRESSES, len(rows) - 1), widget.cursor
        result["wall_median"] = statistics.median(walls)
        result["wall_p95"] = percentile(walls, 0.95)
        result["cpu_median"] = statistics.median(cpus)
        result["cpu_p95"] = percentile(cpus, 0.95)
        result["paint_median"] = statistics.median(paints)
        result["paint_p95"] = percentile(paints, 0.95)

        page_times: list[float] = []
        height = widget.scrollable_content_region.height
        for _ in range(20):
            widget._strip_cache.clear()
            t0 = time.perf_counter()
            for y in range(height):
                widget.render_line(y)
            page_times.append(time.perf_counter() - t0)
        result["cold_page"] = statistics.median(page_times)
        result["page_lines"] = height

        t0 = time.perf_counter()
        await pilot.press("G")
        await pilot.pause()
        result["end_key"] = time.perf_counter() - t0
        assert widget.cursor == len(rows) - 1
    return result


async def run(count: int) -> None:
    import_widget()
    rss_start = rss_mib()
    t0 = time.perf_counter()
    rows = make_rows(count)
    build_s = time.perf_counter() - t0
    rss_rows = rss_mib()
    big = await measure(rows)
    small = await measure(rows[:1000])

    ms = 1000.0
    print(f"rows: {count:,} (titles in {len(SCRIPTS)} scripts); baseline: same app, 1,000 rows")
    print(f"build rows:                   {build_s * ms:8.1f} ms")
    print(f"set_rows (list + id index):   {big['set_rows'] * ms:8.1f} ms")
    print(
        f"app start -> first frame:     {big['first_frame'] * ms:8.1f} ms"
        f"   (1,000 rows: {small['first_frame'] * ms:.1f} ms)"
    )
    print(
        f"app start -> settled (pause): {big['settled'] * ms:8.1f} ms"
        f"   (1,000 rows: {small['settled'] * ms:.1f} ms)"
    )
    for label, key in (("wall", "wall"), ("CPU ", "cpu"), ("paint", "paint")):
        median, p95 = big[f"{key}_median"] * ms, big[f"{key}_p95"] * ms
        base_median, base_p95 = small[f"{key}_median"] * ms, small[f"{key}_p95"] * ms
        print(
            f"'j' x{PRESSES} {label:5} per press+pause: median {median:6.2f} ms, p95 {p95:6.2f} ms"
            f"   (1,000 rows: median {base_median:.2f}, p95 {base_p95:.2f})"
        )
    print(f"cold page ({big['page_lines']:.0f} lines) render_line: {big['cold_page'] * ms:.2f} ms")
    print(f"'G' press+pause:              {big['end_key'] * ms:8.1f} ms")
    print(
        f"RSS: start {rss_start:.1f} MiB, rows built {rss_rows:.1f} MiB,"
        f" app loaded {big['rss_loaded']:.1f} MiB"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    asyncio.run(run(count))


if __name__ == "__main__":
    main()
