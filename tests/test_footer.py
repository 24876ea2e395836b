"""The footer lets go of the keys it rebuilds at each focus change (Textual keeps them for good)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tuinews.config import load_config
from tuinews.ui.app import TuinewsApp
from tuinews.ui.footer import Footer


async def test_focus_changes_leave_no_footer_keys_behind(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text("# Tram line opens\n\nThe tram links the harbour.\n")
    app = TuinewsApp(load_config(), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = app.query_one(Footer)
        for _ in range(12):
            await pilot.press("tab")
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        watchers = getattr(footer, "__watchers", {}).get("compact", [])
        keys = list(footer.query(FooterKey))
        assert keys
        assert all(not node._closing for node, _callback in watchers)
        assert len(watchers) <= len(keys)


async def test_footer_keys_keep_the_footers_style(tmp_path: Path) -> None:
    """Keys made at a focus change start with the footer's `compact` (styled once, the same)."""
    app = TuinewsApp(load_config(), [tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        footer = app.query_one(Footer)
        for compact in (False, True, False):
            footer.compact = compact
            await pilot.press("tab")
            await pilot.pause()
            keys = list(footer.query(FooterKey))
            assert keys
            assert all(key.compact is compact for key in keys)
            assert all(key.has_class("-compact") is compact for key in keys)
