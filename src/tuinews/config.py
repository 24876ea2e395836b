"""The configuration: one frozen object read from TOML, with every key checked.

An unknown key, a wrong type or a bad value raises `ConfigError` whose message names the key, so the CLI
can print one line and stop. `config.example.toml` documents every key read here.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuinews.model import Source, SourceKind
from tuinews.paths import default_cache_path, default_config_path


class ConfigError(Exception):
    """A problem with the configuration file; the message is one line naming the file and key."""


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """`[cache]`: where the SQLite cache lives and how long it keeps articles."""

    path: Path
    keep_days: int = 90
    """Read articles older than this are removed after a refresh (starred ones never)."""
    max_per_source: int = 0
    """At most this many articles per source (oldest read ones go first); 0 means no limit."""


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    """`[reader]`: how articles are read and shown."""

    language: str = "all"
    """The language filter at start ("all", or a code such as "uk"); the switcher remembers later choices."""
    ui_language: str = "auto"
    """The interface language ("auto" follows the locale)."""
    max_file_bytes: int = 64 * 1024 * 1024
    """Local files larger than this are refused with a message."""
    bidi: str = "auto"
    """Who puts right-to-left text in visual order: "app" (tuinews), "terminal" (one that does bidi
    itself, such as GNOME Terminal or Konsole), or "auto" ("terminal" when `VTE_VERSION` or
    `KONSOLE_VERSION` is set, else "app")."""
    languages: tuple[str, ...] = ()
    """The reader's languages, most preferred first ("uk", "en"): "My languages" in the switcher."""
    collapse_translations: bool = True
    """With `languages` set, show each story once, in the most preferred language it has."""


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """`[network]`: fetching feeds."""

    timeout: float = 20.0
    """Seconds one feed's whole download may take."""
    concurrency: int = 8
    """Feeds fetched at once (at most 2 per host)."""
    max_bytes: int = 20 * 1024 * 1024
    """A download growing past this (decompressed) stops with "too large"."""
    refresh_on_start: bool = False
    """Refresh the feeds in the background when the reader starts."""


TRANSLATE_BACKENDS = ("none", "libretranslate", "argos")
"""The machine translation backends `[translate] backend` may name."""


@dataclass(frozen=True, slots=True)
class TranslateConfig:
    """`[translate]`: machine translation of the open article (key T)."""

    backend: str = "none"
    """"none" (off), "libretranslate" (a server at `url`) or "argos" (offline, argostranslate)."""
    url: str = ""
    """The LibreTranslate server's base URL (http:// or https://); required for "libretranslate"."""
    api_key: str | None = None
    """The LibreTranslate API key, for servers that need one."""


DEFAULT_THEME = "tuinews-dark"


@dataclass(frozen=True, slots=True)
class UIConfig:
    """`[ui]`: how the reader looks."""

    theme: str = DEFAULT_THEME
    """The colour theme at start: "tuinews-dark", "tuinews-light" or one of Textual's built-in
    themes ("nord", "gruvbox"...). A theme picked in the command palette is remembered and wins."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything tuinews reads from its config file, with defaults for what it does not say."""

    cache: CacheConfig
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    sources: tuple[Source, ...] = ()
    ui: UIConfig = field(default_factory=UIConfig)
    keys: dict[str, str] = field(default_factory=dict)
    """`[keys]`: binding id -> keys ("app.toggle_star" = "S"); the ids are checked by the UI."""
    path: Path | None = None
    """The file this came from; None when no config file exists."""


_SECTIONS: dict[str, dict[str, tuple[type, ...]]] = {
    "cache": {"path": (str,), "keep_days": (int,), "max_per_source": (int,)},
    "reader": {
        "language": (str,),
        "ui_language": (str,),
        "max_file_bytes": (int,),
        "bidi": (str,),
        "languages": (list,),
        "collapse_translations": (bool,),
    },
    "network": {
        "timeout": (float, int),
        "concurrency": (int,),
        "max_bytes": (int,),
        "refresh_on_start": (bool,),
    },
    "translate": {
        "backend": (str,),
        "url": (str,),
        "api_key": (str,),
    },
    "ui": {"theme": (str,)},
}
_BIDI_MODES = ("auto", "app", "terminal")
"""Values of `reader.bidi` (the same as `tuinews.render.bidi.BIDI_MODES`)."""
_SOURCE_KEYS: dict[str, tuple[type, ...]] = {
    "path": (str,),
    "url": (str,),
    "name": (str,),
    "language": (str,),
    "tags": (list,),
    "refresh_minutes": (int,),
    "hide": (list,),
    "full_text": (bool,),
}
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    bool: "true or false",
}


