"""Key names as the footer, the help screen and the command palette show them, in the interface language.

A key that is one character stays as it is ("j", "G", "?"), arrows are arrows; keys named by a word
(Enter, Space, Esc, PgUp, Home...) and modifiers (Ctrl, Shift, Alt) are msgids translated when shown
("Пробіл", "Leertaste", "Échap"), so a switch of the interface language renames them too.
"""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.keys import format_key

from tuinews.i18n import N_, _

_WORDS = {
    "enter": N_("Enter"),
    "space": N_("Space"),
    "escape": N_("Esc"),
    "tab": N_("Tab"),
    "pageup": N_("PgUp"),
    "pagedown": N_("PgDn"),
    "home": N_("Home"),
    "end": N_("End"),
    "delete": N_("Del"),
    "insert": N_("Ins"),
    "backspace": N_("Backspace"),
}
"""Keys named by a word: their msgids."""
_MODIFIERS = {
    "ctrl": N_("Ctrl"),
    "shift": N_("Shift"),
    "alt": N_("Alt"),
    "meta": N_("Meta"),
    "super": N_("Super"),
}
_ARROWS = {"up": "↑", "down": "↓", "left": "←", "right": "→"}
_FUNCTION_KEY = re.compile(r"f\d{1,2}")


def key_name(key: str, *, compact: bool = False) -> str:
    """One Textual key name as shown: "j", "?", "↓", "Enter", "PgUp", "Shift+Tab", "Ctrl+P".

    `compact` (the footer) keeps Textual's short symbols where there is one: "⏎" for Enter and
    "^p" for Ctrl with a letter; words are translated all the same.
    """
    *modifiers, name = key.split("+") if len(key) > 1 else [key]
    if compact and not modifiers and name == "enter":
        return "⏎"
    if compact and modifiers == ["ctrl"] and name not in _WORDS:
        return f"^{format_key(name)}"
    if name in _WORDS:
        shown = _(_WORDS[name])
    elif name in _ARROWS:
        shown = _ARROWS[name]
    elif _FUNCTION_KEY.fullmatch(name):
        shown = name.upper()
    else:
        shown = format_key(name)  # Unicode names become their character: "question_mark" -> "?"
        if modifiers and len(shown) == 1:
            shown = shown.upper()
    names = [_(_MODIFIERS[m]) if m in _MODIFIERS else m for m in modifiers]
    return "+".join([*names, shown])


def binding_keys(binding: Binding) -> str:
    """Every key of a binding, for the help screen and the command palette: "j, ↓", "g, Home"."""
    if binding.key_display:
        return _(binding.key_display)
    return ", ".join(key_name(key.strip()) for key in binding.key.split(","))


def footer_key(binding: Binding) -> str:
    """The key of a footer entry (one key per entry): "⏎", "q", "Esc", "^p"."""
    if binding.key_display:
        return _(binding.key_display)
    return key_name(binding.key.split(",")[0].strip(), compact=True)
