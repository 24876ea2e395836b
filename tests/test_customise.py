"""Making it yours: [keys], themes and the command palette, per-source settings, the sources pane."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from feedserver import FeedServer
from test_refresh import rss
from tuinews import library as lib
from tuinews.config import ConfigError, NetworkConfig, parse_config
from tuinews.model import Source, SourceKind
from tuinews.natural_order import natural_key
from tuinews.refresh import refresh_feeds
from tuinews.store import HeadlineFilter, Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.commands import TuinewsCommands
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.help_screen import HelpScreen, key_text
from tuinews.ui.keymap import binding_ids, check_ui_config

ARTICLES = {
    "tram.md": "---\ntitle: Tram line opens\ndate: 2026-11-03T09:00:00Z\nlang: en\n---\n\nThe new tram line.\n",
    "ad.md": "---\ntitle: Sponsored - buy now\ndate: 2026-11-02T09:00:00Z\nlang: en\n---\n\nAn advert for things.\n",
    "storm.md": "---\ntitle: Storm warning\ndate: 2026-11-01T09:00:00Z\nlang: en\n---\n\nStrong wind tonight.\n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "articles"
    path.mkdir()
    for name, text in ARTICLES.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def config(tmp_path: Path, data: dict[str, Any]):
    data = {"cache": {"path": str(tmp_path / "cache.db")}, **data}
    return parse_config(data, tmp_path / "config.toml")


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def titles(app: TuinewsApp) -> list[str]:
    rows = app.query_one(HeadlineList).rows
    return [rows[i].title for i in range(len(rows))]


# Config validation: one line naming the key


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"keys": {"app.toggle_star": "ctrl+nope"}}, "'keys.app.toggle_star'"),
        ({"keys": {"app.toggle_star": 5}}, "'keys.app.toggle_star'"),
        ({"keys": {"headlines.down": "j,,down"}}, "'keys.headlines.down'"),
        ({"keys": "S"}, "'keys'"),
        ({"ui": {"theme": 3}}, "'ui.theme'"),
        ({"ui": {"theme": " "}}, "'ui.theme'"),
        ({"ui": {"colour": "x"}}, "'ui.colour'"),
        ({"sources": [{"path": ".", "refresh_minutes": 0}]}, "'sources[0].refresh_minutes'"),
        ({"sources": [{"path": ".", "refresh_minutes": "5"}]}, "'sources[0].refresh_minutes'"),
        ({"sources": [{"path": ".", "hide": ["(unclosed"]}]}, "'sources[0].hide'"),
        ({"sources": [{"path": ".", "hide": "^Ad"}]}, "'sources[0].hide'"),
        ({"sources": [{"path": "."}, {"path": ".", "hide": [1]}]}, "'sources[1].hide'"),
    ],
)
def test_bad_values_are_one_line_naming_the_key(tmp_path: Path, data: dict, named: str) -> None:
    with pytest.raises(ConfigError) as error:
        config(tmp_path, data)
    message = str(error.value)
    assert named in message and "\n" not in message


def test_good_values_parse(tmp_path: Path) -> None:
    parsed = config(
        tmp_path,
        {
            # Quoted ids and unquoted dotted keys (nested TOML tables) both work.
            "keys": {"app.toggle_star": "S", "headlines": {"down": "j, down ,ctrl+n"}},
            "ui": {"theme": "nord"},
            "sources": [{"url": "https://example.org/f", "refresh_minutes": 30, "hide": ["^Ad"]}],
        },
    )
    assert parsed.keys == {"app.toggle_star": "S", "headlines.down": "j,down,ctrl+n"}
    assert parsed.ui.theme == "nord"
    assert parsed.sources[0].refresh_minutes == 30
    assert parsed.sources[0].hide == ("^Ad",)
    default = config(tmp_path, {})
    assert default.ui.theme == "tuinews-dark" and default.keys == {}
    check_ui_config(parsed)  # known id, known theme


def test_unknown_binding_id_or_theme_is_a_config_error(tmp_path: Path) -> None:
    assert {"app.toggle_star", "headlines.down", "article.down", "help.close"} <= binding_ids()
    with pytest.raises(ConfigError, match=r"'keys\.app\.nope'"):
        check_ui_config(config(tmp_path, {"keys": {"app.nope": "x"}}))
    with pytest.raises(ConfigError, match=r"'ui\.theme'"):
        check_ui_config(config(tmp_path, {"ui": {"theme": "no-such-theme"}}))


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[keys]\n"app.nope" = "x"\n', "'keys.app.nope'"),
        ('[ui]\ntheme = "no-such-theme"\n', "'ui.theme'"),
    ],
)
def test_cli_exits_2_before_the_app_starts(tmp_path: Path, toml: str, named: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    result = run_cli("--config", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert result.stdout == ""


# Keymap


async def test_remapped_key_stars_and_help_and_footer_show_it(folder: Path, tmp_path: Path):
    app = TuinewsApp(config(tmp_path, {"keys": {"app.toggle_star": "S"}}), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        headlines = app.query_one(HeadlineList)
        assert not headlines.current_headline.starred
        await pilot.press("s")  # the old key does nothing now
        await settle(pilot, app)
        assert not headlines.current_headline.starred
        await pilot.press("S")
        await settle(pilot, app)
        assert headlines.current_headline.starred
        assert "S" in app.screen.active_bindings
        assert "s" not in app.screen.active_bindings
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        star = next(
            binding
            for _title, bindings in app.screen.groups
            for binding in bindings
            if getattr(binding, "id", None) == "app.toggle_star"
        )
        assert key_text(star) == "S"
    with Store(tmp_path / "cache.db") as store:
        assert store.count(HeadlineFilter(starred=True)) == 1


# Themes and the command palette


async def test_custom_themes_are_registered_and_default(folder: Path, tmp_path: Path):
    app = TuinewsApp(config(tmp_path, {}), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert {"tuinews-dark", "tuinews-light", "nord", "textual-light"} <= set(
            app.available_themes
        )
        assert app.theme == "tuinews-dark"
    light = TuinewsApp(config(tmp_path, {"ui": {"theme": "tuinews-light"}}), [folder])
    async with light.run_test(size=(120, 40)) as pilot:
        await settle(pilot, light)
        assert light.theme == "tuinews-light"
        assert not light.current_theme.dark


async def test_palette_lists_actions_with_keys_and_themes(folder: Path, tmp_path: Path):
    app = TuinewsApp(config(tmp_path, {"keys": {"app.toggle_star": "S"}}), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        provider = TuinewsCommands(app.screen)
        commands = {name: key for name, key, _run in provider._commands()}
        assert commands["Star"] == "S"
        assert commands["Refresh"] == "r"
        assert commands["Down"] == "j, ↓"  # arrows as arrows, as in the help screen
        assert "Theme: tuinews-light" in commands and "Theme: nord" in commands
        # Running an entry runs the action.
        run = next(run for name, _key, run in provider._commands() if name == "Star")
        await run()
        await settle(pilot, app)
        assert app.query_one(HeadlineList).current_headline.starred


async def test_theme_from_the_palette_is_remembered_and_wins(folder: Path, tmp_path: Path):
    app = TuinewsApp(config(tmp_path, {}), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Theme: nord")
        for _ in range(10):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.theme == "nord"
    with Store(tmp_path / "cache.db") as store:
        assert store.get_setting("ui.theme") == "nord"
    again = TuinewsApp(config(tmp_path, {"ui": {"theme": "tuinews-light"}}), [folder])
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        assert again.theme == "nord"


# Per-source settings


def test_refresh_minutes_skips_a_recently_refreshed_feed(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_feed("/slow.xml", rss("Slow", [("s1", "Weekly")]))
    feed_server.add_feed("/fast.xml", rss("Fast", [("f1", "Hourly")]))
    network = NetworkConfig(timeout=2.0)
    with Store(tmp_path / "cache.db") as store:
        slow = store.upsert_source(
            Source(SourceKind.URL, feed_server.url("/slow.xml"), "Slow", refresh_minutes=60)
        )
        fast = store.upsert_source(Source(SourceKind.URL, feed_server.url("/fast.xml"), "Fast"))
        first = refresh_feeds(store, [slow, fast], network)
        assert first.added == 2
        assert feed_server.hits["/slow.xml"] == 1
        refresh_feeds(store, [slow, fast], network)
        assert feed_server.hits["/slow.xml"] == 1  # refreshed less than 60 minutes ago
        assert feed_server.hits["/fast.xml"] == 2
        # An hour later it is due again.
        with store._transaction() as conn:
            conn.execute("UPDATE sources SET last_fetch = ?", (time.time() - 3601,))
        refresh_feeds(store, [slow, fast], network)
        assert feed_server.hits["/slow.xml"] == 2


def test_refresh_minutes_does_not_skip_after_an_error(feed_server: FeedServer, tmp_path: Path):
    feed_server.add_status("/bad.xml", 500)
    with Store(tmp_path / "cache.db") as store:
        url = feed_server.url("/bad.xml")
        bad = store.upsert_source(Source(SourceKind.URL, url, "Bad", refresh_minutes=60))
        with store._transaction() as conn:  # a success long ago, then the failure
            conn.execute("UPDATE sources SET last_fetch = ?", (time.time() - 60,))
        store.record_feed_error(bad.id, "HTTP 500")
        refresh_feeds(store, [bad], NetworkConfig(timeout=2.0))
        assert feed_server.hits["/bad.xml"] == 1


def test_hide_keeps_matching_titles_out_at_the_store(folder: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "cache.db") as store:
        source = Source(SourceKind.PATH, str(folder), "Articles", hide=("^Sponsored", "(?i)STORM"))
        lib.register_sources(store, [source])
        lib.load_path_sources(store, [source], max_bytes=1 << 20)
        everything = store.headlines(HeadlineFilter(source_ids=(source.id,)))
        assert len(everything) == 3
        view = HeadlineFilter(source_ids=(source.id,), hide=lib.hide_rules([source]))
        assert view.hide == ((source.id, "^Sponsored"), (source.id, "(?i)STORM"))
        shown = store.headlines(view)
        assert [shown[i].title for i in range(len(shown))] == ["Tram line opens"]
        assert store.count(view) == 1
        # Another source's rules do not touch this one.
        other = HeadlineFilter(source_ids=(source.id,), hide=((source.id + 1, "Tram"),))
        assert store.count(other) == 3


async def test_hide_keeps_matching_titles_out_of_the_list(folder: Path, tmp_path: Path):
    data = {"sources": [{"path": str(folder), "name": "Articles", "hide": ["^Sponsored "]}]}
    plain = TuinewsApp(config(tmp_path, {"sources": [{"path": str(folder), "name": "Articles"}]}))
    async with plain.run_test(size=(120, 40)) as pilot:
        await settle(pilot, plain)
        assert len(titles(plain)) == 3
    app = TuinewsApp(config(tmp_path, data))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert titles(app) == ["Tram line opens", "Storm warning"]
        await pilot.press("r")  # still hidden after a refresh reloads the sources
        await settle(pilot, app)
        assert titles(app) == ["Tram line opens", "Storm warning"]


# The sources pane


def one_article_sources(tmp_path: Path, named: Iterable[tuple[str, list[str]]]) -> list[dict]:
    """`[[sources]]` entries: a folder of one Markdown article for each (name, tags)."""
    sources = []
    for name, tags in named:
        path = tmp_path / name
        path.mkdir()
        (path / "a.md").write_text(f"---\ntitle: From {name}\nlang: en\n---\n\nText.\n")
        sources.append({"path": str(path), "name": name, "tags": tags})
    return sources


def pane_rows(app: TuinewsApp) -> list[str]:
    """The sources pane's rows as text, runs of spaces after a word made one."""
    pane = app.query_one("#sources")
    return [
        re.sub(r"(?<=\S) {2,}", " ", str(pane.get_option_at_index(i).prompt))
        for i in range(pane.option_count)
    ]


