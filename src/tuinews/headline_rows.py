"""A compact, mutable sequence of headline rows: columns in arrays, `Headline` objects made on demand.

At 100,000 rows a list of `Headline` objects costs about 330 bytes a row; these columns cost the title
string plus about 30 bytes, which keeps the whole reader under its memory target.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from tuinews.model import Headline

_READ = 1
_STARRED = 2
_VERSIONS = 4


class HeadlineRows(Sequence[Headline]):
    """Headline rows in display order. Supports `append`, `extend`, item assignment and `index_of`."""

    __slots__ = ("_dates", "_flags", "_ids", "_lang_codes", "_langs", "_sources", "_titles")

    def __init__(self, rows: Iterable[Headline] = ()) -> None:
        self._ids = array("q")
        self._titles: list[str] = []
        self._sources = array("q")
        self._langs = array("H")
        self._lang_codes: list[str] = []
        self._dates = array("d")
        self._flags = bytearray()
        self.extend(rows)

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Headline: ...

    @overload
    def __getitem__(self, index: slice) -> list[Headline]: ...

    def __getitem__(self, index: int | slice) -> Headline | list[Headline]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        flags = self._flags[index]
        return Headline(
            self._ids[index],
            self._titles[index],
            self._sources[index],
            self._lang_codes[self._langs[index]],
            self._dates[index],
            bool(flags & _READ),
            bool(flags & _STARRED),
            bool(flags & _VERSIONS),
        )

    def __setitem__(self, index: int, row: Headline) -> None:
        self._ids[index] = row.id
        self._titles[index] = row.title
        self._sources[index] = row.source_id
        self._langs[index] = self._lang_index(row.language)
        self._dates[index] = row.published
        self._flags[index] = _pack(row.read, row.starred, row.versions)

    def __iter__(self) -> Iterator[Headline]:
        for index in range(len(self)):
            yield self[index]

    def append_values(
        self,
        article_id: int,
        title: str,
        source_id: int,
        language: str,
        published: float,
        read: bool,
        starred: bool,
        versions: bool = False,
    ) -> None:
        """Append one row from its fields, without building a `Headline` (the store's fast path)."""
        self._ids.append(article_id)
        self._titles.append(title)
        self._sources.append(source_id)
        self._langs.append(self._lang_index(language))
        self._dates.append(published)
        self._flags.append(_pack(read, starred, versions))

    def append(self, row: Headline) -> None:
        """Append one row."""
        self.append_values(
            row.id,
            row.title,
            row.source_id,
            row.language,
            row.published,
            row.read,
            row.starred,
            row.versions,
        )

    def extend(self, rows: Iterable[Headline]) -> None:
        """Append rows in order."""
        if isinstance(rows, HeadlineRows):
            for index in range(len(rows)):
                flags = rows._flags[index]
                self.append_values(
                    rows._ids[index],
                    rows._titles[index],
                    rows._sources[index],
                    rows._lang_codes[rows._langs[index]],
                    rows._dates[index],
                    bool(flags & _READ),
                    bool(flags & _STARRED),
                    bool(flags & _VERSIONS),
                )
            return
        for row in rows:
            self.append(row)

    def find_unread(self, start: int, step: int = 1) -> int | None:
        """The index of the first unread row from `start` going by `step` (1 or -1), or None."""
        flags = self._flags
        index = start
        while 0 <= index < len(flags):
            if not flags[index] & _READ:
                return index
            index += step
        return None

    def set_flag(self, flag: str, ids: set[int], value: bool) -> None:
        """Set "read" or "starred" on every row whose id is in `ids`."""
        bit = _READ if flag == "read" else _STARRED
        flags, row_ids = self._flags, self._ids
        for index in range(len(flags)):
            if row_ids[index] in ids:
                flags[index] = flags[index] | bit if value else flags[index] & ~bit

    def id_at(self, index: int) -> int:
        """The article id of a row, without building a `Headline`."""
        return self._ids[index]

    def index_of(self, article_id: int) -> int | None:
        """The index of the row with this article id, or None (a C-speed scan of the id column)."""
        try:
            return self._ids.index(article_id)
        except ValueError:
            return None

    def _lang_index(self, code: str) -> int:
        try:
            return self._lang_codes.index(code)
        except ValueError:
            self._lang_codes.append(code)
            return len(self._lang_codes) - 1

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HeadlineRows({len(self)} rows)"


def as_rows(rows: Sequence[Headline]) -> HeadlineRows:
    """`rows` as HeadlineRows, copying only when it is not one already."""
    return rows if isinstance(rows, HeadlineRows) else HeadlineRows(rows)


def _pack(read: bool, starred: bool, versions: bool = False) -> int:
    return (_READ if read else 0) | (_STARRED if starred else 0) | (_VERSIONS if versions else 0)
