"""`urllib.parse.urljoin` and URL schemes, exactly, at a fraction of the cost for the common URL.

A feed resolves a few URLs per item (link, guid, links in the body); `urljoin` parses both URLs
every time. Here an absolute http(s) URL made only of plain characters, a plain relative path
against such a base, or a plain path from the root against any base whose scheme and host are
plain, is resolved with string operations that give `urljoin`'s result (the equality is tested
against `urljoin` in tests/test_refresh_fast_paths.py and tests/test_parse_fast_paths.py);
anything else goes to `urljoin`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

# Characters that `urlsplit` keeps as they are and that split nothing (no ";", "?", "#", "[", "]").
_PCHAR = r"[A-Za-z0-9._~!$&'()*+,=:@%-]"
_HOST = r"[A-Za-z0-9.-]+(?::[0-9]+)?"
# An absolute http(s) URL that `urlunparse(urlparse(url))` gives back unchanged: lower-case scheme,
# a plain host, a path of plain segments, a non-empty query and fragment if any.
_TAIL = rf"(?:\?(?:{_PCHAR}|[/?])+)?(?:#(?:{_PCHAR}|[/?])+)?"  # a non-empty query, fragment
_SIMPLE_ABSOLUTE = re.compile(rf"(https?)://({_HOST})((?:/{_PCHAR}*)*){_TAIL}")
# A path from the root (not "//": that starts a host), with a query and fragment as above.
_SIMPLE_ROOTED = re.compile(rf"((?:/{_PCHAR}+)+/?|/){_TAIL}")
# A relative path of plain, non-empty segments, none of them "." or "..", without a scheme.
_SEGMENT = r"[A-Za-z0-9_~!$&'()*+,=@%-][A-Za-z0-9._~!$&'()*+,=@%-]*"
_SIMPLE_RELATIVE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
# A lower-case http(s) scheme and a plain host: what `urlsplit` reads alike in any base it starts.
_PLAIN_ORIGIN = re.compile(rf"https?://{_HOST}")
_ORIGINS_KEPT = 256
_origins: dict[str, bool] = {}  # origin -> whether `_PLAIN_ORIGIN` matches it


def _origin(base: str) -> str | None:
    """The scheme and host of `base` when they are plain; else None.

    All `urljoin` takes from a base for a path from the root. The bases a feed's bodies resolve
    against differ for every item (their own links) but share a few origins, so the test is
    remembered by origin rather than by base.
    """
    if base.startswith("https://"):
        end = base.find("/", 8)
    elif base.startswith("http://"):
        end = base.find("/", 7)
    else:
        return None
    origin = base if end < 0 else base[:end]
    plain = _origins.get(origin)
    if plain is None:
        if len(_origins) >= _ORIGINS_KEPT:
            _origins.clear()
        plain = _origins[origin] = _PLAIN_ORIGIN.fullmatch(origin) is not None
    return origin if plain else None


@lru_cache(maxsize=256)
def _base_parts(base: str) -> tuple[str, str] | None:
    """For a plain `base`: its scheme and host, and the URL `urljoin` puts a plain relative
    path after; else None."""
    match = _SIMPLE_ABSOLUTE.fullmatch(base)
    if match is None:
        return None
    path = match[3]
    directory = path[: path.rfind("/") + 1] or "/"
    # `urljoin` drops empty segments between the base's directories and resolves dot segments.
    if "//" in directory or _DOT_SEGMENT.search(directory):
        return None
    origin = f"{match[1]}://{match[2]}"
    return origin, origin + directory


def join_url(base: str, url: str) -> str:
    """`urllib.parse.urljoin(base, url)`; raises ValueError where it does."""
    if base and url:
        if url[0] == "/":
            origin = _origin(base)
            if origin is not None:
                rooted = _SIMPLE_ROOTED.fullmatch(url)
                # A dot segment needs "/." in the path.
                if rooted is not None and ("/." not in url or not _DOT_SEGMENT.search(rooted[1])):
                    return origin + url
        else:
            parts = _base_parts(base)
            if parts is not None:
                if _SIMPLE_ABSOLUTE.fullmatch(url) is not None:
                    if len(_plain_absolute) >= _PLAIN_KEPT:
                        _plain_absolute.clear()
                    _plain_absolute.add(url)
                    return url  # `urljoin` rebuilds it from its parts, or keeps it (other scheme)
                if _SIMPLE_RELATIVE.fullmatch(url) is not None:
                    return parts[1] + url
    return urljoin(base, url)


# The URLs `join_url` found plain and absolute: a feed's links, which `is_plain_absolute` is
# asked about again when the entries are built.
_plain_absolute: set[str] = set()
_PLAIN_KEPT = 4096


def is_plain_absolute(url: str) -> bool:
    """Whether `url` is an http(s) URL of plain characters (one `urljoin` leaves as it is)."""
    return url in _plain_absolute or _SIMPLE_ABSOLUTE.fullmatch(url) is not None


def url_scheme(url: str) -> str:
    """`urllib.parse.urlsplit(url).scheme`; raises ValueError where it does."""
    if ":" not in url and "[" not in url and "]" not in url and url.isascii():
        return ""  # no scheme, and no host `urlsplit` refuses (brackets, or NFKC changes)
    match = _SIMPLE_ABSOLUTE.fullmatch(url)
    if match is not None:
        return match[1]
    return urlsplit(url).scheme
