"""Screens whose footer shows binding descriptions in the current interface language.

Binding descriptions are `N_()` msgids; `active_bindings` (what the Footer reads) returns copies with
the descriptions translated, so `refresh_bindings()` after `set_ui_language()` repaints the footer.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

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
