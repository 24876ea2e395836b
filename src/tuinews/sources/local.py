"""Local files: find article files under a path, and load one file into an `Article`.

`load_file` never lets anything but `LoadFailure` escape, with a short reason a person can read
("no such file", "binary file", "larger than 64 MiB (max_file_bytes)" ...), so one bad file in a
folder never stops the others.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from tuinews.i18n import _
from tuinews.model import Article, LoadFailure
from tuinews.sources.decode import decode_bytes, looks_binary

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
BINARY_SUFFIXES = frozenset(
    """
    .png .jpg .jpeg .gif .webp .bmp .ico .tif .tiff .heic .avif .psd .pdf .epub .mobi .djvu
    .zip .gz .tgz .bz2 .xz .zst .7z .rar .tar .jar .whl .deb .rpm .dmg .iso .apk
    .db .sqlite .sqlite3 .db-wal .db-shm .pyc .pyo .so .dll .dylib .exe .bin .o .a .class .wasm
    .mp3 .mp4 .m4a .m4v .ogg .oga .ogv .opus .flac .wav .avi .mkv .mov .webm .wmv
    .ttf .otf .woff .woff2 .eot .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp
    """.split()
)
# Text, but not articles: source code, configuration, data and feeds (feeds have their own loader).
NOT_ARTICLE_SUFFIXES = frozenset(
    """
    .py .pyi .js .mjs .cjs .ts .tsx .jsx .css .scss .less .sh .bash .zsh .fish .bat .cmd .ps1
    .c .h .cc .cpp .hpp .rs .go .java .kt .rb .php .pl .lua .swift .sql .tcss
    .json .jsonl .yaml .yml .toml .ini .cfg .conf .lock .env .csv .tsv .xml .rss .atom .opml .xsl
    .log .pem .crt .key .po .pot .mo .svg
    """.split()
)
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_SNIFF_BYTES = 8192
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _looks_like_text_file(path: Path) -> bool:
    if path.suffix.casefold() in TEXT_SUFFIXES:
        return True
    if path.suffix.casefold() in BINARY_SUFFIXES | NOT_ARTICLE_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        # Unreadable: yield it anyway, so the caller hears why from load_file.
        return True
    return bool(head) and not looks_binary(head)


def iter_article_files(path: Path) -> Iterator[Path]:
    """The article files at `path`: the file itself, or a folder's text files, recursively, sorted.

    Hidden files and folders, files with binary suffixes, source code, configuration and feed files,
    and files whose first bytes are binary are skipped. A file named directly is always yielded (so `load_file` can say what is wrong with it).
    """
    path = Path(path)
    if not path.is_dir():
        yield path
        return

    def walk_error(error: OSError) -> None:
        return None

    for root, dirs, files in os.walk(path, onerror=walk_error):
        dirs[:] = sorted(name for name in dirs if not _hidden(name))
        for name in sorted(files):
            if _hidden(name):
                continue
            candidate = Path(root) / name
            if candidate.is_file() and _looks_like_text_file(candidate):
                yield candidate


def sniff_format(path: Path, head: bytes) -> str:
    """'markdown', 'html' or 'text', from the suffix, else from the first bytes."""
    suffix = path.suffix.casefold()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    sample = head[:_SNIFF_BYTES]
    for bom in (b"\xef\xbb\xbf",):
        if sample.startswith(bom):
            sample = sample[len(bom) :]
    if b"\x00" in sample[:64]:
        # UTF-16/32: sniff on the ASCII bytes only.
        sample = sample.replace(b"\x00", b"").lstrip(b"\xff\xfe")
    return "html" if _HTML_START.match(sample) else "text"


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:65536])
    return match.group(1).decode("ascii", "replace") if match else None


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _read(path: Path, where: str, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LoadFailure(where, _("no such file")) from None
    except PermissionError:
        raise LoadFailure(where, _("permission denied")) from None
    except OSError as error:
        raise LoadFailure(where, _os_reason(error)) from None
    if path.is_dir():
        raise LoadFailure(where, _("is a folder, not a file"))
    if not path.is_file():
        raise LoadFailure(where, _("not a regular file"))
    if info.st_size > max_bytes:
        raise LoadFailure(
            where, _("larger than {size} MiB (max_file_bytes)").format(size=_mib(max_bytes))
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise LoadFailure(where, _("no such file")) from None
    except PermissionError:
        raise LoadFailure(where, _("permission denied")) from None
    except OSError as error:
        raise LoadFailure(where, _os_reason(error)) from None
    if len(data) > max_bytes:
        raise LoadFailure(
            where, _("larger than {size} MiB (max_file_bytes)").format(size=_mib(max_bytes))
        )
    if not data:
        raise LoadFailure(where, _("empty file"))
    return data


def _os_reason(error: OSError) -> str:
    if error.errno == errno.EISDIR:
        return _("is a folder, not a file")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied")
    return (error.strerror or type(error).__name__).lower()


def parse_bytes(data: bytes, where: str, path: Path | None = None) -> Article:
    """Decode and parse a file's bytes by its format (from the path's suffix, else sniffed)."""
    from tuinews.sources.html import parse_html
    from tuinews.sources.markdown import parse_markdown
    from tuinews.sources.plaintext import parse_plaintext

    kind = sniff_format(path or Path(where), data)
    declared = _declared_charset(data) if kind == "html" else None
    text = decode_bytes(data, where, declared)
    if not text.strip():
        raise LoadFailure(where, _("no article text"))
    if kind == "html":
        return parse_html(text, where)
    if kind == "markdown":
        return parse_markdown(text, where)
    return parse_plaintext(text, where)


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Load one local file as an `Article` (guid = its absolute path). Raises only `LoadFailure`."""
    path = Path(path)
    where = str(path)
    try:
        data = _read(path, where, max_bytes)
        article = parse_bytes(data, where, path)
        article.guid = str(path.resolve())
        return article
    except LoadFailure:
        raise
    except MemoryError:
        raise LoadFailure(where, _("out of memory")) from None
    except RecursionError:
        raise LoadFailure(where, _("document nested too deeply")) from None
    except Exception as error:  # a loader bug must not stop a folder of other files
        raise LoadFailure(
            where, _("cannot parse ({error})").format(error=type(error).__name__)
        ) from None
