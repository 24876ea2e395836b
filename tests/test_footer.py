"""The footer lets go of the keys it rebuilds at each focus change (Textual keeps them for good)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tuinews.config import load_config
from tuinews.ui.app import TuinewsApp
from tuinews.ui.footer import Footer


def _reader(tmp_path: Path) -> TuinewsApp:
    """The reader on a folder with one article."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text("# Tram line opens\n\nThe tram links the harbour.\n")
    return TuinewsApp(load_config(), [folder])


async def test_focus_changes_leave_no_footer_keys_behind(tmp_path: Path) -> None:
    app = _reader(tmp_path)
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


def _shown(footer: Footer) -> list[tuple]:
    return [
        (k.key, k.key_display, k.description, k.action, k.has_class("-disabled"), k.tooltip)
        for k in footer.query(FooterKey)
    ]


async def test_keys_reworded_in_place_show_what_a_rebuild_shows(tmp_path: Path) -> None:
    """At each focus change the footer shows what Textual's own rebuild would (same keys, words,
    actions, enabled state, tooltips, order), keeping the widgets of the keys that stay."""
    app = _reader(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = app.query_one(Footer)
        kept = 0
        seen = set()
        for _ in range(6):
            before = list(footer.query(FooterKey))
            await pilot.press("tab")
            await pilot.pause()
            after = list(footer.query(FooterKey))
            kept += len(set(after) & set(before))
            # Only the keys that come or go are new widgets (Open comes with the headline list).
            assert len(set(after) & set(before)) >= min(len(after), len(before)) - 1
            shown = _shown(footer)
            seen.add(tuple(shown))
            footer.call_next(footer.recompose)  # Textual's rebuild, run by the footer
            await pilot.pause()
            await pilot.pause()
            assert list(footer.query(FooterKey)) != after
            assert _shown(footer) == shown
        assert kept > 0
        assert len(seen) > 1  # and the panes' keys differ
