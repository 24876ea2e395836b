"""What can go wrong with the cache file from outside the program, put in one line naming it.

A full disk, a read-only file or folder, a lock another process holds too long, an I/O error or a
damaged file reach `Store` as `sqlite3` errors. `FaultAwareConnection` turns them into `CacheFault`
(a `StoreError`) with a message a person can act on; other `sqlite3` errors (a bug: bad SQL, a
constraint) pass through unchanged. `move_aside` renames a damaged cache and its `-wal`/`-shm` so
that nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from tuinews.i18n import _


class StoreError(Exception):
    """The cache cannot be used; the message is one line naming the file."""


class CacheFault(StoreError):
    """A `StoreError` from the file or the disk. `kind`: busy, full, readonly, io, damaged, open."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def fault_kind(exc: sqlite3.Error) -> str | None:
    """Which outside fault an `sqlite3` error is, or None when it is not one."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return "full"
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")) or "readonly" in text:
        return "readonly"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return "busy"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or is_corruption(exc):
        return "damaged"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return "io"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "open"
    return None


def is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def describe_fault(path: Path, exc: sqlite3.Error) -> CacheFault | None:
    """A `CacheFault` naming `path` for an outside fault, else None."""
    kind = fault_kind(exc)
    if kind is None:
        return None
    messages = {
        "full": _("{path}: cannot write the cache: the disk is full; nothing was lost"),
        "readonly": _(
            "{path}: cannot write the cache: it is read-only (check the permissions of the file"
            " and of {folder})"
        ),
        "busy": _(
            "{path}: the cache is busy: another program kept it locked for too long; try again"
        ),
        "damaged": _(
            "{path}: the cache is damaged ({reason}); it is moved aside, not deleted, and the next"
            " start makes a fresh one"
        ),
        "io": _("{path}: cannot read or write the cache: disk I/O error"),
        "open": _(
            "{path}: cannot open the cache (check that {folder} exists and that you may write"
            " to it)"
        ),
    }
    message = messages[kind].format(path=path, folder=path.parent, reason=str(exc))
    return CacheFault(message, kind)


class FaultAwareConnection(sqlite3.Connection):
    """A connection whose outside faults raise `CacheFault` once `path` is set (after opening).

    `on_damage` is called when a statement finds the file damaged.
    """

    path: Path | None = None
    on_damage: Callable[[], None] | None = None

    def execute(self, sql: str, parameters=(), /) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            fault = self._fault(exc)
            if fault is None:
                raise
            raise fault from exc

    def executemany(self, sql: str, parameters, /) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().executemany(sql, parameters)
        except sqlite3.DatabaseError as exc:
            fault = self._fault(exc)
            if fault is None:
                raise
            raise fault from exc

    def _fault(self, exc: sqlite3.DatabaseError) -> CacheFault | None:
        if self.path is None or isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
            return None
        fault = describe_fault(self.path, exc)
        if fault is not None and fault.kind == "damaged" and self.on_damage is not None:
            self.on_damage()
        return fault


def move_aside(path: Path, label: str) -> Path:
    """Rename `path` (and its -wal and -shm) to `<name>.<label>-<time>`; returns the new path.

    The renamed files are made user-only, like everything else tuinews keeps.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{number}")
    path.rename(target)
    moved = [target]
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(target.with_name(target.name + suffix))
            moved.append(target.with_name(target.name + suffix))
    for file in moved:
        with contextlib.suppress(OSError):
            os.chmod(file, 0o600)
    return target


def after_unhandled(path: Path, exc: sqlite3.DatabaseError) -> str:
    """The line for an `sqlite3` error that escaped `Store` (damage found while reading rows).

    A damaged cache is moved aside here, as `Store` would have done.
    """
    fault = describe_fault(path, exc)
    if fault is None:
        return _("{path}: the cache cannot be used: {reason}").format(path=path, reason=exc)
    if fault.kind == "damaged" and path.exists():
        with contextlib.suppress(OSError):
            move_aside(path, "damaged")
    return str(fault)
