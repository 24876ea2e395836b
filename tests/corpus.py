"""The shared test corpus (`../shared/corpus`): its input files, and its feeds parsed once per run.

`test_feed_corpus.py` and `test_corpus_sweep.py` both read every feed; `parse_corpus_feed` keeps
what `parse_feed` made of each file (or what it raised), so the suite parses the corpus once.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path

from tuinews.sources.feed_entry import ParsedFeed
from tuinews.sources.feeds import parse_feed

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)
REFERENCE_NAMES = frozenset({"expected.html", "expected-metadata.json"})


def is_input(path: Path) -> bool:
    """A corpus data file, not a reference output (`*.expected.*`, `expected.html`...) nor hidden."""
    return (
        path.is_file()
        and ".expected." not in path.name
        and path.name not in REFERENCE_NAMES
        and not path.name.startswith(".")
    )


def corpus_files(root: Path) -> list[Path]:
    """Every input file under `root`, sorted."""
    return [path for path in sorted(root.rglob("*")) if is_input(path)]


def parse_corpus_feed(root: Path, name: str) -> ParsedFeed:
    """`parse_feed` of the file `name` under `root`, as from https://corpus.example/NAME."""
    result = _parsed(str(root), name)
    if isinstance(result, BaseException):
        raise result
    return result


@functools.cache
def _parsed(root: str, name: str) -> ParsedFeed | BaseException:
    try:
        return parse_feed(
            (Path(root) / name).read_bytes(), f"https://corpus.example/{name}", fetched_at=FETCHED
        )
    except Exception as error:  # kept, to be raised again to every caller
        return error
