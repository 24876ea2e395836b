"""What to tell the user when the cache had to be moved aside at opening: one line, for CLI and TUI."""

from __future__ import annotations

from tuinews.i18n import _
from tuinews.store import Store
from tuinews.store.schema import SCHEMA_VERSION


def recovery_note(store: Store) -> str | None:
    """One line when `store` found its file unusable and started a fresh one, else None."""
    if store.recovered_from is None:
        return None
    if store.recovered_schema is not None:
        return _(
            "{path}: the cache was written by a newer tuinews (schema {found}, this one knows"
            " {known}); moved aside to {backup}, and a fresh cache started"
        ).format(
            path=store.path,
            found=store.recovered_schema,
            known=SCHEMA_VERSION,
            backup=store.recovered_from,
        )
    return _("{path}: the cache was damaged; moved aside to {backup}").format(
        path=store.path, backup=store.recovered_from
    )
