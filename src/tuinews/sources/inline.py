"""Collect the inline text of one block (from HTML or Markdown) with its links.

Pieces of text arrive one by one (text nodes, code spans, link labels). Each is cleaned and its white
space folded as it comes, so the link spans, which are offsets into the final text, stay exact.
"""

from __future__ import annotations

import unicodedata

from tuinews.model import LinkSpan
from tuinews.textclean import clean_line, strip_controls


class InlineText:
    """Builds one block's plain text and its `LinkSpan`s."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._space = False
        self._links: list[LinkSpan] = []
        self._open: list[tuple[int, str]] = []

    def __bool__(self) -> bool:
        return self._length > 0

    def _emit(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def _ends_with_newline(self) -> bool:
        return bool(self._parts) and self._parts[-1].endswith("\n")

    def _needs_space(self) -> bool:
        return bool(self._parts) and not self._parts[-1].endswith((" ", "\n"))

    def add(self, text: str) -> None:
        """Append a piece of text; runs of white space (newlines too) fold into one space."""
        if not text:
            return
        text = unicodedata.normalize("NFC", text)
        if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
            # No control character, and single spaces between words: nothing to fold.
            joined, leading, trailing = text, False, False
        else:
            text = strip_controls(text)
            words = text.split()
            if not words:
                self._space = self._space or bool(text)
                return
            joined, leading, trailing = " ".join(words), text[0].isspace(), text[-1].isspace()
        parts = self._parts
        if (self._space or leading) and parts and not parts[-1].endswith((" ", "\n")):
            parts.append(" ")  # `_needs_space`, `_emit`, without the calls
            self._length += 1
        parts.append(joined)
        self._length += len(joined)
        self._space = trailing

    def newline(self) -> None:
        """A hard line break (`<br>`, a Markdown hard break)."""
        if self._length and not self._ends_with_newline():
            self._emit("\n")
        self._space = False

    def open_link(self, url: str) -> None:
        """Start a link; a pending space goes before it, not inside it."""
        if self._space and self._needs_space():
            self._emit(" ")
        self._space = False
        self._open.append((self._length, url))

    def close_link(self) -> None:
        """End the most recently opened link."""
        if not self._open:
            return
        start, url = self._open.pop()
        end = self._length
        # Separators are emitted as pieces of their own, so trimming works piece by piece.
        for piece in reversed(self._parts):
            if end <= start or piece not in (" ", "\n"):
                break
            end -= 1
        first = len(self._parts) - 1
        covered = self._length
        while first >= 0 and covered - len(self._parts[first]) >= start:
            covered -= len(self._parts[first])
            first -= 1
        for piece in self._parts[first + 1 :]:
            if start >= end or piece not in (" ", "\n"):
                break
            start += 1
        if url and end > start:
            self._links.append(LinkSpan(start, end, url))

    def result(self) -> tuple[str, tuple[LinkSpan, ...]]:
        """The block's text (stripped, no blank lines) and its link spans, sorted by start."""
        while self._open:
            self.close_link()
        parts = self._parts
        text = parts[0] if len(parts) == 1 else "".join(parts)
        if "\n" not in text and text == text.strip():
            cleaned = text
        else:
            lines = text.split("\n")
            cleaned = "\n".join(line.strip() for line in lines if line.strip())
        if cleaned != text:
            # Stripping moved offsets: rebuild each span by locating its text again.
            return cleaned, self._relocate(text, cleaned)
        if len(self._links) < 2:
            return text, tuple(self._links)
        return text, tuple(sorted(self._links, key=lambda span: (span.start, span.end)))

    def _relocate(self, raw: str, cleaned: str) -> tuple[LinkSpan, ...]:
        spans = []
        position = 0
        for span in sorted(self._links, key=lambda s: (s.start, s.end)):
            label = clean_line(raw[span.start : span.end])
            if not label:
                continue
            found = cleaned.find(label, position)
            if found < 0:
                continue
            spans.append(LinkSpan(found, found + len(label), span.url))
            position = found
        return tuple(spans)
