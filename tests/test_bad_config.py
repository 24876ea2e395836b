"""Bad config and arguments through the real CLI: one line naming file and key, exit 2, nothing written.

Every key `config.example.toml` documents is tried with a wrong type and, where it has a domain, a
wrong value; then unknown keys and sections, invalid TOML, an unreadable file, URLs without a scheme
and paths that do not exist. Each case runs `list`, `fetch` or the reader entry (`tuinews` with no
command): the config is loaded the same way before any of them runs, so the cases take the three
commands in turn, and a few (invalid TOML, an unknown key, a missing or unreadable file) run all three.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from tuinews import config as config_module

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config.example.toml"
COMMANDS: tuple[tuple[str, ...], ...] = (("list",), ("fetch", "--quiet"), ())
"""`list`, `fetch` and the reader entry."""
_COMMENTED = re.compile(r'^#\s*(?:Example:\s*)?("?[A-Za-z_][\w.]*"?\s*=\s*\S.*)$')


def documented_keys() -> dict[str, Any]:
    """`section.key` -> an example value, for every key the example config documents.

    Active keys come from the TOML itself; commented-out ones (`# path = "..."`) from their lines,
    in the section above them. `[[sources]]` keys documented only in prose get no value (None).
    """
    text = EXAMPLE.read_text(encoding="utf-8")
    keys: dict[str, Any] = {}
    for section, table in tomllib.loads(text).items():
        if isinstance(table, dict):
            keys.update({f"{section}.{key}": value for key, value in table.items()})
    section = ""
    for line in text.splitlines():
        header = re.match(r"^#?\s*\[\[?(\w+)\]\]?\s*$", line)
        if header:
            section = header[1]
            continue
        found = _COMMENTED.match(line)
        if found and section and section != "keys":
            try:
                parsed = tomllib.loads(found[1])
            except tomllib.TOMLDecodeError:
                continue
            keys.update({f"{section}.{key}": value for key, value in parsed.items()})
    for key in config_module._SOURCE_KEYS:
        if f"`{key}`" in text or f"{key} =" in text:
            keys.setdefault(f"sources.{key}", None)
    return keys


KEYS = documented_keys()


def key_types(name: str) -> tuple[type, ...]:
    section, key = name.split(".", 1)
    table = config_module._SOURCE_KEYS if section == "sources" else config_module._SECTIONS[section]
    return table[key]


def wrong_type(types: tuple[type, ...]) -> Any:
    """A TOML value of another type than `types` (bool is not an int here, an int is a float)."""
    for value in ("text", 7, True, ["a"]):
        if isinstance(value, bool):
            if bool not in types:
                return value
        elif not isinstance(value, types) and not (isinstance(value, int) and float in types):
            return value
    raise AssertionError(types)


# Keys with a domain: a value of the right type that is still wrong, and what the message says.
WRONG_VALUES: dict[str, tuple[Any, str]] = {
    "cache.path": ("", "'cache.path' must name a file"),
    "cache.keep_days": (0, "'cache.keep_days' must be at least 1"),
    "cache.max_per_source": (-1, "'cache.max_per_source' must be 0"),
    "reader.language": ("no such language", "'reader.language' must be"),
    "reader.languages": (["uk", "@@"], "'reader.languages' must be a list of language codes"),
    "reader.max_file_bytes": (0, "'reader.max_file_bytes' must be greater than 0"),
    "reader.bidi": ("rtl", "'reader.bidi' must be one of"),
    "network.timeout": (0, "'network.timeout' must be greater than 0"),
    "network.concurrency": (0, "'network.concurrency' must be at least 1"),
    "network.max_bytes": (-5, "'network.max_bytes' must be greater than 0"),
    "translate.backend": ("deepl", "'translate.backend' must be one of"),
    "translate.url": ("localhost:5000", "'translate.url' must start with http://"),
    "ui.theme": (" ", "'ui.theme' must name a theme"),
    "sync.service": ("bogus", "'sync.service' must be one of"),
    "sync.url": ("rss.example.net/api", "'sync.url' must start with http://"),
    "sources.url": ("example.org/feed.xml", "'sources[0].url' must start with http://"),
    "sources.language": ("no such language", "'sources[0].language' must be a language code"),
    "sources.tags": (["ok", 3], "'sources[0].tags' must be a list of strings"),
    "sources.refresh_minutes": (0, "'sources[0].refresh_minutes' must be at least 1"),
    "sources.hide": (["(unclosed"], "'sources[0].hide': bad regular expression"),
}
# Checked where they are used: by the reader, before its screen opens.
READER_ONLY: dict[str, tuple[str, str]] = {
    "ui.theme": ("no-such-theme", "'ui.theme' 'no-such-theme' is not a theme"),
    "keys": ('"app.no_such_action" = "x"', "'keys.app.no_such_action' is not a binding id"),
}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def config_text(name: str, value: Any, cache: Path) -> str:
    """A config whose key `name` is `value` and whose cache is `cache` (unless that is the key)."""
    section, key = name.split(".", 1)
    lines = ["[cache]"] + ([] if name == "cache.path" else [f"path = {toml_value(str(cache))}"])
    if section == "sources":
        lines.append("[[sources]]")
        if key not in ("url", "path"):
            lines.append(f"url = {toml_value('https://example.org/feed.xml')}")
    elif section != "cache":
        lines.append(f"[{section}]")
    lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def cases() -> list[Any]:
    found = []
    for index, name in enumerate(sorted(KEYS)):
        command = COMMANDS[index % len(COMMANDS)]
        shown = name.replace("sources.", "sources[0].")
        value = wrong_type(key_types(name))
        found.append(
            pytest.param(name, value, f"'{shown}' must be", command, id=f"{name}={value!r}")
        )
        if name in WRONG_VALUES:
            value, message = WRONG_VALUES[name]
            command = COMMANDS[(index + 1) % len(COMMANDS)]
            found.append(pytest.param(name, value, message, command, id=f"{name}={value!r}"))
    return found


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_rejected(result, *fragments: str) -> None:
    """Exit status 2 and exactly one line on stderr holding every fragment; no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def run_bad(tmp_path: Path, text: str | bytes, *command: str, name: str = "config.toml"):
    """Run `command` with a config holding `text`; check that nothing was written."""
    config = tmp_path / name
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    before = config.read_bytes()
    home = Path(os.environ["XDG_DATA_HOME"]).parent
    files_before = fingerprint(home)
    result = run_cli("--config", str(config), *command)
    assert config.read_bytes() == before
    assert not (tmp_path / "cache.db").exists()
    assert fingerprint(home) == files_before
    return result