def load_config(path: Path | None = None) -> Config:
    """Read the config at `path`, else at the XDG default; a missing default file gives the defaults.

    A missing file named explicitly, unreadable TOML, unknown keys and wrong types raise ConfigError.
    """
    explicit = path is not None
    config_path = path if path is not None else default_config_path()
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"{config_path}: no such config file")
        return Config(cache=CacheConfig(default_cache_path()))
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {_reason(exc)}") from None
    return parse_config(data, config_path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Check and convert parsed TOML into a Config; relative paths are taken from the file's folder."""
    where = str(path)
    for key in data:
        if key not in _SECTIONS and key not in ("sources", "keys"):
            raise ConfigError(f"{where}: unknown key '{key}'")
    values: dict[str, dict[str, Any]] = {}
    for section, keys in _SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: '{section}' must be a table")
        values[section] = _check_table(table, keys, section, where)

    base = path.parent
    cache_path = values["cache"].get("path")
    cache = CacheConfig(
        _expand(cache_path, base) if cache_path is not None else default_cache_path(),
        keep_days=values["cache"].get("keep_days", 90),
        max_per_source=values["cache"].get("max_per_source", 0),
    )
    if cache.keep_days < 1:
        raise ConfigError(f"{where}: 'cache.keep_days' must be at least 1")
    if cache.max_per_source < 0:
        raise ConfigError(f"{where}: 'cache.max_per_source' must be 0 (no limit) or more")
    values["reader"]["languages"] = _languages(values["reader"].get("languages", []), where)
    reader = ReaderConfig(**values["reader"])
    if reader.max_file_bytes <= 0:
        raise ConfigError(f"{where}: 'reader.max_file_bytes' must be greater than 0")
    if reader.bidi not in _BIDI_MODES:
        raise ConfigError(f'{where}: \'reader.bidi\' must be one of "auto", "app", "terminal"')
    network = NetworkConfig(**values["network"])
    if network.timeout <= 0:
        raise ConfigError(f"{where}: 'network.timeout' must be greater than 0")
    if network.concurrency < 1:
        raise ConfigError(f"{where}: 'network.concurrency' must be at least 1")
    if network.max_bytes <= 0:
        raise ConfigError(f"{where}: 'network.max_bytes' must be greater than 0")
    translate = _translate(values["translate"], where)
    ui = UIConfig(**values["ui"])
    if not ui.theme.strip():
        raise ConfigError(f"{where}: 'ui.theme' must name a theme")
    keys = _keys(data.get("keys", {}), where)

    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: 'sources' must be an array of tables ([[sources]])")
    sources = tuple(_parse_source(raw, index, base, where) for index, raw in enumerate(raw_sources))
    return Config(
        cache=cache,
        reader=reader,
        network=network,
        translate=translate,
        sources=sources,
        ui=ui,
        keys=keys,
        path=path,
    )


def _translate(values: dict[str, Any], where: str) -> TranslateConfig:
    """`[translate]`: a known backend; a LibreTranslate backend needs an http(s) `url`."""
    backend = values.get("backend", "none").strip().lower()
    if backend not in TRANSLATE_BACKENDS:
        names = ", ".join(f'"{name}"' for name in TRANSLATE_BACKENDS)
        raise ConfigError(f"{where}: 'translate.backend' must be one of {names}")
    url = values.get("url", "").strip().rstrip("/")
    if url and not url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"{where}: 'translate.url' must start with http:// or https://")
    if backend == "libretranslate" and not url:
        raise ConfigError(
            f"{where}: 'translate.url' is needed with backend \"libretranslate\""
            " (the server's address, such as http://localhost:5000)"
        )
    api_key = values.get("api_key") or None
    return TranslateConfig(backend=backend, url=url, api_key=api_key)


