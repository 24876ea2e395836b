"""The version picker: the other languages of the open story, shown when there are several."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label
from textual.widgets.option_list import Option

from tuinews.i18n import N_, _
from tuinews.languages import language_label
from tuinews.model import Translation
from tuinews.ui.sources_pane import VimOptionList


class VersionScreen(ModalScreen[int | None]):
    """Pick another language version of the article; dismisses with its article id, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Close"), id="versions.close"),
        Binding("t", "dismiss(None)", N_("Close"), show=False, id="versions.close_t"),
    ]

    def __init__(self, translations: list[Translation]) -> None:
        super().__init__()
        self.translations = translations

    def compose(self) -> ComposeResult:
        options = []
        for item in self.translations:
            label = Text(language_label(item.language), style="bold")
            label.append("  ")
            label.append(item.title)
            options.append(Option(label, id=str(item.id)))
        with Vertical(id="version-dialog"):
            yield Label(_("Read in another language"), id="version-title")
            yield VimOptionList(*options, id="version-options")

    def on_mount(self) -> None:
        self.query_one(VimOptionList).focus()

    def on_option_list_option_selected(self, event: VimOptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id) if event.option.id else None)
