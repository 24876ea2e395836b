"""Full articles from the keyboard: `f` fetches the open feed item's web page and shows its article.

A mixin of `TuinewsApp`: the page is fetched, extracted and stored in a thread worker
(`tuinews.fulltext`); the article pane then shows the full text under a dim line that says so.
Later reads come from the cache, offline. A failure keeps the summary and says why in one line.
When the feed item changes later, the stored page stays (shown, searchable) and is marked as older
than the item; `f` then fetches it again (a `full_text = true` source does so at its next refresh).
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from tuinews.i18n import N_, _
from tuinews.model import Article, LoadFailure
from tuinews.store import StoreError
from tuinews.ui.article_view import ArticleView
from tuinews.ui.messages import StoreFailed


class FullTextActions:
    """The `f` action; mixed into the app (needs `_store`, `config`, `notify`...)."""

    FULL_TEXT_BINDINGS = [
        Binding("f", "full_text", N_("Full text"), show=False, id="app.full_text"),
    ]

    def _article_view(self) -> ArticleView:
        return self.query_one(ArticleView)  # type: ignore[attr-defined]

    def action_full_text(self) -> None:
        """Fetch the open article's web page and show the whole article (offline from then on)."""
        article = self._article_view().article
        if article is None or article.id is None:
            self.notify(_("Open an article first."))  # type: ignore[attr-defined]
            return
        if article.full_text and not article.full_text_stale:
            self.notify(_("This is already the full article."))  # type: ignore[attr-defined]
            return
        if not (article.link or "").lower().startswith(("http://", "https://")):
            self.notify(_("This article has no web page to fetch."))  # type: ignore[attr-defined]
            return
        self.notify(_("Fetching the full article…"), timeout=3)  # type: ignore[attr-defined]
        self._fetch_full_text(article)

    @work(thread=True, exclusive=True, group="full-text", exit_on_error=False)
    def _fetch_full_text(self, article: Article) -> None:
        """Download, extract and store the page, then show it (or say why not)."""
        from tuinews.fulltext import fetch_full_text

        try:
            with self._store() as store:  # type: ignore[attr-defined]
                full = fetch_full_text(store, article, self.config.network)  # type: ignore[attr-defined]
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))  # type: ignore[attr-defined]
            return
        except LoadFailure as failure:
            self.call_from_thread(  # type: ignore[attr-defined]
                self.notify,  # type: ignore[attr-defined]
                failure.error.reason,
                title=_("Full text not fetched"),
                severity="warning",
                timeout=8,
            )
            return
        self.call_from_thread(self._show_full_text, full)  # type: ignore[attr-defined]

    def _show_full_text(self, article: Article) -> None:
        view = self._article_view()
        # The reader may have moved on meanwhile: the full text waits in the cache.
        if view.article is None or view.article.id != article.id:
            return
        self._machine = None  # type: ignore[attr-defined]
        view.show(article)
        self._mark_full_text()

    def _mark_full_text(self) -> None:
        """Put the dim "full article" line above a full text on show."""
        view = self._article_view()
        article = view.article
        if article is None or not article.full_text or view.rendered is None:
            return
        marker = Text(
            _("Full article from the web page (extracted by {extractor})").format(
                extractor=article.extractor or "?"
            ),
            style="dim italic",
        )
        if article.full_text_stale:
            marker.append(" — ")
            marker.append(_("the feed item changed since; f fetches the page again"))
        view.query_one("#article-body", Static).update(Group(marker, Text(), view.rendered))
