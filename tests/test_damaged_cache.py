"""A damaged cache, a read-only one and a full disk, through the CLI and the reader.

A truncated or garbage `cache.db`, or one from a newer schema: one line saying so, the file (and its
-wal and -shm) moved aside byte for byte, never deleted, a fresh cache, the config untouched.
A read-only cache folder or a full disk: one line naming the cache, a non-zero exit, no traceback,
and every article still there afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import run_cli
from tuinews.config import load_config
from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.store import HeadlineFilter, Store
from tuinews.store.schema import SCHEMA_VERSION
from tuinews.ui.app import TuinewsApp
from tuinews.ui.headline_list import HeadlineList

STORY = "---\ntitle: {title}\ndate: 2026-11-0{day}T09:00:00Z\nlang: en\n---\n\n{body}\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for day, title in enumerate(("Tram line opens", "Honey fair", "Autumn storm"), start=1):
        body = f"The story of the {title.lower()}, told in a few sentences. " * 5
        (folder / f"{day}.md").write_text(STORY.format(title=title, day=day, body=body))
    return folder


@pytest.fixture
def config_file(xdg_home: Path, library: Path) -> Path:
    path = xdg_home / "xdg_config_home" / "tuinews" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(f'# my subscriptions\n[[sources]]\npath = "{library}"\nname = "Saved"\n')
    return path


def big_cache(path: Path, articles: int = 400) -> None:
    """A real cache of several hundred pages, checkpointed into the main file."""
    with Store(path) as store:
        source = store.upsert_source(Source(SourceKind.PATH, "/elsewhere", "Elsewhere"))
        store.upsert_articles(
            source,
            [
                (
                    Article(
                        guid=f"g{n}",
                        title=f"Old story {n}",
                        blocks=[paragraph("An old paragraph of an old story. " * 30)],
                        published=datetime(2026, 10, 1, tzinfo=UTC),
                        language="en",
                    ),
                    None,
                )
                for n in range(articles)
            ],
        )
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def truncated(path: Path) -> None:
    big_cache(path)
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size * 2 // 5)


def garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(1).randbytes(64 * 1024))
    path.with_name(path.name + "-wal").write_bytes(b"not a wal either" * 100)
    path.with_name(path.name + "-shm").write_bytes(bytes(32768))


def newer_schema(path: Path) -> None:
    big_cache(path, articles=5)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


DAMAGE = {"truncated": truncated, "garbage": garbage, "newer-schema": newer_schema}


def digests(path: Path) -> dict[str, str]:
    """sha1 of the cache and its -wal and -shm, by suffix, for the files there are."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            found[suffix] = hashlib.sha1(file.read_bytes()).hexdigest()
    return found


def assert_kept(backup: Path, before: dict[str, str]) -> None:
    """The moved-aside files hold what the cache and its -wal held, byte for byte.

    The -shm is SQLite's shared-memory index, rebuilt from the others: only its presence counts.
    SQLite may have added an empty -wal and an -shm while it found the damage.
    """
    after = digests(backup)
    for suffix in ("", "-wal"):
        if suffix in before:
            assert after.get(suffix) == before[suffix], suffix
        elif suffix in after:
            assert backup.with_name(backup.name + suffix).stat().st_size == 0
    assert "-shm" not in before or "-shm" in after


