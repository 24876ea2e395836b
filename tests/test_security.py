"""Security: no shell, only safe links to the browser, only http(s) feeds, no password shown, and
files readable by their owner only.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from feedserver import FeedServer
from tuinews.config import load_config
from tuinews.store import Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.sources_pane import SourcesPane

SRC = REPO / "src" / "tuinews"

# No shell, ever


SHELL_FUNCTIONS = {
    ("os", "system"),
    ("os", "popen"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
    ("asyncio", "create_subprocess_shell"),
}
SUBPROCESS_FUNCTIONS = {"run", "Popen", "call", "check_call", "check_output"}


def shell_uses(source: str, filename: str = "<string>") -> list[str]:
    """Calls in `source` that could start a shell: os.system/popen, shell=True, a command string."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = (func.value.id, func.attr)
        where = f"{filename}:{node.lineno}"
        if name in SHELL_FUNCTIONS or (
            isinstance(func, ast.Attribute) and func.attr == "create_subprocess_shell"
        ):
            found.append(f"{where}: {name[0]}.{name[1]}" if name else f"{where}: shell")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"{where}: shell={ast.unparse(keyword.value)}")
        if name and name[0] == "subprocess" and name[1] in SUBPROCESS_FUNCTIONS and node.args:
            command = node.args[0]
            if isinstance(command, ast.Constant | ast.JoinedStr | ast.BinOp):
                found.append(f"{where}: subprocess.{name[1]} with a command string")
    return found


def test_the_scanner_finds_every_way_to_a_shell() -> None:
    bad = """
import os, subprocess, asyncio
os.system("ls " + name)
os.popen(f"cat {path}")
subprocess.run(f"open {url}")
subprocess.Popen(["sh", "-c", text], shell=True)
subprocess.check_output("id", shell=flag)
subprocess.getoutput("id")
asyncio.create_subprocess_shell(cmd)
"""
    assert len(shell_uses(bad)) == 8  # the check_output line twice: shell=flag, a string
    assert shell_uses("subprocess.run(['lynx', url], shell=False)\nos.path.join('a')\n") == []


