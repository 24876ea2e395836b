"""Links from the keyboard: o (article in the browser), 1-9 then Enter (link n), L (picker), y (copy).

A mixin of `TuinewsApp`. Links are numbered as the article pane shows them (`tuinews.render.links`).
Only http, https and mailto URLs are opened, with the stdlib `webbrowser` in a thread worker (it can
block while a browser starts) and never through a shell. A console browser (lynx, w3m, links...,
`tuinews.browser`) would draw over the reader: it runs with the app suspended, in the foreground,
and the reader comes back when it exits; where the app cannot be suspended it is not started, and
a notification says how to set `BROWSER`.
"""

from __future__ import annotations

from textual import work
from textual.actions import SkipAction
from textual.app import SuspendNotSupported
from textual.binding import Binding
from textual.timer import Timer

from tuinews.browser import Browser, browser_candidates
from tuinews.i18n import N_, _, ngettext
from tuinews.model import Article
from tuinews.render.links import article_links, is_safe_url
from tuinews.ui.article_view import ArticleView
from tuinews.ui.link_picker import LinkPicker

LINK_TIMEOUT = 5.0
"""Seconds a typed link number waits for Enter before it is dropped."""
MAX_DIGITS = 4


class LinkActions:
    """Actions on the open article's links; mixed into the app (needs `notify`, `query_one`...)."""

    LINK_BINDINGS = [
        Binding("o", "open_browser", N_("Open in browser"), show=False, id="app.open_browser"),
        Binding("y", "copy_link", N_("Copy link"), show=False, id="app.copy_link"),
        Binding("L", "link_picker", N_("Links"), show=False, id="app.link_picker"),
        Binding(
            "1",
            "link_digit('1')",
            N_("Open link by number"),
            key_display=N_("1-9 Enter"),
            show=False,
            id="app.link_digit_1",
        ),
        *(
            Binding(digit, f"link_digit('{digit}')", show=False, id=f"app.link_digit_{digit}")
            for digit in "234567890"
        ),
        # Priority, so they win over the headline list's Enter and the search box's Esc, but only
        # while a number is being typed: otherwise the actions skip and the key goes on as usual.
        Binding("enter", "open_link", show=False, priority=True, id="app.open_link"),
        Binding("escape", "cancel_link", show=False, priority=True, id="app.cancel_link"),
    ]

    _link_number: str = ""
    """The link number being typed ("12"), or ""."""
    _link_timer: Timer | None = None

    def _open_article(self) -> Article | None:
        """The article on show, or None (with a notification)."""
        article = self.query_one(ArticleView).article  # type: ignore[attr-defined]
        if article is None:
            self.notify(_("Open an article first."))  # type: ignore[attr-defined]
        return article

    def _modal_open(self) -> bool:
        return len(self.screen_stack) > 1  # type: ignore[attr-defined]

    # Typing a number

    def action_link_digit(self, digit: str) -> None:
        """Type a digit of a link number; Enter opens that link."""
        if digit == "0" and not self._link_number:
            return
        if self._open_article() is None:
            return
        self._link_number = (self._link_number + digit)[-MAX_DIGITS:]
        if self._link_timer is not None:
            self._link_timer.stop()
        self._link_timer = self.set_timer(  # type: ignore[attr-defined]
            LINK_TIMEOUT, self._clear_link_number
        )
        self._update_status()  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter and Esc belong to the link number only while one is typed.

        Returning False (not just skipping) lets the footer show the focused widget's own Enter.
        """
        if action in ("open_link", "cancel_link") and not self._link_number:
            return False
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_open_link(self) -> None:
        """Open the link whose number was typed (Enter); skipped when no number is pending."""
        if not self._link_number or self._modal_open():
            self._clear_link_number()
            raise SkipAction()
        number = int(self._link_number)
        self._clear_link_number()
        article = self._open_article()
        if article is None:
            return
        links = article_links(article.blocks)
        if not links:
            self.notify(_("This article has no links."))  # type: ignore[attr-defined]
        elif not 1 <= number <= len(links):
            self.notify(  # type: ignore[attr-defined]
                ngettext(
                    "No link {number}: this article has {count} link.",
                    "No link {number}: this article has {count} links.",
                    len(links),
                ).format(number=number, count=len(links)),
                severity="warning",
            )
        else:
            self.open_url(links[number - 1].url)

    def action_cancel_link(self) -> None:
        """Drop the link number being typed (Esc); skipped when there is none."""
        if not self._link_number or self._modal_open():
            raise SkipAction()
        self._clear_link_number()

    def _clear_link_number(self) -> None:
        if self._link_timer is not None:
            self._link_timer.stop()
            self._link_timer = None
        if self._link_number:
            self._link_number = ""
            self._update_status()  # type: ignore[attr-defined]

    def link_status(self) -> str:
        """The status text while a link number is being typed ("Link 12…"), else ""."""
        if not self._link_number:
            return ""
        return _("Link {number}…").format(number=self._link_number)

    # The other keys

    def _article_link(self) -> str | None:
        """The open article's own link; without one, a notification and None."""
        article = self._open_article()
        if article is None:
            return None
        if not article.link:
            self.notify(_("This article has no link."))  # type: ignore[attr-defined]
        return article.link or None

    def action_open_browser(self) -> None:
        """Open the article's own link in the browser."""
        if link := self._article_link():
            self.open_url(link)

    def action_copy_link(self) -> None:
        """Copy the article's own link to the clipboard."""
        if link := self._article_link():
            self.copy_to_clipboard(link)  # type: ignore[attr-defined]
            self.notify(_("Copied {url}").format(url=link))  # type: ignore[attr-defined]

    def action_link_picker(self) -> None:
        """Pick one of the article's links from a list; Enter opens it."""
        self._clear_link_number()
        article = self._open_article()
        if article is None:
            return
        links = article_links(article.blocks)
        if not links:
            self.notify(_("This article has no links."))  # type: ignore[attr-defined]
            return
        by_number = {link.number: link.url for link in links}

        def chosen(number: int | None) -> None:
            if number is not None and number in by_number:
                self.open_url(by_number[number])

        self.push_screen(LinkPicker(links), chosen)  # type: ignore[attr-defined]

    # Opening

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open `url` in the browser when it is http, https or mailto; otherwise say why not."""
        if not is_safe_url(url):
            self.notify(  # type: ignore[attr-defined]
                _("Not opened: only http, https and mailto links open in the browser."),
                severity="warning",
            )
            return
        self._browse(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _browse(self, url: str) -> None:
        """Hand `url` to the first browser that starts (this can block while it starts).

        A console browser is handed to the event loop, which suspends the app while it runs.
        """
        for browser in browser_candidates():
            if browser.console:
                self.call_from_thread(self._browse_in_terminal, browser, url)  # type: ignore[attr-defined]
                return
            self.call_from_thread(  # type: ignore[attr-defined]
                self.notify,  # type: ignore[attr-defined]
                _("Opening {url}").format(url=url),
            )
            if browser.open(url):
                return
        self.call_from_thread(self._browser_failed, url)  # type: ignore[attr-defined]

    def _browse_in_terminal(self, browser: Browser, url: str) -> None:
        """Run a console browser on our terminal with the app suspended, or refuse to."""
        try:
            with self.suspend():  # type: ignore[attr-defined]
                opened = browser.open(url)
        except SuspendNotSupported:
            self.notify(  # type: ignore[attr-defined]
                _(
                    "Not opened: {browser} would run inside the reader's terminal. Set BROWSER to"
                    " a graphical browser (for example BROWSER=firefox) or copy the link with y."
                ).format(browser=browser.name),
                title=_("Browser"),
                severity="warning",
                timeout=10,
            )
            return
        if not opened:
            self._browser_failed(url)

    def _browser_failed(self, url: str) -> None:
        self.notify(  # type: ignore[attr-defined]
            _("Could not start a browser for {url}").format(url=url),
            severity="warning",
        )
