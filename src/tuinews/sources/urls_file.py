"""Subscription lists in newsboat's `urls` format: one feed a line, then its tags.

    # a comment
    https://example.com/feed.xml news "two words" "~Custom Name" !
    "query:Unread:unread = \\"yes\\""
    exec:~/bin/make-feed.sh

Tokens are separated by spaces; a double-quoted token may hold spaces and the escapes `\\"`,
`\\\\`, `\\n`, `\\t`; a token starting with `#` begins a comment. The first token is the URL. A tag
`~Name` names the feed; the tag `!` (newsboat's "hidden") is ignored. Lines whose URL is a
newsboat-only feed (`query:`, `exec:`, `filter:`) or not http(s) are reported as skipped.
"""

from __future__ import annotations

from tuinews.i18n import N_, _
from tuinews.model import LoadError, Source, SourceKind
from tuinews.sources.opml import SubscriptionList, http_url
from tuinews.textclean import clean_line

_NEWSBOAT_ONLY = {
    "query:": N_("skipped a newsboat query feed: {url}"),
    "exec:": N_("skipped a newsboat exec: feed: {url}"),
    "filter:": N_("skipped a newsboat filter: feed: {url}"),
}


def parse_urls_file(text: str, where: str) -> SubscriptionList:
    """Read a newsboat urls file; `where` (the file name) prefixes each skipped line's report."""
    result = SubscriptionList()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tokens = tokenize(stripped)
        if not tokens:
            continue
        raw_url, tags = tokens[0], tokens[1:]
        place = f"{where}:{number}"
        shown = clean_line(raw_url)[:200]
        kind = next(
            (why for prefix, why in _NEWSBOAT_ONLY.items() if raw_url.startswith(prefix)), None
        )
        if kind is not None:
            result.skipped.append(LoadError(place, _(kind).format(url=shown)))
            continue
        url = http_url(raw_url)
        if url is None:
            reason = _("skipped, not an http(s) feed URL: {url}").format(url=shown)
            result.skipped.append(LoadError(place, reason))
            continue
        name = ""
        kept: list[str] = []
        for tag in tags:
            if tag.startswith("~"):
                name = clean_line(tag[1:])
            elif tag != "!" and (clean := clean_line(tag)):
                kept.append(clean)
        result.sources.append(
            Source(
                kind=SourceKind.URL,
                location=url,
                name=name or url,
                tags=tuple(dict.fromkeys(kept)),
            )
        )
    return result


def tokenize(line: str) -> list[str]:
    """Split a urls line into tokens, the way newsboat does: quotes, backslash escapes, `#` comments."""
    tokens: list[str] = []
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if char.isspace():
            index += 1
        elif char == "#":
            break
        elif char == '"':
            token, index = _quoted(line, index + 1)
            tokens.append(token)
        else:
            start = index
            while index < length and not line[index].isspace():
                index += 1
            tokens.append(line[start:index])
    return tokens


def _quoted(line: str, index: int) -> tuple[str, int]:
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    out: list[str] = []
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            out.append(escapes.get(line[index + 1], line[index + 1]))
            index += 2
        elif char == '"':
            return "".join(out), index + 1
        else:
            out.append(char)
            index += 1
    return "".join(out), index  # an unclosed quote runs to the end of the line
