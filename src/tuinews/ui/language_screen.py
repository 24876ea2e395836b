"""The language switcher: the languages present (native names and counts), then the interface language."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tuinews.i18n import N_, NATIVE_NAMES, SUPPORTED, _, translation, ui_language
from tuinews.languages import language_label
from tuinews.model import LanguageCount
from tuinews.ui.sources_pane import VimOptionList

ALL_LANGUAGES = "all"
MY_LANGUAGES = "mine"
"""The option for `[reader] languages`: any of the reader's own languages."""
UI_PREFIX = "ui:"
"""Option ids of the interface languages: "ui:uk" switches the interface to Ukrainian."""


class LanguageScreen(ModalScreen[str | None]):
    """Pick a language to filter the headlines by, or (below) the interface language.

    Dismisses with a language code or "all" (the filter), "ui:<code>" (the interface), or None.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", N_("Close"), id="languages.close"),
        Binding("l", "dismiss(None)", N_("Close"), show=False, id="languages.close_l"),
    ]

    def __init__(
        self, counts: list[LanguageCount], current: str, mine: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.counts = counts
        self.current = current
        self.mine = mine

    def compose(self) -> ComposeResult:
        total = sum(item.count for item in self.counts)
        options: list[Option | None] = [Option(_line(_("All languages"), total), id=ALL_LANGUAGES)]
        if self.mine:
            count = sum(c.count for c in self.counts if matches_any(c.code, self.mine))
            label = f"{_('My languages')} ({', '.join(self.mine)})"
            options.append(Option(_line(label, count), id=MY_LANGUAGES))
        options += [Option(_line(language_label(c.code), c.count), id=c.code) for c in self.counts]
        options.append(None)
        options.append(Option(Text(_("Interface language"), style="bold"), disabled=True))
        in_use = ui_language()
        for code in SUPPORTED:
            label = Text(("● " if code == in_use else "  ") + NATIVE_NAMES[code])
            options.append(Option(label, id=UI_PREFIX + code))
        with Vertical(id="language-dialog"):
            yield Label(_("Language"), id="language-title")
            yield VimOptionList(*options, id="language-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [
            ALL_LANGUAGES,
            *([MY_LANGUAGES] if self.mine else []),
            *(c.code for c in self.counts),
        ]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()
        # While the reader looks at the list: every interface language's catalog and date data,
        # so that choosing one costs only the repaint.
        self.run_worker(prepare_interface_languages, thread=True, exit_on_error=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


def prepare_interface_languages() -> None:
    """Load the catalog and Babel's date data of every interface language (a thread worker)."""
    from tuinews.dates_display import prepare

    for code in SUPPORTED:
        translation(code)
        prepare(code)


def matches_any(code: str, languages: tuple[str, ...]) -> bool:
    """Whether `code` is one of `languages` or a regional variant of one ("fr-CA" for "fr")."""
    return any(code == lang or code.startswith(lang + "-") for lang in languages)


def _line(label: str, count: int) -> Text:
    text = Text(label)
    text.append(f"  {count}", style="dim")
    return text
