"""The SQLite cache: the only module that writes SQL.

A `Store` wraps one connection, which belongs to the thread that opened it: the TUI opens one per worker
thread. WAL mode and a busy timeout let a reader and a writer (the TUI and a cron `tuinews fetch`) share
the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from tuinews.headline_rows import HeadlineRows
from tuinews.i18n import _
from tuinews.model import (
    Alternate,
    Article,
    Block,
    LangOrigin,
    LanguageCount,
    Source,
    SourceCount,
    SourceKind,
    Translation,
    article_uid,
    blocks_to_json,
)
from tuinews.search_query import SearchQuery
from tuinews.store import bulk
from tuinews.store.faults import (
    CacheFault,
    FaultAwareConnection,
    StoreError,
    describe_fault,
    move_aside,
)
from tuinews.store.schema import MIGRATIONS, SCHEMA_VERSION
from tuinews.store.sync_state import queue_flag_changes

BUSY_TIMEOUT = 10.0
"""Seconds SQLite waits for another process's write lock before giving up."""
BUSY_RETRIES = 3
"""After a busy timeout, a write waits a little and tries again this many times."""
WAL_SIZE_LIMIT = 8 * 1024 * 1024
"""Bytes the write-ahead log is truncated to after a checkpoint."""
BULK_CACHE_KIB = 32 * 1024
"""Page cache of a connection that stores many articles (`Store.expect_bulk_writes`)."""
PAGE_SIZE = 8192
"""Bytes per page of a new cache (SQLite's default is 4096): an article and its index entries
take fewer pages, so storing one writes less (about 7% less work); older caches keep theirs."""
FTS_TABLES = ("articles_fts", "articles_trigram")
_FTS_REMOVED_KEY = "store.removed_since_index_optimize"
PRUNED_MEMORY_DAYS = 60
"""Days a removed article stays remembered after its feed last listed it (at least `keep_days`)."""


