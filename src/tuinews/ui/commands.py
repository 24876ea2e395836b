"""The command palette (Ctrl+P): every action of the reader with its key, and "Theme: <name>".

Textual's own system commands stay; this provider adds the app's bindings by their translated
descriptions (with the keys a `[keys]` table gives them) and one entry per theme.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tuinews.i18n import _
from tuinews.ui.help_screen import key_text
from tuinews.ui.keymap import remap


class TuinewsCommands(Provider):
    """The reader's actions and themes, for the command palette."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(name, key, callback) for every described action and theme."""
        from tuinews.ui.app import TuinewsApp
        from tuinews.ui.article_view import ArticleView
        from tuinews.ui.headline_list import HeadlineList

        app = self.app
        keymap = getattr(getattr(app, "config", None), "keys", {})
        targets: list[tuple[DOMNode, list]] = [(app, list(TuinewsApp.BINDINGS))]
        for widget_class in (HeadlineList, ArticleView):
            found = self.screen.query(widget_class)
            if found:
                targets.append((found.first(), list(widget_class.BINDINGS)))
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for namespace, bindings in targets:
            for binding in remap(bindings, keymap):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if "(" in binding.action:  # typed digits (1-9 Enter) make no sense here
                    continue
                name = _(binding.description)
                if name in seen:
                    continue
                seen.add(name)
                run = partial(app.run_action, binding.action, namespace)
                commands.append((name, key_text(binding), run))
        label = _("Theme: {name}")
        for theme in sorted(app.available_themes):
            commands.append((label.format(name=theme), "", partial(_set_theme, app, theme)))
        return commands

    async def discover(self) -> Hits:
        for name, key, run in self._commands():
            yield DiscoveryHit(_display(Text(name), key), run, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _display(matcher.highlight(name), key), run, text=name)


def _display(name: Text, key: str) -> Text:
    if key:
        name = name.copy()
        name.append(f"  {key}", style="dim")
    return name


def _set_theme(app: object, theme: str) -> None:
    app.theme = theme  # type: ignore[attr-defined]