def _check_table(
    table: dict[str, Any], keys: dict[str, tuple[type, ...]], prefix: str, where: str
) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if key not in keys:
            raise ConfigError(f"{where}: unknown key '{name}'")
        types = keys[key]
        # bool is an int subclass in Python, but `timeout = true` is a mistake.
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(f"{where}: '{name}' must be {_TYPE_NAMES[types[0]]}")
        checked[key] = float(value) if float in types else value
    return checked


def _parse_source(raw: Any, index: int, base: Path, where: str) -> Source:
    prefix = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: '{prefix}' must be a table")
    values = _check_table(raw, _SOURCE_KEYS, prefix, where)
    has_path, has_url = "path" in values, "url" in values
    if has_path == has_url:
        raise ConfigError(f"{where}: '{prefix}' needs exactly one of 'path' or 'url'")
    tags = values.get("tags", [])
    if not all(isinstance(tag, str) for tag in tags):
        raise ConfigError(f"{where}: '{prefix}.tags' must be a list of strings")
    refresh_minutes = values.get("refresh_minutes")
    if refresh_minutes is not None and refresh_minutes < 1:
        raise ConfigError(f"{where}: '{prefix}.refresh_minutes' must be at least 1")
    hide = _hide(values.get("hide", []), f"{prefix}.hide", where)
    if has_path:
        location = str(_expand(values["path"], base))
        kind = SourceKind.PATH
        default_name = Path(location).name or location
    else:
        location = values["url"].strip()
        if not location.lower().startswith(("http://", "https://")):
            raise ConfigError(f"{where}: '{prefix}.url' must start with http:// or https://")
        kind = SourceKind.URL
        default_name = location
    return Source(
        kind=kind,
        location=location,
        name=values.get("name") or default_name,
        language=values.get("language"),
        tags=tuple(tags),
        refresh_minutes=refresh_minutes,
        hide=hide,
        full_text=values.get("full_text", False),
    )


def _hide(raw: list, name: str, where: str) -> tuple[str, ...]:
    """`[[sources]] hide`: regular expressions on titles, each checked by compiling it."""
    patterns: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not item:
            raise ConfigError(f"{where}: '{name}' must be a list of regular expressions")
        try:
            re.compile(item)
        except re.error as exc:
            raise ConfigError(
                f"{where}: '{name}': bad regular expression {item!r}: {exc}"
            ) from None
        patterns.append(item)
    return tuple(patterns)


_NAMED_KEYS = frozenset(
    "up down left right home end pageup pagedown enter return escape tab space backspace delete"
    " insert".split()
    + [f"f{n}" for n in range(1, 25)]
)
_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def valid_key(key: str) -> bool:
    """A key as Textual names it: "j", "S", "?", "down", "f5", "ctrl+n", "question_mark"."""
    *modifiers, name = key.split("+") if len(key) > 1 else [key]
    if any(modifier not in _MODIFIERS for modifier in modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in _NAMED_KEYS:
        return True
    try:  # Textual names punctuation by its Unicode name: "question_mark", "full_stop"...
        unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return name == name.lower()


def _keys(raw: Any, where: str) -> dict[str, str]:
    """`[keys]`: binding id -> comma-separated keys; dotted ids may also be written unquoted."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'keys' must be a table")
    flat: dict[str, str] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, f"{name}.")
                continue
            if not isinstance(value, str):
                raise ConfigError(f"{where}: 'keys.{name}' must be a string such as \"j,down\"")
            parts = [part.strip() for part in value.split(",")]
            bad = next((part for part in parts if not valid_key(part)), None)
            if bad is not None:
                raise ConfigError(f"{where}: 'keys.{name}': {bad!r} is not a key name")
            flat[name] = ",".join(parts)

    walk(raw, "")
    return flat


def _languages(raw: list, where: str) -> tuple[str, ...]:
    """`[reader] languages`: BCP 47 codes, normalised ("pt_BR" -> "pt-BR"), duplicates dropped."""
    from tuinews.sources.language import normalize_language

    codes: list[str] = []
    for item in raw:
        code = normalize_language(item) if isinstance(item, str) else None
        if code is None:
            raise ConfigError(f"{where}: 'reader.languages' must be a list of language codes")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _expand(value: str, base: Path) -> Path:
    path = Path(os.path.expandvars(value)).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__
