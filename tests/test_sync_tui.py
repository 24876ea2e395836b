"""The reader with `[sync]`: it syncs at first start, `r` syncs again, keys queue changes."""

from __future__ import annotations

from pathlib import Path

from freshrss_server import Account, FreshRSS, rss
from test_app import settle
from tuinews.config import load_config
from tuinews.model import SourceKind
from tuinews.store import Store
from tuinews.store.sync_state import SyncState, account_key
from tuinews.sync.greader import READ, READING_LIST
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList


def _items(prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {"title": f"{prefix} headline {n}", "link": f"https://example.org/{prefix}/{n}"}
        for n in range(count)
    ]


async def _until(pilot, app: TuinewsApp, condition, rounds: int = 60) -> None:
    for _ in range(rounds):
        await settle(pilot, app, rounds=1)
        if condition():
            return


async def test_r_syncs_in_the_reader(freshrss: FreshRSS, tmp_path: Path) -> None:
    account: Account = freshrss.new_account()
    freshrss.feeds.add_feed("/tui-first.xml", rss("First feed", _items("first", 3)))
    account.subscribe(freshrss.feeds.url("/tui-first.xml"))
    config = load_config(account.config(tmp_path / "cache"))
    app = TuinewsApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        headlines = app.query_one(HeadlineList)
        # Never synced: the reader syncs at start, and shows the server's subscription.
        await _until(pilot, app, lambda: headlines.row_count == 3)
        assert headlines.row_count == 3
        assert [s.name for s in app.sources if s.kind is SourceKind.SERVER] == ["First feed"]
        assert any("Synced with" in n.message for n in app._notifications)

        # `m` marks read; the change waits in the queue for the next sync.
        headlines.cursor = 0
        marked = headlines.current_id
        await pilot.press("m")
        await settle(pilot, app)
        with Store(config.cache.path) as store:
            state = SyncState(store, account_key(config.sync.url, config.sync.user))
            assert state.pending_count() == 1

        # Meanwhile another device subscribes to a second feed; `r` brings it in.
        freshrss.feeds.add_feed("/tui-second.xml", rss("Second feed", _items("second", 2)))
        account.subscribe(freshrss.feeds.url("/tui-second.xml"))
        app._notifications.clear()
        await pilot.press("r")
        await _until(pilot, app, lambda: headlines.row_count == 5)
        assert headlines.row_count == 5
        names = sorted(s.name for s in app.sources if s.kind is SourceKind.SERVER)
        assert names == ["First feed", "Second feed"]
        assert any("1 change sent" in n.message for n in app._notifications)
        assert not [n for n in app._notifications if n.severity == "error"]
        assert len(account.ids(READING_LIST, exclude=READ)) == 4
        assert headlines.rows[headlines.rows.index_of(marked)].read


async def test_a_failed_sync_is_one_notification(freshrss: FreshRSS, tmp_path: Path) -> None:
    account: Account = freshrss.new_account()
    config = load_config(account.config(tmp_path / "cache", password="not-the-password"))
    app = TuinewsApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, app, lambda: bool(app._notifications) and not app._progress)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1
        assert "wrong user or password" in warnings[0].message
        assert "not-the-password" not in " ".join(n.message for n in app._notifications)
