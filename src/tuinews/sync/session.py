"""Syncing from a long-running reader: the password is asked for once, failures become report lines.

The TUI keeps one `SyncSession`; its background load process (`tuinews.background_load`) gets a
copy, calls `run`, and hands the copy back with the password it asked for. The result is a
`LoadReport` like the one refreshing feeds gives, so the reader shows progress, errors and the
summary the same way. Nothing here imports Textual.
"""

from __future__ import annotations

from tuinews.config import Config
from tuinews.i18n import _
from tuinews.library import LoadReport, Progress
from tuinews.model import LoadError
from tuinews.store import Store, StoreError


class SyncSession:
    """Syncs for one reader session with the `[sync]` of `config`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._password: str | None = None
        self.where = _redact_url(config.sync.url)

    def run(self, store: Store, *, progress: Progress | None = None) -> LoadReport:
        """One sync; errors and the summary come back in the report, never as exceptions."""
        from tuinews.sync.engine import sync_account
        from tuinews.sync.greader import AuthError, SyncError
        from tuinews.sync.password import PasswordError, sync_password

        report = LoadReport()

        def password() -> str:
            if self._password is None:
                self._password, warnings = sync_password(
                    self.config.sync, self.config.path, interactive=False
                )
                report.notes.extend(warnings)
            return self._password

        try:
            result = sync_account(
                store,
                self.config.sync,
                password,
                self.config.network,
                progress=progress,
            )
        except (SyncError, PasswordError) as exc:
            if isinstance(exc, AuthError | PasswordError):
                self._password = None  # ask again next time: the user may fix it meanwhile
            message = str(exc)
            report.errors.append(
                LoadError(self.where, message.removeprefix(f"{self.where}: ") or message)
            )
            report.failed_sources += 1
            return report
        except StoreError:
            raise  # the reader says what is wrong with the cache
        except Exception as exc:  # a bug must not leave the reader refreshing forever
            reason = _("sync failed ({error})").format(error=type(exc).__name__)
            report.errors.append(LoadError(self.where, reason))
            report.failed_sources += 1
            return report
        report.added, report.updated = result.added, result.updated
        report.errors.extend(
            LoadError(self.where, line.removeprefix(f"{self.where}: ")) for line in result.refused
        )
        report.notes.append(
            _("Synced with {server}: {summary}").format(server=self.where, summary=result.summary())
        )
        return report


def _redact_url(url: str) -> str:
    from tuinews.sources.fetch import redact_url  # httpx: not needed before the first sync

    return redact_url(url)
