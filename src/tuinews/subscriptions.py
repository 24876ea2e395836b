"""Edit the `[[sources]]` of the config file in place, keeping every comment and blank line.

The file is read with tomlkit (a round-trip TOML library), changed, and written back atomically:
a temporary file in the same folder, fsync, `os.replace`, with the file's permissions kept (a new
file is user-only, 0600, in a 0700 folder). Before anything is written, the new text is checked to
load as a config with exactly the expected sources; otherwise `ConfigError` and nothing written.
A config that does not load to begin with raises the same `ConfigError` as `load_config`.

URLs are compared with `url_key`: scheme and host case-insensitive, the rest exact.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tuinews.config import ConfigError, parse_config
from tuinews.i18n import _, ngettext
from tuinews.model import Source, SourceKind
from tuinews.sources.opml import http_url

NEW_CONFIG_HEADER = (
    "# tuinews configuration; config.example.toml documents every key.\n"
    "# `tuinews add URL`, `tuinews remove URL|NAME` and `tuinews import FILE` edit the\n"
    "# [[sources]] tables below, keeping comments like these.\n"
)


class SubscriptionError(Exception):
    """Editing the subscriptions failed (an ambiguous name, an unwritable file); one line."""


def url_key(url: str) -> str:
    """The form two feed URLs are compared in: scheme and host lowercased, the rest as written."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def feed_source(
    url: str, name: str | None = None, language: str | None = None, tags: Sequence[str] = ()
) -> Source:
    """A URL `Source` as `add_sources` takes it; raises `ValueError` unless `url` is http(s)."""
    checked = http_url(url)
    if checked is None:
        raise ValueError(
            _("{url}: a feed URL must start with http:// or https://").format(url=url.strip())
        )
    clean_tags = tuple(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    return Source(
        kind=SourceKind.URL,
        location=checked,
        name=(name or "").strip() or checked,
        language=(language or "").strip() or None,
        tags=clean_tags,
    )


def add_source(
    config_path: Path,
    url: str,
    name: str | None = None,
    language: str | None = None,
    tags: Sequence[str] = (),
) -> bool:
    """Subscribe to one feed URL; False when it is already subscribed (nothing written)."""
    added, _existing = add_sources(config_path, [feed_source(url, name, language, tags)])
    return bool(added)


def add_sources(config_path: Path, entries: Iterable[Source]) -> tuple[list[Source], list[Source]]:
    """Append a `[[sources]]` table for each new URL source; returns `(added, already_subscribed)`.

    A new URL given twice in `entries` is added once; its repeat is in neither list.
    The file (and its folder) is created when missing. Nothing is written when nothing is new.
    """
    with _locked(config_path):
        _text, doc, current = _load(config_path)
        subscribed = {url_key(s.location) for s in current if s.kind is SourceKind.URL}
        seen: set[str] = set()
        added: list[Source] = []
        existing: list[Source] = []
        for entry in entries:
            if entry.kind is not SourceKind.URL or http_url(entry.location) is None:
                raise ValueError(_("{url}: not an http(s) feed URL").format(url=entry.location))
            key = url_key(entry.location)
            if key in subscribed:
                existing.append(entry)
            elif key not in seen:
                seen.add(key)
                added.append(entry)
        if not added:
            return [], existing
        for entry in added:
            _append(doc, entry, config_path)
        new_text = doc.as_string()
        expected = [s.key for s in current] + [s.key for s in added]
        _check(new_text, config_path, expected)
        _write_atomic(config_path, new_text)
    return added, existing


def remove_source(config_path: Path, key: str) -> Source | None:
    """Remove the source whose URL, name (case-insensitive) or path is `key`; None when none is.

    Raises `SubscriptionError` when a name matches several sources.
    """
    if not config_path.exists():
        return None
    with _locked(config_path):
        text, doc, current = _load(config_path)
        index = find_source(current, key)
        if index is None:
            return None
        container: Any = doc["sources"]
        del container[index]
        if len(container) == 0:
            del doc["sources"]
        new_text = doc.as_string()
        # The table was the end of the file: take away the blank line `add` puts before a table.
        if text.startswith(new_text) and new_text.endswith("\n\n"):
            new_text = new_text[:-1]
        expected = [s.key for i, s in enumerate(current) if i != index]
        _check(new_text, config_path, expected)
        _write_atomic(config_path, new_text)
    return current[index]


def find_source(sources: Sequence[Source], key: str) -> int | None:
    """The index of the source `key` names: its URL, else its name (any case), else its path."""
    url = http_url(key)
    if url is not None:
        wanted = url_key(url)
        for index, source in enumerate(sources):
            if source.kind is SourceKind.URL and url_key(source.location) == wanted:
                return index
    folded = key.strip().casefold()
    matches = [i for i, source in enumerate(sources) if source.name.casefold() == folded]
    if not matches and url is None and key.strip():
        path = str(Path(os.path.expandvars(key.strip())).expanduser().resolve())
        matches = [
            i
            for i, source in enumerate(sources)
            if source.kind is SourceKind.PATH and source.location == path
        ]
    if len(matches) > 1:
        raise SubscriptionError(
            ngettext(
                "{name}: {count} source has this name; give the URL or path instead",
                "{name}: {count} sources have this name; give the URL or path instead",
                len(matches),
            ).format(name=key, count=len(matches))
        )
    return matches[0] if matches else None


# Reading, checking and writing the file


def _load(path: Path) -> tuple[str, Any, tuple[Source, ...]]:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if not path.exists():
        return NEW_CONFIG_HEADER, tomlkit.parse(NEW_CONFIG_HEADER), ()
    try:
        with path.open(encoding="utf-8", newline="") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("{path}: cannot read: {reason}").format(path=path, reason=_reason(exc))
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: not valid TOML: {error}").format(path=path, error=exc)
        ) from None
    config = parse_config(data, path)
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(
            _("{path}: cannot edit this TOML: {error}").format(path=path, error=exc)
        ) from None
    return text, doc, config.sources