class _NewerSchema(Exception):
    """The cache was written by a newer tuinews."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def _pause(attempt: int) -> None:
    """The wait before retrying a write the busy timeout gave up on (tests replace it)."""
    time.sleep(0.05 * 2**attempt)


@dataclass(frozen=True, slots=True)
class HeadlineFilter:
    """Which headlines a view shows. Empty `source_ids` means every source."""

    source_ids: tuple[int, ...] = ()
    language: str | None = None
    unread: bool = False
    starred: bool = False
    text: str = ""
    """A case-insensitive substring of the title or body."""
    languages: tuple[str, ...] = ()
    """Any of these languages ("My languages"); regional variants match their language."""
    prefer: tuple[str, ...] = ()
    """Show each story once, in the first of these languages it has (else its newest version)."""
    hide: tuple[tuple[int, str], ...] = ()
    """(source id, regular expression) pairs: titles of that source matching one stay out."""
    query: SearchQuery | None = None
    """A parsed search (`tuinews.search_query`): full-text terms and filters."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """The conditional-GET validators of a feed and when its server wants us back."""

    etag: str | None = None
    last_modified: str | None = None
    retry_until: float | None = None


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What one `upsert_articles` call did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


_HEADLINE_COLUMNS = "id, title, source_id, language, sort_date, read, starred, story_id IS NOT NULL"
_DISPLAY_NAME = (
    "CASE WHEN name = location AND coalesce(feed_title, '') != '' THEN feed_title ELSE name END"
)
_ARTICLE_COLUMNS = (
    "a.id, a.uid, a.source_id,"
    " (SELECT "
    + _DISPLAY_NAME
    + " FROM sources WHERE id = a.source_id), a.guid, a.link, a.title, a.author, a.published, a.language,"
    " a.lang_origin, a.blocks, a.read, a.starred, a.fetched_at"
)


class Store:
    """An open cache file. Use as a context manager, or call `close()`."""

    _hidden_memo: tuple[tuple[tuple[int, str], ...], list[tuple[int, str, int, int]]] | None = None
    """The last `_hidden_counts` pass: its rules and rows, until the next write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        """Set when a damaged cache was moved aside to this path and a fresh one created."""
        self.recovered_schema: int | None = None
        """Set (with `recovered_from`) when the cache was moved aside for a newer tuinews's schema."""
        self._damaged = False
        self._failed: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(
                _("{folder}: cannot create the cache folder: {reason}").format(
                    folder=path.parent, reason=_reason(exc)
                )
            ) from None
        try:
            self._conn = self._open_retrying()
            return
        except _NewerSchema as newer:
            # Kept for that newer tuinews (never deleted); this one starts afresh.
            label, schema = "newer-schema", newer.version
        except sqlite3.DatabaseError as exc:
            fault = describe_fault(path, exc)
            if fault is None or fault.kind != "damaged":
                self._close_failed()
                message = _("{path}: cannot open the cache: {error}").format(path=path, error=exc)
                raise (fault or StoreError(message)) from None
            label, schema = "damaged", None
        except BaseException:
            self._close_failed()
            raise
        # Moved aside before the failed connection is closed: closing deletes a -wal by its name.
        try:
            self.recovered_from = self._move_aside(label)
        finally:
            self._close_failed()
        self.recovered_schema = schema
        self._conn = self._open_fresh()

    def _close_failed(self) -> None:
        conn, self._failed = self._failed, None
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.close()

    def _open_retrying(self) -> sqlite3.Connection:
        """`_open`, tried again when another process held the cache locked too long."""
        for attempt in range(BUSY_RETRIES + 1):
            try:
                return self._open()
            except sqlite3.OperationalError as exc:
                fault = describe_fault(self.path, exc)
                if fault is None or fault.kind != "busy" or attempt == BUSY_RETRIES:
                    raise
                self._close_failed()
                _pause(attempt)
        raise AssertionError("unreachable")

    def _open_fresh(self) -> sqlite3.Connection:
        try:
            return self._open_retrying()
        except (sqlite3.Error, _NewerSchema) as again:
            self._close_failed()
            fault = describe_fault(self.path, again) if isinstance(again, sqlite3.Error) else None
            message = _("{path}: cannot create a fresh cache: {error}")
            raise (fault or StoreError(message.format(path=self.path, error=again))) from None

    def _open(self) -> sqlite3.Connection:
        existed = self.path.exists()
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, factory=FaultAwareConnection
        )
        if not existed:
            os.chmod(self.path, 0o600)
        try:
            if not existed:  # only an empty file takes a page size without a VACUUM
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # The WAL grows while readers hold old snapshots; cut it back once it is checkpointed.
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")  # `bulk.insert_rows` stages rows there
            conn.create_function("tuinews_casefold", 1, _casefold, deterministic=True)
            conn.create_function("glob", 2, bulk.glob, deterministic=True)  # the GLOB operator
            self._migrate(conn)
        except BaseException:
            self._failed = conn  # closed by the caller, once the files are safe
            raise
        # From now on a full disk, a read-only file or damage raise `CacheFault`s naming the file.
        conn.path = self.path
        conn.on_damage = self._mark_damaged
        return conn

    def expect_bulk_writes(self) -> None:
        """This connection will store many articles (a refresh's worker): give it a bigger page
        cache, so that the indexes' pages that random ids and links touch stay in memory."""
        self._conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    def _mark_damaged(self) -> None:
        self._damaged = True

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _NewerSchema(version)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    conn.execute("COMMIT")
                    continue
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _move_aside(self, label: str = "damaged") -> Path:
        try:
            return move_aside(self.path, label)
        except OSError as exc:
            raise StoreError(
                _("{path}: cannot be used, and cannot be moved aside: {reason}").format(
                    path=self.path, reason=_reason(exc)
                )
            ) from None

    def close(self) -> None:
        """Close the connection; a cache found damaged meanwhile is moved aside (never deleted)."""
        if self._damaged and self.recovered_from is None and self.path.exists():
            with suppress(StoreError):
                self.recovered_from = self._move_aside()
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def batch(self, *, index_at_end: bool = False) -> Iterator[None]:
        """Make the writes inside one transaction: all of them are committed, or none.

        `index_at_end`: articles added inside enter the search indexes together at the end, in one
        index segment rather than one per `upsert_*` call (FTS5 writes one per statement, and
        merging them costs); until then, searches inside the batch do not find them.
        """
        with self._transaction():
            outer, self._batching = self._batching, True
            deferring = index_at_end and self._unindexed is None
            if deferring:
                self._unindexed = []
            try:
                yield
                if deferring:
                    self._index_unindexed()
            finally:
                if deferring:
                    self._unindexed = None
                self._batching = outer

    _batching = False
    _unindexed: list[tuple[int, str]] | None = None
    """Inside `batch(index_at_end=True)`: (id, search_text) of articles added and not yet indexed."""

    def _index_unindexed(self) -> None:
        """Put the articles waiting for the search indexes into them (before anything can update
        or delete them: those triggers take an article's old text out of the indexes)."""
        if self._unindexed:
            bulk.index_new(self._conn, self._unindexed)
            self._unindexed.clear()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._batching:  # inside `batch()`, whose transaction this write is part of
            yield self._conn
            return
        self._hidden_memo = None
        self._begin()
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (a full disk): then there is nothing to undo.
            if self._conn.in_transaction:
                with suppress(sqlite3.Error, StoreError):
                    self._conn.execute("ROLLBACK")
            raise

    def _begin(self) -> None:
        """BEGIN IMMEDIATE: wait for the write lock (busy timeout), then a few times more."""
        for attempt in range(BUSY_RETRIES + 1):
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except CacheFault as fault:
                if fault.kind != "busy" or attempt == BUSY_RETRIES:
                    raise
                _pause(attempt)

    # Sources

    def upsert_source(self, source: Source) -> Source:
        """Insert or update a source by its key; fills in and returns `source.id`.

        An unchanged source costs one read and no write, so registering sources at start is cheap.
        """
        tags = json.dumps(list(source.tags))
        row = self._conn.execute(
            "SELECT id, last_fetch, last_error, name, language, tags FROM sources WHERE key = ?",
            (source.key,),
        ).fetchone()
        if row is not None and tuple(row[3:]) == (source.name, source.language, tags):
            source.id, source.last_fetch, source.last_error = row[0], _to_datetime(row[1]), row[2]
            return source
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sources (key, kind, location, name, language, tags)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET name = excluded.name,"
                " language = excluded.language, tags = excluded.tags",
                (
                    source.key,
                    source.kind.value,
                    source.location,
                    source.name,
                    source.language,
                    tags,
                ),
            )
            row = conn.execute(
                "SELECT id, last_fetch, last_error FROM sources WHERE key = ?", (source.key,)
            ).fetchone()
        source.id = row[0]
        source.last_fetch = _to_datetime(row[1])
        source.last_error = row[2]
        return source

    def sources(self, ids: Sequence[int] | None = None) -> list[Source]:
        """Sources by id (all when `ids` is None), ordered by the name they are shown with."""
        # A feed configured without a name shows the title the feed gives itself (and sorts by it).
        sql = (
            f"SELECT id, kind, location, {_DISPLAY_NAME}, language, tags, last_fetch, last_error"
            " FROM sources"
        )
        rows = self._select_in(sql, "id", ids, " ORDER BY 4 COLLATE NOCASE, id")
        return [
            Source(
                kind=SourceKind(kind),
                location=location,
                name=name,
                language=language,
                tags=tuple(json.loads(tags)),
                id=source_id,
                last_fetch=_to_datetime(last_fetch),
                last_error=last_error,
            )
            for source_id, kind, location, name, language, tags, last_fetch, last_error in rows
        ]

    def record_fetch(self, source_id: int, error: str | None) -> None:
        """Remember when a source was last loaded and its last error (None clears it)."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_fetch = ?, last_error = ? WHERE id = ?",
                (time.time(), error, source_id),
            )

    def feed_state(self, source_id: int) -> FeedState:
        """What the last fetch of a feed left: validators for a conditional GET, and Retry-After."""
        row = self._conn.execute(
            "SELECT etag, last_modified, retry_until FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return FeedState(*row) if row else FeedState()

    def record_feed_success(
        self,
        source_id: int,
        *,
        etag: str | None,
        last_modified: str | None,
        feed_title: str | None = None,
    ) -> None:
        """A feed answered (200 or 304): keep its validators and clear its error."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_fetch = ?, last_error = NULL, retry_until = NULL,"
                " etag = ?, last_modified = ?, feed_title = coalesce(?, feed_title) WHERE id = ?",
                (time.time(), etag, last_modified, feed_title, source_id),
            )

    def record_feed_error(
        self, source_id: int, error: str, *, retry_until: float | None = None
    ) -> None:
        """A feed failed: remember why (and when to try again); its validators and articles stay."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sources SET last_error = ?, retry_until = ? WHERE id = ?",
                (error, retry_until, source_id),
            )

    def move_source(self, source: Source, new_location: str) -> bool:
        """A feed moved for good (301/308): point the source at its new URL, keeping its articles.

        Returns False (and changes nothing) when another source already has that location.
        """
        moved = Source(source.kind, new_location, source.name)
        with self._transaction() as conn:
            taken = conn.execute("SELECT 1 FROM sources WHERE key = ?", (moved.key,)).fetchone()
            if taken:
                return False
            conn.execute(
                "UPDATE sources SET key = ?, location = ? WHERE id = ?",
                (moved.key, new_location, source.id),
            )
        source.location = new_location
        return True

    # Articles

    def stamps(self, source_id: int) -> dict[str, str]:
        """`guid -> stamp` for a source's articles that carry one (local files: mtime and size)."""
        rows = self._conn.execute(
            "SELECT guid, stamp FROM articles WHERE source_id = ? AND stamp IS NOT NULL",
            (source_id,),
        )
        return dict(rows)

    def upsert_articles(
        self, source: Source, items: Iterable[tuple[Article, str | None]]
    ) -> UpsertCounts:
        """Store articles of one source in one transaction, each with an optional stamp.

        A new article is added; a changed one (other content hash) is updated in place and keeps its
        read and starred flags; an unchanged one is left alone.
        """
        if source.id is None:
            raise ValueError("upsert_articles needs a stored source")
        batch = list(items)
        articles = [article for article, _ in batch]
        rows = self.prepare_rows(source.key, articles)
        counts, ids = self._write_rows(source.id, rows, [stamp for _, stamp in batch])
        for article, row, (article_id, written) in zip(articles, rows, ids, strict=True):
            article.id, article.uid = article_id or None, row[0]
            if written:
                article.source_id = source.id
        return counts

    @staticmethod
    def prepare_rows(source_key: str, articles: Iterable[Article]) -> list[tuple]:
        """What `upsert_prepared` stores for each article: pure computation, no database.

        The refresh runs this in its parser processes and sends back these compact tuples.
        """
        rows = []
        for article in articles:
            blocks_json = blocks_to_json(article.blocks)
            alternates = article.alternates
            rows.append(
                (
                    article_uid(source_key, article.guid),
                    article.guid,
                    article.link,
                    article.title,
                    article.author,
                    article.published.timestamp() if article.published else None,
                    article.language,
                    article.lang_origin._value_,  # `.value`, without the enum property's cost
                    blocks_json,
                    _search_text(article),
                    article.content_hash(blocks_json),
                    tuple([(alt.language, alt.url) for alt in alternates]) if alternates else (),
                )
            )
        return rows

    def upsert_prepared(self, source: Source, rows: Sequence[tuple]) -> UpsertCounts:
        """`upsert_articles` for rows made by `prepare_rows` (with the same source key), no stamps."""
        if source.id is None:
            raise ValueError("upsert_prepared needs a stored source")
        return self._write_rows(source.id, rows, [None] * len(rows))[0]

    def _write_rows(
        self, source_id: int, rows: Sequence[tuple], stamps: Sequence[str | None]
    ) -> tuple[UpsertCounts, list[tuple[int, bool]]]:
        """Store prepared rows in one transaction; also each row's (article id, written)."""
        added = updated = unchanged = 0
        stored: dict[int, tuple[str | None, bool]] = {}  # written: link, has alternates
        updated_ids: list[int] = []
        ids: list[tuple[int, bool]] = []
        now = time.time()
        uids = [row[0] for row in rows]
        # Statements in the order they must run; consecutive runs of one statement are batched.
        # With distinct uids (the rule) rows do not depend on each other, so statements are
        # grouped by kind; a uid repeated in one call keeps the row-by-row order.
        distinct = len(set(uids)) == len(uids)
        updates: list[tuple[str, tuple]] = []
        inserts: list[tuple[str, tuple]] = []
        links: list[tuple[str, tuple]] = []
        ordered: list[tuple[str, tuple]] = []
        with self._transaction() as conn:
            # A join of the uids (one JSON parameter) with the uid index costs less than `IN`.
            listed = json.dumps(uids)
            existing: dict[str, tuple[int, str, str | None]] = {
                uid: (article_id, old_hash, old_stamp)
                for uid, article_id, old_hash, old_stamp in conn.execute(
                    "SELECT a.uid, a.id, a.content_hash, a.stamp FROM json_each(?) AS j"
                    " CROSS JOIN articles AS a ON a.uid = j.value",
                    (listed,),
                )
            }
            pruned: set[str] = {
                uid
                for (uid,) in conn.execute(
                    "SELECT p.uid FROM json_each(?) AS j CROSS JOIN pruned AS p ON p.uid = j.value",
                    (listed,),
                )
            }
            if pruned:
                # The feed still lists them: keep their removal remembered while it does.
                seen_at = time.time()
                conn.executemany(
                    "UPDATE pruned SET at = ? WHERE uid = ?", [(seen_at, uid) for uid in pruned]
                )
            # Row ids as SQLite gives them (one above the largest), so that statements can wait.
            next_id = (conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0) + 1
            for row, stamp in zip(rows, stamps, strict=True):
                uid, guid, link, title, author, published = row[:6]
                language, origin, blocks_json, search_text, content_hash, alternates = row[6:]
                old = existing.get(uid)
                if old is None and uid in pruned:
                    ids.append((0, False))  # removed by retention: not brought back
                    unchanged += 1
                    continue
                if old is not None and old[1] == content_hash:
                    if old[2] != stamp:
                        step = (self._SET_STAMP, (stamp, old[0]))
                        (updates if distinct else ordered).append(step)
                        existing[uid] = (old[0], old[1], stamp)
                    ids.append((old[0], False))
                    unchanged += 1
                    continue
                values = (
                    link,
                    title,
                    author,
                    published,
                    published if published is not None else now,
                    language,
                    origin,
                    blocks_json,
                    search_text,
                    content_hash,
                    now,
                    stamp,
                )
                if old is None:
                    if next_id >= self._MAX_ROWID:
                        raise StoreError(_("{path}: no row ids left").format(path=self.path))
                    article_id = next_id
                    next_id += 1
                    step = (self._INSERT_ARTICLE, (article_id, *values, uid, source_id, guid))
                    (inserts if distinct else ordered).append(step)
                    added += 1
                else:
                    article_id = old[0]
                    steps = [
                        (self._UPDATE_ARTICLE, (*values, article_id)),
                        (self._DELETE_ALTERNATES, (article_id,)),
                    ]
                    (updates if distinct else ordered).extend(steps)
                    updated += 1
                    updated_ids.append(article_id)
                existing[uid] = (article_id, content_hash, stamp)
                if alternates:
                    steps = [(self._INSERT_ALTERNATE, (article_id, *alt)) for alt in alternates]
                    (links if distinct else ordered).extend(steps)
                ids.append((article_id, True))
                stored[article_id] = (link, bool(alternates))
            if distinct:
                updates.sort(key=lambda step: step[0] is self._DELETE_ALTERNATES)
                ordered = updates + inserts + links
            start = 0
            while start < len(ordered):
                sql = ordered[start][0]
                end = start + 1
                while end < len(ordered) and ordered[end][0] is sql:
                    end += 1
                batch = [params for _, params in ordered[start:end]]
                if sql is self._INSERT_ARTICLE:
                    bulk.insert_rows(conn, sql, batch)
                    # One statement per search index, one index segment (schema 11).
                    fresh = [(params[0], params[9]) for params in batch]
                    if self._unindexed is None:
                        bulk.index_new(conn, fresh)
                    else:
                        self._unindexed.extend(fresh)
                else:
                    if sql is self._UPDATE_ARTICLE:
                        self._index_unindexed()
                    conn.executemany(sql, batch)
                start = end
            if updated_ids:
                self._index_unindexed()
            _keep_full_texts_searchable(conn, updated_ids)
            _group_stories(conn, stored)
        return UpsertCounts(added, updated, unchanged), ids

    _SET_STAMP = "UPDATE articles SET stamp = ? WHERE id = ?"
    _INSERT_ARTICLE = (
        "INSERT INTO articles (id, link, title, author, published, sort_date, language,"
        " lang_origin, blocks, search_text, content_hash, fetched_at, stamp,"
        " uid, source_id, guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    _UPDATE_ARTICLE = (
        "UPDATE articles SET link = ?, title = ?, author = ?, published = ?,"
        " sort_date = ?, language = ?, lang_origin = ?, blocks = ?, search_text = ?,"
        " content_hash = ?, fetched_at = ?, stamp = ? WHERE id = ?"
    )
    _DELETE_ALTERNATES = "DELETE FROM alternates WHERE article_id = ?"
    _INSERT_ALTERNATE = (
        "INSERT OR IGNORE INTO alternates (article_id, language, url) VALUES (?, ?, ?)"
    )
    _MAX_ROWID = 2**63 - 1

    def headlines(
        self, view: HeadlineFilter, *, limit: int | None = None, offset: int = 0
    ) -> HeadlineRows:
        """Headline rows of a view, newest first, in compact columns."""
        self._register_hidden(view)
        where, params = _where(view)
        sql = f"SELECT {_HEADLINE_COLUMNS} FROM articles{where} ORDER BY sort_date DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        rows = HeadlineRows()
        append = rows.append_values
        for row in self._conn.execute(sql, params):
            article_id, title, source_id, language, date, read, starred, versions = row
            append(
                article_id,
                title,
                source_id,
                language,
                date,
                bool(read),
                bool(starred),
                bool(versions),
            )
        return rows

    def count(self, view: HeadlineFilter) -> int:
        """How many articles a view has."""
        self._register_hidden(view)
        where, params = _where(view)
        return self._conn.execute(f"SELECT count(*) FROM articles{where}", params).fetchone()[0]

    def _register_hidden(self, view: HeadlineFilter) -> None:
        """Give this connection `tuinews_hidden(source_id, title)` for the view's `hide` rules."""
        self._register_hide_rules(view.hide)

    def _register_hide_rules(self, hide: Sequence[tuple[int, str]]) -> None:
        if not hide:
            return
        rules: dict[int, list[re.Pattern[str]]] = {}
        for source_id, pattern in hide:
            rules.setdefault(source_id, []).append(re.compile(pattern))

        searches = {
            source_id: [rule.search for rule in found] for source_id, found in rules.items()
        }

        def hidden(source_id: int, title: str | None) -> int:
            text = title or ""
            for search in searches.get(source_id, ()):
                if search(text):
                    return 1
            return 0

        self._conn.create_function("tuinews_hidden", 2, hidden, deterministic=True)

    def article(self, article_id: int) -> Article | None:
        """One whole article by its row id."""
        return self._article_where("a.id = ?", article_id)

    def article_by_uid(self, uid: str) -> Article | None:
        """One whole article by its public id (as `tuinews list` prints it)."""
        return self._article_where("a.uid = ?", uid)

    def article_by_guid(self, source_id: int, guid: str) -> Article | None:
        """One whole article by its source and guid (a local file's path)."""
        return self._article_where("a.source_id = ? AND a.guid = ?", source_id, guid)

    def _article_where(self, condition: str, *params: object) -> Article | None:
        row = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE {condition}",
            params,
        ).fetchone()
        if row is None:
            return None
        (article_id, uid, source_id, source_name, guid, link, title, author, published) = row[:9]
        language, lang_origin, blocks, read, starred, fetched_at = row[9:]
        alternates = [
            Alternate(lang, url)
            for lang, url in self._conn.execute(
                "SELECT language, url FROM alternates WHERE article_id = ? ORDER BY language",
                (article_id,),
            )
        ]
        translations = self.translations(article_id, language)
        full = self._full_text_row(article_id)
        return Article(
            full_text=full is not None,
            extractor=full[1] if full else "",
            full_text_stale=full[2] if full else False,
            guid=guid,
            title=title,
            blocks=full[0] if full else [Block.from_json(b) for b in json.loads(blocks)],
            link=link,
            author=author,
            published=_to_datetime(published),
            language=language,
            lang_origin=LangOrigin(lang_origin),
            alternates=alternates,
            translations=translations,
            id=article_id,
            uid=uid,
            source_id=source_id,
            source_name=source_name,
            read=bool(read),
            starred=bool(starred),
            fetched_at=_to_datetime(fetched_at),
        )

    def translations(self, article_id: int, language: str) -> list[Translation]:
        """The other language versions of an article's story, one per language."""
        rows = self._conn.execute(
            "SELECT b.language, b.id, b.uid, b.title FROM articles a"
            " JOIN articles b ON b.story_id = a.story_id AND b.id != a.id"
            " WHERE a.id = ? AND a.story_id IS NOT NULL AND b.language != ?"
            " ORDER BY b.language, b.sort_date DESC",
            (article_id, language),
        )
        seen: dict[str, Translation] = {}
        for lang, other_id, uid, title in rows:
            seen.setdefault(lang, Translation(lang, other_id, uid, title))
        return list(seen.values())

    def set_read(self, article_ids: Sequence[int], read: bool = True) -> int:
        """Mark articles read or unread; returns how many changed."""
        return self._set_flag("read", article_ids, read)

    def set_starred(self, article_ids: Sequence[int], starred: bool = True) -> int:
        """Star or unstar articles; returns how many changed."""
        return self._set_flag("starred", article_ids, starred)

    def _set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        changed = 0
        with self._transaction() as conn:
            for chunk in _chunks(article_ids):
                # Changes to a feed server's articles wait in its queue for the next sync.
                queue_flag_changes(conn, column, value, chunk)
                marks = ",".join("?" * len(chunk))
                cursor = conn.execute(
                    f"UPDATE articles SET {column} = ? WHERE {column} != ? AND id IN ({marks})",
                    (int(value), int(value), *chunk),
                )
                changed += cursor.rowcount
        return changed

    # Counts for the panes

    def source_counts(
        self, source_ids: Sequence[int] | None = None, hide: Sequence[tuple[int, str]] = ()
    ) -> list[SourceCount]:
        """Each source (of `source_ids`, or all) with its article and unread counts.

        `hide` rules (as `HeadlineFilter.hide`) leave out what they keep out of the headlines.
        """
        counts = {
            source_id: [total, unread]
            for source_id, total, unread in self._select_in(
                "SELECT source_id, count(*), count(*) - sum(read) FROM articles",
                "source_id",
                source_ids,
                " GROUP BY source_id",
            )
        }
        for source_id, _language, total, unread in self._hidden_counts(source_ids, hide):
            counts[source_id][0] -= total
            counts[source_id][1] -= unread
        return [
            SourceCount(source, *counts.get(source.id or 0, (0, 0)))
            for source in self.sources(source_ids)
        ]

    def language_counts(
        self, source_ids: Sequence[int] | None = None, hide: Sequence[tuple[int, str]] = ()
    ) -> list[LanguageCount]:
        """The languages of the articles of `source_ids` (or all), most common first.

        `hide` rules (as `HeadlineFilter.hide`) leave out what they keep out of the headlines.
        """
        # The unary + keeps SQLite on the covering (language, source_id) index: 8 ms instead of
        # 105 ms at 100,000 articles, where the source index needs a row lookup per article.
        rows = self._select_in(
            "SELECT language, count(*) FROM articles",
            "+source_id",
            source_ids,
            " GROUP BY language ORDER BY count(*) DESC, language",
        )
        hidden: dict[str, int] = {}
        for _source_id, language, total, _unread in self._hidden_counts(source_ids, hide):
            hidden[language] = hidden.get(language, 0) + total
        if hidden:
            rows = [(code, count - hidden.get(code, 0)) for code, count in rows]
            rows = sorted((row for row in rows if row[1] > 0), key=lambda r: (-r[1], r[0]))
        return [LanguageCount(code, count) for code, count in rows]

    def _hidden_counts(
        self, source_ids: Sequence[int] | None, hide: Sequence[tuple[int, str]]
    ) -> list[tuple[int, str, int, int]]:
        """(source id, language, articles, unread) of what `hide` rules keep out of the headlines.

        Counted apart, so the common counts keep their covering indexes and only the sources with
        rules pay for the regular expressions; kept until the next write, so the sources pane's
        and the language switcher's counts share one pass over those rows.
        """
        rules = tuple(hide)
        if not rules:
            return []
        if self._hidden_memo is None or self._hidden_memo[0] != rules:
            self._register_hide_rules(rules)
            hiding = sorted({source_id for source_id, _pattern in rules})
            marks = ",".join("?" * len(hiding))
            rows = self._conn.execute(
                "SELECT source_id, language, count(*), count(*) - sum(read) FROM articles"
                f" WHERE source_id IN ({marks}) AND tuinews_hidden(source_id, title)"
                " GROUP BY source_id, language",
                hiding,
            ).fetchall()
            self._hidden_memo = (rules, rows)
        wanted = None if source_ids is None else set(source_ids)
        return [row for row in self._hidden_memo[1] if wanted is None or row[0] in wanted]

    # Settings

    def get_setting(self, key: str) -> str | None:
        """A remembered UI choice, such as the language filter."""
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Remember a UI choice."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _select_in(
        self, sql: str, column: str, ids: Sequence[int] | None, tail: str = ""
    ) -> list[tuple]:
        if ids is None:
            return self._conn.execute(sql + tail).fetchall()
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._conn.execute(f"{sql} WHERE {column} IN ({marks}){tail}", list(ids)).fetchall()

    # Retention

    def prune(self, keep_days: int, max_per_source: int = 0, *, now: float | None = None) -> int:
        """Remove old read articles, and the oldest beyond `max_per_source`; never starred ones.

        Removed articles leave their uid behind, so a feed that still lists them does not bring
        them back as unread. Returns how many articles were removed.
        """
        now = time.time() if now is None else now
        cutoff = now - keep_days * 86400
        with self._transaction() as conn:
            self._index_unindexed()
            doomed: dict[int, tuple[str, int]] = {
                article_id: (uid, source_id)
                for article_id, uid, source_id in conn.execute(
                    "SELECT id, uid, source_id FROM articles"
                    " WHERE starred = 0 AND read = 1 AND sort_date < ?",
                    (cutoff,),
                )
            }
            if max_per_source > 0:
                over = conn.execute(
                    "SELECT source_id, count(*) - ? FROM articles GROUP BY source_id"
                    " HAVING count(*) > ?",
                    (max_per_source, max_per_source),
                ).fetchall()
                for source_id, excess in over:
                    doomed.update(
                        (article_id, (uid, source_id))
                        for article_id, uid in conn.execute(
                            "SELECT id, uid FROM articles WHERE source_id = ? AND starred = 0"
                            " ORDER BY read DESC, sort_date ASC, id ASC LIMIT ?",
                            (source_id, excess),
                        )
                    )
            conn.executemany(
                "INSERT OR REPLACE INTO pruned (uid, at, source_id) VALUES (?, ?, ?)",
                [(uid, now, source_id) for uid, source_id in doomed.values()],
            )
            for chunk in _chunks(sorted(doomed)):
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", list(chunk))
            conn.execute(
                "DELETE FROM stories WHERE id NOT IN"
                " (SELECT story_id FROM articles WHERE story_id IS NOT NULL)"
            )
            # A removal is remembered while its feed keeps listing the item (each refresh that sees
            # it renews the date) and for a while after, so the table stays the size of the feeds.
            conn.execute(
                "DELETE FROM pruned WHERE at < ?",
                (now - max(keep_days, PRUNED_MEMORY_DAYS) * 86400,),
            )
            if doomed:
                _settle_search_index(conn, len(doomed))
        # Retention runs after each refresh: fold the log back while no write is going on.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return len(doomed)

    def forget_unlisted_removals(self, source_id: int, listed_uids: Sequence[str]) -> None:
        """A feed's full list of items came: forget removals of items it no longer lists.

        Those cannot come back from this feed, so remembering them would only grow the cache.
        An empty list is ignored (a feed that is empty for a moment keeps what it removed).
        """
        if not listed_uids:
            return
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM pruned WHERE source_id = ?"
                " AND uid NOT IN (SELECT value FROM json_each(?))",
                (source_id, json.dumps(list(listed_uids))),
            )

    def unprune(self, uid: str) -> None:
        """Let a removed article come back (the user asked for it by name)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM pruned WHERE uid = ?", (uid,))

    def vacuum(self) -> None:
        """Give the space of removed articles back to the file system."""
        with self._transaction() as conn:  # merge the search indexes' segments and deletions
            for table in FTS_TABLES:
                conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.execute("VACUUM")

    # Machine translations

    def article_content_hash(self, article_id: int) -> str | None:
        """The content hash the cache holds for an article (None when there is no such article)."""
        row = self._conn.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def save_machine_translation(
        self,
        article_id: int,
        language: str,
        backend: str,
        content_hash: str,
        title: str,
        blocks: list[Block],
    ) -> None:
        """Keep a machine translation of an article into `language`, made from `content_hash`."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO machine_translations (article_id, language, backend, content_hash,"
                " title, blocks, created) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (article_id, language) DO UPDATE SET backend = excluded.backend,"
                " content_hash = excluded.content_hash, title = excluded.title,"
                " blocks = excluded.blocks, created = excluded.created",
                (
                    article_id,
                    language,
                    backend,
                    content_hash,
                    title,
                    blocks_to_json(blocks),
                    time.time(),
                ),
            )

    def machine_translation_entry(
        self, article_id: int, language: str
    ) -> tuple[Article, str] | None:
        """The cached machine translation and the backend that made it, while still valid."""
        row = self._conn.execute(
            "SELECT m.backend, m.title, m.blocks FROM machine_translations m"
            " JOIN articles a ON a.id = m.article_id"
            " WHERE m.article_id = ? AND m.language = ? AND m.content_hash = a.content_hash",
            (article_id, language),
        ).fetchone()
        if row is None:
            return None
        article = self.article(article_id)
        if article is None:
            return None
        backend, title, blocks = row
        article.title = title
        article.blocks = [Block.from_json(b) for b in json.loads(blocks)]
        article.language = language
        article.translations = []
        return article, backend

    def machine_translation(self, article_id: int, language: str) -> Article | None:
        """The article machine-translated into `language`, if cached for its current content."""
        entry = self.machine_translation_entry(article_id, language)
        return entry[0] if entry else None

    # Full articles (`f`)

    def save_full_text(self, article_id: int, blocks: list[Block], extractor: str) -> None:
        """Keep the full web page's article for an article; search finds its words from now on."""
        with self._transaction() as conn:
            self._index_unindexed()
            conn.execute(
                "INSERT INTO full_texts (article_id, blocks, fetched, extractor) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET blocks = excluded.blocks,"
                " fetched = excluded.fetched, extractor = excluded.extractor",
                (article_id, blocks_to_json(blocks), time.time(), extractor),
            )
            row = conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE articles SET search_text = ? WHERE id = ?",
                    (_full_search_text(row[0], blocks), article_id),
                )

    def full_text(self, article_id: int) -> list[Block] | None:
        """The stored full article of an article, or None when it has none."""
        entry = self.full_text_entry(article_id)
        return entry[0] if entry else None

    def full_text_entry(self, article_id: int) -> tuple[list[Block], str] | None:
        """The stored full article and the extractor that made it, or None."""
        entry = self._full_text_row(article_id)
        return entry[:2] if entry else None

    def _full_text_row(self, article_id: int) -> tuple[list[Block], str, bool] | None:
        """The full article, its extractor, and whether the feed item changed since it was fetched.

        An update of the item (other content) sets the article's `fetched_at` after the page's
        `fetched`: the stored page stays (shown and searchable) but is marked stale.
        """
        row = self._conn.execute(
            "SELECT f.blocks, f.extractor, f.fetched < a.fetched_at FROM full_texts f"
            " JOIN articles a ON a.id = f.article_id WHERE f.article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        return [Block.from_json(b) for b in json.loads(row[0])], row[1], bool(row[2])

    def stale_full_texts(self, source_id: int) -> list[int]:
        """Articles of a source whose feed item changed after their full page was fetched."""
        return [
            article_id
            for (article_id,) in self._conn.execute(
                "SELECT a.id FROM full_texts f JOIN articles a ON a.id = f.article_id"
                " WHERE a.source_id = ? AND f.fetched < a.fetched_at ORDER BY a.sort_date DESC",
                (source_id,),
            )
        ]

    def article_ids(self, source_id: int, uids: Sequence[str]) -> dict[str, int]:
        """`uid -> id` of the articles of a source that have these uids."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(uids)):
            marks = ",".join("?" * len(chunk))
            found.update(
                self._conn.execute(
                    f"SELECT uid, id FROM articles WHERE source_id = ? AND uid IN ({marks})",
                    [source_id, *chunk],
                )
            )
        return found


def _settle_search_index(conn: sqlite3.Connection, removed: int) -> None:
    """Count removed articles; once they reach a quarter of the cache, merge the search indexes.

    FTS5 keeps a removed article's entries as deletion marks until its segments merge, which a
    cache that removes as much as it adds may not reach for a long time: the index would grow
    while the articles stay flat. A full merge costs about 30 ms per 10,000 articles.
    """
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (_FTS_REMOVED_KEY,)).fetchone()
    total = (int(row[0]) if row and str(row[0]).isdigit() else 0) + removed
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if total >= max(1000, articles // 4):
        for table in FTS_TABLES:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        total = 0
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_FTS_REMOVED_KEY, str(total)),
    )


def _group_stories(conn: sqlite3.Connection, stored: dict[int, tuple[str | None, bool]]) -> None:
    """Union articles into stories: hreflang alternates pointing at each other, or a shared link.

    `stored`: the articles just written, each with its link and whether it has alternates. The common
    case, an article nothing else points at, costs two batched lookups per 500 articles; only
    articles with a relation are merged one by one.
    """
    candidates: list[int] = []
    for chunk in _chunks(list(stored)):
        links = {article_id: stored[article_id][0] for article_id in chunk}
        with_alternates = {article_id for article_id in chunk if stored[article_id][1]}
        urls = sorted({link for link in links.values() if link})
        shared: set[str] = set()
        for part in _chunks(urls):
            url_marks = ",".join("?" * len(part))
            shared.update(
                link
                for (link,) in conn.execute(
                    f"SELECT link FROM articles WHERE link IN ({url_marks})"
                    " GROUP BY link HAVING count(*) > 1",
                    part,
                )
            )
            shared.update(
                url
                for (url,) in conn.execute(
                    f"SELECT DISTINCT url FROM alternates WHERE url IN ({url_marks})", part
                )
            )
        candidates.extend(
            article_id
            for article_id in chunk
            if article_id in with_alternates or links.get(article_id) in shared
        )
    for article_id in candidates:
        _merge_story(conn, article_id)


def _merge_story(conn: sqlite3.Connection, article_id: int) -> None:
    """Put one article and everything linked to it into one story."""
    row = conn.execute("SELECT link FROM articles WHERE id = ?", (article_id,)).fetchone()
    link = row[0] if row else None
    urls = {
        url
        for (url,) in conn.execute("SELECT url FROM alternates WHERE article_id = ?", (article_id,))
    }
    if link:
        urls.add(link)
    related: set[int] = set()
    for chunk in _chunks(sorted(urls)):
        marks = ",".join("?" * len(chunk))
        related.update(
            other
            for (other,) in conn.execute(
                f"SELECT id FROM articles WHERE link IN ({marks})", list(chunk)
            )
        )
    if link:
        related.update(
            other
            for (other,) in conn.execute("SELECT article_id FROM alternates WHERE url = ?", (link,))
        )
    related.discard(article_id)
    if not related:
        return
    members = sorted(related | {article_id})
    marks = ",".join("?" * len(members))
    stories = sorted(
        story
        for (story,) in conn.execute(
            f"SELECT DISTINCT story_id FROM articles WHERE id IN ({marks})"
            " AND story_id IS NOT NULL",
            members,
        )
    )
    target = stories[0] if stories else conn.execute("INSERT INTO stories DEFAULT VALUES").lastrowid
    conn.execute(f"UPDATE articles SET story_id = ? WHERE id IN ({marks})", [target, *members])
    for story in stories[1:]:
        conn.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (target, story))
        conn.execute("DELETE FROM stories WHERE id = ?", (story,))


def _where(view: HeadlineFilter, table: str = "articles") -> tuple[str, list[object]]:
    """The WHERE clause of a view over `table` (an alias in the story subquery)."""
    t = table
    clauses: list[str] = []
    params: list[object] = []
    if len(view.source_ids) == 1:
        clauses.append(f"{t}.source_id = ?")
    elif view.source_ids:
        # The unary + keeps SQLite walking the date index (already in display order) instead of
        # collecting every matching row from the source index and sorting them.
        clauses.append(f"+{t}.source_id IN ({','.join('?' * len(view.source_ids))})")
    params.extend(view.source_ids)
    if view.language:
        clauses.append(_language_match(t))
        params += _language_params(view.language)
    if view.languages:
        clauses.append("(" + " OR ".join(_language_match(t) for _ in view.languages) + ")")
        for code in view.languages:
            params += _language_params(code)
    if view.unread:
        clauses.append(f"{t}.read = 0")
    if view.starred:
        clauses.append(f"{t}.starred = 1")
    if view.text:
        clauses.append(f"instr({t}.search_text, ?) > 0")
        params.append(view.text.casefold())
    if view.query is not None:
        _query_where(view.query, t, clauses, params)
    if view.hide:
        # Only the sources with rules pay for the Python call (see `Store._register_hidden`).
        hiding = sorted({source_id for source_id, _pattern in view.hide})
        marks = ",".join("?" * len(hiding))
        clauses.append(
            f"NOT ({t}.source_id IN ({marks}) AND tuinews_hidden({t}.source_id, {t}.title))"
        )
        params.extend(hiding)
    if view.prefer:
        inner, inner_params = _where(replace(view, prefer=()), "b")
        joiner = " AND " if inner else " WHERE "
        rank = " ".join(f"WHEN {_language_match('b')} THEN {i}" for i in range(len(view.prefer)))
        clauses.append(
            f"({t}.story_id IS NULL OR {t}.id = (SELECT b.id FROM articles b{inner}{joiner}"
            f"b.story_id = {t}.story_id ORDER BY CASE {rank} ELSE {len(view.prefer)} END,"
            " b.sort_date DESC, b.id DESC LIMIT 1))"
        )
        params += inner_params
        for code in view.prefer:
            params += _language_params(code)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _query_where(query: SearchQuery, t: str, clauses: list[str], params: list[object]) -> None:
    """Add the clauses of a search; every term and name is a parameter, quoted for FTS5."""
    for negated in (False, True):
        words: list[str] = []
        trigrams: list[str] = []
        for term in query.terms:
            if term.negated is not negated:
                continue
            if term.substring and len(term.text) >= 3:
                trigrams.append(_fts_string(term.text))
            elif term.substring or not any(ch.isalnum() for ch in term.text):
                # Too short for a trigram, or no word characters: scan the text.
                clauses.append(f"instr({t}.search_text, ?) {'=' if negated else '>'} 0")
                params.append(term.text)
            else:
                words.append(_fts_string(term.text) + ("*" if term.prefix else ""))
        joiner = " OR " if negated else " AND "
        for table, parts in (("articles_fts", words), ("articles_trigram", trigrams)):
            if parts:
                # The unary + keeps SQLite walking the date index and probing the hits, so the
                # first screenful costs the same for a word in every article as for a rare one.
                clauses.append(
                    f"+{t}.id {'NOT IN' if negated else 'IN'}"
                    f" (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
                )
                params.append(joiner.join(parts))
    if query.languages:
        clauses.append("(" + " OR ".join(_language_match(t) for _ in query.languages) + ")")
        for code in query.languages:
            params += _language_params(code)
    if query.sources:
        marks = ",".join("?" * len(query.sources))
        clauses.append(
            f"{t}.source_id IN (SELECT id FROM sources WHERE tuinews_casefold(name) IN ({marks})"
            f" OR tuinews_casefold(feed_title) IN ({marks}))"
        )
        params += [*query.sources, *query.sources]
    if query.tags:
        marks = ",".join("?" * len(query.tags))
        clauses.append(
            f"{t}.source_id IN (SELECT s.id FROM sources s, json_each(s.tags) j"
            f" WHERE tuinews_casefold(j.value) IN ({marks}))"
        )
        params += list(query.tags)
    if query.unread:
        clauses.append(f"{t}.read = 0")
    if query.read:
        clauses.append(f"{t}.read = 1")
    if query.starred:
        clauses.append(f"{t}.starred = 1")
    if query.before is not None:
        clauses.append(f"{t}.sort_date < ?")
        params.append(query.before)
    if query.after is not None:
        clauses.append(f"{t}.sort_date >= ?")
        params.append(query.after)


def _fts_string(text: str) -> str:
    """`text` as one FTS5 string: a phrase of its tokens, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _language_match(table: str) -> str:
    return f"({table}.language = ? OR {table}.language LIKE ? ESCAPE '\\')"


def _language_params(code: str) -> list[object]:
    return [code, _like_prefix(code) + "-%"]


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_text(article: Article) -> str:
    return "\n".join([article.title, *article.paragraphs]).casefold()


def _full_search_text(title: str, blocks: Iterable[Block]) -> str:
    """What search indexes for an article with a full text: its title and the full page's text."""
    return "\n".join([title, *(block.text for block in blocks if block.text)]).casefold()


def _keep_full_texts_searchable(conn: sqlite3.Connection, article_ids: Sequence[int]) -> None:
    """After feed items were updated: index their stored full pages again, under the new title.

    The update wrote the feed's (summary) text to `search_text`; without this the words that only
    the full page has would drop out of the index. The triggers keep the FTS tables in step.
    """
    for chunk in _chunks(list(article_ids)):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT a.id, a.title, f.blocks FROM full_texts f JOIN articles a ON a.id = f.article_id"
            f" WHERE f.article_id IN ({marks})",
            list(chunk),
        ).fetchall()
        conn.executemany(
            "UPDATE articles SET search_text = ? WHERE id = ?",
            [
                (_full_search_text(title, (Block.from_json(b) for b in json.loads(blocks))), aid)
                for aid, title, blocks in rows
            ],
        )


def _statements(script: str) -> list[str]:
    """The statements of a migration; a trigger's body (BEGIN ... END) holds semicolons of its own."""
    out: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                out.append(pending.strip())
            pending = ""
    if pending.strip(" \t\n;"):
        out.append(pending.strip())
    return out


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _to_datetime(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
