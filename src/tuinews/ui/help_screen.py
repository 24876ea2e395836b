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
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, bindings in self.groups:
            table.add_row(Text(title, style="underline"), "")
            seen: set[str] = set()
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = _keys(binding)
                if keys in seen:
                    continue
                seen.add(keys)
                table.add_row(Text(keys), Text(_(binding.description)))
            table.add_row("", "")
        with VerticalScroll(id="help-dialog"):
            yield Static(Text(_("tuinews keys"), style="bold"))
            yield Static(table)
            yield Static(Text(_("Esc closes this help."), style="dim"))


def key_text(binding: Binding) -> str:
    """The keys of a binding as the help screen and the command palette show them ("j, ↓")."""
    return _keys(binding)


def _keys(binding: Binding) -> str:
    names = [key.strip() for key in binding.key.split(",")]
    return ", ".join(binding.key_display or _pretty(name) for name in names)


def _pretty(key: str) -> str:
    return {
        "question_mark": "?",
        "slash": "/",
        "space": "Space",
        "enter": "Enter",
        "escape": "Esc",
        "pageup": "PgUp",
        "pagedown": "PgDn",
        "shift+tab": "Shift+Tab",
        "tab": "Tab",
    }.get(key, key)