def _append(doc: Any, entry: Source, path: Path) -> None:
    import tomlkit
    from tomlkit.items import AoT, Array

    current = doc.get("sources")
    if isinstance(current, Array):  # the rare inline form: sources = [{url = "..."}]
        inline = tomlkit.inline_table()
        inline.update(_values(entry))
        current.append(inline)
        return
    table = tomlkit.table()
    table.update(_values(entry))
    before = doc.as_string()
    if current is None:
        table.trivia.indent = _separator(before)
        aot = tomlkit.aot()
        aot.append(table)
        doc.append("sources", aot)
    elif isinstance(current, AoT):
        previous = current[-1].as_string() if len(current) else before
        table.trivia.indent = _separator(previous)
        current.append(table)
        if not doc.as_string().startswith(before):
            # Inserted before other tables: one blank line on each side, none doubled.
            table.trivia.indent = "" if previous.endswith("\n\n") else _separator(previous)
            table.add(tomlkit.nl())
    else:
        raise ConfigError(
            _("{path}: 'sources' must be an array of tables ([[sources]])").format(path=path)
        )


def _values(entry: Source) -> dict[str, Any]:
    values: dict[str, Any] = {"url": entry.location}
    if entry.name and entry.name != entry.location:
        values["name"] = entry.name
    if entry.language:
        values["language"] = entry.language
    if entry.tags:
        values["tags"] = list(entry.tags)
    return values


def _separator(before: str) -> str:
    """What goes before a table appended after `before`: a blank line, always exactly one more.

    Always adding one (even after a blank line) is what lets `remove_source` take exactly one away.
    """
    if not before:
        return ""
    return "\n" if before.endswith("\n") else "\n\n"


def _check(text: str, path: Path, expected: list[str]) -> None:
    try:
        sources = parse_config(tomllib.loads(text), path).sources
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ConfigError(
            _("{path}: cannot edit the sources safely ({error}); nothing written").format(
                path=path, error=exc
            )
        ) from None
    if [source.key for source in sources] != expected:
        raise ConfigError(
            _(
                "{path}: cannot edit the [[sources]] tables of this file safely; nothing written"
            ).format(path=path)
        )


def _write_atomic(path: Path, text: str) -> None:
    target = path.resolve() if path.is_symlink() else path  # keep a dotfiles symlink a symlink
    try:
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o600
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise SubscriptionError(
            _("{path}: cannot write: {reason}").format(path=path, reason=_reason(exc))
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fchmod(file.fileno(), mode)
            os.fsync(file.fileno())
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise SubscriptionError(
            _("{path}: cannot write: {reason}").format(path=path, reason=_reason(exc))
        ) from None
    with contextlib.suppress(OSError):
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the config's folder, so two `tuinews add` at once both land."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    folder = path.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, UnicodeDecodeError):
        return _("not UTF-8 text")
    return str(exc) or type(exc).__name__
