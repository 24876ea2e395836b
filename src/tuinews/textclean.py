"""Clean text from the outside world once, at ingestion: NFC, no escape sequences, no control characters.

Everything a source produces goes through `clean_text` (bodies) or `clean_line` (titles, names), so the
store holds only text that is safe to put on a terminal as data.
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# and two-character escapes. Their 8-bit C1 forms (U+009B CSI, U+009D OSC, ...) as well.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                       # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]                                      # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)

# C0 and C1 controls except tab and newline, DEL, and the bidi embedding/override/isolate controls
# (they would let text reorder what follows it on screen).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keeping tabs and newlines."""
    # Printable text has no character of `_CONTROLS`; `isprintable` is the quicker test.
    if text.isprintable() or _CONTROLS.search(text) is None:
        return text  # every escape sequence, and "\r", starts with a character of `_CONTROLS`
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def clean_text(text: str) -> str:
    """NFC-normalise a block of text and make it safe: no escapes, no controls, tidy line ends."""
    # Controls go first: one between a letter and its accent would otherwise block composition.
    text = unicodedata.normalize("NFC", strip_controls(text))
    return _BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text


def clean_line(text: str) -> str:
    """Like `clean_text`, then fold all white space (newlines too) into single spaces and strip."""
    printable = text.isprintable()  # then no character of `_CONTROLS`, no white space but " "
    if printable or _CONTROLS.search(text) is None:
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
            if "\u1680" in text or "\u2028" in text or "\u2029" in text:
                # White space `str.split` folds but `_SPACES` does not (the others are controls).
                text = text.replace("\n", " ").replace("\t", " ")
                return _SPACES.sub(" ", text).strip()
            if "  " not in text and text[:1] != " " and text[-1:] != " " and text.isprintable():
                return text  # the only white space is single inner spaces: nothing to fold
        elif printable and "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text
        return " ".join(text.split())
    return _SPACES.sub(" ", clean_text(text).replace("\n", " ").replace("\t", " ")).strip()


def fold_spaces(text: str) -> str:
    """Fold runs of spaces and tabs inside each line into one space and strip each line's ends."""
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
