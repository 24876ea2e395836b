"""The SQL of syncing with a feed server (issue 7): accounts, subscriptions, item ids, the queue.

An account is one server and user (`account_key`). For each, the cache keeps where the last sync
left off, the server's subscriptions behind the `server` sources (`sync_feeds`), which server item
each cached article is (`sync_items`), and the local changes not yet sent (`sync_queue`), in the
order they were made.

The queue fills itself: `Store.set_read` / `set_starred` call `queue_flag_changes` inside their own
transaction, so every path that changes a flag (keys, undo, mark all, opening an article, the CLI)
queues it without knowing about sync. State pulled from the server is written here with
`apply_server_state`, which never queues, and leaves alone every article with a change still
waiting to be sent: a local change made after the last sync wins over what the server said.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuinews.model import ItemId, Source, SourceKind

if TYPE_CHECKING:
    from tuinews.store.db import Store

READ = "read"
STARRED = "starred"
SUBSCRIBE = "subscribe"
UNSUBSCRIBE = "unsubscribe"
_CHUNK = 500


def account_key(url: str, user: str) -> str:
    """The cache's name for one server account: its API URL and user."""
    return f"{url.rstrip('/')}#{user}"


@dataclass(frozen=True, slots=True)
class AccountState:
    """Where the last complete sync of an account left off."""

    last_sync: float | None = None
    """Local time (POSIX) at which the last complete sync started."""
    since: float | None = None
    """Server time (POSIX) from which the next sync lists new items (`ot`)."""
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedChange:
    """One local change waiting to be sent, in `seq` order.

    `action` is "read" or "starred" (with `item` and `value`), "subscribe" (`target` is the feed
    URL) or "unsubscribe" (`target` is the server's stream id, such as "feed/12").
    """

    seq: int
    action: str
    item: ItemId | None
    target: str | None
    value: bool
    at: float


@dataclass(frozen=True, slots=True)
class ServerFeed:
    """A server subscription as the cache keeps it, with the `server` source that shows it."""

    source_id: int
    stream_id: str
    feed_url: str | None
    html_url: str | None
    unread: int | None
    active: bool


def queue_flag_changes(
    conn: sqlite3.Connection, column: str, value: bool, article_ids: Sequence[int]
) -> None:
    """Queue the flag changes about to be made to server articles among `article_ids`.

    Runs inside the caller's transaction, before its UPDATE: only articles whose flag differs from
    `value` and that are server items (they have a `sync_items` row) are queued.
    """
    if column not in (READ, STARRED):
        raise ValueError(f"not a synced flag: {column}")
    marks = ",".join("?" * len(article_ids))
    conn.execute(
        "INSERT INTO sync_queue (account, action, item, value, at)"
        f" SELECT s.account, ?, s.item, ?, ? FROM articles a JOIN sync_items s ON s.uid = a.uid"
        f" WHERE a.id IN ({marks}) AND a.{column} != ?",
        (column, int(value), time.time(), *article_ids, int(value)),
    )


