"""Textual's footer, without the objects it keeps for every change of focus.

The footer rebuilds its keys whenever the active bindings change (each focus change does), and
binds each new key to its own `compact` setting. Textual drops the bindings of removed keys only
when `compact` changes, which here it never does: every Tab left a dozen dead key widgets behind,
alive for good, and each collection of the oldest generation had to walk all of them (a pause that
grew by milliseconds per minute of use and that key presses waited for).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """`textual.widgets.Footer` that lets go of the keys it removed."""

    def compose(self) -> ComposeResult:
        # A new key starts compact and is then bound to the footer's (not compact) setting: two
        # restyles of each key at each focus change, a fifth of what a Tab costs. Starting with
        # the footer's setting, the key is styled once, when it mounts.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps a reactive's watchers in the object's "__watchers", {name: [(node, callback)]};
        # this drops the removed nodes as Textual itself does when the value changes.
        watchers = getattr(self, "__watchers", {})
        for name, entries in watchers.items():
            watchers[name] = [(node, callback) for node, callback in entries if not node._closing]
