"""Messages from below the interface in the interface language: file and feed failures (also when a
worker process words them), config and cache errors, and argparse's help and errors in the CLI."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from feedserver import FeedServer
from tuinews.config import ConfigError, load_config
from tuinews.i18n import set_ui_language
from tuinews.i18n_build import iter_entries
from tuinews.model import LoadFailure
from tuinews.sources.local import load_file

UK = {"LANG": "uk_UA.UTF-8"}
DE = {"LANG": "de_DE.UTF-8"}


def rss(title: str, guid: str) -> bytes:
    return (
        f"<rss version='2.0'><channel><title>{title}</title><language>en</language>"
        f"<item><title>{title} item</title><guid>{guid}</guid><link>https://example.org/{guid}</link>"
        "<description>A body long enough to read.</description></item></channel></rss>"
    ).encode()


def test_file_failures_speak_the_interface_language(tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x00\x01\x02\x00" * 100)
    with pytest.raises(LoadFailure) as english:
        load_file(binary)
    assert english.value.error.reason == "binary file"  # the msgid: English stays as it was
    set_ui_language("uk")
    with pytest.raises(LoadFailure) as ukrainian:
        load_file(binary)
    assert ukrainian.value.error.reason == "двійковий файл"
    with pytest.raises(LoadFailure) as missing:
        load_file(tmp_path / "nothing.md")
    assert missing.value.error.reason == "немає такого файлу"
    set_ui_language("fr")
    with pytest.raises(LoadFailure) as large:
        load_file(binary, max_bytes=10)
    reason = large.value.error.reason
    assert reason.startswith("plus de ") and reason.endswith(" Mio (max_file_bytes)")


def test_config_errors_speak_the_interface_language(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text("[network]\ntimeout = 0\n[reder]\n", encoding="utf-8")
    set_ui_language("de")
    with pytest.raises(
        ConfigError, match=r"unbekannter Abschnitt \[reder\] \(vielleicht \[reader\]\?\)"
    ):
        load_config(config_file)
    config_file.write_text("[network]\ntimeout = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'network\.timeout' muss größer als 0 sein"):
        load_config(config_file)
    set_ui_language("en")
    with pytest.raises(ConfigError, match=r"'network\.timeout' must be greater than 0"):
        load_config(config_file)


def test_a_worker_process_words_failures_in_the_parents_language() -> None:
    """Feeds are parsed in forkserver workers: the pool's initializer hands them the language."""
    from tuinews import fork_server
    from tuinews.refresh import parse_job
    from tuinews.worker_process import watch_parent

    fork_server.start(fork_server.REFRESH_PRELOAD)
    context = multiprocessing.get_context("forkserver")
    fetched = datetime.now(UTC)
    for language, reason in (("uk", "не стрічка"), ("es", "no es un canal"), ("en", "not a feed")):
        with ProcessPoolExecutor(1, context, watch_parent, (os.getpid(), language)) as pool:
            job = pool.submit(parse_job, b"<html><p>hi</p></html>", "https://x.test/", {}, fetched)
            with pytest.raises(LoadFailure) as failed:
                job.result(timeout=60)
        assert failed.value.error.reason == reason


def test_fetch_in_ukrainian_names_each_failure_in_ukrainian(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    from tuinews.refresh import POOL_THRESHOLD

    urls = []
    for n in range(POOL_THRESHOLD):  # enough feeds for the worker processes
        feed_server.add_feed(f"/{n}.xml", rss(f"Feed {n}", f"g{n}"))
        urls.append(feed_server.url(f"/{n}.xml"))
    feed_server.add_status("/page.xml", 200, {"Content-Type": "text/xml"}, b"<html>hi</html>")
    feed_server.add_status("/gone.xml", 404)
    urls += [feed_server.url("/page.xml"), feed_server.url("/gone.xml")]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "c.db"}"\n[network]\ntimeout = 5\n'
        + "".join(f'[[sources]]\nurl = "{url}"\n' for url in urls),
        encoding="utf-8",
    )
    result = run_cli("--config", str(config), "fetch", env=UK)
    assert result.returncode == 0, result.stderr
    assert f"{feed_server.url('/page.xml')}: не стрічка" in result.stderr  # from a worker
    assert f"{feed_server.url('/gone.xml')}: HTTP 404 Не знайдено" in result.stderr
    assert "4 нові" in result.stdout
    assert "not a feed" not in result.stderr and "Traceback" not in result.stderr


