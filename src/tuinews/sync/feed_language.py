"""A subscription's language, learnt from its first items during one sync.

The Google Reader API says no language, so every server item would go through language detection
(a tenth of a first sync's work). Most feeds are written in one language: once the first `LEARN`
items of a feed (with enough text) are all detected as the same language, its later items of the
same sync get that language without detection, marked as detected all the same. `FeedLanguages.detect`
stands in for detection when the items are built (`FeedContext.detect`): it is given the text
sample detection would read (title and first paragraphs, plain text), so the checks below read
no HTML of their own.

Mixed-language feeds keep per-item detection: a feed whose first items disagree is detected item by
item for the rest of the sync, and so is every item whose letters do not look like those the learning
items had: an item with a letter the learning items never had (in any case) is detected (another
script, accents in an English feed, a Russian `ы` in a Ukrainian feed, a Portuguese `ã` in a Spanish
one), and so is one without any of their non-ASCII letters (no accents in a French feed). The
learning items' letters (their *signature*) become two compiled patterns once the language is
learnt, so an item is checked in one pass over its text. Items that would get the learnt language
are detected anyway now and then, as checks: the `SPOT`-th one, then after twice as many, up to
every `SPOT_MAX`-th (each check that agrees earns the feed more trust; a 50-item feed gets two
checks rather than six). A disagreement there, or any detected item in another language, ends the
learning for that feed. An item with little text is always detected (detection may find no
language in it).
"""

from __future__ import annotations

import re
import string
import threading
from dataclasses import dataclass, field

from tuinews.sources.language import detect_language

LEARN = 4
"""Items of a feed that must be detected as one language before the others get it."""
SPOT = 8
"""After this many items given the learnt language, one is detected instead, as a check; the
interval doubles after each check that agrees, up to `SPOT_MAX`."""
SPOT_MAX = 64
MIN_LETTERS = 80
"""Letters an item needs for the learnt language (detection wants 20 in its sample; with four
times that, counted roughly, the text is never too short for detection)."""
_ASCII_LETTERS = string.ascii_letters.encode("ascii")

Signature = frozenset[str]


def signature(text: str) -> Signature | None:
    """The non-ASCII letters of an item's text sample, as written and case folded (empty for
    plain ASCII text), or None when it has too few letters to skip detection."""
    non_ascii = _non_ascii_if_enough_letters(text)
    if non_ascii is None:
        return None
    if not non_ascii:
        return frozenset()
    letters = {char for char in set(text) if char > "\x7f" and char.isalpha()}
    folded = "".join(letters).casefold()
    return frozenset(letters.union(char for char in folded if char > "\x7f" and char.isalpha()))


def _non_ascii_if_enough_letters(text: str) -> int | None:
    """How many characters of `text` are not ASCII; None when it has too few letters."""
    ascii_text = text.encode("ascii", "ignore")
    non_ascii = len(text) - len(ascii_text)
    # Letters, counted quickly: ASCII letters and every other character (mostly letters).
    if len(ascii_text) - len(ascii_text.translate(None, _ASCII_LETTERS)) + non_ascii < MIN_LETTERS:
        return None
    return non_ascii


def _letter_patterns(letters: set[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """For a feed's learnt letters: a pattern that finds any other non-ASCII letter (or other word
    character that is not a digit), and one that finds a learnt letter (None when there are none).
    Each letter stands in every case it has as one character."""
    variants = {
        form
        for letter in letters
        for form in (letter, letter.lower(), letter.upper(), letter.title())
        if len(form) == 1 and form > "\x7f"
    }
    escaped = "".join(re.escape(char) for char in sorted(variants))
    novel = re.compile(f"[^\\W\\d_\\x00-\\x7f{escaped}]")
    return novel, re.compile(f"[{escaped}]") if escaped else None


@dataclass(slots=True)
class _Feed:
    detected: list[str | None] = field(default_factory=list)
    """Languages detected in the first items with enough text, while learning."""
    letters: set[str] = field(default_factory=set)
    """The union of those items' signatures."""
    language: str | None = None
    """The learnt language."""
    mixed: bool = False
    """Detect every item (the feed's items disagreed)."""
    given: int = 0
    """Items given the learnt language since the last check."""
    interval: int = 0
    """Items given the learnt language between two checks (`SPOT` once learnt)."""
    novel: re.Pattern[str] | None = None
    """Once learnt: finds a letter the learning items did not have."""
    known: re.Pattern[str] | None = None
    """Once learnt: finds a letter they had (None: they had only ASCII letters)."""


class FeedLanguages:
    """What one sync learnt of each feed's language, by stream id (safe to share between threads).

    For each item: `choose` says whether it gets the learnt language (a language) or is detected
    (None); after building it, `detected` tells what detection found in a detected one (with the
    item's `signature`).
    """

    def __init__(self) -> None:
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.Lock()

    def detect(self, stream_id: str, text: str) -> str | None:
        """The language of an item of this feed, given its text sample (what `detect_language`
        takes): the learnt one when `choose` gives it, else what detection finds, learnt from."""
        chosen = self.choose(stream_id, text)
        if chosen is not None:
            return chosen
        language = detect_language(text)
        self.detected(stream_id, signature(text), language)
        return language

    def choose(self, stream_id: str, text: str) -> str | None:
        """The language to give an item (its text sample) without detection, or None to detect
        it: the feed's learnt language, when the item has enough letters, none that the learning
        items lacked, and (in a feed with non-ASCII letters) some that they had."""
        with self._lock:
            feed = self._feeds.get(stream_id)
            if feed is None or feed.language is None or feed.mixed or feed.novel is None:
                return None
            novel, known = feed.novel, feed.known
        if _non_ascii_if_enough_letters(text) is None or novel.search(text):
            return None
        if known is not None and not known.search(text):
            return None
        with self._lock:
            if feed.mixed:
                return None
            if feed.given >= feed.interval - 1:
                feed.given = 0  # this one is the check
                return None
            feed.given += 1
            return feed.language

    def detected(
        self, stream_id: str, item_signature: Signature | None, language: str | None
    ) -> None:
        """What detection found in an item of this feed (None: no language)."""
        if item_signature is None:
            return  # too little text to learn from; never given the learnt language either
        with self._lock:
            feed = self._feeds.setdefault(stream_id, _Feed())
            if feed.mixed:
                return
            if feed.language is not None:
                if language != feed.language:
                    feed.mixed = True
                else:
                    feed.interval = max(feed.interval, min(feed.interval * 2, SPOT_MAX))
                return
            if language is None or (feed.detected and language != feed.detected[0]):
                feed.mixed = True
                return
            feed.detected.append(language)
            feed.letters |= item_signature
            if len(feed.detected) >= LEARN:
                feed.novel, feed.known = _letter_patterns(feed.letters)
                feed.language = language
                feed.interval = SPOT

    def learnt(self, stream_id: str) -> str | None:
        """The feed's learnt language, while it holds."""
        with self._lock:
            feed = self._feeds.get(stream_id)
            return feed.language if feed is not None and not feed.mixed else None
