"""Turn a stored article into Rich renderables.

Every piece of text is put into `rich.text.Text` objects as plain data: nothing from an article is ever
parsed as console markup, and links become `Style(link=...)` spans rather than markup tags.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text

from tuinews.i18n import _
from tuinews.languages import language_label, native_name
from tuinews.model import Article, Block, BlockKind
from tuinews.render.bidi import bidi_renderable, is_rtl_context
from tuinews.render.highlight import highlight_text
from tuinews.render.links import LinkNumbers, NumberedLink, is_safe_url, valid_spans


def render_article(article: Article, highlight: Collection[str] = ()) -> Group:
    """The whole article: a header (title, meta, link) and the body, as one Rich group.

    `highlight`: words and phrases of a search, marked wherever they occur in the title and body
    (ignoring case and diacritics).

    Text with right-to-left letters becomes a `BidiParagraph` (wrapped, then reordered line by line).
    Links in the body are numbered `[1]`, `[2]`... and listed at the end (see `tuinews.render.links`).
    """
    rtl = is_rtl_context(article.language, article.title)
    header = [
        bidi_renderable(part, rtl) if isinstance(part, Text) else part
        for part in render_header(article, highlight)
    ]
    numbers = LinkNumbers()
    body = render_body(article.blocks, rtl=rtl, numbers=numbers, highlight=highlight)
    return Group(*header, Text(), *body, *render_link_list(numbers.links))


def render_link_list(links: list[NumberedLink]) -> list[RenderableType]:
    """The "Links" list at the end of an article: a heading, then one `[n] url` line per link."""
    if not links:
        return []
    out: list[RenderableType] = [Text(), Text(_("Links"), style="bold")]
    for link in links:
        out.append(Text.assemble((f"[{link.number}] ", "dim"), (link.url, Style(link=link.url))))
    return out


def render_header(article: Article, highlight: Collection[str] = ()) -> list[RenderableType]:
    """Title, then "source · author · date · language", then the link."""
    parts: list[RenderableType] = [highlight_text(Text(article.title, style="bold"), highlight)]
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


def render_body(
    blocks: list[Block],
    *,
    rtl: bool = False,
    numbers: LinkNumbers | None = None,
    highlight: Collection[str] = (),
) -> list[RenderableType]:
    """One renderable per block, with a blank line between paragraphs.

    `rtl`: the article reads right to left (see `tuinews.render.bidi.paragraph_direction`).
    `numbers`: the link numbering to continue (a new one when not given).
    `highlight`: search words and phrases to mark (see `tuinews.render.highlight`).
    """
    numbers = LinkNumbers() if numbers is None else numbers
    out: list[RenderableType] = []
    previous: BlockKind | None = None
    for block in blocks:
        # The [n] markers are in the Text already, so the bidi reordering carries them and their styles.
        text = bidi_renderable(
            highlight_text(render_block(block, numbers), highlight),
            rtl and block.kind is not BlockKind.CODE,
        )
        # List items sit together; everything else is separated by a blank line.
        if out and not (block.kind is BlockKind.ITEM and previous is BlockKind.ITEM):
            out.append(Text())
        out.append(text)
        previous = block.kind
    return out


def render_block(block: Block, numbers: LinkNumbers | None = None) -> Text:
    """One block as a Text: headings bold, quotes marked, list items indented, links as link spans.

    Each safe link gets its number from `numbers` (a new numbering when not given) as a dim `[n]`
    right after the linked text; links with other schemes stay plain text, without a number.
    """
    numbers = LinkNumbers() if numbers is None else numbers
    body = _linked_text(block, numbers)
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
            number = numbers.number(block.url, block.text) if block.url else None
            if number is not None:
                label.stylize(Style(link=block.url))
                label.append(" ")
                label.append(f"[{number}]", style=Style(dim=True, link=block.url))
            return label
        case BlockKind.RULE:
            return Text("─" * 20, style="dim")
        case _:
            return body


def format_datetime(value: datetime | None) -> str:
    """A date for the article header, in the interface language: "3. November 2026, 09:30"."""
    from tuinews.dates_display import format_article_date

    return format_article_date(value)


def _link_style(url: str, style: str) -> Style:
    base = Style.parse(style) if style else Style()
    if is_safe_url(url):
        return base + Style(link=url)
    return base


def _linked_text(block: Block, numbers: LinkNumbers) -> Text:
    """The block's text with its safe links styled and numbered; built by appending, never parsed."""
    body = Text()
    position = 0
    for span in valid_spans(block):
        body.append(block.text[position : span.start])
        linked = block.text[span.start : span.end]
        number = numbers.number(span.url, linked)
        if number is None:
            body.append(linked)
        else:
            body.append(linked, style=Style(underline=True, link=span.url))
            body.append(f"[{number}]", style=Style(dim=True, link=span.url))
        position = span.end
    body.append(block.text[position:])
    return body
