"""Screens whose footer shows binding descriptions in the current interface language.

Binding descriptions are `N_()` msgids; `active_bindings` (what the Footer reads) returns copies with
the descriptions translated, so `refresh_bindings()` after `set_ui_language()` repaints the footer;
`relabel_footers` rewords the footer in place, in the same frame as the rest of the screen.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

from tuinews.i18n import N_, _, ui_language

# Textual's own footer entry for the command palette.
N_("palette")


@lru_cache(maxsize=256)
def _translated(binding: Binding, language: str) -> Binding:
    if not binding.description:
        return binding
    return dataclasses.replace(binding, description=_(binding.description))


class TranslatedBindings:
    """Mix into a Screen: its active bindings carry translated descriptions."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        language = ui_language()
        if language == "en":
            return bindings
        return {
            key: active._replace(
                binding=_translated(active.binding, language),
                tooltip=_(active.tooltip) if active.tooltip else active.tooltip,
            )
            for key, active in bindings.items()
        }


class TranslatedScreen(TranslatedBindings, Screen):
    """The app's default screen."""


def relabel_footers(app: App) -> None:
    """After a switch of the interface language: every footer's keys and descriptions, in place.

    Rewording the footer's keys where they stand puts the new words in the same frame as the rest of
    the relabelled screen; `refresh_bindings()` would have the footer recompose itself a frame
    later (and mount all its keys again). Screens without a footer, or with Textual's key panel
    open, are refreshed the ordinary way.
    """
    from textual.widgets import Footer

    try:
        from textual.widgets._footer import FooterKey
    except ImportError:  # a Textual without it: let the footers rebuild themselves
        FooterKey = None
    for screen in app.screen_stack:
        footers = screen.query(Footer)
        if FooterKey is None or not footers or screen.query("KeyPanel"):
            screen.refresh_bindings()
            continue
        active = screen.active_bindings
        for key in screen.query(FooterKey):
            found = active.get(key.key)
            if found is None:
                continue
            key.key_display = app.get_key_display(found.binding)
            key.description = found.binding.description
            key.refresh(layout=True)
        screen.refresh(layout=True)  # laid out for the next frame, not after a round of messages
