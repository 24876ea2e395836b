"""`[keys]` in the config: which binding ids exist, checking a keymap, and showing remapped keys.

`tuinews.config` checks the key names (Textual-free); the ids are checked here, against the BINDINGS
of the app and every widget and screen it shows, before the app starts (`check_ui_config`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType

from tuinews.config import Config, ConfigError
from tuinews.i18n import _


def binding_classes() -> list[type]:
    """The app, widgets and screens whose BINDINGS a keymap may change."""
    from tuinews.ui.app import SearchInput, TuinewsApp
    from tuinews.ui.article_view import ArticleView
    from tuinews.ui.headline_list import HeadlineList
    from tuinews.ui.help_screen import HelpScreen
    from tuinews.ui.language_screen import LanguageScreen
    from tuinews.ui.link_picker import LinkPicker
    from tuinews.ui.sources_pane import SourcesPane
    from tuinews.ui.version_screen import VersionScreen

    return [
        TuinewsApp,
        HeadlineList,
        ArticleView,
        SourcesPane,
        SearchInput,
        HelpScreen,
        LanguageScreen,
        LinkPicker,
        VersionScreen,
    ]


def binding_ids() -> set[str]:
    """Every binding id a `[keys]` table may name."""
    ids: set[str] = set()
    for cls in binding_classes():
        for base in cls.__mro__:
            for binding in base.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def check_ui_config(config: Config) -> None:
    """Raise a one-line ConfigError for an unknown `[keys]` binding id or `[ui] theme` name."""
    from tuinews.ui.themes import theme_names

    where = str(config.path) if config.path else _("config")
    known = binding_ids()
    for binding_id in config.keys:
        if binding_id not in known:
            raise ConfigError(
                _(
                    "{path}: '{key}' is not a binding id (see the ? help screen"
                    " and config.example.toml for the ids)"
                ).format(path=where, key=f"keys.{binding_id}")
            )
    if config.ui.theme not in theme_names():
        names = ", ".join(theme_names()[:4])
        raise ConfigError(
            _("{path}: '{key}' {name} is not a theme ({names}...)").format(
                path=where, key="ui.theme", name=repr(config.ui.theme), names=names
            )
        )


def remap(bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> list[BindingType]:
    """`bindings` with the keys a keymap gives them, for the help screen."""
    result: list[BindingType] = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id and binding.id in keymap:
            binding = dataclasses.replace(binding, key=keymap[binding.id], key_display=None)
        result.append(binding)
    return result
