"""Messages that workers post to the app: results of store and file work done off the event loop."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from tuinews.library import LoadReport
from tuinews.model import Article, Headline, LanguageCount, Source, SourceCount
from tuinews.translate.service import MachineTranslation


@dataclass
class SourcesReady(Message):
    """The session's sources are registered in the cache (they have ids now)."""

    sources: list[Source]
    language: str
    ui_language: str | None = None
    """The interface language saved in the cache, if any."""


@dataclass
class ViewLoaded(Message):
    """Headline rows for the current view: the first screenful, then the rest with `append`."""

    generation: int
    rows: list[Headline]
    append: bool
    first_match: bool = False


@dataclass
class CountsLoaded(Message):
    """Counts for the sources pane and the language switcher."""

    sources: list[SourceCount]
    languages: list[LanguageCount]
    total: int
    unread: int


@dataclass
class ArticleOpened(Message):
    """An article was read from the cache (and marked read)."""

    article: Article


@dataclass
class FilesLoaded(Message):
    """Local files were loaded into the cache."""

    report: LoadReport
    changed: bool = field(default=False)


@dataclass
class LoadProgress(Message):
    """Progress while files load (`kind` "files") or feeds refresh (`kind` "feeds")."""

    kind: str
    done: int
    total: int


@dataclass
class LoadFailed(Message):
    """A background load (`r`) stopped before its report: one line; `cache` for a cache error."""

    error: str
    cache: bool = False


@dataclass
class StoreFailed(Message):
    """The cache could not be used; the message is one line."""

    error: str


@dataclass
class MachineTranslationProgress(Message):
    """Paragraphs of the article `article_id` machine-translated so far (`T`)."""

    article_id: int
    done: int
    total: int


@dataclass
class MachineTranslationReady(Message):
    """A machine translation of the article `article_id`, from the cache or just made."""

    article_id: int
    result: MachineTranslation


@dataclass
class MachineTranslationFailed(Message):
    """Machine translation of the article `article_id` failed; the error is one line."""

    article_id: int
    error: str
