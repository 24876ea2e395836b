"""The scripting CLI contract, run as a subprocess the way other tools call it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, shared_path

UN_FIXTURE = ("fixtures", "articles", "un_assembly_gtranslate.txt")


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(
        "---\ntitle: Tram line opens\ndate: 2026-11-03T09:00:00+00:00\nlang: en\n"
        "author: Ann Lee\nlink: https://example.org/tram\n---\n\n"
        "The new tram line links the harbour with the university quarter every ten minutes.\n",
        encoding="utf-8",
    )
    (folder / "honey.txt").write_text(
        "Медовий ярмарок повернувся на площу\n\n"
        "На Контрактовій площі знову відкрився медовий ярмарок, де пасічники з усієї країни "
        "продають мед, віск і свічки.\n",
        encoding="utf-8",
    )
    return folder


def test_help_and_version() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("read", "list", "fetch", "--config"):
        assert word in result.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("tuinews ")


def test_read_json_reference_article_is_clean() -> None:
    path = shared_path(*UN_FIXTURE)
    result = run_cli("read", "--json", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "id",
        "title",
        "language",
        "published",
        "link",
        "author",
        "source",
        "paragraphs",
        "translations",
    }
    assert "Zelensky" in data["title"] and "Trump" in data["title"]
    assert data["language"] == "en"
    assert data["translations"] == []
    text = "\n".join(data["paragraphs"])
    assert data["paragraphs"][0].startswith("Ukrainian President Volodymyr Zelensky has announced")
    assert data["paragraphs"][-1].endswith("Article 4 of NATO.")
    for chrome in ("SELECT LANGUAGE", "Facebook", "WhatsApp", "Related News", "LinkedIn"):
        assert chrome not in text
    assert data["title"] not in text
    assert len(data["paragraphs"]) == 10


def test_read_json_markdown_metadata(articles: Path) -> None:
    result = run_cli("read", "--json", str(articles / "tram.md"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "Tram line opens"
    assert data["published"] == "2026-11-03T09:00:00+00:00"
    assert data["author"] == "Ann Lee"
    assert data["link"] == "https://example.org/tram"
    assert data["language"] == "en"
    assert len(data["id"]) == 12


def test_read_for_a_terminal_shows_markup_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.txt"
    path.write_text(
        "Markup [bold]in a title[/]\n\nBody with [red]tags[/red] and \\[escaped] and "
        "\x1b[31mANSI\x1b[0m codes, written by someone at a keyboard.\n",
        encoding="utf-8",
    )
    result = run_cli("read", str(path))
    assert result.returncode == 0, result.stderr
    assert "Markup [bold]in a title[/]" in result.stdout
    assert "[red]tags[/red]" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x00\x01\x02\x03" * 50, "binary"),
        ("empty.md", b"", "empty"),
    ],
)
def test_read_bad_file_is_one_line_and_status_1(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("read", "--json", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert name in lines[0] and reason in lines[0]
    assert "Traceback" not in result.stderr


def test_read_missing_file_and_unknown_id(tmp_path: Path) -> None:
    missing = run_cli("read", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "nope.txt" in missing.stderr  # a bad argument
    unknown = run_cli("read", "abcdef012345")
    assert unknown.returncode == 1 and "abcdef012345" in unknown.stderr


def test_fetch_then_list_and_read_by_id(tmp_path: Path, articles: Path) -> None:
    (articles / "broken.html").write_bytes(b"\x00" * 100)
    config = write_config(
        tmp_path,
        f'[cache]\npath = "{tmp_path / "c.db"}"\n'
        f'[[sources]]\npath = "{articles}"\nname = "Mine"\n'
        f'[[sources]]\npath = "{tmp_path / "gone"}"\nname = "Gone"\n',
    )
    fetched = run_cli("--config", str(config), "fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert "2 new" in fetched.stdout
    errors = fetched.stderr.strip().splitlines()
    assert any("broken.html" in line for line in errors)
    assert any("gone" in line and "no such file" in line for line in errors)
    assert "Traceback" not in fetched.stderr

    again = run_cli("--config", str(config), "fetch")
    assert "0 new" in again.stdout and "2 unchanged" in again.stdout

    listed = run_cli("--config", str(config), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["title"] for row in rows] == [
        "Tram line opens",
        "Медовий ярмарок повернувся на площу",
    ] or rows[0]["published"] is None
    assert set(rows[0]) == {
        "id",
        "title",
        "source",
        "language",
        "published",
        "link",
        "read",
        "starred",
    }
    assert {row["source"] for row in rows} == {"Mine"}
    assert not any(row["read"] for row in rows)

    uk = run_cli("--config", str(config), "list", "--json", "--lang", "uk")
    assert [row["language"] for row in json.loads(uk.stdout)] == ["uk"]
    limited = run_cli("--config", str(config), "list", "--json", "--limit", "1")
    assert len(json.loads(limited.stdout)) == 1

    uid = rows[0]["id"]
    read = run_cli("--config", str(config), "read", "--json", uid)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["id"] == uid
    assert json.loads(read.stdout)["source"] == "Mine"

    plain = run_cli("--config", str(config), "list")
    assert "Tram line opens" in plain.stdout


def test_list_reads_cache_only(tmp_path: Path, articles: Path) -> None:
    config = write_config(
        tmp_path, f'[cache]\npath = "{tmp_path / "c.db"}"\n[[sources]]\npath = "{articles}"\n'
    )
    listed = run_cli("--config", str(config), "list", "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == []


def test_changed_file_updates_and_keeps_cache_entry(tmp_path: Path, articles: Path) -> None:
    config = write_config(
        tmp_path, f'[cache]\npath = "{tmp_path / "c.db"}"\n[[sources]]\npath = "{articles}"\n'
    )
    run_cli("--config", str(config), "fetch")
    tram = articles / "tram.md"
    tram.write_text(tram.read_text().replace("Tram line opens", "Tram line opens today"))
    result = run_cli("--config", str(config), "fetch")
    assert "1 updated" in result.stdout
    titles = [
        row["title"]
        for row in json.loads(run_cli("--config", str(config), "list", "--json").stdout)
    ]
    assert "Tram line opens today" in titles and len(titles) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list", "--limit", "zero"), "--limit"),
        (("list", "--bogus"), "--bogus"),
        (("--config", "/nonexistent/tuinews.toml", "list"), "no such config file"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_config_key_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path, "[reader]\nmax_file_bytes = 'lots'\n")
    result = run_cli("--config", str(config), "list")
    assert result.returncode == 2
    assert "reader.max_file_bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_read_json_lists_translations_of_a_story() -> None:
    folder = Path(__file__).resolve().parents[1] / "src" / "tuinews" / "demo" / "world-wire"
    files = sorted(folder.glob("flood-alert-app-open-source.*.html"))
    assert len(files) == 3
    for path in files[:2]:
        assert run_cli("read", "--json", str(path)).returncode == 0
    result = run_cli("read", "--json", str(files[2]))
    data = json.loads(result.stdout)
    languages = sorted(t["language"] for t in data["translations"])
    assert len(languages) == 2 and data["language"] not in languages
    for item in data["translations"]:
        assert set(item) == {"language", "id", "title"}
        other = json.loads(run_cli("read", "--json", item["id"]).stdout)
        assert other["language"] == item["language"]
        assert data["language"] in [t["language"] for t in other["translations"]]


def test_paths_and_urls_open_the_reader_not_a_command(monkeypatch) -> None:
    from tuinews import cli

    opened = []
    monkeypatch.setattr(cli, "_run_app", lambda config, paths: opened.append(paths) or 0)
    assert cli.main(["some/folder", "https://example.org/feed.xml"]) == 0
    assert cli.main(["--config", "/nonexistent.toml", "x"]) == 2
    assert opened == [["some/folder", "https://example.org/feed.xml"]]
    assert cli.main(["list", "--json"]) == 0


def test_vacuum_applies_retention_and_reports_sizes(tmp_path: Path, articles: Path) -> None:
    config = write_config(
        tmp_path,
        f'[cache]\npath = "{tmp_path / "c.db"}"\nkeep_days = 1\n[[sources]]\npath = "{articles}"\n',
    )
    assert run_cli("--config", str(config), "fetch").returncode == 0
    rows = json.loads(run_cli("--config", str(config), "list", "--json").stdout)
    for row in rows:
        run_cli("--config", str(config), "read", row["id"])
    # Reading by id does not mark read; mark through the store as the TUI would.
    from tuinews.store import HeadlineFilter, Store

    with Store(tmp_path / "c.db") as store:
        store.set_read([h.id for h in store.headlines(HeadlineFilter())])
    result = run_cli("--config", str(config), "vacuum")
    assert result.returncode == 0, result.stderr
    assert "Removed 1 old article" in result.stdout  # the 2026-11-03 article; the other is undated
    assert "MiB" in result.stdout


def test_list_and_search_hide_what_the_reader_hides(tmp_path: Path, articles: Path) -> None:
    config = write_config(
        tmp_path,
        f'[cache]\npath = "{tmp_path / "c.db"}"\n'
        f'[[sources]]\npath = "{articles}"\nhide = ["^Tram"]\n',
    )
    assert run_cli("--config", str(config), "fetch").returncode == 0
    listed = json.loads(run_cli("--config", str(config), "list", "--json").stdout)
    assert [row["title"] for row in listed] == ["Медовий ярмарок повернувся на площу"]
    found = json.loads(run_cli("--config", str(config), "search", "--json", "tram").stdout)
    assert found == []


def test_output_piped_to_a_reader_that_stops_early(tmp_path: Path) -> None:
    """`tuinews list | head -1`: a command whose output pipe closes exits 1, without a traceback
    or Python's "Exception ignored" at exit (commands end with `entry._exit`)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    assert run_cli("fetch", "-q", env=env).returncode == 0
    listed = run_cli("list", env=env)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) > 10
    process = subprocess.Popen(
        [sys.executable, "-m", "tuinews", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command writes anything
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert errors == b""
