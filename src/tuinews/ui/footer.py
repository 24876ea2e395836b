"""Textual's footer, reworded in place at a focus change, and without the objects it leaks.

Textual's footer rebuilds its keys whenever the active bindings change (each focus change does):
it removes every key widget and mounts new ones, which then get their styles matched, registered
and laid out (about half of what a Tab costs the reader). Here the keys that stay (same key and
action, in the same order) keep their widgets, reworded where they stand (words, tooltip, enabled),
and only the keys that come or go are mounted or removed; with grouped keys (which tuinews does not
use) the footer rebuilds as Textual's does.

Textual also binds each new key to its own `compact` setting and drops the bindings of removed keys
only when `compact` changes, which here it never does: every rebuild left dead key widgets behind,
alive for good, and each collection of the oldest generation had to walk all of them.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import NamedTuple

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class _KeySpec(NamedTuple):
    """What one key of the footer shows and does."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    palette: bool


class Footer(TextualFooter):
    """`textual.widgets.Footer` that rewords its keys in place and lets go of those it removed."""

    def compose(self) -> ComposeResult:
        # A new key starts compact and is then bound to the footer's (not compact) setting: two
        # restyles of each key at each rebuild. Starting with the footer's setting, the key is
        # styled once, when it mounts.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        if not self.is_attached:
            return
        specs = self._key_specs()
        keys = list(self.children)
        if specs is None or not all(type(key) is FooterKey for key in keys):
            await self.recompose()
            return
        # Keep the keys that stay (by key, action and place), reword them; mount and remove the rest.
        old = [(k.key, k.action, k.has_class("-command-palette")) for k in keys]
        new = [(spec.key, spec.action, spec.palette) for spec in specs]
        matcher = SequenceMatcher(None, old, new, autojunk=False)
        removed: list[FooterKey] = []
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag == "equal":
                for key, spec in zip(keys[i1:i2], specs[j1:j2], strict=True):
                    self._reword(key, spec)
                continue
            removed += keys[i1:i2]
            fresh = [self._new_key(spec) for spec in specs[j1:j2]]
            if fresh:
                if i2 < len(keys):
                    await self.mount_all(fresh, before=keys[i2])
                else:
                    await self.mount_all(fresh)
        if removed:
            await self.remove_children(removed)
            self._drop_dead_watchers()

    def _reword(self, key: FooterKey, spec: _KeySpec) -> None:
        if key.key_display != spec.display or key.description != spec.description:
            key.key_display, key.description = spec.display, spec.description
            key.refresh(layout=True)
        if key._disabled == spec.enabled:
            key._disabled = not spec.enabled
            key.set_class(not spec.enabled, "-disabled")
        if key.tooltip != (spec.tooltip or None):
            key.tooltip = spec.tooltip or None

    def _new_key(self, spec: _KeySpec) -> FooterKey:
        key = FooterKey(
            spec.key,
            spec.display,
            spec.description,
            spec.action,
            disabled=not spec.enabled,
            tooltip=spec.tooltip,
            classes="-command-palette" if spec.palette else "",
        )
        key.set_reactive(FooterKey.compact, self.compact)
        key.set_class(self.compact, "-compact", update=False)
        return key

    def _watch_compact(self, compact: bool) -> None:
        for key in self.query_children(FooterKey):
            key.compact = compact

    def _key_specs(self) -> list[_KeySpec] | None:
        """The keys `compose` would make, in its order; None when some would be grouped."""
        active = self.screen.active_bindings
        first_of_action: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                if binding.group is not None:
                    return None
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        specs = [
            self._spec(binding, enabled, tooltip)
            for binding, enabled, tooltip in first_of_action.values()
        ]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                specs.append(
                    self._spec(binding, enabled, binding.tooltip or binding.description, True)
                )
        return specs

    def _spec(self, binding, enabled: bool, tooltip: str, palette: bool = False) -> _KeySpec:
        display = self.app.get_key_display(binding)
        return _KeySpec(
            binding.key, display, binding.description, binding.action, enabled, tooltip, palette
        )

    async def recompose(self) -> None:
        await super().recompose()
        self._drop_dead_watchers()

    def _drop_dead_watchers(self) -> None:
        # Textual keeps a reactive's watchers in the object's "__watchers", {name: [(node, callback)]};
        # this drops the removed nodes as Textual itself does when the value changes.
        watchers = getattr(self, "__watchers", {})
        for name, entries in watchers.items():
            watchers[name] = [(node, callback) for node, callback in entries if not node._closing]
