"""The article pane: a scrolling view of one rendered article."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuinews.i18n import N_, _
from tuinews.model import Article
from tuinews.render.article import render_article
from tuinews.render.bidi import set_mode as set_bidi_mode

EMPTY_HINT = N_("Pick a headline and press Enter to read it. Press ? for help.")


class ArticleView(VerticalScroll, can_focus=True):
    """Shows the open article.

    | Key(s) | Description |
    | :- | :- |
    | j, down / k, up | Scroll a line. |
    | g, home / G, end | Top / bottom. |
    | pageup / pagedown | Scroll a page. |
    """

    BINDINGS = [
        Binding("j", "scroll_down", N_("Down"), show=False, id="article.down"),
        Binding("k", "scroll_up", N_("Up"), show=False, id="article.up"),
        Binding("g", "scroll_home", N_("Top"), show=False, id="article.top"),
        Binding("G", "scroll_end", N_("Bottom"), show=False, id="article.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.highlight: frozenset[str] = frozenset()
        """Casefolded words and phrases of the search, marked in the article."""
        self.rendered: Group | None = None
        """What the pane shows for the article (for tests and the app's own decorations)."""

    def compose(self) -> ComposeResult:
        yield Static(Text(_(EMPTY_HINT), style="dim"), id="article-body")

    def on_mount(self) -> None:
        """Apply `[reader] bidi` (who reorders right-to-left text) from the app's config, if any."""
        config = getattr(self.app, "config", None)
        mode = getattr(getattr(config, "reader", None), "bidi", None)
        if isinstance(mode, str):
            set_bidi_mode(mode)

    def show(self, article: Article, *, keep_position: bool = False) -> None:
        """Render `article`; scroll to its top, or (`keep_position`) to the same fraction of it.

        Keeping the position suits another language version of the same story: paragraphs line up
        roughly, lines do not.
        """
        fraction = self.scroll_y / self.max_scroll_y if keep_position and self.max_scroll_y else 0
        self.article = article
        self._render_article()
        if fraction:
            self.call_after_refresh(
                lambda: self.scroll_to(y=round(fraction * self.max_scroll_y), animate=False)
            )
        else:
            self.scroll_home(animate=False)

    def clear(self) -> None:
        """Show the empty hint."""
        self.article = None
        self.rendered = None
        self.query_one("#article-body", Static).update(Text(_(EMPTY_HINT), style="dim"))

    def relabel(self) -> None:
        """Render the open article (or the hint) again, in the current interface language."""
        if self.article is None:
            self.clear()
        else:
            self._render_article()

    def set_highlight(self, terms: frozenset[str]) -> None:
        """Mark these search words and phrases in the open article (and the next ones)."""
        if terms != self.highlight:
            self.highlight = terms
            if self.article is not None:
                self._render_article()

    def _render_article(self) -> None:
        if self.article is None:
            return
        self.rendered = render_article(self.article, self.highlight)
        self.query_one("#article-body", Static).update(self.rendered)

    @property
    def at_end(self) -> bool:
        """True when the last line of the article is on screen."""
        return self.scroll_y >= self.max_scroll_y

    def page(self) -> bool:
        """Scroll one page down; False when already at the end."""
        if self.at_end:
            return False
        self.scroll_page_down(animate=False)
        return True
