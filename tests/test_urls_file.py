"""newsboat `urls` files: tokens, tags, names, comments, and the newsboat-only lines skipped."""

from __future__ import annotations

import pytest

from tuinews.model import SourceKind
from tuinews.sources.urls_file import parse_urls_file, tokenize

URLS = """\
# My feeds
https://lwn.net/headlines/rss linux news

  https://blog.example/feed.xml "two words" "~The Blog" ! tech
"query:Unread Articles:unread = \\"yes\\""
exec:~/bin/make-feed.sh
filter:~/bin/clean.sh:https://messy.example/feed
https://example.org/page#section tagged # and a comment
file:///home/me/feed.xml local
https://example.org/tricky "~Name with \\"quotes\\"" "~Last name wins"
"https://quoted.example/feed" quoted
"""


def test_feeds_tags_and_names() -> None:
    result = parse_urls_file(URLS, "urls")
    assert [(s.location, s.name, s.tags) for s in result.sources] == [
        ("https://lwn.net/headlines/rss", "https://lwn.net/headlines/rss", ("linux", "news")),
        ("https://blog.example/feed.xml", "The Blog", ("two words", "tech")),
        ("https://example.org/page#section", "https://example.org/page#section", ("tagged",)),
        ("https://example.org/tricky", "Last name wins", ()),
        ("https://quoted.example/feed", "https://quoted.example/feed", ("quoted",)),
    ]
    assert all(s.kind is SourceKind.URL and s.language is None for s in result.sources)


def test_newsboat_only_lines_are_reported_with_their_line_numbers() -> None:
    result = parse_urls_file(URLS, "urls")
    assert [str(skip) for skip in result.skipped] == [
        'urls:5: skipped a newsboat query feed: query:Unread Articles:unread = "yes"',
        "urls:6: skipped a newsboat exec: feed: exec:~/bin/make-feed.sh",
        "urls:7: skipped a newsboat filter: feed: filter:~/bin/clean.sh:https://messy.example/feed",
        "urls:9: skipped, not an http(s) feed URL: file:///home/me/feed.xml",
    ]


def test_blank_and_comment_only_files_have_nothing() -> None:
    result = parse_urls_file("\n# nothing here\n   \n\t# indented comment\n", "urls")
    assert result.sources == [] and result.skipped == []


def test_crlf_line_ends_and_tag_escapes_are_read() -> None:
    result = parse_urls_file('https://a.example/rss "tab\\there"\r\nhttps://b.example/rss\r\n', "u")
    assert [(s.location, s.tags) for s in result.sources] == [
        ("https://a.example/rss", ("tab here",)),  # a tab in a tag folds to a space
        ("https://b.example/rss", ()),
    ]


@pytest.mark.parametrize(
    ("line", "tokens"),
    [
        ("a b  c", ["a", "b", "c"]),
        ('a "b c" d', ["a", "b c", "d"]),
        ('a "say \\"hi\\"" \\x', ["a", 'say "hi"', "\\x"]),
        ("a # comment b", ["a"]),
        ("a#notacomment b", ["a#notacomment", "b"]),
        ('"#quoted hash" x', ["#quoted hash", "x"]),
        ('a "unclosed b', ["a", "unclosed b"]),
        ("", []),
    ],
)
def test_tokenize(line: str, tokens: list[str]) -> None:
    assert tokenize(line) == tokens
