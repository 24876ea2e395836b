"""Editing the config's [[sources]] in place: comments kept, atomic writes, the result still loads."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tuinews.config import ConfigError, load_config
from tuinews.model import Source, SourceKind
from tuinews.subscriptions import (
    NEW_CONFIG_HEADER,
    SubscriptionError,
    add_source,
    add_sources,
    feed_source,
    remove_source,
    url_key,
)

COMMENTED = """\
# My tuinews config.
# Second line of the header.

[reader]
language = "uk"   # Ukrainian first
ui_language = "auto"

[network]
timeout = 10 # seconds

# Local things
[[sources]]
path = "articles"  # next to this file
name = "Saved"
tags = ["reading"]

# The end.
"""


def _urls(path: Path) -> list[str]:
    return [s.location for s in load_config(path).sources if s.kind is SourceKind.URL]


def test_a_missing_config_is_created_user_only_with_a_header(tmp_path: Path) -> None:
    config = tmp_path / "new" / "folder" / "config.toml"
    assert add_source(config, "https://a.example/feed", name="A", language="de", tags=["x", "y z"])
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    text = config.read_text()
    assert text.startswith(NEW_CONFIG_HEADER)
    (source,) = load_config(config).sources
    assert (source.location, source.name, source.language, source.tags) == (
        "https://a.example/feed",
        "A",
        "de",
        ("x", "y z"),
    )
    assert sorted(p.name for p in config.parent.iterdir()) == ["config.toml"]  # no temp file left


@pytest.mark.parametrize(
    "original",
    [
        COMMENTED,
        "# only a comment\n",
        "",
        '[[sources]]\nurl = "https://first.example/rss"\n\n[reader]\nlanguage = "de"\n',
        '[reader]\nlanguage = "de"\n[[sources]]\nurl = "https://a.example/"\n[[sources]]\nurl = "https://b.example/"\n',
        '[cache]\npath = "c.db"\n\n\n',
    ],
)
def test_add_then_remove_gives_back_the_same_bytes(tmp_path: Path, original: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(original)
    (tmp_path / "articles").mkdir()
    before = _urls(config)
    assert add_source(config, "https://new.example/feed.xml", name='Quote " and \\ back')
    text = config.read_text()
    assert '[[sources]]\nurl = "https://new.example/feed.xml"' in text
    if original:  # a blank line sets the new table apart
        assert '\n\n[[sources]]\nurl = "https://new.example/feed.xml"' in text
    assert _urls(config) == [*before, "https://new.example/feed.xml"]
    assert load_config(config).sources[-1].name == 'Quote " and \\ back'
    removed = remove_source(config, "https://new.example/feed.xml")
    assert removed is not None and removed.name == 'Quote " and \\ back'
    assert config.read_text() == original


def test_comments_stay_when_editing(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED)
    (tmp_path / "articles").mkdir()
    add_sources(
        config,
        [feed_source("https://a.example/rss", tags=["News"]), feed_source("https://b.example/rss")],
    )
    text = config.read_text()
    for line in COMMENTED.splitlines():
        assert line in text
    assert remove_source(config, "saved") is not None  # a path source, by name, any case
    text = config.read_text()
    assert "# Ukrainian first" in text and "timeout = 10 # seconds" in text
    assert 'path = "articles"' not in text
    assert _urls(config) == ["https://a.example/rss", "https://b.example/rss"]
    assert load_config(config).reader.language == "uk"


def test_already_subscribed_urls_are_not_written_again(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert add_source(config, "https://Example.COM/feed")
    before = config.read_bytes()
    mtime = config.stat().st_mtime_ns
    assert not add_source(config, "HTTPS://example.com/feed")
    assert config.read_bytes() == before and config.stat().st_mtime_ns == mtime
    assert not add_source(config, "https://example.com/feed", name="Other name")
    # the path is compared exactly: a different path is another feed
    assert add_source(config, "https://example.com/Feed")


def test_add_sources_counts_new_existing_and_repeated(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    add_source(config, "https://old.example/rss")
    entries = [
        feed_source("https://old.example/rss"),
        feed_source("https://new.example/rss", name="New"),
        feed_source("https://new.example/rss", name="Repeated"),
        feed_source("https://two.example/rss"),
    ]
    added, existing = add_sources(config, entries)
    assert [s.name for s in added] == ["New", "https://two.example/rss"]
    assert [s.location for s in existing] == ["https://old.example/rss"]
    assert _urls(config) == [
        "https://old.example/rss",
        "https://new.example/rss",
        "https://two.example/rss",
    ]
    assert "name" not in config.read_text().split("two.example")[1]  # the URL is the default name
    before = config.read_bytes()
    assert add_sources(config, entries) == ([], entries)
    assert config.read_bytes() == before


def test_remove_by_url_name_and_path(tmp_path: Path) -> None:
    (tmp_path / "saved").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\nurl = "https://a.example/rss"\nname = "Ukrainska Pravda"\n\n'
        '[[sources]]\nurl = "https://b.example/rss"\n\n'
        '[[sources]]\npath = "saved"\n'
    )
    assert remove_source(config, "https://nowhere.example/") is None
    assert remove_source(config, "nobody") is None
    removed = remove_source(config, "ukrainska PRAVDA")
    assert removed is not None and removed.location == "https://a.example/rss"
    assert remove_source(config, "HTTPS://B.EXAMPLE/rss") is not None
    assert remove_source(config, str(tmp_path / "saved")) is not None
    assert load_config(config).sources == ()
    assert remove_source(tmp_path / "missing.toml", "x") is None
    assert not (tmp_path / "missing.toml").exists()


def test_an_ambiguous_name_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\nurl = "https://a.example/"\nname = "News"\n'
        '[[sources]]\nurl = "https://b.example/"\nname = "news"\n'
    )
    before = config.read_bytes()
    with pytest.raises(SubscriptionError, match="2 sources have this name"):
        remove_source(config, "NEWS")
    assert config.read_bytes() == before
    assert remove_source(config, "https://b.example/") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[reader\nlanguage = 1\n", "not valid TOML"),
        ("[reader]\nnope = 1\n", "unknown key 'reader.nope'"),
        ('[[sources]]\nurl = "ftp://x"\n', "must start with http:// or https://"),
    ],
)
def test_a_config_that_does_not_load_is_left_alone(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        add_source(config, "https://a.example/")
    with pytest.raises(ConfigError, match=message):
        remove_source(config, "anything")
    assert config.read_text() == text


def test_mode_and_symlinks_are_kept(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "tuinews.toml"
    real.parent.mkdir()
    real.write_text("# mine\n")
    real.chmod(0o640)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert add_source(link, "https://a.example/rss")
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert _urls(real) == ["https://a.example/rss"]


def test_inline_array_of_sources_is_extended(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('sources = [{url = "https://a.example/rss"}]  # inline\n')
    assert add_source(config, "https://b.example/rss", tags=["t"])
    assert _urls(config) == ["https://a.example/rss", "https://b.example/rss"]
    assert "# inline" in config.read_text()
    assert remove_source(config, "https://a.example/rss") is not None
    assert _urls(config) == ["https://b.example/rss"]


def test_unicode_and_newlines_in_names_survive(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    add_sources(
        config, [Source(SourceKind.URL, "https://u.example/", "Новини\nдня ✓", "uk", ("укр",))]
    )
    (source,) = load_config(config).sources
    assert (source.name, source.language, source.tags) == ("Новини\nдня ✓", "uk", ("укр",))


def test_feed_source_checks_the_url_and_tidies_arguments() -> None:
    source = feed_source(
        "  https://a.example/rss ", name="  ", language="", tags=[" a ", "", "a", "b"]
    )
    assert (source.location, source.name, source.language, source.tags) == (
        "https://a.example/rss",
        "https://a.example/rss",
        None,
        ("a", "b"),
    )
    for bad in ("ftp://a.example/", "example.com/feed", "https://", "javascript:alert(1)", ""):
        with pytest.raises(ValueError):
            feed_source(bad)


def test_url_key() -> None:
    assert url_key(" HTTPS://Example.COM/Path?Q=1 ") == "https://example.com/Path?Q=1"


def test_unwritable_folder_is_a_one_line_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text("")
    folder.chmod(0o500)
    try:
        with pytest.raises(SubscriptionError, match="cannot write"):
            add_source(config, "https://a.example/")
    finally:
        folder.chmod(0o700)
