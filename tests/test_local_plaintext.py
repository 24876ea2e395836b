"""Plain-text articles: title choice, paragraphs, lists, datelines, chrome, language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuinews.model import BlockKind, LangOrigin, LoadFailure
from tuinews.sources.local import load_file
from tuinews.sources.plaintext import parse_plaintext

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "fixtures" / "articles" / "un_assembly_gtranslate.txt"

REFERENCE_TITLE = "Zelensky Plans New Meeting with Trump at UN General Assembly"
REFERENCE_VARIANT = (
    "Zelensky intends to meet with Trump during the UN assembly amid ongoing Russian attacks."
)


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.is_file():
        pytest.skip("shared reference fixture is missing")
    return load_file(REFERENCE)


def test_reference_title_is_the_real_headline(reference) -> None:
    assert reference.title == REFERENCE_TITLE


def test_reference_body_is_the_real_paragraphs(reference) -> None:
    paragraphs = reference.paragraphs
    assert len(paragraphs) == 10
    assert all(block.kind is BlockKind.PARAGRAPH for block in reference.blocks)
    assert paragraphs[0].startswith("Ukrainian President Volodymyr Zelensky has announced")
    assert paragraphs[-1].endswith("seeks consultations under Article 4 of NATO.")


def test_reference_has_no_chrome_and_no_repeated_title(reference) -> None:
    body = "\n".join(reference.paragraphs)
    for chrome in ("SELECT LANGUAGE", "Facebook", "Twitter", "LinkedIn", "Reddit", "Telegram"):
        assert chrome not in body
    assert "WhatsApp" not in body and "Related News" not in body
    assert REFERENCE_TITLE not in body
    assert REFERENCE_VARIANT not in body


def test_reference_language_is_detected_english(reference) -> None:
    assert reference.language == "en"
    assert reference.lang_origin is LangOrigin.DETECTED
    assert reference.guid == str(REFERENCE.resolve())


BODY_EN = (
    "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
    "Trump next week. This comes as Russia continues its attacks on Ukrainian cities."
)


def test_title_then_paragraphs() -> None:
    article = parse_plaintext(f"My Headline\n\n{BODY_EN}\n\nSecond paragraph here.\n", "w")
    assert article.guid == "w"
    assert article.title == "My Headline"
    assert article.paragraphs == [BODY_EN, "Second paragraph here."]


def test_title_repeated_as_first_paragraph_appears_once() -> None:
    article = parse_plaintext(f"My Headline\n\nMy Headline\n\n{BODY_EN}\n", "w")
    assert article.title == "My Headline"
    assert article.paragraphs == [BODY_EN]


def test_headline_variants_keep_one_title_and_unrelated_short_lines() -> None:
    text = (
        "Zelensky will meet Trump at the UN, officials say.\n\n"
        "Zelensky to Meet Trump at UN\n\n"
        "Kyiv correspondent\n\n"
        f"{BODY_EN}\n"
    )
    article = parse_plaintext(text, "w")
    assert article.title == "Zelensky to Meet Trump at UN"
    assert article.paragraphs == ["Kyiv correspondent", BODY_EN]


def test_a_description_pasted_twice_above_the_headline_is_dropped() -> None:
    text = (
        "Coastal town restores its lighthouse with help from volunteers.\n\n"
        "Coastal town restores its lighthouse with help from volunteers.\n\n"
        "Greyhaven Lighthouse Shines Again\n\n"
        f"{BODY_EN}\n"
    )
    article = parse_plaintext(text, "w")
    assert article.title == "Greyhaven Lighthouse Shines Again"
    assert article.paragraphs == [BODY_EN]


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("Опубліковано 3 жовтня 2026", datetime(2026, 10, 3, tzinfo=UTC)),
        ("Stand: 14.11.2026 09:12 Uhr", datetime(2026, 11, 14, 9, 12, tzinfo=UTC)),
        ("By Daniel Brooks, World Wire · 29 October 2026", datetime(2026, 10, 29, tzinfo=UTC)),
        ("Von Lena Hartmann, World Wire, 29.10.2026", datetime(2026, 10, 29, tzinfo=UTC)),
    ],
)
def test_dateline_right_under_the_headline(dateline: str, published: datetime) -> None:
    headline = "A headline long enough to look like it could be hard-wrapped prose"
    article = parse_plaintext(f"{headline}\n{dateline}\n\n{BODY_EN}\n", "w")
    assert article.title == headline
    assert article.published == published
    assert article.paragraphs == [BODY_EN]


def test_without_a_real_paragraph_the_first_line_is_the_title() -> None:
    article = parse_plaintext("Short note\n\nJust one line.\n\nAnd another.\n", "w")
    assert article.title == "Short note"
    assert article.paragraphs == ["Just one line.", "And another."]


def test_text_without_a_headline_gets_its_first_sentence_as_title() -> None:
    article = parse_plaintext(BODY_EN + "\n", "w")
    assert article.title.startswith("Ukrainian President Volodymyr Zelensky")
    assert len(article.title) <= 100
    assert article.paragraphs == [BODY_EN]


def test_hard_wrapped_lines_are_joined_and_short_lines_kept() -> None:
    text = (
        "Title\n\n"
        "This is a hard-wrapped paragraph at about seventy-two columns, and it\n"
        "continues on this line, and then it ends right here.\n\n"
        "Short line one\nShort line two\n"
    )
    article = parse_plaintext(text, "w")
    assert article.paragraphs == [
        "This is a hard-wrapped paragraph at about seventy-two columns, and it continues on "
        "this line, and then it ends right here.",
        "Short line one\nShort line two",
    ]


def test_wrapped_cjk_lines_join_without_a_space() -> None:
    text = (
        "日本語のタイトル\n\n"
        "これは日本語の記事です。東京で新しい会社が設立されました。社長は\n"
        "記者会見で今後の計画について説明しました。\n"
    )
    article = parse_plaintext(text, "w")
    assert article.paragraphs == [
        "これは日本語の記事です。東京で新しい会社が設立されました。社長は記者会見で今後の計画について説明しました。"
    ]
    assert article.language == "ja"


def test_lists_become_items_with_levels_and_markers() -> None:
    text = (
        "Title\n\n"
        f"{BODY_EN}\n\n"
        "The plan:\n"
        "- European troops\n"
        "- Air defence\n"
        "  - Patriot systems\n"
        "- Sanctions\n\n"
        "1. First\n"
        "2) Second\n"
    )
    items = [(b.text, b.level, b.marker) for b in parse_plaintext(text, "w").blocks[2:]]
    assert items == [
        ("European troops", 0, "•"),
        ("Air defence", 0, "•"),
        ("Patriot systems", 1, "•"),
        ("Sanctions", 0, "•"),
        ("First", 0, "1."),
        ("Second", 0, "2."),
    ]


def test_markup_stays_literal_and_escapes_are_removed() -> None:
    text = (
        "[bold]Markup[/] title \x1b[31mred\x1b[0m\n\n"
        "Text with [bold]tags[/], \\[escaped] and a bell\x07 stays literal, "
        "this is a long enough sentence. And another one.\n"
    )
    article = parse_plaintext(text, "w")
    assert article.title == "[bold]Markup[/] title red"
    assert article.paragraphs == [
        "Text with [bold]tags[/], \\[escaped] and a bell stays literal, "
        "this is a long enough sentence. And another one."
    ]


def test_ukrainian_article_with_picker_dateline_share_and_trailer() -> None:
    text = (
        "Мова\nУкраїнська\nEnglish\n\n"
        "Зеленський планує зустріч із Трампом на Генасамблеї ООН\n\n"
        "Опубліковано 24 листопада 2026\n\n"
        "Президент України Володимир Зеленський заявив, що наступного тижня зустрінеться з "
        "Трампом під час Генеральної Асамблеї ООН. Це відбувається на тлі нових атак.\n\n"
        "Сторони обговорять гарантії безпеки для України та її європейських союзників.\n\n"
        "Поділитися\nFacebook\nTelegram\n\n"
        "Читайте також\n\n"
        "Уряд ухвалив бюджет на наступний рік\n"
    )
    article = parse_plaintext(text, "w")
    assert article.title == "Зеленський планує зустріч із Трампом на Генасамблеї ООН"
    assert article.published == datetime(2026, 11, 24, tzinfo=UTC)
    assert article.language == "uk"
    assert len(article.paragraphs) == 2
    assert article.paragraphs[0].startswith("Президент України")
    assert article.paragraphs[1].startswith("Сторони обговорять")


def test_german_article_with_dateline_byline_and_trailer() -> None:
    text = (
        "Selenskyj plant Treffen mit Trump\n\n"
        "Stand: 14.03.2025 09:12 Uhr\n"
        "von Hans Müller\n\n"
        "Der ukrainische Präsident Wolodymyr Selenskyj will sich in der kommenden Woche\n"
        "während der UN-Generalversammlung mit Trump treffen. Das kündigte er am Freitag\n"
        "in Kiew an.\n\n"
        "Teilen\nDrucken\n\n"
        "Lesen Sie auch\n\n"
        "Bundestag stimmt über Haushalt ab\n"
    )
    article = parse_plaintext(text, "w")
    assert article.title == "Selenskyj plant Treffen mit Trump"
    assert article.published == datetime(2025, 3, 14, 9, 12, tzinfo=UTC)
    assert article.author == "Hans Müller"
    assert article.language == "de"
    assert article.paragraphs == [
        "Der ukrainische Präsident Wolodymyr Selenskyj will sich in der kommenden Woche während "
        "der UN-Generalversammlung mit Trump treffen. Das kündigte er am Freitag in Kiew an."
    ]


@pytest.mark.parametrize(
    ("text", "language", "published"),
    [
        (
            "Zelensky veut rencontrer Trump à l'ONU\n\nPublié le 2 avril 2025\n\nPartager\n\n"
            "Le président ukrainien Volodymyr Zelensky a annoncé son intention de rencontrer "
            "Donald Trump la semaine prochaine. La Russie poursuit ses attaques.\n\n"
            "À lire aussi\n\nLe budget adopté par l'Assemblée\n",
            "fr",
            datetime(2025, 4, 2, tzinfo=UTC),
        ),
        (
            "Zelenski se reunirá con Trump en la ONU\n\nPublicado el 3 de marzo de 2025\n\n"
            "Compartir\n\n"
            "El presidente ucraniano Volodímir Zelenski anunció su intención de reunirse con "
            "Trump la próxima semana. Rusia continúa sus ataques.\n\n"
            "Lee también\n\nEl Congreso aprueba el presupuesto\n",
            "es",
            datetime(2025, 3, 3, tzinfo=UTC),
        ),
    ],
)
def test_french_and_spanish_articles(text: str, language: str, published: datetime) -> None:
    article = parse_plaintext(text, "w")
    assert article.language == language
    assert article.published == published
    assert len(article.paragraphs) == 1
    assert article.paragraphs[0].startswith(("Le président", "El presidente"))


def test_body_sentences_with_weekdays_are_not_datelines() -> None:
    text = f"Title\n\nTrump spoke on Tuesday.\n\n{BODY_EN}\n"
    article = parse_plaintext(text, "w")
    assert article.published is None
    assert "Trump spoke on Tuesday." in article.paragraphs


def test_only_chrome_is_no_article_text() -> None:
    with pytest.raises(LoadFailure) as caught:
        parse_plaintext("Facebook\nTwitter\n\nSELECT LANGUAGE BELOW\n", "chrome.txt")
    assert caught.value.error.reason == "no article text"
