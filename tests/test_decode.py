"""Bytes to text: BOMs, UTF-8, UTF-16 without BOM, legacy code pages, binary data."""

from __future__ import annotations

import codecs

import pytest

from tuinews.model import LoadFailure
from tuinews.sources.decode import decode_bytes, looks_binary, utf16_without_bom

UKRAINIAN = "Президент України заявив, що зустрінеться з Трампом під час Генеральної Асамблеї ООН."
FRENCH = (
    "Le président a annoncé mercredi une réforme très contestée. Les élèves déjà là étaient ravis."
)
GERMAN = "Der Bundestag hat am Donnerstag über das Bürgergeld abgestimmt. Die Änderungen sind groß."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain ascii", "plain ascii"),
        ("Zelensky – “quoted” ✓".encode(), "Zelensky – “quoted” ✓"),
        (codecs.BOM_UTF8 + "with BOM é".encode(), "with BOM é"),
        (codecs.BOM_UTF16_LE + "utf-16 le é".encode("utf-16-le"), "utf-16 le é"),
        (codecs.BOM_UTF16_BE + "utf-16 be é".encode("utf-16-be"), "utf-16 be é"),
        (codecs.BOM_UTF32_LE + "utf-32 le é".encode("utf-32-le"), "utf-32 le é"),
        (codecs.BOM_UTF32_BE + "utf-32 be é".encode("utf-32-be"), "utf-32 be é"),
    ],
)
def test_boms_and_utf8(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "f") == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding: str) -> None:
    text = "Hello world, this is UTF-16 text without a byte-order mark. Привіт."
    assert decode_bytes(text.encode(encoding), "f") == text
    assert utf16_without_bom(text.encode(encoding)) == encoding


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(UKRAINIAN, "cp1251"), (FRENCH, "cp1252"), (GERMAN, "latin-1"), (FRENCH, "latin-1")],
)
def test_legacy_code_pages(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding), "f") == text


def test_declared_encoding_is_tried_before_guessing() -> None:
    text = (
        "Muhasebe ve vergi haberleri: Gelir İdaresi yeni tebliğ yayımladı, şirketler için önemli."
    )
    assert decode_bytes(text.encode("cp1254"), "f", declared="windows-1254") == text


def test_utf8_wins_over_a_wrong_declaration() -> None:
    text = "中文新闻报道今天发布"
    assert decode_bytes(text.encode(), "f", declared="gb2312") == text


def test_a_bogus_declaration_is_ignored() -> None:
    assert decode_bytes(UKRAINIAN.encode("cp1251"), "f", declared="no-such-charset") == UKRAINIAN


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"one\r\ntwo\r\n", "one\ntwo\n"),
        (b"one\rtwo\r", "one\ntwo\n"),
        (b"mixed\r\nends\rhere\n", "mixed\nends\nhere\n"),
        ((UKRAINIAN + "\r\n" + UKRAINIAN).encode("cp1251"), UKRAINIAN + "\n" + UKRAINIAN),
    ],
)
def test_line_ends_become_lf(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "f") == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
        bytes(range(1, 32)) * 40,
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(LoadFailure) as caught:
        decode_bytes(data, "picture.png")
    assert caught.value.error.reason == "binary file"
    assert caught.value.error.where == "picture.png"


def test_broken_utf16_is_undecodable() -> None:
    with pytest.raises(LoadFailure) as caught:
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8", "f")
    assert caught.value.error.reason == "cannot decode text"


def test_a_few_stray_nuls_deep_inside_text_are_dropped() -> None:
    data = ("A long text page. " * 600).encode() + b"\x00Z\x00E\x00L\x00" + b" the end"
    text = decode_bytes(data, "f")
    assert "\x00" not in text
    assert text.endswith("ZEL the end")


def test_looks_binary() -> None:
    assert looks_binary(b"\x00\x01\x02\x03binary")
    assert not looks_binary(b"plain text")
    assert not looks_binary("utf-16 text".encode("utf-16-le"))
    assert not looks_binary(codecs.BOM_UTF16_LE + "x".encode("utf-16-le"))
