"""Names in the order people read them: "Feed 9" before "Feed 10", case aside."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"([0-9]+)")


def natural_key(name: str) -> list[str | tuple[int, str]]:
    """Sort key of a name: case-insensitive, runs of digits 0-9 compared as numbers (by length
    without leading zeros, then digit by digit: no conversion, however long the run)."""
    parts: list[str | tuple[int, str]] = list(_DIGITS.split(name.casefold()))
    for index in range(1, len(parts), 2):
        digits = str(parts[index]).lstrip("0")
        parts[index] = (len(digits), digits)
    return parts
