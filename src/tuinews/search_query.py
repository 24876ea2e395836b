"""The search syntax of `/` and `tuinews search`, parsed into a `SearchQuery` (no SQL here).

    storm rhein           both words (each also as the start of a longer word: "storm" finds "storms")
    "night train"         the exact phrase
    -sport  -"live blog"  without this word or phrase
    lang:uk               in this language (regional variants too)
    source:"Kyiv Daily"   from this source (its name, any case)
    tag:local             from a source with this tag
    is:unread is:read is:starred
    before:2026-11-01  after:2026-10-01  after:7d   (ISO dates, or days ago)

Several `lang:`, `source:` or `tag:` filters mean any of them. Malformed queries raise `QueryError` with a
one-line message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from tuinews.i18n import _

FILTERS = ("lang", "source", "tag", "is", "before", "after")
IS_VALUES = ("unread", "read", "starred")

_SPACELESS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff]"
)
"""Letters of scripts written without spaces between words (CJK, Thai, Lao, Khmer, Burmese) and Hangul."""
_RELATIVE = re.compile(r"(\d{1,5})d")


class QueryError(ValueError):
    """A malformed query; the message is one line, for the user."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase, casefolded."""

    text: str
    phrase: bool = False
    negated: bool = False

    @property
    def substring(self) -> bool:
        """Matched as a substring (trigram index) rather than as words: it has spaceless letters."""
        return bool(_SPACELESS.search(self.text))

    @property
    def prefix(self) -> bool:
        """A plain word also matches as the start of a longer word (people search as they type)."""
        return not self.phrase


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: terms that must (or must not) match, and filters."""

    terms: tuple[Term, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    """Casefolded source names."""
    tags: tuple[str, ...] = ()
    """Casefolded tags."""
    unread: bool = False
    read: bool = False
    starred: bool = False
    before: float | None = None
    """Only articles dated before this POSIX time."""
    after: float | None = None
    """Only articles dated at or after this POSIX time."""
    text: str = field(default="", compare=False)
    """The query as typed."""

    @property
    def highlight_terms(self) -> frozenset[str]:
        """The casefolded words and phrases to mark in the headlines and the article."""
        return frozenset(term.text for term in self.terms if not term.negated and term.text)

    @property
    def empty(self) -> bool:
        """Nothing to filter on."""
        return self == SearchQuery()


def parse_query(text: str, *, now: datetime | None = None) -> SearchQuery:
    """Parse the search syntax; raises `QueryError` for an unbalanced quote, unknown filter or bad date."""
    now = now or datetime.now(UTC)
    terms: list[Term] = []
    languages: list[str] = []
    sources: list[str] = []
    tags: list[str] = []
    flags: set[str] = set()
    before: float | None = None
    after: float | None = None
    for negated, key, value, quoted in _tokens(text):
        if key is None:
            folded = value.casefold().strip()
            if folded:
                terms.append(Term(folded, phrase=quoted, negated=negated))
            continue
        if negated:
            raise QueryError(_("A filter cannot be negated: -{key}:").format(key=key))
        if not value:
            raise QueryError(_("The filter {key}: needs a value").format(key=key))
        if key == "lang":
            languages.append(value)
        elif key == "source":
            sources.append(value.casefold())
        elif key == "tag":
            tags.append(value.casefold())
        elif key == "is":
            if value.casefold() not in IS_VALUES:
                raise QueryError(
                    _("Unknown is:{value}; use is:unread, is:read or is:starred").format(
                        value=value
                    )
                )
            flags.add(value.casefold())
        elif key == "before":
            moment = _moment(value, now)
            before = moment if before is None else min(before, moment)
        else:
            moment = _moment(value, now)
            after = moment if after is None else max(after, moment)
    return SearchQuery(
        terms=tuple(terms),
        languages=tuple(languages),
        sources=tuple(sources),
        tags=tuple(tags),
        unread="unread" in flags,
        read="read" in flags,
        starred="starred" in flags,
        before=before,
        after=after,
        text=text.strip(),
    )


def _tokens(text: str) -> list[tuple[bool, str | None, str, bool]]:
    """(negated, filter key or None, value, quoted) for each space-separated part of `text`."""
    out: list[tuple[bool, str | None, str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            value, i = _quoted(text, i)
            out.append((negated, None, value, True))
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        word = text[start:i]
        key, colon, rest = word.partition(":")
        if colon and key.isalpha() and key.isascii():
            key = key.lower()
            if key not in FILTERS:
                raise QueryError(
                    _("Unknown filter {key}: (known: {known})").format(
                        key=key, known=", ".join(f"{name}:" for name in FILTERS)
                    )
                )
            if not rest and i < n and text[i] == '"':
                rest, i = _quoted(text, i)
            out.append((negated, key, rest.strip(), False))
            continue
        # A quote right after a word starts a phrase of its own.
        out.append((negated, None, word, False))
    return out


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError(_("Unbalanced quote: a phrase needs its closing quote"))
    return text[start + 1 : end], end + 1


def _moment(value: str, now: datetime) -> float:
    relative = _RELATIVE.fullmatch(value.lower())
    if relative:
        return (now - timedelta(days=int(relative.group(1)))).timestamp()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(
            _("Not a date: {value} (use YYYY-MM-DD or a number of days, such as 7d)").format(
                value=value
            )
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
