"""The reader's refresh helpers: progress passed on sparingly, the heap frozen while it runs."""

from __future__ import annotations

import gc

from tuinews.background_load import Throttle
from tuinews.ui.background_work import frozen_heap


def test_progress_keeps_the_first_and_last_steps() -> None:
    seen: list[tuple[int, int]] = []
    report = Throttle(lambda done, total: seen.append((done, total)), interval=3600)
    for done in range(0, 201):
        report(done, 200)
    assert seen == [(0, 200), (200, 200)]


def test_progress_passes_every_step_when_they_are_slow_enough() -> None:
    seen: list[int] = []
    report = Throttle(lambda done, total: seen.append(done), interval=0)
    for done in range(5):
        report(done, 4)
    assert seen == [0, 1, 2, 3, 4]


def test_the_heap_is_frozen_until_the_last_exit() -> None:
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with frozen_heap():
            assert gc.get_freeze_count() > 0
        # Still frozen (a thread of an earlier test may free a frozen object or two meanwhile).
        assert gc.get_freeze_count() > frozen // 2
    assert gc.get_freeze_count() == 0


def test_the_reader_keeps_the_heap_frozen(monkeypatch) -> None:
    from tuinews.ui import background_work

    monkeypatch.setattr(background_work, "_keep_frozen", False)
    background_work.keep_heap_frozen()
    try:
        with frozen_heap():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0  # objects may have died meanwhile: not the same count
    finally:
        gc.unfreeze()


def test_a_step_held_back_goes_out_when_its_interval_is_over() -> None:
    import time

    seen: list[int] = []
    report = Throttle(lambda done, total: seen.append(done), interval=0.05)
    for done in range(4):
        report(done, 10)  # 0 at once; 1, 2, 3 held back: 3 comes later, alone
    assert seen == [0]
    deadline = time.monotonic() + 10
    while seen == [0] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [0, 3]
    report.close()
