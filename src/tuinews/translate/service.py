"""The use case behind `T`: translate an article into a language, once, and keep it in the cache.

A cached translation made from the article's current content comes back at once and without network,
so a translated article reads again offline. A changed article (another content hash) is translated
anew. Only text blocks are translated; code, images and rules stay as they are, and links are dropped
(their character ranges mean nothing in another language).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from tuinews.config import Config
from tuinews.i18n import _
from tuinews.model import Article, Block, BlockKind
from tuinews.store import Store
from tuinews.translate.base import TranslateError, Translator, base_language, batches

TEXT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.ITEM, BlockKind.QUOTE})
"""The blocks whose text is translated."""

Progress = Callable[[int, int], None]
"""Called with (texts translated so far, texts in all) after each batch."""


@dataclass(frozen=True, slots=True)
class MachineTranslation:
    """A machine-translated article and where it came from."""

    article: Article
    """The translated copy: title and text blocks replaced, `language` set to the target."""
    source: str
    """The original article's language code."""
    target: str
    backend: str
    """The backend that made it ("libretranslate", "argos")."""
    cached: bool
    """True when it came from the cache, without translating."""


def make_translator(config: Config) -> Translator:
    """The backend `[translate] backend` names."""
    settings = config.translate
    if settings.backend == "libretranslate":
        from tuinews.translate.libretranslate import LibreTranslate

        return LibreTranslate(settings.url, settings.api_key, timeout=config.network.timeout)
    if settings.backend == "argos":
        from tuinews.translate.argos import ArgosTranslator

        return ArgosTranslator()
    from tuinews.translate.none import NoTranslator

    return NoTranslator()


def target_language(config: Config, interface_language: str) -> str:
    """The language `T` translates into: the first of `[reader] languages`, else the interface's."""
    preferred = tuple(getattr(config.reader, "languages", ()) or ())
    return preferred[0] if preferred else interface_language


def same_language(first: str, second: str) -> bool:
    """True when two codes name the same language ("en-GB" and "en")."""
    return base_language(first) == base_language(second) != "auto"


def translate(
    store: Store,
    article: Article,
    target: str,
    config: Config,
    progress: Progress | None = None,
    translator: Translator | None = None,
) -> MachineTranslation:
    """`article` in `target`: from the cache when it still matches the article, else translated now.

    Raises TranslateError (backend off, server down, language pair not supported, ...).
    """
    if article.id is None:
        raise TranslateError(_("only an article in the cache can be translated"))
    cached = store.machine_translation_entry(article.id, target)
    if cached is not None:
        translated, backend = cached
        return MachineTranslation(translated, article.language, target, backend, cached=True)
    current = store.article(article.id)
    content_hash = store.article_content_hash(article.id)
    if current is None or content_hash is None:
        raise TranslateError(_("the article is no longer in the cache"))
    if same_language(current.language, target):
        raise TranslateError(_("the article is already in {language}").format(language=target))

    own = translator is None
    backend = translator if translator is not None else make_translator(config)
    try:
        title, blocks = _translate_content(current, target, backend, progress)
    finally:
        close = getattr(backend, "close", None)
        if own and callable(close):
            close()
    store.save_machine_translation(article.id, target, backend.name, content_hash, title, blocks)
    result = dataclasses.replace(
        current, title=title, blocks=blocks, language=target, translations=[]
    )
    return MachineTranslation(result, current.language, target, backend.name, cached=False)


def translate_article(
    store: Store,
    article: Article,
    target: str,
    config: Config,
    progress: Progress | None = None,
) -> Article:
    """`article` translated into `target` (from the cache when it can be); raises TranslateError."""
    return translate(store, article, target, config, progress).article


def _translate_content(
    article: Article, target: str, translator: Translator, progress: Progress | None
) -> tuple[str, list[Block]]:
    # The title goes first, then every text block with text; the rest is kept as it is.
    slots = [
        index
        for index, block in enumerate(article.blocks)
        if block.kind in TEXT_KINDS and block.text.strip()
    ]
    texts = [article.title] + [article.blocks[index].text for index in slots]
    source = base_language(article.language)
    wanted = base_language(target)
    done = 0
    out: list[str] = []
    if progress is not None:
        progress(0, len(texts))
    for batch in batches(texts):
        translated = translator.translate(batch, source, wanted)
        if len(translated) != len(batch):
            raise TranslateError(
                _("{backend}: the answer has the wrong number of texts").format(
                    backend=translator.name
                )
            )
        out.extend(translated)
        done += len(batch)
        if progress is not None:
            progress(done, len(texts))
    blocks = list(article.blocks)
    for index, text in zip(slots, out[1:], strict=True):
        blocks[index] = dataclasses.replace(blocks[index], text=text, links=())
    return out[0] or article.title, blocks
