"""Finding article files and loading them: formats, encodings, and every kind of failure."""

from __future__ import annotations

import codecs
import os
import time
from pathlib import Path

import pytest

from tuinews.model import Article, LoadFailure
from tuinews.sources import local
from tuinews.sources.local import TEXT_SUFFIXES, iter_article_files, load_file, sniff_format

BODY = (
    "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
    "Trump next week. This comes as Russia continues its attacks on Ukrainian cities."
)
UKRAINIAN = (
    "Президент України Володимир Зеленський заявив, що наступного тижня зустрінеться з Трампом "
    "під час Генеральної Асамблеї ООН. Це відбувається на тлі нових атак."
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(LoadFailure) as caught:
        load_file(path, **kwargs)
    assert caught.value.error.where == str(path)
    return caught.value.error.reason


def test_text_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".html", ".htm"} == TEXT_SUFFIXES


def test_a_file_yields_itself(tmp_path: Path) -> None:
    path = write(tmp_path / "a.png", b"\x89PNG\x00")
    assert list(iter_article_files(path)) == [path]


def test_a_folder_is_walked_sorted_skipping_hidden_and_binary(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", BODY)
    write(tmp_path / "a.md", "# A\n\n" + BODY)
    write(tmp_path / "sub" / "c.html", f"<p>{BODY}</p>")
    write(tmp_path / "sub" / "notes", BODY)  # no suffix, text
    write(tmp_path / "sub" / "utf16", BODY.encode("utf-16-le"))  # no suffix, UTF-16 without BOM
    write(tmp_path / "sub" / "data.bin", b"\x00\x01\x02")
    write(tmp_path / "photo.jpg", BODY)  # a binary suffix is enough to skip
    write(tmp_path / "__init__.py", '"""Code, not an article."""')
    write(tmp_path / "feed.xml", "<rss></rss>")
    write(tmp_path / "blob", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 10)
    write(tmp_path / ".hidden.txt", BODY)
    write(tmp_path / ".git" / "HEAD.txt", BODY)
    found = [path.relative_to(tmp_path).as_posix() for path in iter_article_files(tmp_path)]
    assert found == ["a.md", "b.txt", "sub/c.html", "sub/notes", "sub/utf16"]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.md", b"<!doctype html>", "markdown"),
        ("a.markdown", b"text", "markdown"),
        ("a.HTM", b"text", "html"),
        ("a.txt", b"  <!DOCTYPE html><html>", "html"),
        ("a", b"<html lang='en'>", "html"),
        ("a", b"<?xml version='1.0'?>\n<html>", "html"),
        ("a", codecs.BOM_UTF8 + b"<!doctype html>", "html"),
        ("a", "<html>".encode("utf-16-le"), "html"),
        ("a.txt", b"Plain text <html> later", "text"),
        ("notes", b"# Not markdown by suffix", "text"),
    ],
)
def test_sniff_format(name: str, head: bytes, expected: str) -> None:
    assert sniff_format(Path(name), head) == expected


def test_formats_are_parsed_by_suffix_or_sniffing(tmp_path: Path) -> None:
    html_in_txt = write(tmp_path / "page.txt", f"<!doctype html><title>T</title><p>{BODY}</p>")
    markdown = write(tmp_path / "a.md", f"# Heading\n\n*{BODY}*\n")
    assert load_file(html_in_txt).paragraphs == [BODY]
    assert load_file(html_in_txt).title == "T"
    assert load_file(markdown).title == "Heading"
    assert load_file(markdown).paragraphs == [BODY]


