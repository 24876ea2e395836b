"""Markdown articles: front matter, headings, blocks, links and images."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tuinews.model import Block, BlockKind, LangOrigin, LinkSpan
from tuinews.sources.markdown import parse_markdown, split_front_matter

BODY = (
    "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
    "Trump next week. This comes as Russia continues its attacks."
)


def test_front_matter_fields() -> None:
    text = (
        "---\n"
        'title: "Zelensky: a new meeting"\n'
        "date: 2025-03-03T10:00:00+02:00\n"
        "lang: uk_UA\n"
        "author: 'Ann Author'\n"
        "url: https://example.org/a\n"
        "tags: [a, b]\n"
        "---\n\n"
        f"{BODY}\n"
    )
    article = parse_markdown(text, "a.md")
    assert article.guid == "a.md"
    assert article.title == "Zelensky: a new meeting"
    assert article.published == datetime(2025, 3, 3, 10, tzinfo=timezone(timedelta(hours=2)))
    assert article.language == "uk-UA"
    assert article.lang_origin is LangOrigin.META
    assert article.author == "Ann Author"
    assert article.link == "https://example.org/a"
    assert article.paragraphs == [BODY]


def test_toml_front_matter_and_language_key() -> None:
    fields, body = split_front_matter('+++\ntitle = "T"\nlanguage = "de"\n+++\nBody\n')
    assert fields == {"title": "T", "language": "de"}
    assert body == "Body\n"


def test_unclosed_front_matter_is_body() -> None:
    fields, body = split_front_matter("---\ntitle: T\nno end\n")
    assert fields == {}
    assert body.startswith("---")


def test_heading_is_the_title_without_front_matter() -> None:
    article = parse_markdown(f"# The Headline\n\n{BODY}\n", "a.md")
    assert article.title == "The Headline"
    assert article.paragraphs == [BODY]
    assert article.language == "en"
    assert article.lang_origin is LangOrigin.DETECTED


def test_heading_repeating_the_front_matter_title_is_dropped() -> None:
    article = parse_markdown(f"---\ntitle: The Headline\n---\n# The Headline\n\n{BODY}\n", "a.md")
    assert article.title == "The Headline"
    assert article.paragraphs == [BODY]


def test_blocks() -> None:
    text = (
        "# Title\n\n"
        f"{BODY}\n\n"
        "## Section *two*\n\n"
        "- one\n"
        "  - nested\n"
        "- two\n\n"
        "3. third\n"
        "4. fourth\n\n"
        "> quoted **text**\n"
        "> continues\n\n"
        "```python\n"
        "print('hi')\n"
        "    indented\n"
        "```\n\n"
        "---\n\n"
        "![A map of Kyiv](https://example.org/map.png)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    blocks = parse_markdown(text, "a.md").blocks
    assert blocks == [
        Block(BlockKind.PARAGRAPH, BODY),
        Block(BlockKind.HEADING, "Section two", level=2),
        Block(BlockKind.ITEM, "one", level=0, marker="•"),
        Block(BlockKind.ITEM, "nested", level=1, marker="•"),
        Block(BlockKind.ITEM, "two", level=0, marker="•"),
        Block(BlockKind.ITEM, "third", level=0, marker="3."),
        Block(BlockKind.ITEM, "fourth", level=0, marker="4."),
        Block(BlockKind.QUOTE, "quoted text continues"),
        Block(BlockKind.CODE, "print('hi')\n    indented"),
        Block(BlockKind.RULE, ""),
        Block(BlockKind.IMAGE, "A map of Kyiv", url="https://example.org/map.png"),
        Block(BlockKind.PARAGRAPH, "a | b"),
        Block(BlockKind.PARAGRAPH, "1 | 2"),
    ]


def test_inline_markup_becomes_plain_text_with_link_spans() -> None:
    text = (
        "# T\n\n"
        "Read *the* [UN report](https://un.org/r) and `code` with **[bold link](https://x.org)**"
        " and an [empty]() one.  \nNext line.\n"
    )
    block = parse_markdown(text, "a.md").blocks[0]
    assert block.text == "Read the UN report and code with bold link and an empty one.\nNext line."
    assert block.links == (
        LinkSpan(9, 18, "https://un.org/r"),
        LinkSpan(33, 42, "https://x.org"),
    )
    assert [block.text[s.start : s.end] for s in block.links] == ["UN report", "bold link"]


def test_image_inside_a_paragraph_follows_it() -> None:
    blocks = parse_markdown("# T\n\nBefore ![alt](pic.png) after.\n", "a.md").blocks
    assert blocks == [
        Block(BlockKind.PARAGRAPH, "Before after."),
        Block(BlockKind.IMAGE, "alt", url="pic.png"),
    ]


def test_rich_markup_stays_literal_and_escapes_are_removed() -> None:
    article = parse_markdown("# [bold]T[/]\n\nSee [bold]this[/] \x1b[31mred\x1b]0;x\x07.\n", "a.md")
    assert article.title == "[bold]T[/]"
    assert article.paragraphs == ["See [bold]this[/] red."]


def test_raw_html_keeps_its_text_only() -> None:
    text = "# T\n\n<div class='x'>Raw <b>html</b></div>\n\n<script>alert(1)</script>\n"
    assert parse_markdown(text, "a.md").paragraphs == ["Raw html"]


def test_chrome_in_markdown_is_removed() -> None:
    text = f"# T\n\n{BODY}\n\n{BODY}\n\nShare on Facebook\n\n## Related articles\n\n- [Other](u)\n"
    assert parse_markdown(text, "a.md").paragraphs == [BODY, BODY]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Stand: 14.03.2025 09:12 Uhr", datetime(2025, 3, 14, 9, 12, tzinfo=UTC)),
        ("*Published March 3, 2025*", datetime(2025, 3, 3, tzinfo=UTC)),
    ],
)
def test_dateline_under_the_heading(line: str, expected: datetime) -> None:
    article = parse_markdown(f"# T\n\n{line}\n\n{BODY}\n", "a.md")
    assert article.published == expected
    assert article.paragraphs == [BODY]
