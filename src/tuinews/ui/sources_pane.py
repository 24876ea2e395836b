"""The sources pane: "All", then each source with its article and unread counts, grouped by tag.

A source with several tags is listed under each of them; a tag's own row selects all its sources.
Subscriptions of a feed server (`SourceKind.SERVER`) carry a mark before their name.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuinews.i18n import N_, _
from tuinews.model import Source, SourceCount, SourceKind
from tuinews.natural_order import natural_key
from tuinews.redact import redact_text
from tuinews.render.cells import pad_cells, truncate_cells

ALL_SOURCES = "all"
TAG_PREFIX = "tag:"
"""Option ids of tag rows: "tag:" and the tag."""
TAG_SEPARATOR = "|"
"""Option ids of a source under a tag: its id, "|", the tag (a source may be under several)."""
SERVER_MARK = "⇅"
"""Before the name of a feed server's subscription (kept in step by `tuinews sync`)."""


class VimOptionList(OptionList):
    """An OptionList that also moves with j/k and g/G, like the headline list."""

    BINDINGS = [
        Binding("j", "cursor_down", N_("Down"), show=False, id="list.down"),
        Binding("k", "cursor_up", N_("Up"), show=False, id="list.up"),
        Binding("g", "first", N_("First"), show=False, id="list.first"),
        Binding("G", "last", N_("Last"), show=False, id="list.last"),
    ]


class SourcesPane(VimOptionList):
    """A list of sources; Enter or a click filters the headlines to one, a tag's, or All."""

    _counts: tuple[list[SourceCount], int, int] | None = None

    def show_counts(self, counts: list[SourceCount], total: int, unread: int) -> None:
        """Replace the options, keeping the highlighted source."""
        self._counts = (counts, total, unread)
        current = self.highlighted_id
        width = self._label_width()
        options = [Option(_label(_("All"), total, unread, width), id=ALL_SOURCES)]
        for tag, items in group_by_tag(counts):
            if tag:
                tag_total = sum(item.total for item in items)
                tag_unread = sum(item.unread for item in items)
                label = _label(f"# {tag}", tag_total, tag_unread, width)
                label.stylize("bold", 0, len(tag) + 2)
                options.append(Option(label, id=TAG_PREFIX + tag))
            for item in items:
                source = item.source
                mark = f"{SERVER_MARK} " if source.kind is SourceKind.SERVER else ""
                name = redact_text(source.name)  # a feed named by its URL: no password shown
                label = _label(
                    ("  " if tag else "") + mark + name,
                    item.total,
                    item.unread,
                    width,
                    source.last_error is not None,
                )
                if source.last_error:
                    label.append(" !", style="bold red")  # (room kept for it by _label)
                    label.append("\n")
                    error = redact_text(source.last_error)
                    label.append(truncate_cells(error, width) if width else error, style="red")
                options.append(Option(label, id=source_option_id(source.id or 0, tag)))
        self.set_options(options)
        ids = [option.id for option in options]
        self.highlighted = ids.index(current) if current is not None and current in ids else 0
        server = any(item.source.kind is SourceKind.SERVER for item in counts)
        self.border_subtitle = f"{SERVER_MARK} " + _("server") if server else None
        self.tooltip = (
            _(
                "{mark} marks a subscription of your feed server (kept in step by tuinews sync);"
                " the other sources are your own."
            ).format(mark=SERVER_MARK)
            if server
            else None
        )

    def _label_width(self) -> int:
        """Cells a row may use (0 before the first layout: no truncation)."""
        return max(0, self.scrollable_content_region.width - 1)

    def on_resize(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        """Show the options again in the current interface language."""
        if self._counts is not None:
            self.show_counts(*self._counts)

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted option ("all" or a source id)."""
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id


def group_by_tag(counts: list[SourceCount]) -> list[tuple[str, list[SourceCount]]]:
    """Sources without tags first (tag ""), then one group per tag, tags in name order.

    A source with several tags is in the group of each of them. Names are in natural order
    ("Feed 9" before "Feed 10").
    """
    groups: dict[str, list[SourceCount]] = {}
    for item in sorted(counts, key=lambda item: natural_key(item.source.name)):
        for tag in dict.fromkeys(item.source.tags or ("",)):
            groups.setdefault(tag, []).append(item)
    return sorted(groups.items(), key=lambda group: (group[0] != "", natural_key(group[0])))


def source_option_id(source_id: int, tag: str) -> str:
    """The option id of a source's row under `tag` ("" when it has no tags); unique per row."""
    return f"{source_id}{TAG_SEPARATOR}{tag}" if tag else str(source_id)


def parse_option(option_id: str | None) -> tuple[int | None, str | None]:
    """What a row selects: (source id, None), (None, tag), or (None, None) for All."""
    if option_id is None or option_id == ALL_SOURCES:
        return None, None
    if option_id.startswith(TAG_PREFIX):
        return None, option_id.removeprefix(TAG_PREFIX)
    return int(option_id.partition(TAG_SEPARATOR)[0]), None


def tag_source_ids(sources: Iterable[Source], tag: str) -> tuple[int, ...]:
    """The ids of the sources that have `tag`."""
    return tuple(s.id for s in sources if s.id is not None and tag in s.tags)


def _label(name: str, total: int, unread: int, width: int = 0, error: bool = False) -> Text:
    """One row: the name cut to fit with an ellipsis, the counts at the right edge of `width`."""
    counts = f" {total}" + (f" ({unread})" if unread else "") + (" !" if error else "")
    if width:
        room = max(4, width - cell_len(counts))
        name = pad_cells(truncate_cells(name, room), room)
    label = Text(name, no_wrap=True)
    label.append(f" {total}", style="dim")
    if unread:
        label.append(f" ({unread})", style="bold")
    return label
