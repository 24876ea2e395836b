"""Sync with a real FreshRSS (Google Reader API): first sync, incremental, both ways, offline, errors.

Every test gets a fresh FreshRSS user (so read flags of one test never meet another's) on the one
server the session starts (`freshrss` fixture, tests/freshrss_server.py), and feeds served by that
server's loopback feed server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import run_cli
from freshrss_server import Account, FreshRSS, rss
from tuinews import library
from tuinews.config import load_config
from tuinews.model import LangOrigin, SourceKind
from tuinews.search_query import parse_query
from tuinews.store import HeadlineFilter, Store
from tuinews.store.sync_state import SyncState, account_key
from tuinews.sync import engine
from tuinews.sync.engine import SyncReport, sync_account
from tuinews.sync.greader import READ, READING_LIST, STARRED, GReaderClient, NetworkError

_paths = itertools.count(1)


@pytest.fixture
def account(freshrss: FreshRSS) -> Account:
    return freshrss.new_account()


def add_feed(server: FreshRSS, title: str, items: list[dict[str, str]]) -> str:
    """Serve a new feed; returns its URL."""
    path = f"/sync-feed-{next(_paths)}.xml"
    server.feeds.add_feed(path, rss(title, items, link=f"https://example.org/{path}"))
    return server.feeds.url(path)


def news_items(prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"{prefix} story {n} about the new tram line",
            "link": f"https://example.org/{prefix}/{n}",
            "body": f"<p>The council approved the {prefix} tram line number {n} after a debate.</p>",
        }
        for n in range(count)
    ]


def sync(config_path: Path, **kwargs) -> SyncReport:
    config = load_config(config_path)
    with Store(config.cache.path) as store:
        return sync_account(store, config.sync, config.sync.password, config.network, **kwargs)


def titles(config_path: Path, **flags: bool) -> set[str]:
    config = load_config(config_path)
    with Store(config.cache.path) as store:
        return {
            store.article(h.id).title  # type: ignore[union-attr]
            for h in store.headlines(HeadlineFilter(**flags))
        }


def article_ids(config_path: Path, *words: str) -> list[int]:
    config = load_config(config_path)
    with Store(config.cache.path) as store:
        rows = store.headlines(HeadlineFilter(query=parse_query(" ".join(words))))
        return [row.id for row in rows]


def server_id(account: Account, title: str) -> str:
    return next(item["id"] for item in account.items() if item["title"] == title)


def test_first_sync_brings_subscriptions_articles_and_state(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    english = add_feed(freshrss, "City Courier", news_items("courier", 3))
    ukrainian = add_feed(
        freshrss,
        "Київські новини",
        [
            {
                "title": "Міська рада схвалила нову трамвайну лінію",
                "link": "https://example.org/uk/1",
                "body": "<p>Міська рада схвалила нову трамвайну лінію після тривалої дискусії"
                " про вартість і маршрути.</p><script>alert('boo')</script>"
                '<img src="https://counter.example.org/pixel.gif" width="1" height="1">',
            }
        ],
    )
    courier = account.subscribe(english)
    account.subscribe(ukrainian)
    account.call(
        "POST",
        "subscription/edit",
        data={"ac": "edit", "s": courier, "a": "user/-/label/Local news"},
    )
    account.edit_tag(server_id(account, "courier story 0 about the new tram line"), add=READ)
    account.edit_tag(server_id(account, "courier story 1 about the new tram line"), add=STARRED)
    config = account.config(tmp_path / "laptop")

    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 0, result.stderr
    assert "Synced with" in result.stdout and "4 new" in result.stdout
    assert "tuinews: synced 4/4 articles" in result.stderr  # piped: plain progress lines

    with Store(load_config(config).cache.path) as store:
        sources = {s.name: s for s in library.server_sources(store, load_config(config))}
        assert set(sources) == {"City Courier", "Київські новини"}
        assert all(s.kind is SourceKind.SERVER for s in sources.values())
        assert sources["City Courier"].tags == ("Local news",)
        assert sources["City Courier"].location == courier
        rows = {
            store.article(h.id).title: store.article(h.id)
            for h in store.headlines(HeadlineFilter())
        }
    assert len(rows) == 4
    uk = rows["Міська рада схвалила нову трамвайну лінію"]
    assert uk.language == "uk" and uk.lang_origin is LangOrigin.DETECTED
    assert "alert" not in " ".join(uk.paragraphs)
    assert not any(block.url for block in uk.blocks)  # the tracking pixel is gone
    assert uk.source_name == "Київські новини"
    assert rows["courier story 0 about the new tram line"].read
    assert rows["courier story 1 about the new tram line"].starred
    assert not rows["courier story 2 about the new tram line"].read
    assert rows["courier story 2 about the new tram line"].language == "en"
    assert len(article_ids(config, "трамвайну")) == 1  # in the search index

    listed = run_cli("--config", str(config), "sources", "--json")
    rows_json = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows_json["City Courier"]["kind"] == "server"
    assert rows_json["City Courier"]["location"] == english
    assert rows_json["City Courier"]["unread"] == 2


def test_incremental_sync_downloads_nothing_twice(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    items = news_items("daily", 12)
    url = add_feed(freshrss, "Daily", items)
    account.subscribe(url)
    config = account.config(tmp_path / "cache")

    first = sync(config)
    assert (first.added, first.downloaded) == (12, 12)

    again = sync(config)
    assert (again.added, again.downloaded) == (0, 0)
    # subscriptions, unread counts, and three id lists: no contents request, and no login (the
    # token of the first one is kept)
    assert again.requests == 5

    path = url.removeprefix(freshrss.feeds.base_url)
    more = [*items, *news_items("evening", 1)]
    freshrss.feeds.add_feed(path, rss("Daily", more, link="https://example.org/daily"))
    freshrss.actualize(account.user)
    third = sync(config)
    assert (third.added, third.downloaded) == (1, 1)
    assert len(titles(config)) == 13


def test_read_and_star_round_trip_between_two_caches(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    account.subscribe(add_feed(freshrss, "Round trip", news_items("trip", 4)))
    laptop = account.config(tmp_path / "laptop")
    phone = account.config(tmp_path / "phone")
    sync(laptop)
    sync(phone)

    first, second = article_ids(laptop, "trip", "story", "0")[0], article_ids(laptop, "trip", "1")
    with Store(load_config(laptop).cache.path) as store:
        store.set_read([first])
        store.set_starred(second)
        assert SyncState(store, _account(laptop)).pending_count() == 2
    pushed = sync(laptop)
    assert pushed.pushed == 2 and pushed.queued == 0
    assert titles(laptop, unread=True) == {
        "trip story 1 about the new tram line",
        "trip story 2 about the new tram line",
        "trip story 3 about the new tram line",
    }

    pulled = sync(phone)
    assert pulled.read_changed == 1 and pulled.starred_changed == 1
    assert titles(phone, unread=True) == titles(laptop, unread=True)
    assert titles(phone, starred=True) == {"trip story 1 about the new tram line"}

    # The phone takes it back; the laptop follows.
    with Store(load_config(phone).cache.path) as store:
        store.set_read(article_ids(phone, "trip", "story", "0"), False)
        store.set_starred(article_ids(phone, "trip", "1"), False)
    sync(phone)
    sync(laptop)
    assert len(titles(laptop, unread=True)) == 4
    assert titles(laptop, starred=True) == set()
    assert len(account.ids(READING_LIST, exclude=READ)) == 4


def test_mark_all_read_then_undo_sends_only_the_last_state(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    account.subscribe(add_feed(freshrss, "Mark all", news_items("all", 6)))
    config = account.config(tmp_path / "cache")
    sync(config)
    keep = article_ids(config, "all", "story", "3")
    with Store(load_config(config).cache.path) as store:
        every = [h.id for h in store.headlines(HeadlineFilter())]
        store.set_read(every)  # M
        store.set_read(keep, False)  # u, then m on one of them
        assert SyncState(store, _account(config)).pending_count() == 7
    report = sync(config)
    assert report.pushed == 6 and report.queued == 0
    unread_on_server = account.ids(READING_LIST, exclude=READ)
    assert len(unread_on_server) == 1
    assert titles(config, unread=True) == {"all story 3 about the new tram line"}


def test_changes_made_offline_are_sent_when_the_server_is_back(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    account.subscribe(add_feed(freshrss, "Offline", news_items("offline", 3)))
    config = account.config(tmp_path / "cache")
    sync(config)
    target = article_ids(config, "offline", "story", "2")
    freshrss.stop()
    try:
        with Store(load_config(config).cache.path) as store:
            store.set_read(target)
            store.set_starred(target)
        result = run_cli("--config", str(config), "sync")
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert "connection refused" in lines[0] and freshrss.api in lines[0]
        assert lines[1] == "tuinews: 2 changes stay queued for the next sync"
        assert "Traceback" not in result.stderr
        assert titles(config, unread=True) == {
            "offline story 0 about the new tram line",
            "offline story 1 about the new tram line",
        }
    finally:
        freshrss.restart()
    report = sync(config)
    assert report.pushed == 2 and report.queued == 0
    assert len(account.ids(READING_LIST, exclude=READ)) == 2
    assert len(account.ids(STARRED)) == 1
    assert titles(config, starred=True) == {"offline story 2 about the new tram line"}


def test_wrong_password_is_one_line_without_the_password(account: Account, tmp_path: Path) -> None:
    config = account.config(tmp_path / "cache", password="hunter2-not-it")
    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "wrong user or password" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout

    failing = account.config(
        tmp_path / "command",
        password="",
        extra="password_command = \"sh -c 'echo hunter2-secret; echo no vault >&2; exit 3'\"\n",
    )
    text = failing.read_text().replace('password = ""\n', "")
    failing.write_text(text)
    result = run_cli("--config", str(failing), "sync")
    assert result.returncode == 1
    assert "sync.password_command failed (exit status 3): no vault" in result.stderr
    assert "hunter2" not in result.stderr


def test_an_expired_login_token_means_a_new_login(account: Account, tmp_path: Path) -> None:
    config = account.config(tmp_path / "cache")
    sync(config)
    with Store(load_config(config).cache.path) as store:
        state = SyncState(store, _account(config))
        assert state.auth() and account.password not in (state.auth() or "")
        state.save_auth(f"{account.user}/expired")
    asked: list[str] = []

    def password() -> str:
        asked.append("once")
        return account.password

    loaded = load_config(config)
    with Store(loaded.cache.path) as store:
        report = sync_account(store, loaded.sync, password, loaded.network)
        assert SyncState(store, _account(config)).auth() != f"{account.user}/expired"
    # the five lists asked at once are refused, one login, the five again
    assert asked == ["once"] and report.requests == 11


def test_password_from_a_command_and_a_warning_for_a_readable_file(
    account: Account, tmp_path: Path
) -> None:
    config = account.config(tmp_path / "command", password="")
    config.write_text(
        config.read_text().replace(
            'password = ""\n', f"password_command = \"printf '%s\\\\n' {account.password}\"\n"
        )
    )
    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr

    readable = account.config(tmp_path / "readable")
    readable.chmod(0o644)
    result = run_cli("--config", str(readable), "sync")
    assert result.returncode == 0
    assert "other users can read it" in result.stderr
    assert account.password not in result.stderr + result.stdout


def test_an_app_key_in_a_readable_file_is_warned_about(account: Account, tmp_path: Path) -> None:
    """FreshRSS ignores the app headers that Inoreader wants; the key is a secret all the same."""
    config = account.config(tmp_path / "app", password="")
    config.write_text(
        config.read_text().replace(
            'password = ""\n',
            f"password_command = \"printf '%s\\\\n' {account.password}\"\n"
            'app_id = "1000001414"\napp_key = "kk18irxGeoXA5wyFg9U1Pp"\n',
        )
    )
    config.chmod(0o644)
    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 0, result.stderr
    assert "holds the [sync] app_key and other users can read it" in result.stderr
    assert "kk18irx" not in result.stderr + result.stdout


def test_server_killed_mid_sync_loses_nothing_and_the_next_sync_completes(
    account: Account, freshrss: FreshRSS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH", 4)
    monkeypatch.setattr(engine, "IN_FLIGHT", 1)
    account.subscribe(add_feed(freshrss, "Long", news_items("long", 20)))
    config = account.config(tmp_path / "cache")

    # The second request waits until the first answer is stored and the server is gone.
    first_stored = asyncio.Event()
    items_body = GReaderClient.items_body
    requests = 0

    async def after_the_first(client: GReaderClient, ids: Sequence[int]) -> bytes:
        nonlocal requests
        requests += 1
        if requests > 1:
            await first_stored.wait()
        return await items_body(client, ids)

    monkeypatch.setattr(GReaderClient, "items_body", after_the_first)

    def kill_after_first_batch(done: int, total: int) -> None:
        if done == 4:
            freshrss.stop()
            first_stored.set()

    try:
        with pytest.raises(NetworkError):
            sync(config, progress=kill_after_first_batch)
    finally:
        freshrss.restart()
    stored = titles(config)
    assert len(stored) == 4
    with Store(load_config(config).cache.path) as store:
        state = SyncState(store, _account(config)).state()
        assert state.last_sync is None and "connection refused" in (state.last_error or "")

    report = sync(config)
    assert report.downloaded == 16 and report.added == 16
    assert len(titles(config)) == 20


def test_a_change_made_during_a_sync_wins_over_the_server_state(
    account: Account, freshrss: FreshRSS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH", 2)
    monkeypatch.setattr(engine, "IN_FLIGHT", 1)
    account.subscribe(add_feed(freshrss, "Race", news_items("race", 4)))
    config = account.config(tmp_path / "cache")
    sync(config)
    account.subscribe(add_feed(freshrss, "Race two", news_items("racetwo", 4)))
    mine = article_ids(config, "race", "story", "0")
    theirs = article_ids(config, "race", "story", "1")
    # Another device reads `theirs` and stars `mine` on the server.
    account.edit_tag(server_id(account, "race story 1 about the new tram line"), add=READ)
    account.edit_tag(server_id(account, "race story 0 about the new tram line"), add=STARRED)

    def read_while_syncing(done: int, total: int) -> None:
        if done == 2:  # after the queue was sent, before the state is pulled
            with Store(load_config(config).cache.path) as store:
                store.set_read(mine)

    sync(config, progress=read_while_syncing)
    assert titles(config, unread=True) >= {"race story 2 about the new tram line"}
    read_here = titles(config) - titles(config, unread=True)
    assert read_here == {
        "race story 0 about the new tram line",
        "race story 1 about the new tram line",
    }
    assert titles(config, starred=True) == {"race story 0 about the new tram line"}
    report = sync(config)
    assert report.pushed == 1
    assert len(account.ids(READING_LIST, exclude=READ)) == 6
    assert theirs  # read by the other device, and read here


def test_subscriptions_both_ways(account: Account, freshrss: FreshRSS, tmp_path: Path) -> None:
    config = account.config(tmp_path / "cache")
    there = add_feed(freshrss, "Added elsewhere", news_items("elsewhere", 2))
    stream = account.subscribe(there)
    sync(config)
    assert _server_names(config) == {"Added elsewhere"}

    here = add_feed(freshrss, "Added here", news_items("here", 2))
    result = run_cli("--config", str(config), "add", here)
    assert result.returncode == 0, result.stderr
    assert "Subscribed to" in result.stdout
    assert here in account.subscriptions().values()
    assert _server_names(config) == {"Added elsewhere", "Added here"}
    again = run_cli("--config", str(config), "add", here)
    assert "Already subscribed on the server" in again.stdout
    report = sync(config)
    assert report.added == 2  # the new subscription's articles
    assert "tuinews add" not in config.read_text() and "[[sources]]" not in config.read_text()

    result = run_cli("--config", str(config), "remove", "Added here")
    assert result.returncode == 0, result.stderr
    assert "Unsubscribed from Added here" in result.stdout
    assert here not in account.subscriptions().values()
    assert _server_names(config) == {"Added elsewhere"}

    account.unsubscribe(stream)
    report = sync(config)
    assert report.gone_subscriptions == ["Added elsewhere"]
    assert _server_names(config) == set()
    assert "elsewhere story 0 about the new tram line" in titles(config)  # articles stay

    missing = run_cli("--config", str(config), "remove", "No such feed")
    assert missing.returncode == 1 and "no such source" in missing.stderr


def test_add_while_the_server_is_down_is_queued(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    config = account.config(tmp_path / "cache")
    sync(config)
    url = add_feed(freshrss, "Queued feed", news_items("queued", 1))
    freshrss.stop()
    try:
        result = run_cli("--config", str(config), "add", url)
        assert result.returncode == 0
        assert "queued for the next sync" in result.stderr
    finally:
        freshrss.restart()
    report = sync(config)
    assert report.pushed == 1 and report.added == 1
    assert _server_names(config) == {"Queued feed"}


def test_fetch_syncs_and_keeps_local_sources(
    account: Account, freshrss: FreshRSS, tmp_path: Path
) -> None:
    account.subscribe(add_feed(freshrss, "Server feed", news_items("server", 2)))
    local = add_feed(freshrss, "Local feed", news_items("local", 3))
    config = account.config(tmp_path / "cache", extra=f'\n[[sources]]\nurl = "{local}"\n')
    result = run_cli("--config", str(config), "fetch")
    assert result.returncode == 0, result.stderr
    assert "synced with" in result.stderr
    assert len(titles(config)) == 5

    down = account.config(tmp_path / "down", password="not-it")
    result = run_cli("--config", str(down), "fetch")
    assert result.returncode == 1
    assert "tuinews: sync: " in result.stderr and "wrong user or password" in result.stderr


def test_sync_is_not_configured(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[cache]\npath = "{tmp_path / "cache.db"}"\n')
    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 2
    assert "sync is not configured" in result.stderr


def _account(config_path: Path) -> str:
    config = load_config(config_path)
    return account_key(config.sync.url, config.sync.user)


def _server_names(config_path: Path) -> set[str]:
    config = load_config(config_path)
    with Store(config.cache.path) as store:
        return {source.name for source in library.server_sources(store, config)}
