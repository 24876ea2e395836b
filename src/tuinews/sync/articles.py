"""Server items to articles, through the same pipeline as fetched feed entries.

Each `ServerItem` becomes an `EntryDraft` and goes through `feed_entry.build_entries`: the body's
HTML to blocks (chrome and trackers dropped), clean text, language from metadata then detection,
hreflang links for grouping translations. The rows for the store are made here too
(`Store.prepare_rows`), and `write_items` stores them with the item ids in the caller's
transaction. For a big download, `store_bodies` does all of it in a worker process, through the
worker's own connection to the cache: the server's answer goes in as bytes, three counts come back,
and the writes stay out of the process that runs the sync (and, in the reader, the interface).

An item's guid is its long server id ("tag:google.com,2005:reader/item/..."): stable on the server,
and the same whichever form of the id the server used.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from tuinews.model import Article, ItemId, Source, SourceKind, article_uid
from tuinews.sources.feed_entry import EntryDraft, FeedContext, build_entries
from tuinews.store import Store, StoreError
from tuinews.store.sync_state import SyncState
from tuinews.sync.feed_language import FeedLanguages
from tuinews.sync.protocol import ServerItem, item_long_id, parse_items
from tuinews.sync.worker import StoredItems

_worker_stores: dict[Path, Store] = {}
"""A worker process's connections to the cache, one per file, open until the process ends."""
_worker_languages: dict[datetime, FeedLanguages] = {}
"""What a worker process learnt of the feeds' languages in the sync that started at that time."""


@dataclass(slots=True)
class PreparedItems:
    """The store rows of one feed's items: `rows` as `Store.prepare_rows` makes them, and for each
    downloaded item the uid of its article (an item without title, text or link makes none, and is
    remembered all the same, so that it is not downloaded again)."""

    stream_id: str
    feed_title: str
    rows: list[tuple]
    uids: list[tuple[ItemId, str]]


def server_source_key(stream_id: str) -> str:
    """The cache key of the `server` source of a stream id."""
    return Source(SourceKind.SERVER, stream_id, stream_id).key


def item_articles(
    items: list[ServerItem], fetched_at: datetime, languages: FeedLanguages | None = None
) -> list[Article]:
    """Articles for the items of one feed, in order.

    With `languages`, the feed's language is learnt from its first items and later ones get it
    without detection (see `feed_language`).
    """
    if not items:
        return []
    first = items[0]
    context = FeedContext(url=first.html_url or "", fetched_at=fetched_at)
    if languages is not None:
        context.detect = partial(languages.detect, first.stream_id)
    return build_entries([_draft(item) for item in items], context)


def _draft(item: ServerItem) -> EntryDraft:
    published = item.published if item.published is not None else item.crawled
    return EntryDraft(
        guid=item_long_id(item.item),
        title=item.title,
        title_is_html=True,
        alternates=list(item.links),
        author=item.author,
        published=datetime.fromtimestamp(published, UTC) if published is not None else None,
        body=item.body,
        body_is_html=True,
        base=item.links[0][0] if item.links else item.html_url,
        image=item.image,
    )


def prepare_items(
    items: list[ServerItem], fetched_at: datetime, languages: FeedLanguages | None = None
) -> list[PreparedItems]:
    """Group items by feed and make their store rows; pure but for what `languages` learns, so it
    may run in a worker process."""
    groups: dict[str, list[ServerItem]] = {}
    for item in items:
        groups.setdefault(item.stream_id, []).append(item)
    prepared: list[PreparedItems] = []
    for stream_id, group in groups.items():
        key = server_source_key(stream_id)
        articles = item_articles(group, fetched_at, languages)
        rows = Store.prepare_rows(key, articles)
        uids = [(item.item, article_uid(key, item_long_id(item.item))) for item in group]
        prepared.append(PreparedItems(stream_id, group[0].feed_title, rows, uids))
    return prepared


@dataclass(slots=True)
class PreparedBody:
    """One items/contents answer made ready for the store: how many items it held, their rows,
    and the ids of those the server has unread and starred (their categories say so)."""

    items: int
    prepared: list[PreparedItems]
    unread: list[ItemId]
    starred: list[ItemId]


def prepare_body(
    body: bytes, where: str, fetched_at: datetime, languages: FeedLanguages | None = None
) -> PreparedBody:
    """`prepare_items` for an undecoded items/contents answer. Runs in a worker process, so the
    reader's process only moves bytes and writes."""
    items = parse_items(body, where)
    return PreparedBody(
        len(items),
        prepare_items(items, fetched_at, languages),
        [item.item for item in items if not item.read],
        [item.item for item in items if item.starred],
    )


def warm_up(cache: Path | None = None) -> None:
    """Load what parsing needs (the language model) in a worker before the first items come, and
    with `cache`, open the worker's connection to it."""
    from tuinews.sources.language import detect_language

    detect_language("The council approved the new tram line after a long debate about its cost.")
    if cache is not None:
        with contextlib.suppress(StoreError):  # the first answer will say what is wrong
            _worker_store(cache)


def write_items(
    store: Store, account: str, prepared: list[PreparedItems], sources: dict[str, Source]
) -> tuple[int, int]:
    """Store prepared items and remember their server ids; call it inside `store.batch()`, so
    that articles and ids are written together. Returns how many articles were added and updated.

    `sources` are the registered sources by stream id; an item of a feed the subscription list did
    not name gets a source of its own.
    """
    added = updated = 0
    uids: list[tuple[ItemId, str]] = []
    for part in prepared:
        source = sources.get(part.stream_id)
        if source is None:
            title = part.feed_title or part.stream_id
            source = store.upsert_source(Source(SourceKind.SERVER, part.stream_id, title))
            sources[part.stream_id] = source
        counts = store.upsert_prepared(source, part.rows)
        added += counts.added
        updated += counts.updated
        uids.extend(part.uids)
    SyncState(store, account).remember_items(uids)
    return added, updated


def store_bodies(
    bodies: list[bytes],
    where: str,
    fetched_at: datetime,
    cache: Path,
    account: str,
    sources: dict[str, Source],
) -> list[StoredItems]:
    """Parse items/contents answers and store them all in one transaction (one transaction for
    several answers writes the pages every answer changes, such as the search index, once);
    runs in a worker process.

    The feeds' languages are learnt across the answers of one sync (`fetched_at` tells it) that
    this worker parses.
    """
    languages = _sync_languages(fetched_at)
    parsed = [prepare_body(body, where, fetched_at, languages) for body in bodies]
    store = _worker_store(cache)
    stored: list[StoredItems] = []
    with store.batch(index_at_end=True):  # one search index segment per job
        for part in parsed:
            added, updated = write_items(store, account, part.prepared, sources)
            stored.append(StoredItems(part.items, added, updated, part.unread, part.starred))
    return stored


def _worker_store(cache: Path) -> Store:
    store = _worker_stores.get(cache)
    if store is None:
        store = _worker_stores[cache] = Store(cache)
        store.expect_bulk_writes()
    return store


def _sync_languages(fetched_at: datetime) -> FeedLanguages:
    """This worker's `FeedLanguages` for the sync that started at `fetched_at` (only the latest
    sync's are kept)."""
    languages = _worker_languages.get(fetched_at)
    if languages is None:
        _worker_languages.clear()
        languages = _worker_languages[fetched_at] = FeedLanguages()
    return languages
