"""Where tuinews keeps its files, following the XDG base directories (via platformdirs)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "tuinews"


def default_config_path() -> Path:
    """`$XDG_CONFIG_HOME/tuinews/config.toml`."""
    return user_config_path(APP_NAME) / "config.toml"


def default_cache_path() -> Path:
    """`$XDG_DATA_HOME/tuinews/cache.db`."""
    return user_data_path(APP_NAME) / "cache.db"


def demo_library_path() -> Path:
    """The bundled demo library shipped inside the package."""
    return Path(__file__).resolve().parent / "demo"
