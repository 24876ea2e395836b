"""Read and starred state from the keyboard: m, s, n and N, M with undo (u).

A mixin of `TuinewsApp`: flags change on screen at once, the cache in a thread worker, and the
sources pane's unread counts follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.binding import Binding

from tuinews.i18n import N_, _, ngettext
from tuinews.store import StoreError
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.messages import StoreFailed

UNDO_DEPTH = 20


@dataclass(frozen=True, slots=True)
class FlagChange:
    """One undoable change: `flag` ("read" or "starred") set to `value` on `ids`."""

    flag: str
    ids: tuple[int, ...]
    value: bool


class ReadingState:
    """Actions on read and starred flags; mixed into the app (needs `_store`, `load_counts`...)."""

    READING_BINDINGS = [
        Binding("m", "toggle_read", N_("Read/unread"), show=False, id="app.toggle_read"),
        Binding("s", "toggle_star", N_("Star"), id="app.toggle_star"),
        Binding("n", "next_unread", N_("Next unread"), id="app.next_unread"),
        Binding(
            "N", "previous_unread", N_("Previous unread"), show=False, id="app.previous_unread"
        ),
        Binding("M", "mark_all_read", N_("Mark all read"), show=False, id="app.mark_all_read"),
        Binding("u", "undo", N_("Undo"), show=False, id="app.undo"),
        Binding("v", "cycle_view", N_("View"), show=False, id="app.view"),
    ]

    VIEWS = ("all", "unread", "starred")
    """The reading views `v` cycles through, like `tuinews list`, `--unread`, `--starred`."""
    reading_view: str = "all"

    _undo: list[FlagChange]

    def _headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)  # type: ignore[attr-defined]

    def action_toggle_read(self) -> None:
        """Mark the headline under the cursor read, or unread again."""
        row = self._headlines().current_headline
        if row is not None:
            self._change(FlagChange("read", (row.id,), not row.read), undoable=True)

    def action_toggle_star(self) -> None:
        """Star the headline under the cursor, or unstar it."""
        row = self._headlines().current_headline
        if row is not None:
            self._change(FlagChange("starred", (row.id,), not row.starred), undoable=True)

    def action_next_unread(self) -> None:
        """Open the next unread headline of the view."""
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        """Open the previous unread headline of the view."""
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        headlines = self._headlines()
        index = headlines.rows.find_unread(headlines.cursor + step, step)
        if index is None:
            self.notify(_("No more unread articles."))  # type: ignore[attr-defined]
            return
        headlines.cursor = index
        self.open_article(headlines.rows.id_at(index))  # type: ignore[attr-defined]

    def action_mark_all_read(self) -> None:
        """Mark every headline in the view read (u undoes it)."""
        rows = self._headlines().rows
        ids = tuple(rows.id_at(i) for i in range(len(rows)) if not rows[i].read)
        if not ids:
            return
        self._change(FlagChange("read", ids, True), undoable=True)
        self.notify(  # type: ignore[attr-defined]
            ngettext("Marked {n} article read.", "Marked {n} articles read.", len(ids)).format(
                n=len(ids)
            )
            + " "
            + _("Press u to undo.")
        )

    def action_cycle_view(self) -> None:
        """Show all headlines, then only unread ones, then only starred ones."""
        views = self.VIEWS
        self.reading_view = views[(views.index(self.reading_view) + 1) % len(views)]
        self.refresh_view()  # type: ignore[attr-defined]

    def view_label(self) -> str:
        """The status-line words for the current reading view ("" for all)."""
        return {"unread": _("Unread only"), "starred": _("Starred only")}.get(self.reading_view, "")

    def action_undo(self) -> None:
        """Undo the last change of read or starred flags."""
        if not self._undo:
            self.notify(_("Nothing to undo."))  # type: ignore[attr-defined]
            return
        last = self._undo.pop()
        self._change(FlagChange(last.flag, last.ids, not last.value), undoable=False)

    def _change(self, change: FlagChange, *, undoable: bool) -> None:
        headlines = self._headlines()
        if len(change.ids) == 1:
            headlines.update_row(change.ids[0], **{change.flag: change.value})
        else:
            headlines.rows.set_flag(change.flag, set(change.ids), change.value)
            headlines.refresh()
        if undoable:
            self._undo.append(change)
            del self._undo[:-UNDO_DEPTH]
        self._save_flags(change)

    @work(thread=True, group="flags", exit_on_error=False)
    def _save_flags(self, change: FlagChange) -> None:
        """Write a flag change to the cache, then refresh the counts."""
        try:
            with self._store() as store:  # type: ignore[attr-defined]
                setter = store.set_read if change.flag == "read" else store.set_starred
                setter(list(change.ids), change.value)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))  # type: ignore[attr-defined]
            return
        self.call_from_thread(  # type: ignore[attr-defined]
            self.load_counts,  # type: ignore[attr-defined]
            self._session_ids(),  # type: ignore[attr-defined]
        )