# argparse


def test_help_and_argparse_errors_follow_the_locale() -> None:
    helped = run_cli("--help", env=DE)
    assert helped.returncode == 0
    lines = helped.stdout.splitlines()
    assert lines[0] == "Aufruf: tuinews [--config FILE] [PATH|URL ...]"
    # The second usage line lines up under the first, after "Aufruf: ".
    assert lines[1] == "        tuinews [--config FILE] COMMAND ..."
    for german in (
        "Positionsargumente:",
        "Optionen:",
        "diese Hilfe anzeigen und beenden",
        "Versionsnummer des Programms anzeigen und beenden",
        "Ein Nachrichtenleser fürs Terminal.",
        "einen Feed abonnieren",
    ):
        assert german in helped.stdout, german
    missing = run_cli("read", env=DE)
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("folgende Argumente sind erforderlich: PATH|ID")
    unknown = run_cli("list", "--bogus", env=DE)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().endswith("unbekannte Argumente: --bogus")
    bad = run_cli("list", "--limit", "x", env=DE)
    assert bad.stderr.strip().endswith("Argument --limit: keine Zahl: 'x'")
    english = run_cli("read", env={"LANG": "C.UTF-8"})
    assert "the following arguments are required: PATH|ID" in english.stderr


def test_help_follows_the_config_ui_language_over_the_locale(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[reader]\nui_language = "fr"\n', encoding="utf-8")
    helped = run_cli("--config", str(config_file), "list", "--help", env=DE)
    assert helped.stdout.startswith("utilisation : tuinews list")
    assert "seulement les articles non lus" in helped.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text("[reader\n", encoding="utf-8")
    failed = run_cli("--config", str(broken), "sources", env=UK)  # the locale, then
    assert failed.returncode == 2
    assert f"{broken}: некоректний TOML" in failed.stderr


def test_the_catalog_has_every_message_of_this_pythons_argparse() -> None:
    import argparse

    from babel.messages.extract import extract_python

    with open(argparse.__file__, "rb") as source:
        found = {
            message if isinstance(message, str) else message[0]
            for _line, _function, message, _comments in extract_python(
                source, ["_", "ngettext"], [], {}
            )
            if message
        }
    template = {
        entry.msgid
        for entry in iter_entries(
            (REPO / "src" / "tuinews" / "locale" / "tuinews.pot").read_text(encoding="utf-8")
        )
    }
    assert found and found <= template, sorted(found - template)


async def test_after_a_live_switch_new_failures_come_in_the_new_language(tmp_path: Path) -> None:
    from test_i18n import choose_interface_language, settle
    from tuinews.ui.app import TuinewsApp

    folder = tmp_path / "новини"
    folder.mkdir()
    (folder / "стаття.md").write_text("---\ntitle: Ярмарок\nlang: uk\n---\n\nМедовий ярмарок.\n")
    (folder / "zlamanyi.txt").write_bytes(b"\x00\x01\x02\x00" * 200)
    app = TuinewsApp(load_config(), [folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert f"{folder / 'zlamanyi.txt'}: binary file" in [n.message for n in app._notifications]
        await choose_interface_language(pilot, app, "uk")
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
        messages = [(n.title, n.message) for n in app._notifications]
        assert ("Не вдалося завантажити", f"{folder / 'zlamanyi.txt'}: двійковий файл") in messages
