"""Dates: parse metadata values, and find the dateline near the top of an article body.

A dateline is a short line that is mostly a date ("Stand: 14.03.2025 09:12 Uhr", "Publié le 2 avril
2025", "Опубліковано 24 листопада 2026"). It must hold a four-digit year or a full numeric date, so a body
sentence that says "on Tuesday" is never taken. dateparser is imported only when a line passes those
cheap checks: it costs time to load.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tuinews.textclean import clean_line

_MAX_DATELINE_CHARS = 90
_MAX_EXTRA_WORDS = 4
_MAX_EXTRA_CHARS = 40
_DATELINE_SCAN = 8
_MAX_BYLINE_WORDS = 8
_BYLINE_START = re.compile(r"(?:by|von|par|por|di|door|av|від|автор|авторка)\s", re.IGNORECASE)

_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|2[01]\d\d)(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})(?![\d.]\d)"
    r"(?:,?\s+(?:um\s+|à\s+|at\s+|a las\s+|о\s+)?(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?!\d))?"
)
_ISO = re.compile(
    r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
_ABBREV_DOT = re.compile(r"\b([^\W\d_]{3,5})\.(?=\s)")
_AM_PM = re.compile(r"\b([ap])\.\s?m\.", re.IGNORECASE)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _dateparser_parse(text: str) -> datetime | None:
    import dateparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dateparser.parse(text)


def parse_date(text: str) -> datetime | None:
    """Parse a metadata date (ISO 8601, RFC 2822, or anything dateparser reads), timezone-aware."""
    text = clean_line(text or "")
    if not text or len(text) > 200:
        return None
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return _aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        value = _dateparser_parse(text)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return _aware(value) if value is not None else None


def _short_remainder(line: str, *spans: tuple[int, int]) -> bool:
    rest = line
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    rest = rest.strip(" ,.;:|-–—·•()[]")
    if _BYLINE_START.match(rest):
        # "By Daniel Brooks, World Wire · 29 October 2026": a byline may be a little longer.
        return len(_WORD.findall(rest)) <= _MAX_BYLINE_WORDS and len(rest) <= _MAX_DATELINE_CHARS
    return len(_WORD.findall(rest)) <= _MAX_EXTRA_WORDS and len(rest) <= _MAX_EXTRA_CHARS


def _numeric_dateline(line: str) -> datetime | None:
    match = _NUMERIC.search(line)
    if match and _short_remainder(line, match.span()):
        try:
            return datetime(
                int(match["y"]),
                int(match["m"]),
                int(match["d"]),
                int(match["H"] or 0),
                int(match["M"] or 0),
                tzinfo=UTC,
            )
        except ValueError:
            return None
    match = _ISO.search(line)
    if match and _short_remainder(line, match.span()):
        return parse_date(match.group())
    return None


def _search_dates(line: str, languages: list[str] | None) -> list[tuple[str, datetime]]:
    from dateparser.search import search_dates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return search_dates(line, languages=languages) or []
        except Exception:  # unsupported language codes and odd input
            return []


def _dateparser_dateline(line: str, language: str | None) -> datetime | None:
    text = _AM_PM.sub(r"\1m", _ABBREV_DOT.sub(r"\1", line))
    # The language hint is fast; without it dateparser tries every language it knows.
    for languages in ([language], None) if language else (None,):
        found = _search_dates(text, languages)
        dated = _date_of_dateline(text, found)
        if dated is not None:
            return dated
    return None


def _date_of_dateline(text: str, found: list[tuple[str, datetime]]) -> datetime | None:
    spans: list[tuple[int, int]] = []
    dated: datetime | None = None
    position = 0
    for matched, value in found:
        start = text.find(matched, position)
        if start < 0:
            return None
        position = start + len(matched)
        spans.append((start, position))
        if dated is None and _YEAR.search(matched) and len(_NUMBER.findall(matched)) >= 2:
            dated = value
    if dated is None or not _short_remainder(text, *spans):
        return None
    return _aware(dated)


def dateline_date(line: str, language: str | None = None) -> datetime | None:
    """The date a dateline-shaped line gives, or None if the line is not a dateline."""
    line = clean_line(line)
    if not line or len(line) > _MAX_DATELINE_CHARS or not _YEAR.search(line):
        return None
    numeric = _numeric_dateline(line)
    if numeric is not None:
        return numeric
    if len(_WORD.findall(line)) > _MAX_EXTRA_WORDS + 6:
        return None
    return _dateparser_dateline(line, language)


def find_dateline(
    lines: list[str], language: str | None = None
) -> tuple[datetime | None, int | None]:
    """Look at the first few non-empty lines for a dateline; return its date and the line's index.

    `language` (a BCP 47 tag) is a hint that makes dateparser faster; it is optional.
    """
    primary = language.split("-", 1)[0] if language else None
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > _DATELINE_SCAN:
            break
        found = dateline_date(line, primary)
        if found is not None:
            return found, index
    return None, None
