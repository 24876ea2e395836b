"""Use cases shared by the CLI and the TUI: which sources a session shows, loading them, reading.

Nothing here imports Textual or writes SQL: it joins the sources layer to the store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tuinews.config import CacheConfig, Config
from tuinews.i18n import _, ngettext
from tuinews.model import (
    Article,
    LangOrigin,
    LoadError,
    LoadFailure,
    Source,
    SourceKind,
    article_uid,
)
from tuinews.paths import demo_library_path
from tuinews.store import Store

BATCH = 200
"""Articles written per transaction while loading a folder."""


@dataclass(slots=True)
class LoadReport:
    """What loading some sources did: counts, and one error per bad file or source."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)
    failed_sources: int = 0
    not_modified: int = 0
    """Feeds that answered 304 Not Modified."""
    notes: list[str] = field(default_factory=list)
    """One-line remarks that are not errors: a feed that moved, a skipped feed, a recovered one."""
    moved: list[tuple[str, str]] = field(default_factory=list)
    """Feeds that moved permanently: (old URL, new URL)."""

    def merge(self, other: LoadReport) -> None:
        """Add another report's figures to this one."""
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)
        self.failed_sources += other.failed_sources
        self.not_modified += other.not_modified
        self.notes.extend(other.notes)
        self.moved.extend(other.moved)

    def summary(self) -> str:
        """ "3 new, 1 updated, 12 unchanged, 2 errors"."""
        parts = [
            ngettext("{count} new", "{count} new", self.added),
            ngettext("{count} updated", "{count} updated", self.updated),
            ngettext("{count} unchanged", "{count} unchanged", self.unchanged),
        ]
        counts = [self.added, self.updated, self.unchanged]
        if self.not_modified:
            parts.append(
                ngettext(
                    "{count} feed not modified", "{count} feeds not modified", self.not_modified
                )
            )
            counts.append(self.not_modified)
        if self.errors:
            parts.append(ngettext("{count} error", "{count} errors", len(self.errors)))
            counts.append(len(self.errors))
        return ", ".join(part.format(count=n) for part, n in zip(parts, counts, strict=True))


Progress = Callable[[int, int], None]
"""Called as `progress(done, total)` while files load."""


def demo_sources() -> list[Source]:
    """The bundled demo library: one source per folder (each folder is one site)."""
    root = demo_library_path()
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    return [
        Source(SourceKind.PATH, str(folder), folder.name.replace("-", " ").title())
        for folder in folders
    ]


def path_sources(paths: Iterable[str | Path]) -> list[Source]:
    """Ad-hoc sources for command-line arguments: http(s) URLs become feeds, the rest paths."""
    sources: list[Source] = []
    for raw in paths:
        text = str(raw).strip()
        if text.lower().startswith(("http://", "https://")):
            sources.append(Source(SourceKind.URL, text, text))
            continue
        path = Path(os.path.expanduser(text)).resolve()
        sources.append(Source(SourceKind.PATH, str(path), path.name or str(path)))
    return sources


def session_sources(config: Config, paths: Sequence[str | Path] = ()) -> list[Source]:
    """What this run shows: the given paths, else the configured sources, else the demo library.

    With `[sync]` configured there is no demo: the feed server's subscriptions (`server_sources`)
    join the configured sources.
    """
    if paths:
        return path_sources(paths)
    if config.sources or config.sync.enabled:
        return list(config.sources)
    return demo_sources()


def server_sources(store: Store, config: Config) -> list[Source]:
    """The `server` sources of the configured feed server's subscriptions (none without sync)."""
    if not config.sync.enabled:
        return []
    from tuinews.store.sync_state import SyncState, account_key

    return SyncState(store, account_key(config.sync.url, config.sync.user)).sources()


def register_sources(store: Store, sources: Iterable[Source]) -> list[Source]:
    """Make sure every source has a row in the cache (fills in ids); cheap, done at start."""
    return [store.upsert_source(source) for source in sources]


