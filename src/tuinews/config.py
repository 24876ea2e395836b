"""The configuration: one frozen object read from TOML, with every key checked.

An unknown key, a wrong type or a bad value raises `ConfigError` whose message names the key, so the CLI
can print one line and stop. `config.example.toml` documents every key read here.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuinews.i18n import N_, _
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


SYNC_SERVICES = ("none", "greader")
"""The sync services `[sync] service` may name: "greader" is the Google Reader API."""


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """`[sync]`: keep read and starred state in step with a feed server (`tuinews sync`)."""

    service: str = "none"
    """"none" (off) or "greader" (FreshRSS, Miniflux, Inoreader, The Old Reader...)."""
    url: str = ""
    """The API base URL, such as https://rss.example.net/api/greader.php."""
    user: str = ""
    password_command: str = ""
    """A shell command whose first output line is the password (pass, secret-tool...)."""
    password: str = field(default="", repr=False)
    """The password itself (tuinews warns when the config file is readable by others)."""
    app_id: str = ""
    """The id of an app registered with the server, sent with every request (Inoreader wants one
    with ClientLogin); with `app_key`."""
    app_key: str = field(default="", repr=False)
    """That app's key (a secret, like the password)."""

    @property
    def enabled(self) -> bool:
        """Whether a sync service is configured."""
        return self.service != "none"


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
    sync: SyncConfig = field(default_factory=SyncConfig)
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
    "sync": {
        "service": (str,),
        "url": (str,),
        "user": (str,),
        "password_command": (str,),
        "password": (str,),
        "app_id": (str,),
        "app_key": (str,),
    },
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
_TYPE_MESSAGES = {
    str: N_("{path}: '{key}' must be a string"),
    int: N_("{path}: '{key}' must be an integer"),
    float: N_("{path}: '{key}' must be a number"),
    list: N_("{path}: '{key}' must be a list"),
    bool: N_("{path}: '{key}' must be true or false"),
}


def config_argument(argv: list[str]) -> Path | None:
    """The file a command line's `--config FILE` (or `--config=FILE`) names, before the arguments
    are parsed (the last one wins, as with argparse); None for the default file."""
    path = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--config" and index + 1 < len(argv):
            path = Path(argv[index + 1])
        elif arg.startswith("--config="):
            path = Path(arg.removeprefix("--config="))
    return path


