"""Config loading: defaults, every key, and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuinews.config import ConfigError, config_argument, load_config
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
        "backend",
        "api_key",
        "keep_days",
        "max_per_source",
        "languages",
        "collapse_translations",
        "bidi",
        "theme",
        "full_text",
        "refresh_minutes",
        "hide",
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
        ("[reader]\nlanguage_list = 'x'", "unknown key 'reader.language_list'"),
        ("[reader]\nlanguages = 'uk'", "'reader.languages' must be a list"),
        (
            "[reader]\nlanguages = ['uk', 'no such']",
            "'reader.languages' must be a list of language",
        ),
        ("[reader]\ncollapse_translations = 'yes'", "'reader.collapse_translations' must be true"),
        ("[reader]\nmax_file_bytes = 'big'", "'reader.max_file_bytes' must be an integer"),
        ("[reader]\nbidi = 'rtl'", '\'reader.bidi\' must be one of "auto", "app", "terminal"'),
        ("[reader]\nbidi = true", "'reader.bidi' must be a string"),
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


def test_translate_defaults_and_values(tmp_path: Path, xdg_home: Path) -> None:
    default = load_config().translate
    assert (default.backend, default.url, default.api_key) == ("none", "", None)
    path = write(
        tmp_path,
        '[translate]\nbackend = "libretranslate"\nurl = "http://localhost:5000/"\napi_key = "k"\n',
    )
    translate = load_config(path).translate
    assert (translate.backend, translate.url, translate.api_key) == (
        "libretranslate",
        "http://localhost:5000",
        "k",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[translate]\nbackend = "deepl"\n', "'translate.backend' must be one of"),
        ('[translate]\nbackend = "libretranslate"\n', "'translate.url' is needed"),
        ('[translate]\nurl = "localhost:5000"\n', "'translate.url' must start with http"),
        ("[translate]\napi_key = 1\n", "'translate.api_key' must be a string"),
    ],
)
def test_translate_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_reader_languages_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, '[reader]\nlanguages = ["uk", "pt_BR", "iw", "uk"]\n')
    config = load_config(path)
    assert config.reader.languages == ("uk", "pt-BR", "he")
    assert config.reader.collapse_translations is True


@pytest.mark.parametrize("mode", ["auto", "app", "terminal"])
def test_reader_bidi_modes(tmp_path: Path, mode: str) -> None:
    assert load_config(write(tmp_path, f'[reader]\nbidi = "{mode}"\n')).reader.bidi == mode


def test_reader_bidi_defaults_to_auto(xdg_home: Path) -> None:
    assert load_config().reader.bidi == "auto"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["fetch"], None),
        (["--config", "a.toml", "fetch"], "a.toml"),
        (["--config=b.toml", "list"], "b.toml"),
        (["--config", "a.toml", "--config=b.toml"], "b.toml"),
        (["--", "--config", "a.toml"], None),
        (["--config"], None),
    ],
)
def test_the_config_a_command_line_names(argv: list[str], named: str | None) -> None:
    assert config_argument(argv) == (Path(named) if named else None)