def test_guid_is_the_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "Title\n\n" + BODY)
    monkeypatch.chdir(tmp_path)
    article = load_file(Path("a.txt"))
    assert article.guid == str((tmp_path / "a.txt").resolve())


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (("Заголовок\n\n" + UKRAINIAN).encode("cp1251"), "cp1251"),
        (codecs.BOM_UTF16_LE + ("Заголовок\n\n" + UKRAINIAN).encode("utf-16-le"), "utf-16 BOM"),
        (codecs.BOM_UTF16_BE + ("Заголовок\n\n" + UKRAINIAN).encode("utf-16-be"), "utf-16 BOM"),
        (("Заголовок\n\n" + UKRAINIAN).encode("utf-16-le"), "utf-16 no BOM"),
        (("Заголовок\n\n" + UKRAINIAN).encode("utf-16-be"), "utf-16 no BOM"),
        (codecs.BOM_UTF8 + ("Заголовок\n\n" + UKRAINIAN).encode(), "utf-8 BOM"),
        (("Заголовок\r\n\r\n" + UKRAINIAN + "\r\n").encode(), "crlf"),
        (("Заголовок\r\r" + UKRAINIAN + "\r").encode(), "cr"),
    ],
)
def test_encodings_and_line_ends(tmp_path: Path, data: bytes, encoding: str) -> None:
    article = load_file(write(tmp_path / "a.txt", data))
    assert article.title == "Заголовок", encoding
    assert article.paragraphs == [UKRAINIAN], encoding
    assert article.language == "uk"


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    text = "Gelir İdaresi yeni tebliğ yayımladı; şirketler için önemli değişiklikler getiriyor."
    html = f'<html><head><meta charset="windows-1254"><title>Vergi</title></head><p>{text}</p>'
    article = load_file(write(tmp_path / "a.html", html.encode("cp1254")))
    assert article.paragraphs == [text]


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "nope.txt") == "no such file"


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    assert reason(tmp_path) == "is a folder, not a file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", BODY)
    path.chmod(0)
    try:
        assert reason(path) == "permission denied"
    finally:
        path.chmod(0o644)


def test_permission_denied_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.txt", BODY)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert reason(path) == "permission denied"


def test_empty_file(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "empty.txt", b"")) == "empty file"


@pytest.mark.parametrize(
    "data", [b"   \n\n\t  \n", b"Facebook\nTwitter\n\nSELECT LANGUAGE BELOW\n"]
)
def test_no_article_text(tmp_path: Path, data: bytes) -> None:
    assert reason(write(tmp_path / "blank.txt", data)) == "no article text"


def test_too_large(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "x" * (600 * 1024))
    assert reason(path, max_bytes=512 * 1024) == "larger than 0.5 MiB (max_file_bytes)"
    path = write(tmp_path / "big.txt", "x" * (3 * 1024 * 1024))
    assert reason(path, max_bytes=2 * 1024 * 1024) == "larger than 2 MiB (max_file_bytes)"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert reason(path) == "binary file"


def test_undecodable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.txt", codecs.BOM_UTF16_LE + b"A\x00\x00\xd8")
    assert reason(path) == "cannot decode text"


def test_unexpected_errors_become_load_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tuinews.sources.plaintext

    def explode(text: str, where: str) -> Article:
        raise ValueError("boom")

    monkeypatch.setattr(tuinews.sources.plaintext, "parse_plaintext", explode)
    path = write(tmp_path / "a.txt", BODY)
    assert reason(path) == "cannot parse (ValueError)"


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path / "1-good.txt", "First\n\n" + BODY)
    write(tmp_path / "2-empty.txt", b"")
    write(tmp_path / "3-cp1251.txt", ("Другий\n\n" + UKRAINIAN).encode("cp1251"))
    write(tmp_path / "4-broken.md", codecs.BOM_UTF16_LE + b"A\x00\x00\xd8")
    write(tmp_path / "5-page.html", f"<html><title>Third</title><body><p>{BODY}</p></body></html>")
    write(tmp_path / "6-chrome.txt", "Share\nFacebook\n")
    loaded: list[str] = []
    failed: list[tuple[str, str]] = []
    for path in iter_article_files(tmp_path):
        try:
            loaded.append(load_file(path).title)
        except LoadFailure as failure:
            failed.append((Path(failure.error.where).name, failure.error.reason))
    assert loaded == ["First", "Другий", "Third"]
    assert failed == [
        ("2-empty.txt", "empty file"),
        ("4-broken.md", "cannot decode text"),
        ("6-chrome.txt", "no article text"),
    ]


def test_loading_is_linear_in_size(tmp_path: Path) -> None:
    paragraph = BODY + " " + UKRAINIAN
    path = write(tmp_path / "big.txt", "Title\n\n" + "\n\n".join([paragraph] * 4000))
    start = time.perf_counter()
    article = load_file(path)
    assert time.perf_counter() - start < 5
    assert len(article.blocks) == 4000
    assert path.stat().st_size > 1_000_000
    assert local.DEFAULT_MAX_BYTES == 64 * 1024 * 1024