def test_no_shell_is_ever_started_from_the_source() -> None:
    found = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        found += shell_uses(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []


# Links: http, https and mailto only, handed to the browser as one argument


@pytest.fixture
def browser_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real browser command in BROWSER: logs how many arguments it got, then each one."""
    log = tmp_path / "browser.log"
    script = tmp_path / "bin" / "fakebrowser"
    script.parent.mkdir()
    script.write_text(
        # One printf, one write: two browsers started at once do not interleave their lines.
        f"#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" >> '{log}'\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.chdir(tmp_path)  # a shell that ran `touch PWNED` would leave it here
    return log


def browser_calls(log: Path, expected: int) -> list[list[str]]:
    """The argument lists the fake browser was started with (waits for `expected` of them)."""
    deadline = time.monotonic() + 15
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        calls, index = [], 0
        while index < len(lines):
            count = int(lines[index])
            calls.append(lines[index + 1 : index + 1 + count])
            index += 1 + count
        if len(calls) >= expected or time.monotonic() > deadline:
            return calls
        time.sleep(0.05)


HOSTILE_BUT_HTTP = (
    "https://example.org/a?q=$(touch${IFS}PWNED)&b=`touch${IFS}PWNED2`;touch${IFS}PWNED3"
)
REFUSED_LINKS = [
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    "vbscript:msgbox(1)",
    "ftp://example.org/file",
    "https://example.org/a b",
    "https://example.org/\x1b]8;;x\x07",
]


async def test_links_reach_the_browser_as_one_argument_and_unsafe_ones_never(
    tmp_path: Path, browser_log: Path
) -> None:
    app = TuinewsApp(load_config(), [tmp_path / "bin"])
    async with app.run_test(size=(120, 40)) as pilot:
        for url in REFUSED_LINKS:
            app.open_url(url)
        app.open_url(HOSTILE_BUT_HTTP)
        app.open_url("mailto:desk@example.org")
        for _round in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        notes = [str(note.message) for note in app._notifications]
    calls = sorted(browser_calls(browser_log, 2))  # two workers: either may start first
    assert calls == [[HOSTILE_BUT_HTTP], ["mailto:desk@example.org"]]
    assert sum("only http, https and mailto" in note for note in notes) == len(REFUSED_LINKS)
    assert not list(tmp_path.glob("PWNED*"))


# Feeds: http and https only, whatever the way in


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "data:text/xml,<rss/>", "ftp://example.org/feed.xml"]
)
def test_other_schemes_are_refused_everywhere_a_feed_url_comes_in(url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    added = run_cli("--config", str(config), "add", "--no-discover", url)
    assert added.returncode == 2
    assert added.stderr.count("\n") == 1 and "http:// or https://" in added.stderr
    assert not config.exists()

    config.write_text(f'[[sources]]\nurl = "{url}"\n')
    configured = run_cli("--config", str(config), "fetch")
    assert configured.returncode == 2
    assert configured.stderr.count("\n") == 1 and "sources" in configured.stderr

    reader = run_cli(url)
    assert reader.returncode == 2
    assert reader.stderr.count("\n") == 1 and "http://" in reader.stderr


def test_opml_import_skips_other_schemes(tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    outlines = "".join(
        f'<outline type="rss" text="{n}" xmlUrl="{url}"/>'
        for n, url in enumerate(
            [
                "file:///etc/passwd",
                "data:text/xml,&lt;rss/&gt;",
                "javascript:alert(1)",
                "ftp://example.org/f",
                "https://example.org/feed.xml",
            ]
        )
    )
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    config = tmp_path / "config.toml"
    result = run_cli("--config", str(config), "import", str(opml))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("1 added")
    assert len(result.stderr.splitlines()) == 4
    text = config.read_text()
    assert "https://example.org/feed.xml" in text
    assert "passwd" not in text and "ftp:" not in text and "javascript" not in text


def test_a_redirect_to_a_local_file_is_a_per_feed_error(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.add_redirect("/trap.xml", "file:///etc/passwd")
        server.add_redirect("/trap2.xml", "data:text/xml,<rss/>")
        server.add_feed(
            "/good.xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>'
            b"<item><title>Fine</title><guid>g1</guid></item></channel></rss>",
        )
        config = tmp_path / "config.toml"
        config.write_text(
            "".join(
                f'[[sources]]\nurl = "{server.url(path)}"\n'
                for path in ("/trap.xml", "/trap2.xml", "/good.xml")
            )
        )
        result = run_cli("--config", str(config), "fetch")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any("/trap.xml: redirect to unsupported URL scheme" in line for line in lines), lines
    assert any("/trap2.xml: " in line for line in lines), lines
    assert "root:" not in result.stdout + result.stderr
    listed = run_cli("--config", str(config), "list", "--json")
    assert [row["title"] for row in json.loads(listed.stdout)] == ["Fine"]


# Credentials in feed URLs are never shown


def test_credentials_in_feed_urls_are_never_printed(tmp_path: Path) -> None:
    secret = "s3cr3t-pw"
    with FeedServer() as server:
        server.add_status("/private.xml", 401)
        url = server.url("/private.xml").replace("http://", f"http://reader:{secret}@")
        config = tmp_path / "config.toml"
        outputs = []
        for args in (
            ("add", "--no-discover", url),
            ("add", "--no-discover", url),  # "Already subscribed"
            ("fetch",),
            ("sources",),
            ("sources", "--json"),
            ("remove", url),
            (url.replace("http://", "ftp://"),),
        ):
            result = run_cli("--config", str(config), *args)
            outputs.append(result.stdout + result.stderr)
            if args == ("sources", "--json"):
                [row] = json.loads(result.stdout)
                assert row["location"] == server.url("/private.xml")
                assert row["last_error"] == "HTTP 401 Unauthorized"
    everything = "\n".join(outputs)
    assert "Subscribed to" in everything and "Removed" in everything
    assert "HTTP 401" in everything
    assert secret not in everything
    assert "reader" not in everything
    # The config keeps them: they are needed to fetch the feed.
    assert run_cli("--config", str(config), "add", "--no-discover", url).returncode == 0
    assert secret in config.read_text()


async def test_the_reader_never_shows_credentials_of_a_feed_url(tmp_path: Path) -> None:
    secret = "s3cr3t-pw"
    with FeedServer() as server:
        server.add_status("/private.xml", 401)
        url = server.url("/private.xml").replace("http://", f"http://reader:{secret}@")
        config = tmp_path / "config.toml"
        config.write_text(
            f'[cache]\npath = "{tmp_path / "cache.db"}"\n[[sources]]\nurl = "{url}"\n'
        )
        app = TuinewsApp(load_config(config), [])
        async with app.run_test(size=(160, 40)) as pilot:
            for _round in range(8):
                await app.workers.wait_for_complete()
                await pilot.pause()
            pane = app.query_one(SourcesPane)
            labels = [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]
            notes = [str(note.message) for note in app._notifications]
    # The feed is named by its URL (cut to fit the pane), without the user and password.
    assert any(label.startswith("http://127.0.0.1:") for label in labels), labels
    assert any("HTTP 401" in note for note in notes), notes
    assert secret not in "\n".join(labels + notes)


# Files: the owner's only


def test_cache_config_and_their_folders_are_the_owners_only(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"  # XDG folders that do not exist yet
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    library = tmp_path / "saved"
    library.mkdir()
    (library / "a.md").write_text("---\ntitle: A story\nlang: en\n---\n\nSome text.\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # With umask 0, every mode below comes from tuinews, not from a careful umask.
        return subprocess.run(
            [sys.executable, "-m", "tuinews", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=lambda: os.umask(0),
        )

    assert run("add", "--no-discover", "https://example.org/feed.xml").returncode == 0
    assert run("read", str(library / "a.md")).returncode == 0
    config = home / "config" / "tuinews" / "config.toml"
    cache = home / "data" / "tuinews" / "cache.db"
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700
    assert mode(cache) == 0o600
    assert mode(cache.parent) == 0o700
    with Store(cache) as store:  # while a connection is open, the -wal and -shm exist
        store.set_setting("probe", "1")
        for suffix in ("-wal", "-shm"):
            assert mode(cache.with_name(cache.name + suffix)) == 0o600, suffix


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
