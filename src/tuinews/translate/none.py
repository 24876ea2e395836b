"""The default backend: machine translation is off, and says how to turn it on."""

from __future__ import annotations

from tuinews.i18n import N_, _
from tuinews.translate.base import TranslateError

HOW_TO_ENABLE = N_(
    'machine translation is off: set [translate] backend = "libretranslate" and'
    ' url = "http://localhost:5000" (a LibreTranslate server) in the config, or'
    ' backend = "argos" with argostranslate installed'
)
"""In English; shown through `_()`."""


class NoTranslator:
    """`backend = "none"`: knows no language, and every translation explains how to enable one."""

    name = "none"

    def languages(self) -> set[str]:
        return set()

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        raise TranslateError(_(HOW_TO_ENABLE))
