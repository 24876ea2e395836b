"""The help screen: every key binding of the app and its panes, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuinews.i18n import N_, _
from tuinews.ui.key_names import binding_keys


class HelpScreen(ModalScreen[None]):
    """A modal table of keys, grouped by where they work."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Close"), id="help.close"),
        Binding("question_mark", "dismiss(None)", N_("Close"), show=False, id="help.close_q"),
        Binding("q", "dismiss(None)", N_("Close"), show=False, id="help.close_quit"),
    ]

    def __init__(self, groups: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        rows: list[tuple[Text, Text | str]] = []
        for title, bindings in self.groups:
            rows.append((Text(title, style="underline"), ""))
            seen: set[str] = set()
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = binding_keys(binding)
                if keys in seen:
                    continue
                seen.add(keys)
                rows.append((Text(keys), Text(_(binding.description))))
            rows.append((Text(""), ""))
        table = Table.grid(padding=(0, 2))
        # Textual lays the table out at its measured width, which leaves the padding out: without
        # a minimum, the longest key ("Shift+Tab") touches its description.
        widest = max((keys.cell_len for keys, what in rows if what), default=0)
        table.add_column(style="bold", no_wrap=True, min_width=widest + 2)
        table.add_column()
        for row in rows:
            table.add_row(*row)
        with VerticalScroll(id="help-dialog"):
            yield Static(Text(_("tuinews keys"), style="bold"))
            yield Static(table)
            yield Static(Text(_("Esc closes this help."), style="dim"))


def key_text(binding: Binding) -> str:
    """The keys of a binding as the help screen and the command palette show them ("j, ↓")."""
    return binding_keys(binding)
