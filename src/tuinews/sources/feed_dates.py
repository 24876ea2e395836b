"""Read entry dates: ISO 8601 and RFC 822 with the standard library, and those feedparser could not
read, localised RFC 822 ("Seg, 24 Set 2018 19:42:40 -0300") and free-form text ("March 3rd, 2021").

dateparser reads them, but trying every language it knows takes tens of milliseconds per date;
with a language hint it takes one or two. The hint is the feed's language, else the locale of the
first date read without a hint (a feed writes all its dates alike). A feed gets a few unhinted
tries only, so a feed of garbage dates cannot cost seconds.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from tuinews.sources.feed_entry import aware_utc
from tuinews.textclean import clean_line

_FULL_TRIES = 3
_MAX_CHARS = 200


class FeedDates:
    """Parses the dates of one feed, with a language hint and a budget for slow tries."""

    def __init__(self, language: str | None) -> None:
        self.language = language.split("-", 1)[0].casefold() if language else None
        self.full_tries = _FULL_TRIES
        self._parsers: dict[str | None, Any] = {}

    def _read(self, text: str, language: str | None) -> tuple[datetime | None, str | None]:
        from dateparser.date import DateDataParser

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parser = self._parsers.get(language)
                if parser is None:
                    parser = DateDataParser(languages=[language] if language else None)
                    self._parsers[language] = parser
                data = parser.get_date_data(text)
            except Exception:  # unsupported language codes and odd input
                return None, None
        return data.date_obj, data.locale

    def parse(self, text: str) -> datetime | None:
        """The date `text` gives, timezone-aware UTC, or None."""
        text = clean_line(text)
        if len(text) > _MAX_CHARS or not any(char.isdigit() for char in text):
            return None  # "now", "yesterday": dateparser would date them by the clock
        try:
            return aware_utc(datetime.fromisoformat(text))
        except ValueError:
            pass
        try:
            return aware_utc(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
        if self.language:
            found, _ = self._read(text, self.language)
            if found is not None:
                return aware_utc(found)
        if self.full_tries <= 0:
            return None
        self.full_tries -= 1
        found, locale = self._read(text, None)
        if found is not None and locale:
            self.language = locale.split("-", 1)[0].casefold()
        return aware_utc(found)