def load_path_sources(
    store: Store,
    sources: Iterable[Source],
    *,
    max_bytes: int,
    progress: Progress | None = None,
) -> LoadReport:
    """Load new and changed files of every path source into the cache.

    One broken file never stops the others: each gives a `LoadError` in the report. A missing source
    path is an error for that source; its cached articles stay.
    """
    from tuinews.sources.local import iter_article_files

    report = LoadReport()
    plans: list[tuple[Source, list[Path]]] = []
    for source in sources:
        if source.kind is not SourceKind.PATH:
            continue
        if source.id is None:
            store.upsert_source(source)
        root = Path(source.location)
        if not root.exists():
            error = LoadError(source.location, _("no such file or folder"))
            report.errors.append(error)
            report.failed_sources += 1
            store.record_fetch(_id(source), error.reason)
            continue
        try:
            files = list(iter_article_files(root))
        except OSError as exc:
            error = LoadError(source.location, (exc.strerror or str(exc)).lower())
            report.errors.append(error)
            report.failed_sources += 1
            store.record_fetch(_id(source), error.reason)
            continue
        plans.append((source, files))

    total = sum(len(files) for _, files in plans)
    done = 0
    for source, files in plans:

        def step(n: int, base: int = done) -> None:
            if progress:
                progress(base + n, total)

        part = _load_files(store, source, files, max_bytes, step)
        done += len(files)
        report.merge(part)
        failed_all = bool(files) and len(part.errors) == len(files)
        report.failed_sources += failed_all
        store.record_fetch(_id(source), part.errors[0].reason if failed_all else None)
    if progress:
        progress(total, total)
    return report


def _load_files(
    store: Store,
    source: Source,
    files: Sequence[Path],
    max_bytes: int,
    progress: Callable[[int], None],
) -> LoadReport:
    from tuinews.sources.local import load_file

    report = LoadReport()
    stamps = store.stamps(_id(source))
    batch: list[tuple[Article, str | None]] = []
    for index, path in enumerate(files, 1):
        guid = str(path.resolve())
        stamp = _stamp(path)
        if stamp is not None and stamps.get(guid) == stamp:
            report.unchanged += 1
        else:
            try:
                article = load_file(path, max_bytes=max_bytes)
            except LoadFailure as failure:
                report.errors.append(failure.error)
            else:
                apply_source_language(article, source)
                batch.append((article, stamp))
        if len(batch) >= BATCH:
            _write(store, source, batch, report)
        if index % 50 == 0:
            progress(index)
    _write(store, source, batch, report)
    return report


def _write(
    store: Store, source: Source, batch: list[tuple[Article, str | None]], report: LoadReport
) -> None:
    if batch:
        counts = store.upsert_articles(source, batch)
        report.added += counts.added
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        batch.clear()


def apply_source_language(article: Article, source: Source) -> None:
    """A source's configured `language` wins over metadata and detection."""
    if source.language:
        article.language = source.language
        article.lang_origin = LangOrigin.SOURCE


def read_path(store: Store, path: Path, *, max_bytes: int) -> Article:
    """Load one file (caching it under a source of its own) and return the stored article.

    Raises LoadFailure for a bad file, naming it.
    """
    from tuinews.sources.local import load_file

    (source,) = path_sources([path])
    article = load_file(Path(source.location), max_bytes=max_bytes)
    store.upsert_source(source)
    store.unprune(article_uid(source.key, article.guid))
    apply_source_language(article, source)
    store.upsert_articles(source, [(article, _stamp(Path(source.location)))])
    stored = store.article_by_guid(_id(source), article.guid)
    if stored is None:  # pragma: no cover - the upsert above just wrote it
        raise LoadFailure(str(path), _("could not be cached"))
    return stored


def apply_retention(store: Store, cache: CacheConfig) -> int:
    """Remove old read articles as `[cache] keep_days` / `max_per_source` say; returns how many."""
    return store.prune(cache.keep_days, cache.max_per_source)


def open_article(store: Store, article_id: int) -> Article | None:
    """Fetch an article for reading and mark it read."""
    article = store.article(article_id)
    if article is not None and not article.read:
        store.set_read([article_id], True)
        article.read = True
    return article


def hide_rules(sources: Iterable[Source]) -> tuple[tuple[int, str], ...]:
    """The `hide` regexes of registered sources as `HeadlineFilter.hide` pairs (id, regex)."""
    return tuple(
        (source.id, pattern)
        for source in sources
        if source.id is not None
        for pattern in source.hide
    )


def cached_hide_rules(store: Store, sources: Iterable[Source]) -> tuple[tuple[int, str], ...]:
    """`hide_rules` of configured sources, matched to the cached sources they belong to by key.

    For commands that read the cache without registering sources (`list`, `search`, `sources`).
    """
    configured = {source.key: source for source in sources if source.hide}
    if not configured:
        return ()
    ids = {cached.key: cached.id for cached in store.sources() if cached.key in configured}
    return tuple(
        (ids[key], pattern)
        for key, source in configured.items()
        if ids.get(key) is not None
        for pattern in source.hide
    )


def _stamp(path: Path) -> str | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_mtime_ns}:{info.st_size}"


def _id(source: Source) -> int:
    if source.id is None:
        raise ValueError(f"source {source.key} is not registered in the cache")
    return source.id
