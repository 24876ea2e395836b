"""A small pure-Python msgfmt: `.po` text to GNU `.mo` bytes, for the build hook and for editable installs.

Only what tuinews's catalogs use: `msgctxt`, `msgid`, `msgid_plural`, `msgstr` / `msgstr[n]`, multi-line
strings with C escapes, comments, and the `fuzzy` flag (fuzzy entries are left out, as msgfmt does, except
the header). No Textual, no Babel: the build hook imports this file by path.
"""

from __future__ import annotations

import ast
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = 0x950412DE


@dataclass
class PoEntry:
    """One `.po` entry: `msgstr` holds one string, or one per plural form."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False


def iter_entries(text: str) -> Iterator[PoEntry]:
    """The entries of a `.po` (or `.pot`) file, header included, in file order."""
    entry: dict[str, object] = {}
    section: tuple[str, int | None] | None = None
    fuzzy = False

    def done() -> PoEntry | None:
        if "msgid" not in entry:
            return None
        forms: dict[int, str] = entry.get("msgstr", {})  # type: ignore[assignment]
        return PoEntry(
            msgid=str(entry["msgid"]),
            msgid_plural=entry.get("msgid_plural"),  # type: ignore[arg-type]
            msgctxt=entry.get("msgctxt"),  # type: ignore[arg-type]
            msgstr=[forms[i] for i in sorted(forms)],
            fuzzy=fuzzy,
        )

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if (found := done()) is not None:
                yield found
                entry, section = {}, None
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            if not line and (found := done()) is not None:
                yield found
                entry, section, fuzzy = {}, None, False
            continue
        if line.startswith('"'):
            if section is None:
                raise ValueError(f"line {number}: a string outside an entry")
            _append(entry, section, _unquote(line, number))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgstr" in entry:
            found = done()
            assert found is not None
            yield found
            entry, section, fuzzy = {}, None, False
        if keyword.startswith("msgstr[") and keyword.endswith("]"):
            section = ("msgstr", int(keyword[7:-1]))
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            section = (keyword, 0 if keyword == "msgstr" else None)
        else:
            raise ValueError(f"line {number}: unexpected {keyword!r}")
        _append(entry, section, _unquote(rest.strip(), number), start=True)
    if (found := done()) is not None:
        yield found


def parse_po(text: str) -> dict[bytes, bytes]:
    """The catalog of a `.po` file as `.mo` keys and values (plural forms joined by NUL).

    Untranslated and fuzzy entries are left out, as msgfmt does (the header is kept).
    """
    messages: dict[bytes, bytes] = {}
    for entry in iter_entries(text):
        if entry.fuzzy and entry.msgid:
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        value = "\0".join(entry.msgstr)
        if value.replace("\0", ""):
            messages[key.encode("utf-8")] = value.encode("utf-8")
    return messages


def _append(
    entry: dict[str, object], section: tuple[str, int | None], text: str, start=False
) -> None:
    name, index = section
    if index is None:
        entry[name] = ("" if start else str(entry.get(name, ""))) + text
    else:
        forms: dict[int, str] = entry.setdefault(name, {})  # type: ignore[assignment]
        forms[index] = ("" if start else forms.get(index, "")) + text


def _unquote(token: str, number: int) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"line {number}: expected a quoted string")
    return ast.literal_eval(token)


def mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    """GNU `.mo` bytes for a catalog: magic, revision 0, count, two offset tables, no hash table."""
    keys = sorted(messages)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    count = len(keys)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for key_offset, key_len, value_offset, value_len in offsets:
        key_table += [key_len, key_offset + key_start]
        value_table += [value_len, value_offset + value_start]
    header = struct.pack("Iiiiiii", MAGIC, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    tables = struct.pack(f"{len(key_table)}i", *key_table)
    tables += struct.pack(f"{len(value_table)}i", *value_table)
    return header + tables + ids + strs


def compile_po(po: Path) -> bytes:
    """The `.mo` bytes of one `.po` file."""
    return mo_bytes(parse_po(po.read_text(encoding="utf-8")))


def compile_tree(locale_dir: Path, out_dir: Path) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/*.po` under `locale_dir` to the same layout under `out_dir`."""
    written: list[Path] = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        target = out_dir / po.relative_to(locale_dir).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compile_po(po))
        written.append(target)
    return written