async def test_sources_pane_lists_names_in_natural_order(tmp_path: Path):
    named = [("Feed 10", []), ("feed 9", []), ("Feed 100", [])]
    named += [("Ep 2", ["Show 10"]), ("Ep 10", ["Show 9"])]
    app = TuinewsApp(config(tmp_path, {"sources": one_article_sources(tmp_path, named)}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert pane_rows(app) == [
            "All 5 (5)",
            "feed 9 1 (1)",
            "Feed 10 1 (1)",
            "Feed 100 1 (1)",
            "# Show 9 1 (1)",
            "  Ep 10 1 (1)",
            "# Show 10 1 (1)",
            "  Ep 2 1 (1)",
        ]


def test_natural_order_compares_runs_of_digits_as_numbers() -> None:
    names = ["b10", "B9", "a", "b009", "b9x", "b" + "9" * 5000, "b10x", "b", "٣"]
    ordered = sorted(names, key=natural_key)
    assert ordered == ["a", "b", "B9", "b009", "b9x", "b10", "b10x", "b" + "9" * 5000, "٣"]


async def test_sources_pane_groups_by_tag(tmp_path: Path):
    named = [("Zeta", []), ("Alpha", ["world", "news"]), ("Beta", ["local"])]
    app = TuinewsApp(config(tmp_path, {"sources": one_article_sources(tmp_path, named)}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert pane_rows(app) == [
            "All 3 (3)",
            "Zeta 1 (1)",
            "# local 1 (1)",
            "  Beta 1 (1)",
            "# news 1 (1)",
            "  Alpha 1 (1)",
            "# world 1 (1)",
            "  Alpha 1 (1)",  # under each of its tags
        ]
        await pilot.press("shift+tab")
        await pilot.press("j", "j", "j", "enter")  # Beta, under its tag
        await settle(pilot, app)
        assert titles(app) == ["From Beta"]
