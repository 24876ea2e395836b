"""Turn the bytes of a local file into text: BOMs, UTF-8, UTF-16 without BOM, legacy code pages.

Order of trust: a byte-order mark, then strict UTF-8 (valid UTF-8 is almost never an accident), then an
encoding the document declares (an HTML `<meta charset>`), then charset-normalizer's guess.
Line ends come out as LF. Binary data (NUL bytes in the first 8 KB of data that is not UTF-16, or
many NULs anywhere, or text full of control characters) raises `LoadFailure(where, "binary file")`.
"""

from __future__ import annotations

import codecs
import re

from tuinews.i18n import _
from tuinews.model import LoadFailure

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Characters that Western European text in cp1252 is made of, beyond ASCII. When charset-normalizer
# hesitates between single-byte Latin code pages, a cp1252 reading made only of these wins.
_WESTERN = frozenset(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒœ’‘“”„–—…€«»°©®·§¡¿ ±×÷£¥¢ºª"
)
_LATIN_SINGLE_BYTE = re.compile(
    r"^(cp125[0-8]|iso8859_\d+|latin_1|mac_\w+|cp8\d\d|cp775|hp_roman8)$"
)
# Control characters that text files do not contain. Tab, line ends, form feed, backspace (man
# pages), BEL and ESC (terminal escape sequences, which cleaning removes later) are left out.
_CONTROL_BYTES = re.compile(rb"[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_CHARS = re.compile("[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_SNIFF_BYTES = 8192


def _utf16_high_bytes(high: bytes, low: bytes) -> bool:
    """Whether `high` looks like the high bytes of UTF-16 text: NULs for ASCII, few other values
    (one script block), while `low` (the low bytes) has almost no NULs."""
    if high.count(0) < len(high) * 0.05 or low.count(0) > len(low) * 0.05:
        return False
    counts = sorted((high.count(value) for value in set(high)), reverse=True)
    return sum(counts[:3]) >= len(high) * 0.9


def utf16_without_bom(head: bytes) -> str | None:
    """The UTF-16 byte order of BOM-less text, judged by its high bytes (NUL for ASCII), or None."""
    sample = head[:_SNIFF_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2]
    odd = sample[1 : pairs * 2 : 2]
    if _utf16_high_bytes(odd, even):
        return "utf-16-le"
    if _utf16_high_bytes(even, odd):
        return "utf-16-be"
    return None


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file look like binary data rather than text in some encoding."""
    sample = head[:_SNIFF_BYTES]
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        return utf16_without_bom(sample) is None
    return False


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _too_many_controls(text: str) -> bool:
    sample = text[:_SNIFF_BYTES]
    return bool(sample) and len(_CONTROL_CHARS.findall(sample)) > len(sample) * 0.01


def _codec_name(label: str) -> str | None:
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def _prefer_western(data: bytes, guess: str) -> bool:
    """True when a cp1252 reading of `data` is as plausible as the guessed Latin code page."""
    if not _LATIN_SINGLE_BYTE.match(guess) or guess == "cp1252":
        return False
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch in _WESTERN for ch in set(text) if ord(ch) > 0x7F)


def _guess(data: bytes, where: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        # charset-normalizer gives up on very short legacy text; cp1252 is the likeliest reading.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise LoadFailure(where, _("binary file")) from None
        if _too_many_controls(text):
            raise LoadFailure(where, _("binary file"))
        return text
    encoding = best.encoding
    if _prefer_western(data, encoding):
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise LoadFailure(where, _("cannot decode text")) from None
    if _too_many_controls(text):
        raise LoadFailure(where, _("binary file"))
    return text


def decode_bytes(data: bytes, where: str, declared: str | None = None) -> str:
    """Decode a file's bytes to text with LF line ends.

    `declared` is an encoding the document names for itself (an HTML meta charset); it is tried after
    BOMs and UTF-8 and before guessing. Raises `LoadFailure` for binary or undecodable data.
    """
    bom = _bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        try:
            return _normalize_newlines(data[skip:].decode(encoding))
        except UnicodeDecodeError:
            raise LoadFailure(where, _("cannot decode text")) from None

    if b"\x00" in data:
        encoding = utf16_without_bom(data)
        if encoding is not None:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise LoadFailure(where, _("cannot decode text")) from None
            if _too_many_controls(text):
                raise LoadFailure(where, _("binary file"))
            return _normalize_newlines(text)
        if b"\x00" in data[:_SNIFF_BYTES] or data.count(b"\x00") > len(data) // 1000:
            raise LoadFailure(where, _("binary file"))
        # A few stray NULs deep inside a text file (a pasted UTF-16 snippet): drop them.
        # No byte of a multi-byte character is NUL in UTF-8 or the legacy code pages.
        data = data.replace(b"\x00", b"")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _too_many_controls(text):
            raise LoadFailure(where, _("binary file"))
        return _normalize_newlines(text)

    if declared and (codec := _codec_name(declared)) and not codec.startswith("utf-"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass
        else:
            if not _too_many_controls(text):
                return _normalize_newlines(text)

    if _CONTROL_BYTES.search(data[:_SNIFF_BYTES]) and _too_many_controls(
        data[:_SNIFF_BYTES].decode("latin-1")
    ):
        raise LoadFailure(where, _("binary file"))
    return _normalize_newlines(_guess(data, where))