def test_every_documented_key_is_enumerated() -> None:
    sections = {name.split(".", 1)[0] for name in KEYS}
    assert set(config_module._SECTIONS) | {"sources"} <= sections
    for section, table in config_module._SECTIONS.items():
        for key in table:
            assert f"{section}.{key}" in KEYS, f"{section}.{key} is not in config.example.toml"
    assert {f"sources.{key}" for key in config_module._SOURCE_KEYS} <= set(KEYS)
    # Every key with a known domain is still a key.
    assert set(WRONG_VALUES) <= set(KEYS)


@pytest.mark.parametrize(("name", "value", "message", "command"), cases())
def test_wrong_type_or_value_names_the_key(
    tmp_path: Path, name: str, value: Any, message: str, command: tuple[str, ...]
) -> None:
    config = tmp_path / "config.toml"
    result = run_bad(tmp_path, config_text(name, value, tmp_path / "cache.db"), *command)
    assert_rejected(result, str(config), message)


@pytest.mark.parametrize("name", sorted(READER_ONLY))
def test_reader_checks_theme_and_binding_ids(tmp_path: Path, name: str) -> None:
    value, message = READER_ONLY[name]
    section = name.split(".", 1)[0]
    key_line = f"{name.split('.', 1)[1]} = {toml_value(value)}" if "." in name else value
    text = f'[cache]\npath = "{tmp_path / "cache.db"}"\n[{section}]\n{key_line}\n'
    result = run_bad(tmp_path, text)
    assert_rejected(result, str(tmp_path / "config.toml"), message)


FILE_CASES = {
    "unknown key": ('[reader]\nlanguags = ["uk"]\n', ("'reader.languags'", "reader.languages")),
    "unknown section": ("[readr]\nlanguage = 'uk'\n", ("unknown section [readr]", "[reader]")),
    "unknown top-level key": ("theme = 'nord'\n", ("unknown key 'theme'",)),
    "unknown source key": (
        "[[sources]]\nurl = 'https://example.org/feed.xml'\nrefresh = 5\n",
        ("'sources[0].refresh'", "refresh_minutes"),
    ),
    "section of the wrong type": ("reader = 5\n", ("'reader' must be a table",)),
    "sources not an array": ("sources = 'https://example.org/'\n", ("'sources' must be",)),
    "invalid TOML": ("[reader\nlanguage = 'uk'\n", ("not valid TOML", "line 1")),
    "duplicate key": ("[reader]\nbidi = 'app'\nbidi = 'app'\n", ("not valid TOML",)),
    "not UTF-8": (b"[reader]\nlanguage = '\xff'\n", ("cannot read",)),
    "source without path or url": (
        "[[sources]]\nname = 'x'\n",
        ("'sources[0]' needs exactly one",),
    ),
}


