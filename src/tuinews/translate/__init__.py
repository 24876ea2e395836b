"""Machine translation of articles: backends behind one small interface, and the cached use case.

No Textual here: the reader runs `service.translate_article` in a thread worker, the tests call it
directly. Backends: `none` (off, the default), `libretranslate` (a server), `argos` (offline).
"""

from tuinews.translate.base import TranslateError, Translator

__all__ = ["TranslateError", "Translator"]
