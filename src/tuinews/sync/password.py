"""The sync password: from `[sync] password_command` (pass, secret-tool...) or `[sync] password`.

The command runs without a shell (split into words as a shell would); the first line it prints is
the password. A password (or an app key) written in the config file comes with a warning when that
file can be read by other users. Neither the
password nor the command's output ever appears in a message.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
from pathlib import Path

from tuinews.config import SyncConfig
from tuinews.i18n import _
from tuinews.textclean import clean_line

COMMAND_TIMEOUT = 120.0
"""Seconds the password command may take (a passphrase prompt may be waiting for the user)."""
_MAX_DETAIL = 100


class PasswordError(Exception):
    """The password could not be had; the message is one line without it."""


def sync_password(
    sync: SyncConfig, config_path: Path | None, *, interactive: bool = True
) -> tuple[str, list[str]]:
    """The password, and warnings for the user (a config file others can read).

    `interactive`: the command may read from the terminal (the CLI); in the reader it gets no input.
    """
    warnings: list[str] = []
    exposed = config_path is not None and readable_by_others(config_path)
    if sync.password_command:
        if exposed and sync.app_key:
            warnings.append(
                _(
                    "warning: {path} holds the [sync] app_key and other users can read it;"
                    " make it private (chmod 600)"
                ).format(path=config_path)
            )
        return run_password_command(sync.password_command, interactive=interactive), warnings
    if exposed:
        warnings.append(
            _(
                "warning: {path} holds the [sync] password and other users can read it;"
                " make it private (chmod 600) or use password_command"
            ).format(path=config_path)
        )
    return sync.password, warnings


def readable_by_others(path: Path) -> bool:
    """Whether users other than the owner may read `path`."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def run_password_command(command: str, *, interactive: bool = True) -> str:
    """Run `command` and return the first line it prints.

    No shell runs it: it is split into words as a shell would split them (quotes work, pipes and
    `;` do not; for those, write `sh -c '...'` yourself).
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise PasswordError(
            _("sync.password_command cannot be split into words: {reason}").format(
                reason=str(exc).lower()
            )
        ) from None
    if not argv:
        raise PasswordError(_("sync.password_command is empty"))
    try:
        result = subprocess.run(
            argv,
            stdin=None if interactive else subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            env=os.environ.copy(),
        )
    except subprocess.TimeoutExpired:
        raise PasswordError(
            _("sync.password_command did not finish within {seconds} seconds").format(
                seconds=int(COMMAND_TIMEOUT)
            )
        ) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise PasswordError(
            _("sync.password_command could not run {program}: {reason}").format(
                program=argv[0], reason=reason
            )
        ) from None
    output = result.stdout.decode("utf-8", "replace")
    lines = output.splitlines()
    password = lines[0].rstrip("\r") if lines else ""
    if result.returncode != 0:
        detail = clean_line(result.stderr.decode("utf-8", "replace").strip().split("\n")[0])
        for line in lines:  # never echo what it printed on stdout
            if line:
                detail = detail.replace(line, "***")
        message = _("sync.password_command failed (exit status {status})").format(
            status=result.returncode
        )
        if detail:
            message += f": {detail[:_MAX_DETAIL]}"
        raise PasswordError(message)
    if not password:
        raise PasswordError(_("sync.password_command printed no password"))
    return password
