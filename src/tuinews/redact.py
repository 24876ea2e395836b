"""Credentials out of URLs before a person reads them: `https://user:pw@host/f` -> `https://host/f`.

A feed URL may carry a user name and password (`https://user:secret@example.org/feed`); they are
needed to fetch it, and never shown: not in error lines, progress, `sources` output or the reader.
"""

from __future__ import annotations

import re

_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)[^/?#]*@")
_USERINFO_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s@]*@")


def redact_url(url: str) -> str:
    """`url` without its userinfo (`user:password@`)."""
    return _USERINFO.sub(r"\1", url, count=1)


def redact_text(text: str) -> str:
    """`text` with the userinfo of every `scheme://user:password@host` in it removed."""
    return _USERINFO_IN_TEXT.sub(r"\1", text) if "@" in text else text
