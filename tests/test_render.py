"""Rendering treats article text as data: markup shows literally, links become link styles."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from tuinews.model import Article, Block, BlockKind, LinkSpan, paragraph
from tuinews.render.article import render_article, render_block


def render_to_text(article: Article, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(render_article(article))
    return console.export_text()


def sample(**overrides) -> Article:
    fields = dict(
        guid="g",
        title="A [bold]title[/] with \\[escapes]",
        blocks=[paragraph("Body with [red]markup[/red] and [link=https://evil]x[/link].")],
        published=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
        language="de",
        source_name="Rhein",
        author="Anna",
        link="https://example.org/a",
    )
    fields.update(overrides)
    return Article(**fields)


def test_markup_in_title_and_body_shows_literally() -> None:
    text = render_to_text(sample())
    assert "A [bold]title[/] with \\[escapes]" in text
    assert "Body with [red]markup[/red] and [link=https://evil]x[/link]." in text


def test_header_has_source_author_language_and_link() -> None:
    text = render_to_text(sample())
    assert "Rhein · Anna · November 3, 2026" in text
    assert "Deutsch (de)" in text
    assert "https://example.org/a" in text


def test_link_spans_become_link_styles_only_for_safe_schemes() -> None:
    block = Block(
        BlockKind.PARAGRAPH,
        "good bad",
        links=(LinkSpan(0, 4, "https://example.org"), LinkSpan(5, 8, "javascript:alert(1)")),
    )
    text = render_block(block)
    links = {span.style.link for span in text.spans if hasattr(span.style, "link")}
    assert "https://example.org" in links
    assert not any(link and link.startswith("javascript") for link in links)


def test_blocks_render_by_kind() -> None:
    article = sample(
        blocks=[
            Block(BlockKind.HEADING, "Section", level=2),
            Block(BlockKind.ITEM, "first", marker="1."),
            Block(BlockKind.ITEM, "nested", level=1),
            Block(BlockKind.QUOTE, "quoted words"),
            Block(BlockKind.IMAGE, "a map", url="https://example.org/m.png"),
        ]
    )
    text = render_to_text(article)
    assert "1. first\n  • nested" in text
    assert "▌ quoted words" in text
    assert "[image: a map]" in text
