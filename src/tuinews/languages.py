"""Names of languages for display: "Deutsch", "українська", with a fallback for unknown codes."""

from __future__ import annotations

from functools import lru_cache

from tuinews.i18n import _
from tuinews.model import UNKNOWN_LANGUAGE


def native_name(code: str) -> str:
    """The language's name in itself ("Deutsch" for "de"), capitalised; "Unknown" for "und"."""
    if not code or code == UNKNOWN_LANGUAGE:
        return _("Unknown")
    return _autonym(code)


@lru_cache(maxsize=512)
def _autonym(code: str) -> str:
    import langcodes  # costs ~50 ms; only when a name is first shown

    try:
        language = langcodes.Language.get(code)
        name = language.autonym()
        # Some locales lack data for their own name ("Chinese（Taiwan）" for zh-TW): describe
        # the tag in its bare language instead when that gives a name in the script.
        if language.language:
            bare = langcodes.Language.get(language.language)
            english = bare.display_name("en")
            if bare.autonym() != english and name.startswith(english):
                name = language.display_name(language.language)
    except (ValueError, LookupError):
        return code
    if not name or name.lower().startswith("unknown"):
        return code
    return name[:1].upper() + name[1:]


def language_label(code: str) -> str:
    """ "Deutsch (de)", the way the switcher and the article pane show a language."""
    if not code or code == UNKNOWN_LANGUAGE:
        return _("Unknown") + " (und)"
    return f"{native_name(code)} ({code})"
