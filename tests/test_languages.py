"""Language names as the switcher and the article header show them."""

from __future__ import annotations

import pytest

from tuinews.languages import language_label, native_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("de", "Deutsch"),
        ("uk", "Українська"),
        ("pt-BR", "Português (Brasil)"),
        ("ja", "日本語"),
        ("zh-TW", "中文（台湾）"),
        ("und", "Unknown"),
        ("xx-bogus", "xx-bogus"),
    ],
)
def test_native_names(code: str, name: str) -> None:
    assert native_name(code) == name


def test_label_has_name_and_code() -> None:
    assert language_label("de") == "Deutsch (de)"
