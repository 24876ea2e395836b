"""Argos Translate as an offline backend, when the user installed `argostranslate` and its models.

argostranslate is not a dependency of tuinews: it is imported on first use, and its absence is a
one-line TranslateError saying how to install it.
"""

from __future__ import annotations

from typing import Any

from tuinews.i18n import N_, _
from tuinews.translate.base import TranslateError, one_line

NOT_INSTALLED = N_(
    "argos is not installed: pip install argostranslate, then install a language model"
)


class ArgosTranslator:
    """Offline translation with the installed Argos Translate language models."""

    name = "argos"

    def __init__(self) -> None:
        self._module: Any = None

    def _translate_module(self) -> Any:
        if self._module is None:
            try:
                import argostranslate.translate as module  # type: ignore[import-not-found]
            except ImportError:
                raise TranslateError(_(NOT_INSTALLED)) from None
            self._module = module
        return self._module

    def _installed(self) -> dict[str, Any]:
        try:
            languages = self._translate_module().get_installed_languages()
        except TranslateError:
            raise
        except Exception as exc:  # argostranslate's own failures: report, do not crash
            raise TranslateError(f"argos: {one_line(str(exc) or type(exc).__name__)}") from None
        return {language.code: language for language in languages}

    def languages(self) -> set[str]:
        return set(self._installed())

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        installed = self._installed()
        if not installed:
            raise TranslateError(
                _(
                    "argos has no language models: install one, e.g."
                    " argospm update && argospm install translate-en_uk"
                )
            )
        if source == "auto":
            raise TranslateError(
                _("argos: the article's language is unknown, so it cannot translate it")
            )
        if source not in installed or target not in installed:
            raise TranslateError(
                _("argos: no model for {source} → {target}; install one with argospm").format(
                    source=source, target=target
                )
            )
        translation = installed[source].get_translation(installed[target])
        if translation is None:
            raise TranslateError(
                _("argos: no model for {source} → {target}; install one with argospm").format(
                    source=source, target=target
                )
            )
        try:
            return [translation.translate(text) if text.strip() else text for text in texts]
        except Exception as exc:
            raise TranslateError(f"argos: {one_line(str(exc) or type(exc).__name__)}") from None
