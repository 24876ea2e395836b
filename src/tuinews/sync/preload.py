"""Imported once by the fork server that starts the sync's worker processes (its preload): the
parsing modules and the language model load there, before the first item comes, and every worker
forked from it starts with them (a worker that loaded the model itself would start a few tenths
of a second later, on a machine busy with the download)."""

from __future__ import annotations

import contextlib

from tuinews.sync.articles import warm_up

with contextlib.suppress(Exception):  # an exception here would stop the fork server
    warm_up()