ALL_COMMANDS = ("invalid TOML", "unknown key")
"""File cases run with every command; the others take the commands in turn."""
FILE_RUNS = [
    pytest.param(case, command, id=f"{case}-{' '.join(command) or 'reader'}")
    for index, case in enumerate(sorted(FILE_CASES))
    for command in (COMMANDS if case in ALL_COMMANDS else [COMMANDS[index % len(COMMANDS)]])
]


@pytest.mark.parametrize(("case", "command"), FILE_RUNS)
def test_bad_file_is_one_line_and_exit_2(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    text, fragments = FILE_CASES[case]
    result = run_bad(tmp_path, text, *command)
    assert_rejected(result, str(tmp_path / "config.toml"), *fragments)


@pytest.mark.parametrize("command", COMMANDS, ids=["list", "fetch", "reader"])
def test_config_that_is_a_folder(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    result = run_cli("--config", str(folder), *command)
    assert_rejected(result, str(folder), "cannot read")
    assert not (tmp_path / "cache.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
@pytest.mark.parametrize("command", COMMANDS, ids=["list", "fetch", "reader"])
def test_unreadable_config(tmp_path: Path, command: tuple[str, ...]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[reader]\nlanguage = 'uk'\n", encoding="utf-8")
    config.chmod(0)
    try:
        result = run_cli("--config", str(config), *command)
    finally:
        config.chmod(0o600)
    assert_rejected(result, str(config), "cannot read", "permission denied")


@pytest.mark.parametrize("command", COMMANDS, ids=["list", "fetch", "reader"])
def test_missing_config_file(tmp_path: Path, command: tuple[str, ...]) -> None:
    home = Path(os.environ["XDG_DATA_HOME"]).parent
    before = fingerprint(home)
    result = run_cli("--config", str(tmp_path / "nope.toml"), *command)
    assert_rejected(result, str(tmp_path / "nope.toml"), "no such config file")
    assert not (tmp_path / "nope.toml").exists()
    assert fingerprint(home) == before


def test_cache_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    text = f'[cache]\npath = "{tmp_path / "folder"}"\n'
    result = run_bad(tmp_path, text, "list")
    assert_rejected(result, "'cache.path'", "folder")


def test_bad_config_leaves_an_existing_cache_alone(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "one.md").write_text("# One\n\nSome text to read.\n", encoding="utf-8")
    good = f'[cache]\npath = "{tmp_path / "cache.db"}"\n[[sources]]\npath = "{articles}"\n'
    config = tmp_path / "config.toml"
    config.write_text(good, encoding="utf-8")
    assert run_cli("--config", str(config), "fetch", "--quiet").returncode == 0
    before = fingerprint(tmp_path)
    config.write_text(good + "[reader]\nbidi = 'sideways'\n", encoding="utf-8")
    before["config.toml"] = hashlib.sha256(config.read_bytes()).hexdigest()
    for command in COMMANDS:
        assert_rejected(run_cli("--config", str(config), *command), "'reader.bidi'")
    assert fingerprint(tmp_path) == before


# Arguments


ARGUMENT_CASES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("example.org/feed.xml",), ("example.org/feed.xml", "no such file or folder", "http://")),
    (("ftp://example.org/feed.xml",), ("ftp://example.org/feed.xml", "http://")),
    (("/no/such/folder",), ("/no/such/folder", "no such file or folder")),
    (("read", "/no/such/article.html"), ("/no/such/article.html", "no such file")),
    (("import", "/no/such/feeds.opml"), ("/no/such/feeds.opml", "no such file")),
    (("add", "example.org/feed.xml"), ("example.org/feed.xml", "http://")),
    (("add", "example.org/feed.xml", "--no-discover"), ("example.org/feed.xml", "http://")),
    (("list", "--limit", "0"), ("--limit",)),
    (("list", "--lang"), ("--lang",)),
    (("fetch", "--bogus"), ("--bogus",)),
    (("--bogus",), ("--bogus",)),
]


@pytest.mark.parametrize(
    ("args", "fragments"), ARGUMENT_CASES, ids=[" ".join(args) for args, _ in ARGUMENT_CASES]
)
def test_bad_arguments(tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[cache]\npath = "{tmp_path / "cache.db"}"\n', encoding="utf-8")
    before = config.read_bytes()
    result = run_cli("--config", str(config), *args)
    assert_rejected(result, *fragments)
    assert config.read_bytes() == before
    assert not (tmp_path / "cache.db").exists()