def moved_aside(path: Path, label: str) -> Path:
    (backup,) = [
        p
        for p in path.parent.iterdir()
        if p.name.startswith(f"{path.name}.{label}-") and not p.name.endswith(("-wal", "-shm"))
    ]
    return backup


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_cli_moves_a_damaged_cache_aside_and_starts_afresh(
    damage: str, cache_path: Path, config_file: Path
) -> None:
    DAMAGE[damage](cache_path)
    before = digests(cache_path)
    config_before = (config_file.read_bytes(), config_file.stat().st_mtime_ns)

    result = run_cli("fetch")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if "moved aside" in line]
    assert line.startswith(f"tuinews: {cache_path}: the cache was ")
    if damage == "newer-schema":
        assert f"schema {SCHEMA_VERSION + 1}, this one knows {SCHEMA_VERSION}" in line
    backup = moved_aside(cache_path, "newer-schema" if damage == "newer-schema" else "damaged")
    assert str(backup) in line
    assert_kept(backup, before)
    for file in backup.parent.glob(backup.name + "*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert (config_file.read_bytes(), config_file.stat().st_mtime_ns) == config_before
    listed = run_cli("list", "--json")
    assert listed.returncode == 0 and listed.stderr == ""
    assert '"title": "Tram line opens"' in listed.stdout


def test_cli_damage_found_while_reading_is_one_line_then_a_fresh_cache(
    cache_path: Path, config_file: Path
) -> None:
    big_cache(cache_path)
    size = cache_path.stat().st_size
    with open(cache_path, "r+b") as file:  # the schema (first pages) intact, articles garbage
        file.seek(size // 2 // 4096 * 4096)
        file.write(random.Random(2).randbytes(size - size // 2 // 4096 * 4096))
    before = digests(cache_path)

    result = run_cli("list")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tuinews: {cache_path}: the cache is damaged")
    assert_kept(moved_aside(cache_path, "damaged"), before)
    again = run_cli("fetch")
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert "Tram line opens" in run_cli("list").stdout


@pytest.mark.parametrize("damage", sorted(DAMAGE))
async def test_reader_says_the_cache_was_moved_aside_and_shows_the_library(
    damage: str, cache_path: Path, library: Path
) -> None:
    DAMAGE[damage](cache_path)
    before = digests(cache_path)
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        for _round in range(6):
            await app.workers.wait_for_complete()
            await pilot.pause()
        notes = [str(note.message) for note in app._notifications]
        assert any(note.startswith(f"{cache_path}: the cache was ") for note in notes), notes
        assert app.query_one(HeadlineList).row_count == 3
    label = "newer-schema" if damage == "newer-schema" else "damaged"
    assert_kept(moved_aside(cache_path, label), before)


# A read-only cache folder and a full disk: a real file system where we can make one (root).


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at `where` (root only; the test is skipped otherwise)."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small file system")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def cache_config(tmp_path: Path, cache: Path, library: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[cache]\npath = "{cache}"\n[[sources]]\npath = "{library}"\n')
    return config


def add_stories(library: Path, count: int, start: int = 10) -> None:
    for n in range(start, start + count):
        body = f"Story {n}: " + "words that take room in the cache " * 200
        (library / f"{n}.md").write_text(STORY.format(title=f"Story {n}", day=5, body=body))


def article_flags(cache: Path) -> dict[str, tuple[bool, bool]]:
    with Store(cache) as store:
        return {row.title: (row.read, row.starred) for row in store.headlines(HeadlineFilter())}


def test_read_only_cache_folder_is_one_line_naming_the_cache(tmp_path: Path, library: Path) -> None:
    with tmpfs(tmp_path / "ro", "8m") as folder:
        cache = folder / "cache.db"
        config = cache_config(tmp_path, cache, library)
        assert run_cli("--config", str(config), "fetch").returncode == 0
        with Store(cache) as store:
            store.set_starred([store.headlines(HeadlineFilter())[0].id])
        kept = article_flags(cache)
        add_stories(library, 3)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        try:
            result = run_cli("--config", str(config), "fetch")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"tuinews: {cache}: "), lines
        assert "read-only" in lines[0] or "cannot open" in lines[0]
        assert article_flags(cache) == kept


def test_full_disk_is_one_line_naming_the_cache_and_loses_nothing(
    tmp_path: Path, library: Path
) -> None:
    with tmpfs(tmp_path / "small", "2m") as folder:
        cache = folder / "cache.db"
        config = cache_config(tmp_path, cache, library)
        assert run_cli("--config", str(config), "fetch").returncode == 0
        with Store(cache) as store:
            first = store.headlines(HeadlineFilter())[0].id
            store.set_starred([first])
            store.set_read([first])
        kept = article_flags(cache)
        add_stories(library, 400)  # about 3 MB of text for a 2 MB file system
        result = run_cli("--config", str(config), "fetch")
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert lines == [
            f"tuinews: {cache}: cannot write the cache: the disk is full; nothing was lost"
        ]
        after = article_flags(cache)
        assert {title: after.get(title) for title in kept} == kept
        with sqlite3.connect(cache) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for extra in library.glob("*.md"):  # room again: the next fetch completes
            if extra.stem.isdigit() and int(extra.stem) >= 20:
                extra.unlink()
        again = run_cli("--config", str(config), "fetch")
        assert again.returncode == 0, again.stderr
        assert article_flags(cache)["Story 19"] == (False, False)
