"""Cheaper writes of many articles: one INSERT statement per batch, and GLOB without the C loop.

`insert_rows` stages the rows in a temporary table and inserts them all with one
`INSERT ... SELECT`, which costs less than an `executemany` of single-row inserts.
New articles are added to the full-text indexes by `index_new`, one statement per index and batch
(updates and deletes by triggers on `articles`): FTS5 writes its pending terms to disk at every
statement that changes it, so indexing row by row writes one index segment per article, and
merging those segments costs more than the rest of the write.

The triggers (and `index_new`) also test `search_text GLOB '*[...]*'` (scripts without spaces)
on every row; SQLite's GLOB steps through the text and the character set for each position.
`glob` is the same function (SQLite lets a connection define its own `glob`, which then implements
the GLOB operator), answered by a compiled regular expression; arguments that are not both text go
to SQLite's own GLOB.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache

from tuinews.store.schema import UNSPACED_GLOB

STAGE_MIN = 8
"""Fewer rows than this are inserted one by one: staging costs three statements."""

_NEVER = re.compile(r"(?!)")
_builtin: sqlite3.Connection | None = None
_builtin_lock = threading.Lock()


def insert_rows(conn: sqlite3.Connection, insert_sql: str, rows: Sequence[tuple]) -> None:
    """Run `insert_sql` (`INSERT INTO t (columns) VALUES (?, ...)`) for each row, in row order,
    as one statement when there are enough rows. Call it inside a transaction."""
    head, separator, values = insert_sql.partition(" VALUES ")
    if len(rows) < STAGE_MIN or not separator:
        conn.executemany(insert_sql, rows)
        return
    width = values.count("?")
    table = f"temp.tuinews_staged_{width}"
    columns = ", ".join(f"c{index}" for index in range(width))
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS tuinews_staged_{width} ({columns})")
    conn.execute(f"DELETE FROM {table}")
    conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows)
    conn.execute(f"{head} SELECT {columns} FROM {table} ORDER BY rowid")
    conn.execute(f"DELETE FROM {table}")


def index_new(conn: sqlite3.Connection, added: Sequence[tuple[int, str]]) -> None:
    """Add articles just inserted, as (id, search_text), to both search indexes: what the insert
    trigger of schema 7 did row by row. Call it inside the inserting transaction, before anything
    updates or deletes them (their triggers take them out of the indexes again)."""
    if not added:
        return
    first = min(article_id for article_id, _text in added)
    last = max(article_id for article_id, _text in added)
    if last - first + 1 == len(added):  # the rule: ids handed out in a row
        conn.execute(
            "INSERT INTO articles_fts (rowid, search_text)"
            " SELECT id, search_text FROM articles WHERE id BETWEEN ? AND ?",
            (first, last),
        )
    else:
        conn.execute(
            "INSERT INTO articles_fts (rowid, search_text) SELECT id, search_text FROM articles"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([article_id for article_id, _text in added]),),
        )
    # The pattern is a set of non-ASCII characters: ASCII text (most of it) needs no search.
    unspaced = [
        article_id for article_id, text in added if not text.isascii() and glob(UNSPACED_GLOB, text)
    ]
    if unspaced:
        conn.execute(
            "INSERT INTO articles_trigram (rowid, search_text) SELECT id, search_text FROM articles"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(unspaced),),
        )


def glob(pattern: object, text: object) -> int | None:
    """SQLite's `glob(pattern, text)`, the function behind `text GLOB pattern`."""
    if not isinstance(pattern, str) or not isinstance(text, str):
        return _builtin_glob(pattern, text)
    # SQLite reads both as C strings: a NUL ends them.
    if "\0" in pattern:
        pattern = pattern[: pattern.index("\0")]
    if "\0" in text:
        text = text[: text.index("\0")]
    search, needs_non_ascii = _compile(pattern)
    if needs_non_ascii and text.isascii():
        return 0
    return 1 if search(text) else 0


@lru_cache(maxsize=64)
def _compile(pattern: str) -> tuple[Callable[[str], object], bool]:
    """A function of the text that is truthy when the text matches the GLOB `pattern`, and
    whether only text with a non-ASCII character can match."""
    inner = pattern[1:-1]
    # The common "*[set]*" (or "*literal*") is a search for the set, not a match of the whole.
    if len(pattern) >= 2 and pattern[0] == pattern[-1] == "*" and not re.search(r"[*?]", inner):
        core = _regex(inner)
        if core is not None:
            compiled = re.compile(core, re.DOTALL)
            one_set = inner[:1] == "[" and (_char_set(inner, 1) or ("", 0))[1] == len(inner)
            ascii_never = one_set and not any(compiled.match(chr(code)) for code in range(128))
            return compiled.search, ascii_never
    regex = _regex(pattern)
    if regex is None:
        return _NEVER.match, False
    return re.compile(regex, re.DOTALL).fullmatch, False


def _regex(pattern: str) -> str | None:
    """The regular expression of a GLOB pattern; None for one that matches nothing."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            found = _char_set(pattern, index)
            if found is None:
                return None  # an unterminated set: SQLite never matches it
            regex, index = found
            out.append(regex)
        else:
            out.append(re.escape(char))
    return "".join(out)


def _char_set(pattern: str, index: int) -> tuple[str, int] | None:
    """The regex of the set that starts after "[" at `index`, and the index after its "]".

    As SQLite reads it: "^" first inverts, "]" first (after "^") is a member, "a-z" is a range
    when "-" has a character before it in this set that is not itself a range end, and is not
    followed by "]"; any other "-" is a member.
    """
    invert = False
    members: list[str] = []
    if index < len(pattern) and pattern[index] == "^":
        invert = True
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        members.append(_code(ord("]")))
        index += 1
    prior: int | None = None
    while index < len(pattern) and pattern[index] != "]":
        char = pattern[index]
        index += 1
        if char == "-" and prior is not None and index < len(pattern) and pattern[index] != "]":
            high = ord(pattern[index])
            index += 1
            if prior <= high:
                members.append(f"{_code(prior)}-{_code(high)}")
            prior = None
        else:
            members.append(_code(ord(char)))
            prior = ord(char)
    if index >= len(pattern):
        return None
    body = "".join(members)
    if not body:
        return ("(?s:.)" if invert else "(?!)"), index + 1
    return f"[{'^' if invert else ''}{body}]", index + 1


def _code(code: int) -> str:
    return f"\\U{code:08x}"


def _builtin_glob(pattern: object, text: object) -> int | None:
    """SQLite's own GLOB, from a private in-memory connection (arguments that are not text)."""
    global _builtin
    with _builtin_lock:
        if _builtin is None:
            _builtin = sqlite3.connect(":memory:", check_same_thread=False)
        return _builtin.execute("SELECT glob(?, ?)", (pattern, text)).fetchone()[0]