def load_config(path: Path | None = None) -> Config:
    """Read the config at `path`, else at the XDG default; a missing default file gives the defaults.

    A missing file named explicitly, unreadable TOML, unknown keys and wrong types raise ConfigError.
    """
    explicit = path is not None
    config_path = path if path is not None else default_config_path()
    if not config_path.exists():
        if explicit:
            raise ConfigError(_("{path}: no such config file").format(path=config_path))
        return Config(cache=CacheConfig(default_cache_path()))
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: not valid TOML: {error}").format(path=config_path, error=exc)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("{path}: cannot read: {reason}").format(path=config_path, reason=_reason(exc))
        ) from None
    return parse_config(data, config_path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Check and convert parsed TOML into a Config; relative paths are taken from the file's folder."""
    where = str(path)
    for key, value in data.items():
        if key not in _SECTIONS and key not in ("sources", "keys"):
            if isinstance(value, dict):
                hint = _did_you_mean(key, [*_SECTIONS, "keys"])
                message = (
                    _("{path}: unknown section [{section}] (did you mean [{hint}]?)")
                    if hint
                    else _("{path}: unknown section [{section}]")
                )
                raise ConfigError(message.format(path=where, section=key, hint=hint))
            raise ConfigError(_unknown_key(where, key, _key_hint(key, "", ())))
    values: dict[str, dict[str, Any]] = {}
    for section, keys in _SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(_("{path}: '{key}' must be a table").format(path=where, key=section))
        values[section] = _check_table(table, keys, section, where)

    base = path.parent
    cache_path = values["cache"].get("path")
    if cache_path is not None and not cache_path.strip():
        raise ConfigError(
            _("{path}: '{key}' must name a file").format(path=where, key="cache.path")
        )
    if cache_path is not None and _expand(cache_path, base).is_dir():
        raise ConfigError(
            _("{path}: '{key}' is a folder; it must name a file in one").format(
                path=where, key="cache.path"
            )
        )
    cache = CacheConfig(
        _expand(cache_path, base) if cache_path is not None else default_cache_path(),
        keep_days=values["cache"].get("keep_days", 90),
        max_per_source=values["cache"].get("max_per_source", 0),
    )
    if cache.keep_days < 1:
        raise ConfigError(_at_least_1(where, "cache.keep_days"))
    if cache.max_per_source < 0:
        raise ConfigError(
            _("{path}: '{key}' must be 0 (no limit) or more").format(
                path=where, key="cache.max_per_source"
            )
        )
    values["reader"]["languages"] = _languages(values["reader"].get("languages", []), where)
    if "language" in values["reader"]:
        values["reader"]["language"] = _start_language(values["reader"]["language"], where)
    reader = ReaderConfig(**values["reader"])
    if reader.max_file_bytes <= 0:
        raise ConfigError(_above_0(where, "reader.max_file_bytes"))
    if reader.bidi not in _BIDI_MODES:
        raise ConfigError(_one_of(where, "reader.bidi", _BIDI_MODES))
    network = NetworkConfig(**values["network"])
    if network.timeout <= 0:
        raise ConfigError(_above_0(where, "network.timeout"))
    if network.concurrency < 1:
        raise ConfigError(_at_least_1(where, "network.concurrency"))
    if network.max_bytes <= 0:
        raise ConfigError(_above_0(where, "network.max_bytes"))
    translate = _translate(values["translate"], where)
    sync = _sync(values["sync"], where)
    ui = UIConfig(**values["ui"])
    if not ui.theme.strip():
        raise ConfigError(_("{path}: '{key}' must name a theme").format(path=where, key="ui.theme"))
    keys = _keys(data.get("keys", {}), where)

    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(
            _("{path}: 'sources' must be an array of tables ([[sources]])").format(path=where)
        )
    sources = tuple(_parse_source(raw, index, base, where) for index, raw in enumerate(raw_sources))
    return Config(
        cache=cache,
        reader=reader,
        network=network,
        translate=translate,
        sources=sources,
        ui=ui,
        sync=sync,
        keys=keys,
        path=path,
    )


def _translate(values: dict[str, Any], where: str) -> TranslateConfig:
    """`[translate]`: a known backend; a LibreTranslate backend needs an http(s) `url`."""
    backend = values.get("backend", "none").strip().lower()
    if backend not in TRANSLATE_BACKENDS:
        raise ConfigError(_one_of(where, "translate.backend", TRANSLATE_BACKENDS))
    url = values.get("url", "").strip().rstrip("/")
    if url and not url.lower().startswith(("http://", "https://")):
        raise ConfigError(_http_url(where, "translate.url"))
    if backend == "libretranslate" and not url:
        raise ConfigError(
            _(
                "{path}: 'translate.url' is needed with backend \"libretranslate\""
                " (the server's address, such as http://localhost:5000)"
            ).format(path=where)
        )
    api_key = values.get("api_key") or None
    return TranslateConfig(backend=backend, url=url, api_key=api_key)


def _sync(values: dict[str, Any], where: str) -> SyncConfig:
    """`[sync]`: with a service, an http(s) `url`, a `user` and one way to get the password."""
    service = values.get("service", "none").strip().lower()
    if service not in SYNC_SERVICES:
        raise ConfigError(_one_of(where, "sync.service", SYNC_SERVICES))
    url = values.get("url", "").strip().rstrip("/")
    if url and not url.lower().startswith(("http://", "https://")):
        raise ConfigError(_http_url(where, "sync.url"))
    user = values.get("user", "").strip()
    command = values.get("password_command", "").strip()
    password = values.get("password", "")
    if service != "none":
        if not url:
            raise ConfigError(
                _(
                    "{path}: 'sync.url' is needed with service \"{service}\""
                    " (the API address, such as https://rss.example.net/api/greader.php)"
                ).format(path=where, service=service)
            )
        if not user:
            raise ConfigError(
                _("{path}: 'sync.user' is needed with service \"{service}\"").format(
                    path=where, service=service
                )
            )
        if not command and not password:
            raise ConfigError(
                _(
                    "{path}: 'sync.password_command' (or 'sync.password') is needed with service"
                    ' "{service}"'
                ).format(path=where, service=service)
            )
    if command and password:
        raise ConfigError(
            _("{path}: set one of 'sync.password_command' and 'sync.password'").format(path=where)
        )
    app_id = values.get("app_id", "").strip()
    app_key = values.get("app_key", "").strip()
    if bool(app_id) != bool(app_key):
        raise ConfigError(
            _("{path}: set both 'sync.app_id' and 'sync.app_key' (or neither)").format(path=where)
        )
    if service != "none" and not app_id and _is_inoreader(url):
        raise ConfigError(
            _(
                "{path}: Inoreader wants 'sync.app_id' and 'sync.app_key' (register an app at"
                " https://www.inoreader.com/developers/register-app)"
            ).format(path=where)
        )
    return SyncConfig(
        service=service,
        url=url,
        user=user,
        password_command=command,
        password=password,
        app_id=app_id,
        app_key=app_key,
    )


def _is_inoreader(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").rstrip(".")
    return host == "inoreader.com" or host.endswith(".inoreader.com")


def _did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to a misspelt `name`, when one is close enough."""
    import difflib

    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _key_hint(key: str, prefix: str, keys: Iterable[str]) -> str | None:
    """The key meant: a close key of the same table, else the same key in another one."""
    close = _did_you_mean(key, keys)
    if close is not None:
        return f"{prefix}.{close}"
    for section, table in _SECTIONS.items():
        if key in table and section != prefix:
            return f"{section}.{key}"
    return None


def _unknown_key(where: str, key: str, hint: str | None) -> str:
    message = (
        _("{path}: unknown key '{key}' (did you mean '{hint}'?)")
        if hint
        else _("{path}: unknown key '{key}'")
    )
    return message.format(path=where, key=key, hint=hint)


def _at_least_1(where: str, key: str) -> str:
    return _("{path}: '{key}' must be at least 1").format(path=where, key=key)


def _above_0(where: str, key: str) -> str:
    return _("{path}: '{key}' must be greater than 0").format(path=where, key=key)


def _http_url(where: str, key: str) -> str:
    return _("{path}: '{key}' must start with http:// or https://").format(path=where, key=key)


def _one_of(where: str, key: str, values: Iterable[str]) -> str:
    names = ", ".join(f'"{value}"' for value in values)
    return _("{path}: '{key}' must be one of {values}").format(path=where, key=key, values=names)


def _check_table(
    table: dict[str, Any], keys: dict[str, tuple[type, ...]], prefix: str, where: str
) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if key not in keys:
            raise ConfigError(_unknown_key(where, name, _key_hint(key, prefix, keys)))
        types = keys[key]
        # bool is an int subclass in Python, but `timeout = true` is a mistake.
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(_(_TYPE_MESSAGES[types[0]]).format(path=where, key=name))
        checked[key] = float(value) if float in types else value
    return checked


def _parse_source(raw: Any, index: int, base: Path, where: str) -> Source:
    prefix = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(_("{path}: '{key}' must be a table").format(path=where, key=prefix))
    values = _check_table(raw, _SOURCE_KEYS, prefix, where)
    has_path, has_url = "path" in values, "url" in values
    if has_path == has_url:
        raise ConfigError(
            _("{path}: '{key}' needs exactly one of 'path' or 'url'").format(path=where, key=prefix)
        )
    tags = values.get("tags", [])
    if not all(isinstance(tag, str) for tag in tags):
        raise ConfigError(
            _("{path}: '{key}' must be a list of strings").format(path=where, key=f"{prefix}.tags")
        )
    refresh_minutes = values.get("refresh_minutes")
    if refresh_minutes is not None and refresh_minutes < 1:
        raise ConfigError(_at_least_1(where, f"{prefix}.refresh_minutes"))
    hide = _hide(values.get("hide", []), f"{prefix}.hide", where)
    if has_path:
        location = str(_expand(values["path"], base))
        kind = SourceKind.PATH
        default_name = Path(location).name or location
    else:
        location = values["url"].strip()
        if not location.lower().startswith(("http://", "https://")):
            raise ConfigError(_http_url(where, f"{prefix}.url"))
        kind = SourceKind.URL
        default_name = location
    return Source(
        kind=kind,
        location=location,
        name=values.get("name") or default_name,
        language=_source_language(values.get("language"), prefix, where),
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
            raise ConfigError(
                _("{path}: '{key}' must be a list of regular expressions").format(
                    path=where, key=name
                )
            )
        try:
            re.compile(item)
        except re.error as exc:
            raise ConfigError(
                _("{path}: '{key}': bad regular expression {pattern}: {error}").format(
                    path=where, key=name, pattern=repr(item), error=exc
                )
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
        raise ConfigError(_("{path}: '{key}' must be a table").format(path=where, key="keys"))
    flat: dict[str, str] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, f"{name}.")
                continue
            if not isinstance(value, str):
                raise ConfigError(
                    _("{path}: '{key}' must be a string such as \"j,down\"").format(
                        path=where, key=f"keys.{name}"
                    )
                )
            parts = [part.strip() for part in value.split(",")]
            bad = next((part for part in parts if not valid_key(part)), None)
            if bad is not None:
                raise ConfigError(
                    _("{path}: '{key}': {name} is not a key name").format(
                        path=where, key=f"keys.{name}", name=repr(bad)
                    )
                )
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
            raise ConfigError(
                _("{path}: '{key}' must be a list of language codes").format(
                    path=where, key="reader.languages"
                )
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _start_language(raw: str, where: str) -> str:
    """`[reader] language`: "all", "mine" (the switcher's "My languages") or a language code."""
    from tuinews.sources.language import normalize_language

    if raw.strip().casefold() in ("all", "mine"):
        return raw.strip().casefold()
    code = normalize_language(raw)
    if code is None:
        raise ConfigError(
            _('{path}: \'{key}\' must be "all" or a language code such as "uk"').format(
                path=where, key="reader.language"
            )
        )
    return code


def _source_language(raw: str | None, prefix: str, where: str) -> str | None:
    """`[[sources]] language`: a language code, normalised; None when not given (or empty)."""
    from tuinews.sources.language import normalize_language

    if raw is None or not raw.strip():
        return None
    code = normalize_language(raw)
    if code is None:
        raise ConfigError(
            _("{path}: '{key}' must be a language code (such as en, uk, pt-BR)").format(
                path=where, key=f"{prefix}.language"
            )
        )
    return code


def _expand(value: str, base: Path) -> Path:
    path = Path(os.path.expandvars(value)).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__
