"""At most `MAX_ITEMS` entries from one feed document, cut before any parser builds them.

A feed's size is capped by `[network] max_bytes`, but 20 MB of tiny `<item/>`s is 600,000 entries,
and every parser builds an object per entry: a gigabyte of memory and a minute of work for nothing
a reader wants. `limit_entries` counts the entry start tags (`<item`, `<entry`, any prefix) and, past
`MAX_ITEMS`, cuts the document before the first one too many, then closes the elements left open
(found with expat, so CDATA, comments and attributes do not fool it). Real feeds, even whole
podcast archives, have far fewer entries and pass through untouched.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from tuinews.i18n import _

MAX_ITEMS = 10_000
"""Entries read from one feed document; the rest are left out (the first ones are the newest)."""

_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")


def limit_entries(data: bytes, limit: int = MAX_ITEMS) -> tuple[bytes, int]:
    """`data` with at most `limit` entries, and how many it had when it had more (else 0)."""
    if data.count(b"<") <= limit:
        return data, 0
    # An upper bound (it also counts tags inside CDATA and comments), in C: most feeds stop here.
    starts = [match.start() for match in _ENTRY_START.finditer(data)]
    if len(starts) <= limit:
        return data, 0
    scan = _Scan(limit)
    if scan.run(data):
        if scan.cut is None:
            return data, 0
        return data[: scan.cut] + scan.end_tags, scan.total
    # Not well-formed: cut at the tag the pattern found; the lenient parser reads what is left.
    return data[: starts[limit]], len(starts)


def too_many_items(total: int, limit: int = MAX_ITEMS) -> str:
    """The note for a feed whose entries were cut."""
    return _("only the first {limit} of its {total} items were read").format(
        limit=f"{limit:,}", total=f"{total:,}"
    )


class _Scan:
    """Find, with expat, where the entry after the first `limit` starts and what is open there."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self.cut: int | None = None
        self.end_tags = b""
        self._stack: list[str] = []
        # Latin-1 reads any bytes, and names are ASCII in every encoding a feed is sent in.
        self._parser = expat.ParserCreate(encoding="iso-8859-1")
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.UseForeignDTD(True)  # undeclared entities (&nbsp;) are not errors
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.DefaultHandler = _ignore  # entities are neither expanded nor kept

    def run(self, data: bytes) -> bool:
        """Scan `data`; False when expat stopped on an error before finding the cut."""
        try:
            self._parser.Parse(data, True)
        except expat.ExpatError:
            return self.cut is not None
        return True

    def _start(self, name: str, attributes: object) -> None:
        if name.rpartition(":")[2] in ("item", "entry"):
            self.total += 1
            if self.total == self.limit + 1:
                self.cut = self._parser.CurrentByteIndex
                self.end_tags = b"".join(
                    b"</" + open_name.encode("latin-1") + b">"
                    for open_name in reversed(self._stack)
                )
        self._stack.append(name)

    def _end(self, name: str) -> None:
        if self._stack:
            self._stack.pop()


def _ignore(text: str) -> None:
    pass
