"""Turn a stored article into Rich renderables.

Every piece of text is put into `rich.text.Text` objects as plain data: nothing from an article is ever
parsed as console markup, and links become `Style(link=...)` spans rather than markup tags.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text

from tuinews.i18n import _
from tuinews.languages import language_label, native_name
from tuinews.model import Article, Block, BlockKind

_LINK_SCHEMES = ("http://", "https://", "mailto:")


def render_article(article: Article) -> Group:
    """The whole article: a header (title, meta, link) and the body, as one Rich group."""
    return Group(*render_header(article), Text(), *render_body(article.blocks))


def render_header(article: Article) -> list[RenderableType]:
    """Title, then "source · author · date · language", then the link."""
    parts: list[RenderableType] = [Text(article.title, style="bold")]
    meta = [
        part
        for part in (
            article.source_name,
            article.author or "",
            format_datetime(article.published),
            language_label(article.language),
        )
        if part
    ]
    parts.append(Text(" · ".join(meta), style="dim"))
    if article.link:
        parts.append(Text(article.link, style=_link_style(article.link, "dim underline")))
    if article.translations:
        also = Text(_("Also in:") + " ", style="dim")
        for index, translation in enumerate(article.translations):
            if index:
                also.append(" · ", style="dim")
            also.append(native_name(translation.language), style="bold")
        also.append("  (t)", style="dim")
        parts.append(also)
    return parts


def render_body(blocks: list[Block]) -> list[RenderableType]:
    """One renderable per block, with a blank line between paragraphs."""
    out: list[RenderableType] = []
    previous: BlockKind | None = None
    for block in blocks:
        text = render_block(block)
        # List items sit together; everything else is separated by a blank line.
        if out and not (block.kind is BlockKind.ITEM and previous is BlockKind.ITEM):
            out.append(Text())
        out.append(text)
        previous = block.kind
    return out


def render_block(block: Block) -> Text:
    """One block as a Text: headings bold, quotes marked, list items indented, links as link spans."""
    body = Text(block.text)
    for span in block.links:
        if 0 <= span.start < span.end <= len(block.text):
            body.stylize(_link_style(span.url, "underline"), span.start, span.end)
    match block.kind:
        case BlockKind.HEADING:
            body.stylize("bold")
            return body
        case BlockKind.ITEM:
            indent = "  " * block.level
            marker = block.marker or "•"
            return Text.assemble(f"{indent}{marker} ", body)
        case BlockKind.QUOTE:
            body.stylize("italic")
            return Text.assemble(("▌ ", "dim"), body)
        case BlockKind.CODE:
            body.stylize("dim")
            return body
        case BlockKind.IMAGE:
            label = Text.assemble(("[" + _("image") + ": ", "dim"), body, ("]", "dim"))
            if block.url:
                label.stylize(_link_style(block.url, ""))
            return label
        case BlockKind.RULE:
            return Text("─" * 20, style="dim")
        case _:
            return body


def format_datetime(value: datetime | None) -> str:
    """A date for the article header, in local time: "2026-11-03 09:30"."""
    if value is None:
        return ""
    local = value.astimezone()
    if local.hour == 0 and local.minute == 0:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def _link_style(url: str, style: str) -> Style:
    base = Style.parse(style) if style else Style()
    if url.lower().startswith(_LINK_SCHEMES):
        return base + Style(link=url)
    return base
