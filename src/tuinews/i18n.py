"""The interface language: gettext catalogs for English, Ukrainian, German, French and Spanish.

`_()` and `ngettext()` read the current catalog when called, so a string built after
`set_ui_language()` comes out in the new language; `N_()` marks a msgid for extraction and leaves it
untranslated (binding descriptions are translated when shown). No Textual here.

Catalogs: a wheel carries compiled `locale/<lang>/LC_MESSAGES/tuinews.mo` files (the hatch build hook
compiles them); a source tree or editable install has only the `.po` files, which are compiled in memory
at first use (a few milliseconds) by `tuinews.i18n_build`.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

DOMAIN = "tuinews"
SUPPORTED = ("en", "uk", "de", "fr", "es")
"""Interface languages, English first (the msgids)."""
NATIVE_NAMES = {
    "en": "English",
    "uk": "Українська",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
}
"""Each interface language named in itself, for the switcher."""
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translations: dict[str, gettext.NullTranslations] = {}
_current = "en"
_catalog: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """`message` in the current interface language."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for `n` in the current interface language."""
    return _catalog.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now."""
    return message


def ui_language() -> str:
    """The interface language in use ("en", "uk", ...)."""
    return _current


def set_ui_language(code: str | None) -> str:
    """Switch the interface language; "auto" follows the locale. Returns the code now in use.

    Unknown or unsupported codes give English.
    """
    global _current, _catalog
    wanted = resolve(code)
    _catalog = translation(wanted)
    _current = wanted
    return wanted


def resolve(code: str | None) -> str:
    """The supported language for a setting ("auto", "uk", "de_AT", "pt") — English when none fits."""
    text = (code or "auto").strip()
    if text.lower() == "auto":
        for candidate in locale_languages():
            found = _supported(candidate)
            if found:
                return found
        return "en"
    return _supported(text) or "en"


def locale_languages() -> list[str]:
    """The languages the environment asks for, in gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG.

    LANGUAGE (a colon-separated list) counts only when the locale is not "C", as in GNU gettext.
    """
    first = next(
        (os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)),
        "",
    )
    if not first or first.split(".")[0] in ("C", "POSIX"):
        return []
    found = [part for part in os.environ.get("LANGUAGE", "").split(":") if part]
    found.append(first)
    return found


def _supported(code: str) -> str | None:
    base = code.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in SUPPORTED else None


def translation(code: str) -> gettext.NullTranslations:
    """The (cached) catalog for a supported code; English is the identity."""
    cached = _translations.get(code)
    if cached is not None:
        return cached
    if code == "en" or code not in SUPPORTED:
        found: gettext.NullTranslations = gettext.NullTranslations()
    else:
        found = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code], fallback=True)
        if type(found) is gettext.NullTranslations:
            found = _from_po(code)
    _translations[code] = found
    return found


def _from_po(code: str) -> gettext.NullTranslations:
    """Compile `<code>/LC_MESSAGES/tuinews.po` in memory (source trees and editable installs)."""
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    from tuinews.i18n_build import compile_po

    return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
