"""The interface every machine translation backend implements, and its one error type."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class TranslateError(Exception):
    """Translation failed; the message is one line saying why (and where, for a server)."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


@runtime_checkable
class Translator(Protocol):
    """A machine translation backend."""

    name: str
    """The backend's config name ("libretranslate", "argos", "none"): stored with each result."""

    def languages(self) -> set[str]:
        """The language codes the backend knows (may be cached after the first call)."""
        ...

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """`texts` translated from `source` ("auto" when unknown) to `target`, one for one, in order.

        Raises TranslateError.
        """
        ...


def one_line(text: str, limit: int = 300) -> str:
    """`text` with its whitespace collapsed, cut at `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def base_language(code: str) -> str:
    """The primary subtag of a BCP 47 code, lower-case ("pt-BR" -> "pt"); "und" -> "auto"."""
    primary = code.replace("_", "-").split("-")[0].strip().lower()
    return "auto" if primary in ("", "und", "mul", "zxx") else primary


MAX_BATCH_TEXTS = 20
"""At most this many paragraphs go in one request."""
MAX_BATCH_CHARS = 10_000
"""And at most about this many characters (a longer paragraph goes alone)."""


def batches(
    texts: list[str], max_texts: int = MAX_BATCH_TEXTS, max_chars: int = MAX_BATCH_CHARS
) -> list[list[str]]:
    """`texts` cut into consecutive batches of at most `max_texts` and about `max_chars` each."""
    out: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        if current and (len(current) >= max_texts or size + len(text) > max_chars):
            out.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        out.append(current)
    return out
