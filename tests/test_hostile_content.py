"""Hostile text through cleaning, storage, rendering and feed parsing (property tests).

Whatever a file or feed says, nothing raises, no control character reaches the terminal, and no
markup is interpreted: text is data.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tuinews.model import Article, Block, BlockKind, LoadFailure, Source, SourceKind, paragraph
from tuinews.render.article import render_article
from tuinews.sources.feeds import parse_feed
from tuinews.store import Store
from tuinews.textclean import clean_line, clean_text

NASTY = [
    "[bold]",
    "[/]",
    "[/bold]",
    "\\[",
    "[link=https://evil.example]x[/link]",
    "[red on white]",
    ":smile:",
    "\x1b[31m",
    "\x1b[2J",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b]0;title\x07",
    "\x9b31m",
    "\x07",
    "\x00",
    "\r",
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200d",
    "\u0301",
    "\ufeff",
    "e\u0301",
    "👩‍👩‍👧",
    "עברית",
    "العربية",
    "日本語",
    "<script>alert(1)</script>",
    "&amp;",
    "&#27;",
]
hostile = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=20)), min_size=1, max_size=12
).map("".join)

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render_plain(article: Article) -> str:
    out = io.StringIO()
    # Wide enough that no tag is wrapped across lines.
    Console(file=out, width=5000, color_system=None, force_terminal=False).print(
        render_article(article)
    )
    return out.getvalue()


@FAST
@given(hostile, hostile)
def test_cleaned_text_renders_literally_without_control_characters(title: str, body: str) -> None:
    article = Article(
        guid="g",
        title=clean_line(title) or "untitled",
        blocks=[paragraph(clean_text(body) or "empty")],
        source_name=clean_line(title),
    )
    output = render_plain(article)
    assert not CONTROL.search(output.replace("\n", ""))
    for tag in ("[bold]", "[/]", "[red on white]", ":smile:"):
        # Right-to-left lines are shown in visual order, which moves neutral characters around.
        if RTL.search(article.title + article.blocks[0].text):
            continue
        if tag in article.title or tag in article.blocks[0].text:
            assert tag in output  # shown, not interpreted


@FAST
@given(hostile, hostile)
def test_clean_text_leaves_no_controls_and_is_stable(title: str, body: str) -> None:
    for cleaned in (clean_text(body), clean_line(title)):
        assert not CONTROL.search(cleaned.replace("\n", "").replace("\t", ""))
        assert clean_text(cleaned) == cleaned


@settings(max_examples=40, deadline=None)
@given(hostile, st.lists(hostile, min_size=1, max_size=4))
def test_store_round_trip_keeps_cleaned_text(title: str, paragraphs: list[str]) -> None:
    article = Article(
        guid="guid",
        title=clean_line(title) or "untitled",
        blocks=[Block(BlockKind.PARAGRAPH, clean_text(p) or "x") for p in paragraphs],
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "c.db") as store:
        source = store.upsert_source(Source(SourceKind.PATH, "/x", "X"))
        store.upsert_articles(source, [(article, None)])
        stored = store.article_by_guid(source.id, "guid")
        assert stored is not None
        assert stored.title == article.title
        assert stored.blocks == article.blocks


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most controls at all; a feed with them is ill-formed, which is tested too.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("]]>", "]]&gt;")


@settings(max_examples=60, deadline=None)
@given(hostile, hostile, st.booleans())
def test_hostile_feed_fields_parse_to_clean_articles(
    title: str, body: str, wellformed: bool
) -> None:
    if wellformed:
        title, body = _xml_text(title), _xml_text(body)
    data = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        f"<item><title>{title}</title><guid>g1</guid><description>{body}</description></item>"
        "</channel></rss>"
    ).encode("utf-8", "surrogatepass")
    try:
        parsed = parse_feed(data, "https://example.org/feed.xml", {})
    except LoadFailure:
        return
    for article in parsed.articles:
        texts = [article.title, *(block.text for block in article.blocks)]
        for text in texts:
            assert not CONTROL.search(text.replace("\n", "").replace("\t", ""))
        render_plain(article)
