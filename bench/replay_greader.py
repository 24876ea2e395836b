"""FreshRSS's answers, recorded once and replayed by a server that costs next to nothing.

`bench/sync.py` times a first sync against the real FreshRSS, whose PHP shares the machine's
cores with the sync; the same sync against this replay shows what the sync itself costs. The
recording holds what a first sync asks for: the subscription list, the unread counts, the item id
lists, and every item as FreshRSS serialised it (items/contents answers are put together from them
for whatever ids a request names, as the server would).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fake_greader import FakeGReader, sync_config, wanted_items
from freshrss_server import Account

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
READING_LIST = "user/-/state/com.google/reading-list"
STARRED = "user/-/state/com.google/starred"
BATCH = 1000


@dataclass
class Recording:
    subscriptions: bytes
    unread_counts: bytes
    ids: dict[str, bytes]
    """The id list answer of each stream (reading list, starred)."""
    items: dict[int, bytes]
    """Each item's JSON, by item number."""


def record(account: Account) -> Recording:
    """Everything a first sync downloads from this account (not timed)."""
    subscriptions = account.call("GET", "subscription/list", params={"output": "json"}).content
    counts = account.call("GET", "unread-count", params={"output": "json"}).content
    refs = {stream: _id_refs(account, stream) for stream in (READING_LIST, STARRED)}
    ids = {stream: json.dumps({"itemRefs": found}).encode() for stream, found in refs.items()}
    numbers = [int(ref["id"]) for ref in refs[READING_LIST]]
    items: dict[int, bytes] = {}
    for start in range(0, len(numbers), BATCH):
        wanted = [f"{ITEM_PREFIX}{number:016x}" for number in numbers[start : start + BATCH]]
        answer = account.call("POST", "stream/items/contents", data={"i": wanted}).json()
        for item in answer["items"]:
            items[int(item["id"].rsplit("/", 1)[-1], 16)] = json.dumps(item).encode()
    return Recording(subscriptions, counts, ids, items)


def _id_refs(account: Account, stream: str) -> list[dict]:
    """All the id references of a stream, every page (replayed as one answer)."""
    refs: list[dict] = []
    params: dict[str, str | int] = {"s": stream, "n": 10000, "output": "json"}
    while True:
        answer = account.call("GET", "stream/items/ids", params=params).json()
        refs += answer.get("itemRefs") or []
        if not answer.get("continuation"):
            return refs
        params["c"] = answer["continuation"]


class ReplayServer(FakeGReader):
    """Answers a first sync from a `Recording`; `url` is the API base."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        super().__init__()

    def answer(self, path: str, query: dict[str, list[str]], body: bytes):
        recording = self.recording
        if path == "accounts/ClientLogin":
            return "SID=replay\nLSID=replay\nAuth=replay\n"
        if path.endswith("/token"):
            return "replay"
        if path.endswith("/subscription/list"):
            return recording.subscriptions
        if path.endswith("/unread-count"):
            return recording.unread_counts
        if path.endswith("/stream/items/ids"):
            stream = (query.get("s") or parse_qs(body.decode()).get("s") or [""])[0]
            return recording.ids.get(stream, b'{"itemRefs": []}')
        if path.endswith("/stream/items/contents"):
            items = [recording.items[number] for number in wanted_items(body)]
            return b'{"items": [' + b",".join(items) + b"]}"
        return 404, "not recorded"

    def config(self, folder: Path) -> Path:
        """A tuinews config syncing with this replay, its cache in `folder`."""
        return sync_config(folder, self.url, "replay", "replay")
