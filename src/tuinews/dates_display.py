"""Dates as the interface shows them, in the interface language (Babel's CLDR data).

"3 листопада 2026 р., 09:30 (2 дні тому)", "3. November 2026, 09:30 (vor 2 Tagen)". Babel is imported
on first use (about 40 ms), never at start.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuinews.i18n import ui_language

RELATIVE_WITHIN = timedelta(days=7)
"""Dates closer to now than this also get a relative time ("vor 2 Stunden")."""


def format_article_date(value: datetime | None, now: datetime | None = None) -> str:
    """A long local date (and time unless it is midnight), plus a relative time when recent."""
    if value is None:
        return ""
    from babel.dates import format_date, format_time, format_timedelta

    locale = ui_language()
    local = value.astimezone()
    text = format_date(local, "long", locale=locale)
    if (local.hour, local.minute) != (0, 0):
        text += ", " + format_time(local, "HH:mm", locale=locale)
    delta = value - (now or datetime.now(UTC))
    if abs(delta) < RELATIVE_WITHIN:
        relative = format_timedelta(delta, add_direction=True, locale=locale, threshold=1.0)
        text += f" ({relative})"
    return text


def prepare(locale: str) -> None:
    """Load Babel's date data for `locale` now (from a background thread), not at the first date."""
    from babel.dates import format_date, format_time, format_timedelta

    now = datetime.now(UTC)
    format_date(now, "long", locale=locale)
    format_time(now, "HH:mm", locale=locale)
    format_timedelta(timedelta(hours=-2), add_direction=True, locale=locale, threshold=1.0)
