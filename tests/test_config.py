"""Config loading: defaults, every key, and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuinews.config import ConfigError, load_config
from tuinews.model import SourceKind

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_gives_defaults_under_xdg(xdg_home: Path) -> None:
    config = load_config()
    assert config.path is None
    assert config.sources == ()
    assert config.cache.path == xdg_home / "xdg_data_home" / "tuinews" / "cache.db"
    assert config.reader.language == "all"
    assert config.reader.max_file_bytes == 64 * 1024 * 1024
    assert config.network.concurrency == 8


def test_default_config_file_is_read_from_xdg_config_home(xdg_home: Path) -> None:
    folder = xdg_home / "xdg_config_home" / "tuinews"
    folder.mkdir()
    (folder / "config.toml").write_text('[reader]\nlanguage = "uk"\n')
    assert load_config().reader.language == "uk"


def test_example_config_is_valid_and_documents_every_key(tmp_path: Path) -> None:
    example = REPO / "config.example.toml"
    config = load_config(example)
    assert config.reader.ui_language == "auto"
    text = example.read_text()
    for key in (
        "path",
        "language",
        "ui_language",
        "max_file_bytes",
        "timeout",
        "concurrency",
        "max_bytes",
        "refresh_on_start",
        "url",
        "name",
        "tags",
    ):
        assert f"{key} =" in text or f"`{key}`" in text, key


def test_sources_relative_paths_and_options(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [cache]
        path = "data/c.db"
        [[sources]]
        path = "articles"
        name = "Mine"
        language = "uk"
        tags = ["a", "b"]
        [[sources]]
        url = "https://example.org/feed.xml"
        """,
    )
    config = load_config(path)
    assert config.cache.path == tmp_path / "data" / "c.db"
    first, second = config.sources
    assert first.kind is SourceKind.PATH
    assert first.location == str(tmp_path / "articles")
    assert (first.name, first.language, first.tags) == ("Mine", "uk", ("a", "b"))
    assert second.kind is SourceKind.URL and second.name == "https://example.org/feed.xml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "unknown key 'colour'"),
        ("[reader]\nlanguages = 'x'", "unknown key 'reader.languages'"),
        ("[reader]\nmax_file_bytes = 'big'", "'reader.max_file_bytes' must be an integer"),
        ("[network]\ntimeout = true", "'network.timeout' must be a number"),
        ("[network]\nconcurrency = 0", "'network.concurrency' must be at least 1"),
        ("[network]\nrefresh_on_start = 1", "'network.refresh_on_start' must be true or false"),
        ("[cache]\npath = 3", "'cache.path' must be a string"),
        ("[[sources]]\nname = 'x'", "'sources[0]' needs exactly one of 'path' or 'url'"),
        ("[[sources]]\npath = 'a'\nurl = 'https://e.org'", "exactly one of"),
        ("[[sources]]\nurl = 'ftp://e.org/feed'", "'sources[0].url' must start with http"),
        ("[[sources]]\npath = 'a'\ntags = [1]", "'sources[0].tags' must be a list of strings"),
        ("[[sources]]\npath = 'a'\nextra = 1", "unknown key 'sources[0].extra'"),
        ("[reader\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
