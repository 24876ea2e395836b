"""The link picker (L): the open article's numbered links; Enter opens the chosen one."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label
from textual.widgets.option_list import Option

from tuinews.i18n import N_, _
from tuinews.render.links import NumberedLink
from tuinews.ui.sources_pane import VimOptionList


class LinkPicker(ModalScreen[int | None]):
    """Pick one of the article's links; dismisses with its number, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Close"), id="links.close"),
        Binding("L", "dismiss(None)", N_("Close"), show=False, id="links.close_l"),
    ]

    def __init__(self, links: list[NumberedLink]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        options = []
        for link in self.links:
            # Article text and URLs are data: appended to a Text, never parsed as markup.
            label = Text(f"[{link.number}] ", style="bold")
            label.append(link.url, style=Style(link=link.url))
            if link.text and link.text != link.url:
                label.append("  ")
                label.append(link.text, style="dim")
            options.append(Option(label, id=str(link.number)))
        with Vertical(id="link-dialog"):
            yield Label(_("Links"), id="link-title")
            yield VimOptionList(*options, id="link-options")

    def on_mount(self) -> None:
        self.query_one(VimOptionList).focus()

    def on_option_list_option_selected(self, event: VimOptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id) if event.option.id else None)
