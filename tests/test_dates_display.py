"""Dates in the interface language, with a relative time for recent ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tuinews.dates_display import format_article_date
from tuinews.i18n import set_ui_language

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "hours", "expected"),
    [
        ("en", 2, "2 hours ago"),
        ("de", 2, "vor 2 Stunden"),
        ("uk", 2, "2 години тому"),
        ("uk", 5 * 24, "5 днів тому"),
        ("fr", 3 * 24, "il y a 3 jours"),
        ("es", 1, "hace 1 hora"),
    ],
)
def test_recent_dates_get_a_relative_time(language: str, hours: int, expected: str) -> None:
    set_ui_language(language)
    text = format_article_date(NOW - timedelta(hours=hours), now=NOW)
    assert text.endswith(f"({expected})")


def test_older_dates_are_long_dates_in_the_interface_language() -> None:
    set_ui_language("uk")
    old = datetime(2025, 4, 2, 0, 0).astimezone()
    assert format_article_date(old, now=NOW) == "2 квітня 2025\u202fр."
    set_ui_language("de")
    assert format_article_date(old, now=NOW) == "2. April 2025"


def test_unknown_date_is_empty() -> None:
    assert format_article_date(None) == ""