class SyncState:
    """The sync tables of one account in an open `Store`; every write is one short transaction."""

    def __init__(self, store: Store, account: str) -> None:
        self._store = store
        self._conn: sqlite3.Connection = store._conn
        self.account = account

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._store._transaction()

    # The account

    def state(self) -> AccountState:
        """Where the last complete sync left off (all None before the first)."""
        row = self._conn.execute(
            "SELECT last_sync, since, last_error FROM sync_accounts WHERE account = ?",
            (self.account,),
        ).fetchone()
        return AccountState(*row) if row else AccountState()

    def finish(self, started: float, since: float | None) -> None:
        """A sync completed: remember when it started and where the next one lists from."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_accounts (account, last_sync, since, last_error)"
                " VALUES (?, ?, ?, NULL) ON CONFLICT (account) DO UPDATE SET"
                " last_sync = excluded.last_sync, since = excluded.since, last_error = NULL",
                (self.account, started, since),
            )

    def auth(self) -> str | None:
        """The login token the server gave last time (the cache is readable by its owner only)."""
        row = self._conn.execute(
            "SELECT auth FROM sync_accounts WHERE account = ?", (self.account,)
        ).fetchone()
        return row[0] if row else None

    def save_auth(self, auth: str | None) -> None:
        """Keep (or, with None, forget) the login token."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_accounts (account, auth) VALUES (?, ?)"
                " ON CONFLICT (account) DO UPDATE SET auth = excluded.auth",
                (self.account, auth),
            )

    def record_error(self, error: str) -> None:
        """A sync failed: keep the one-line reason; the cursor and the queue stay."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_accounts (account, last_error) VALUES (?, ?)"
                " ON CONFLICT (account) DO UPDATE SET last_error = excluded.last_error",
                (self.account, error),
            )

    # The queue

    def pending(self) -> list[QueuedChange]:
        """Every change waiting to be sent, oldest first."""
        rows = self._conn.execute(
            "SELECT seq, action, item, target, value, at FROM sync_queue"
            " WHERE account = ? ORDER BY seq",
            (self.account,),
        )
        return [
            QueuedChange(seq, action, item, target, bool(value), at)
            for seq, action, item, target, value, at in rows
        ]

    def pending_count(self) -> int:
        """How many changes wait to be sent."""
        return self._conn.execute(
            "SELECT count(*) FROM sync_queue WHERE account = ?", (self.account,)
        ).fetchone()[0]

    def queue(self, action: str, target: str) -> None:
        """Queue a subscription change ("subscribe" a feed URL, "unsubscribe" a stream id)."""
        if action not in (SUBSCRIBE, UNSUBSCRIBE):
            raise ValueError(f"not a subscription action: {action}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_queue (account, action, target, at) VALUES (?, ?, ?, ?)",
                (self.account, action, target, time.time()),
            )

    def done(self, seqs: Iterable[int]) -> None:
        """These queued changes reached the server (or it refused them for good): drop them."""
        seqs = list(seqs)
        with self._transaction() as conn:
            for start in range(0, len(seqs), _CHUNK):
                chunk = seqs[start : start + _CHUNK]
                conn.execute(
                    f"DELETE FROM sync_queue WHERE seq IN ({','.join('?' * len(chunk))})", chunk
                )

    # Items

    def known_items(self) -> set[ItemId]:
        """Server item ids this cache has downloaded (their articles may be pruned since)."""
        rows = self._conn.execute("SELECT item FROM sync_items WHERE account = ?", (self.account,))
        return {item for (item,) in rows}

    def remember_items(self, pairs: Iterable[tuple[ItemId, str]]) -> None:
        """Record which article (by uid) each downloaded server item became."""
        rows = [(self.account, item, uid) for item, uid in pairs]
        if not rows:
            return
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO sync_items (account, item, uid) VALUES (?, ?, ?)", rows
            )

    def skip_items(self, items: Iterable[ItemId]) -> None:
        """Remember items this cache will not download (one too large to take), as items whose
        article was removed: no sync asks for them again while removals are remembered."""
        rows = [(self.account, item, f"skipped:{self.account}:{item}") for item in items]
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO sync_items (account, item, uid) VALUES (?, ?, ?)", rows
            )
            conn.executemany(
                "INSERT OR REPLACE INTO pruned (uid, at, source_id) VALUES (?, ?, NULL)",
                [(uid, time.time()) for _account, _item, uid in rows],
            )

    def forget_gone_items(self, keep: set[ItemId]) -> int:
        """Drop item ids whose article is neither cached nor remembered as pruned, except `keep`
        (items the server still lists as unread or starred, which would come down again)."""
        with self._transaction() as conn:
            gone = [
                item
                for (item,) in conn.execute(
                    "SELECT item FROM sync_items WHERE account = ?"
                    " AND uid NOT IN (SELECT uid FROM articles)"
                    " AND uid NOT IN (SELECT uid FROM pruned)",
                    (self.account,),
                )
                if item not in keep
            ]
            for start in range(0, len(gone), _CHUNK):
                chunk = gone[start : start + _CHUNK]
                conn.execute(
                    f"DELETE FROM sync_items WHERE account = ? AND item IN"
                    f" ({','.join('?' * len(chunk))})",
                    (self.account, *chunk),
                )
        return len(gone)

    def item_ids(self, article_ids: Sequence[int]) -> dict[int, ItemId]:
        """`article id -> server item id` for the server articles among `article_ids`."""
        found: dict[int, ItemId] = {}
        for start in range(0, len(article_ids), _CHUNK):
            chunk = list(article_ids[start : start + _CHUNK])
            found.update(
                self._conn.execute(
                    "SELECT a.id, s.item FROM articles a JOIN sync_items s ON s.uid = a.uid"
                    f" WHERE s.account = ? AND a.id IN ({','.join('?' * len(chunk))})",
                    [self.account, *chunk],
                )
            )
        return found

    def apply_server_state(self, unread: set[ItemId], starred: set[ItemId]) -> tuple[int, int]:
        """Set read and starred flags of cached server articles as the server has them.

        An item is read unless it is in `unread`, starred when it is in `starred`. Articles with a
        change of that flag still queued keep theirs (it is newer than what the server said).
        Never queues anything. Returns how many read and starred flags changed.
        """
        with self._transaction() as conn:
            waiting = {
                (action, item)
                for action, item in conn.execute(
                    "SELECT action, item FROM sync_queue WHERE account = ? AND item IS NOT NULL",
                    (self.account,),
                )
            }
            to_read: dict[bool, list[int]] = {True: [], False: []}
            to_star: dict[bool, list[int]] = {True: [], False: []}
            for item, article_id, read, star in conn.execute(
                "SELECT s.item, a.id, a.read, a.starred FROM sync_items s"
                " JOIN articles a ON a.uid = s.uid WHERE s.account = ?",
                (self.account,),
            ):
                server_read = item not in unread
                if bool(read) != server_read and (READ, item) not in waiting:
                    to_read[server_read].append(article_id)
                server_star = item in starred
                if bool(star) != server_star and (STARRED, item) not in waiting:
                    to_star[server_star].append(article_id)
            for column, changes in (("read", to_read), ("starred", to_star)):
                for value, ids in changes.items():
                    for start in range(0, len(ids), _CHUNK):
                        chunk = ids[start : start + _CHUNK]
                        conn.execute(
                            f"UPDATE articles SET {column} = ?"
                            f" WHERE id IN ({','.join('?' * len(chunk))})",
                            (int(value), *chunk),
                        )
        return (
            len(to_read[True]) + len(to_read[False]),
            len(to_star[True]) + len(to_star[False]),
        )

    def flag_new_items(self, read: Iterable[ItemId], starred: Iterable[ItemId]) -> tuple[int, int]:
        """Set the read and starred flags of articles just stored for these items (stored with
        both flags off), except where a change of that flag is queued: what `apply_server_state`
        does after a first sync, without walking every synced article. Returns how many read and
        starred flags changed."""
        changed = [0, 0]
        with self._transaction() as conn:
            for n, (column, action, items) in enumerate(
                (("read", READ, list(read)), ("starred", STARRED, list(starred)))
            ):
                if not items:
                    continue
                cursor = conn.execute(
                    f"UPDATE articles SET {column} = 1 WHERE id IN"
                    # CROSS JOIN: in this order (the list, then the indexes), never a scan.
                    " (SELECT a.id FROM json_each(?) AS j"
                    " CROSS JOIN sync_items AS s ON s.account = ? AND s.item = j.value"
                    f" CROSS JOIN articles AS a ON a.uid = s.uid WHERE a.{column} = 0"
                    " AND j.value NOT IN (SELECT item FROM sync_queue"
                    " WHERE account = ? AND action = ? AND item IS NOT NULL))",
                    (json.dumps(items), self.account, self.account, action),
                )
                changed[n] = max(cursor.rowcount, 0)
        return changed[0], changed[1]

    # Subscriptions

    def feeds(self, *, active_only: bool = True) -> list[ServerFeed]:
        """The account's server subscriptions as the cache knows them."""
        sql = (
            "SELECT source_id, stream_id, feed_url, html_url, unread, active FROM sync_feeds"
            " WHERE account = ?"
        )
        if active_only:
            sql += " AND active = 1"
        return [
            ServerFeed(source_id, stream_id, feed_url, html_url, unread, bool(active))
            for source_id, stream_id, feed_url, html_url, unread, active in self._conn.execute(
                sql + " ORDER BY source_id", (self.account,)
            )
        ]

    def set_feeds(self, feeds: Sequence[ServerFeed], *, complete: bool = True) -> None:
        """Record these subscriptions as active; with `complete`, every other one is gone."""
        with self._transaction() as conn:
            if complete:  # one account at a time: the others' subscriptions hide too
                conn.execute("UPDATE sync_feeds SET active = 0")
            conn.executemany(
                "INSERT INTO sync_feeds (source_id, account, stream_id, feed_url, html_url,"
                " unread, active) VALUES (?, ?, ?, ?, ?, ?, 1)"
                " ON CONFLICT (source_id) DO UPDATE SET account = excluded.account,"
                " stream_id = excluded.stream_id, feed_url = excluded.feed_url,"
                " html_url = excluded.html_url,"
                " unread = coalesce(excluded.unread, sync_feeds.unread), active = 1",
                [
                    (f.source_id, self.account, f.stream_id, f.feed_url, f.html_url, f.unread)
                    for f in feeds
                ],
            )

    def deactivate(self, source_id: int) -> None:
        """A subscription was removed here: stop showing its source (its articles stay)."""
        with self._transaction() as conn:
            conn.execute("UPDATE sync_feeds SET active = 0 WHERE source_id = ?", (source_id,))

    def set_unread_counts(self, counts: dict[str, int]) -> None:
        """The unread count the server gives each subscription, by stream id."""
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE sync_feeds SET unread = ? WHERE account = ? AND stream_id = ?",
                [(count, self.account, stream) for stream, count in counts.items()],
            )

    def mark_fetched(self, source_ids: Sequence[int], when: float) -> None:
        """These server sources were brought in step at `when`: their last fetch, no error."""
        with self._transaction() as conn:
            for start in range(0, len(source_ids), _CHUNK):
                chunk = list(source_ids[start : start + _CHUNK])
                conn.execute(
                    "UPDATE sources SET last_fetch = ?, last_error = NULL"
                    f" WHERE id IN ({','.join('?' * len(chunk))})",
                    (when, *chunk),
                )

    def sources(self) -> list[Source]:
        """The `server` sources of the account's active subscriptions, ordered by name."""
        ids = [feed.source_id for feed in self.feeds()]
        return [s for s in self._store.sources(ids) if s.kind is SourceKind.SERVER] if ids else []
