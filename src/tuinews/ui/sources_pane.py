"""The sources pane: "All" and each source with its article and unread counts, grouped by first tag."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuinews.i18n import N_, _
from tuinews.model import SourceCount

ALL_SOURCES = "all"


class VimOptionList(OptionList):
    """An OptionList that also moves with j/k and g/G, like the headline list."""

    BINDINGS = [
        Binding("j", "cursor_down", N_("Down"), show=False, id="list.down"),
        Binding("k", "cursor_up", N_("Up"), show=False, id="list.up"),
        Binding("g", "first", N_("First"), show=False, id="list.first"),
        Binding("G", "last", N_("Last"), show=False, id="list.last"),
    ]


class SourcesPane(VimOptionList):
    """A list of sources; Enter or a click filters the headlines to one (or All)."""

    _counts: tuple[list[SourceCount], int, int] | None = None

    def show_counts(self, counts: list[SourceCount], total: int, unread: int) -> None:
        """Replace the options, keeping the highlighted source."""
        self._counts = (counts, total, unread)
        current = self.highlighted_id
        options = [Option(_label(_("All"), total, unread), id=ALL_SOURCES)]
        for tag, items in group_by_tag(counts):
            if tag:
                options.append(Option(Text(f"# {tag}", style="bold underline"), disabled=True))
            for item in items:
                label = _label(("  " if tag else "") + item.source.name, item.total, item.unread)
                if item.source.last_error:
                    label.append(" !", style="bold red")
                    label.append("\n")
                    label.append(item.source.last_error, style="red")
                options.append(Option(label, id=str(item.source.id)))
        self.set_options(options)
        ids = [option.id for option in options]
        self.highlighted = ids.index(current) if current is not None and current in ids else 0

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
    """Sources without tags first (tag ""), then one group per first tag, tags in name order."""
    groups: dict[str, list[SourceCount]] = {}
    for item in counts:
        tag = item.source.tags[0] if item.source.tags else ""
        groups.setdefault(tag, []).append(item)
    return sorted(groups.items(), key=lambda group: (group[0] != "", group[0].casefold()))


def _label(name: str, total: int, unread: int) -> Text:
    label = Text(name, overflow="ellipsis", no_wrap=True)
    label.append(f" {total}", style="dim")
    if unread:
        label.append(f" ({unread})", style="bold")
    return label
