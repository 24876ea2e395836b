"""What the sync's worker processes run, importable without the parsers.

The sync hands these functions to its process pool, which sends them by name: the process that
runs the sync imports only this module (and the parsers never, when the workers parse), while the
workers find the parsers already loaded by their fork server (`tuinews.sync.preload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuinews.model import ItemId, Source


def start_fork_server() -> None:
    """Start the fork server that forks the sync's workers, with their preload, unless it runs.

    Its imports take a few tenths of a second: a first sync starts it as early as it can. (In the
    reader's background load the fork server already runs, with that process's preload.)
    """
    from tuinews import fork_server

    fork_server.start(fork_server.SYNC_PRELOAD)


@dataclass(frozen=True, slots=True)
class StoredItems:
    """What storing one items/contents answer did."""

    items: int
    """Items the answer held."""
    added: int
    updated: int
    unread: list[ItemId]
    """Ids of the items the server has unread (a first sync needs no list of them)."""
    starred: list[ItemId]


def store_bodies(
    bodies: list[bytes],
    where: str,
    fetched_at: datetime,
    cache: Path,
    account: str,
    sources: dict[str, Source],
) -> list[StoredItems]:
    """`articles.store_bodies`: parse items/contents answers and store them, in a worker process."""
    from tuinews.sync.articles import store_bodies as store

    return store(bodies, where, fetched_at, cache, account, sources)


def warm_up(cache: Path | None = None) -> None:
    """Load what parsing needs (the language model) in a worker before the first items come, and
    with `cache`, open the worker's connection to it."""
    from tuinews.sync.articles import warm_up as load

    load(cache)
