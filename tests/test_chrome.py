"""Site chrome is recognised by shape and vocabulary, in many languages, and article text is kept."""

from __future__ import annotations

import pytest

from tuinews.sources.chrome import (
    find_chrome,
    is_chrome_line,
    is_chrome_paragraph,
    is_language_name,
    is_trailer_heading,
    strip_chrome,
    strip_chrome_lines,
)

BODY = (
    "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
    "Trump next week during the UN General Assembly. This comes as Russia continues its attacks."
)

LANGUAGE_PICKERS = [
    "SELECT LANGUAGE BELOW",
    "Choose language",
    "Select your language",
    "Change language",
    "Мова",
    "Мова: Українська",
    "Оберіть мову",
    "Язык",
    "Sprache wählen",
    "Sprache",
    "Choisir la langue",
    "Langue : Français",
    "Seleccionar idioma",
    "Idioma",
    "English Español Français Deutsch Українська",
    "English | Deutsch | Français | Español",
    "English · Русский · Українська",
    "Deutsch English",
    "Español Português Italiano",
    "中文（简体） English 日本語 한국어",
    "العربية English Français",
    "EN | UA | RU",
    "DE EN FR",
]

SHARE_LINES = [
    "Facebook",
    "Twitter",
    "LinkedIn",
    "Reddit",
    "WhatsApp",
    "Telegram",
    "Viber",
    "E-mail",
    "Email",
    "Mail",
    "Print",
    "Share",
    "Shares",
    "Facebook Twitter LinkedIn Reddit Telegram WhatsApp",
    "Facebook · X · WhatsApp · E-Mail",
    "Share on Facebook",
    "Share this article",
    "Share via Email",
    "Copy link",
    "Поділитися",
    "Поділитися у Facebook",
    "Поширити",
    "Друк",
    "Teilen",
    "Auf Facebook teilen",
    "Drucken",
    "Link kopieren",
    "Partager",
    "Partager sur Facebook",
    "Imprimer",
    "Copier le lien",
    "Compartir",
    "Compartir en Facebook",
    "Imprimir",
    "Copiar enlace",
    "Поделиться",
    "Condividi",
    "Whatsapp Facebook Pin Baixar",
    "このニュースをシェア",
]

COOKIE_AND_CONSENT = [
    "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
    "This website uses cookies.",
    "Accept all",
    "Accept cookies",
    "Reject all",
    "Wir verwenden Cookies, um Ihnen ein besseres Nutzungserlebnis zu bieten.",
    "Alle akzeptieren",
    "Nous utilisons des cookies pour améliorer votre expérience.",
    "Tout accepter",
    "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
    "Aceptar todo",
    "Ми використовуємо файли cookie, щоб покращити роботу сайту.",
    "Прийняти все",
]

BREADCRUMBS = [
    "Home > World > Europe",
    "Home / News",
    "Home › Politics",
    "News > World > Europe > Ukraine",
    "Startseite > Politik > Ausland",
    "Accueil > International > Europe",
    "Inicio > Internacional",
    "Головна / Новини / Світ",
    "World › Europe › Ukraine",
]

OTHER_CHROME = [
    "Subscribe to our newsletter",
    "Sign up for our newsletter",
    "Subscribe",
    "Newsletter abonnieren",
    "Abonnez-vous à notre newsletter",
    "Suscríbete a nuestro boletín",
    "Підпишіться на нашу розсилку",
    "Підписуйтесь на наш Telegram",
    "Follow us on Twitter",
    "Folgen Sie uns",
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "Anzeige",
    "Werbung",
    "Publicité",
    "Publicidad",
    "Реклама",
    "Skip to content",
    "Skip to main content",
    "Zum Inhalt springen",
    "Aller au contenu",
    "Saltar al contenido",
    "Перейти до вмісту",
    "© 2025 Example News. All rights reserved.",
    "Copyright 2025 Reuters",
    "© Spiegel Online",
    "Alle Rechte vorbehalten.",
    "Tous droits réservés",
    "Todos los derechos reservados",
    "Усі права захищені",
    "Tags: Ukraine, UN, Zelensky",
    "Topics: Politics, Europe",
    "Schlagwörter: Ukraine, UN",
    "Mots-clés : Ukraine, ONU",
    "Etiquetas: Ucrania, ONU",
    "Теги: Україна, ООН",
    "#Ukraine #UN #Zelensky",
    "Read also: Zelensky meets Trump in New York",
    "Read more: Kyiv prepares for winter",
    "Читайте також: Зеленський зустрівся з Трампом",
    "Lesen Sie auch: Selenskyj trifft Trump",
    "À lire aussi : Zelensky rencontre Trump",
    "Lee también: Zelenski se reúne con Trump",
    "(Leggi anche su: I Cavalieri dello Zodiaco)",
    "Reading time: 3 min",
    "Lesezeit: 4 Minuten",
    "5 min read",
    "Close",
    "3.409",
    "Menu",
    "▶ ◀ •",
]

TRAILER_HEADINGS = [
    "Related News",
    "Related",
    "Related articles",
    "RELATED STORIES",
    "Read more",
    "Read also",
    "Read more:",
    "See also",
    "More from BBC News",
    "More stories",
    "You may also like",
    "You might also like",
    "Recommended for you",
    "Most read",
    "Читайте також",
    "Читайте також:",
    "Дивіться також",
    "Інші новини",
    "Вас може зацікавити",
    "Lesen Sie auch",
    "Mehr zum Thema",
    "Das könnte Sie auch interessieren",
    "À lire aussi",
    "Lire aussi",
    "Sur le même sujet",
    "Lee también",
    "Noticias relacionadas",
    "Te puede interesar",
    "Leggi anche",
    "相关新闻",
    "関連記事",
]

ARTICLE_LINES = [
    BODY,
    "Zelensky Plans New Meeting with Trump at UN General Assembly",
    "Zelensky intends to meet with Trump during the UN assembly amid ongoing Russian attacks.",
    "Facebook and Twitter banned the account on Tuesday after a long review.",
    "Telegram messenger founder Pavel Durov was arrested in France.",
    "The company uses cookies and trackers, critics say, to follow users across the web.",
    "Print media is in decline.",
    "Home is where the heart is.",
    "English is spoken by many people here.",
    "Share prices fell sharply on Monday.",
    "Copyright law in the EU is changing.",
    "Follow the money.",
    "Related parties were informed.",
    "Advertisement revenue fell by 20 percent in 2024.",
    "Language matters.",
    "By the numbers",
    "Europe",
    "Ukraine",
    "2025",
    "Deutsch als Fremdsprache",
    "Ukraine > Russia in drone production, report says",
    "Der Bundestag hat am Donnerstag über das neue Gesetz abgestimmt.",
    "Mehr als 1000 interne Unterlagen kursieren im Netz.",
    "Le président a annoncé mercredi une réforme des retraites.",
    "À Paris, les syndicats appellent à la grève.",
    "El presidente anunció el miércoles una reforma.",
    "Lee el informe completo en la web del ministerio, dijo el portavoz.",
    "Президент оголосив про зустріч з Трампом.",
    "Мова йде про нові гарантії безпеки для України.",
    "Читайте уважно: це важливо, сказав він журналістам у Києві.",
]


@pytest.mark.parametrize(
    "line", LANGUAGE_PICKERS + SHARE_LINES + COOKIE_AND_CONSENT + BREADCRUMBS + OTHER_CHROME
)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", TRAILER_HEADINGS)
def test_trailer_headings_are_recognised(line: str) -> None:
    assert is_trailer_heading(line)
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", ARTICLE_LINES)
def test_article_text_is_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)
    assert not is_trailer_heading(line)
    assert strip_chrome([line]) == [line]


@pytest.mark.parametrize(
    "name", ["English", "Українська", "Deutsch", "Français", "Español", "中文（简体）", "日本語"]
)
def test_language_names(name: str) -> None:
    assert is_language_name(name)


@pytest.mark.parametrize("word", ["Ukraine", "President", "Europe", "Trump", ""])
def test_not_language_names(word: str) -> None:
    assert not is_language_name(word)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Facebook\nTwitter\nLinkedIn\nReddit\nTelegram\nWhatsApp",
        "English\nEspañol\nFrançais\nDeutsch",
        "Мова\nУкраїнська\nEnglish",
        "Поділитися\nFacebook\nTelegram",
        "Teilen\nDrucken\nE-Mail",
    ],
)
def test_multi_line_chrome_paragraphs(paragraph: str) -> None:
    assert is_chrome_paragraph(paragraph)


def test_chrome_lines_inside_a_paragraph_are_removed() -> None:
    assert strip_chrome_lines("SELECT LANGUAGE BELOW\nThe real headline") == "The real headline"
    assert strip_chrome_lines("Facebook") == ""


def test_strip_chrome_keeps_the_article_and_cuts_the_trailer() -> None:
    paragraphs = [
        "SELECT LANGUAGE BELOW",
        "Headline",
        BODY,
        BODY,
        "Facebook\nTwitter\nLinkedIn",
        "Related News",
        "Another story about something else",
        "A third story",
    ]
    assert strip_chrome(paragraphs) == ["Headline", BODY, BODY]


@pytest.mark.parametrize(
    ("heading", "teasers"),
    [
        ("Читайте також", ["Зеленський зустрівся з Трампом", "Уряд ухвалив бюджет"]),
        ("Lesen Sie auch", ["Selenskyj trifft Trump in New York", "Bundestag stimmt ab"]),
        ("À lire aussi", ["Zelensky rencontre Trump à New York", "Le budget adopté"]),
        ("Lee también", ["Zelenski se reúne con Trump", "El Congreso aprueba el presupuesto"]),
        ("Related articles", ["Zelensky meets Trump", "Budget passes"]),
    ],
)
def test_trailer_with_its_teasers_is_cut_in_every_language(
    heading: str, teasers: list[str]
) -> None:
    assert strip_chrome([BODY, BODY, heading, *teasers]) == [BODY, BODY]


def test_a_read_also_box_inside_the_article_is_removed_but_the_article_goes_on() -> None:
    later = [BODY.replace("next week", f"in week {n}") for n in range(3)]
    paragraphs = [BODY, "Read also", "Zelensky meets Trump in New York", *later]
    assert strip_chrome(paragraphs) == [BODY, *later]


def test_a_trailer_heading_at_the_top_does_not_cut_the_article() -> None:
    chrome, end = find_chrome(["Related", BODY, BODY])
    assert end == 3
    assert chrome == [True, False, False]


def test_a_run_of_language_names_is_a_picker() -> None:
    chrome, end = find_chrome(["English", "Español", "Français", "Headline", BODY])
    assert chrome == [True, True, True, False, False]
    assert end == 5


def test_a_single_language_name_is_kept() -> None:
    chrome, _ = find_chrome(["English", BODY])
    assert chrome == [False, False]


def test_long_texts_are_checked_at_their_edges() -> None:
    middle = [BODY] * 1000 + ["Share"] + [BODY] * 1000
    paragraphs = ["SELECT LANGUAGE BELOW", "Headline", *middle, "Related News", "Other story"]
    chrome, end = find_chrome(paragraphs)
    assert end == len(paragraphs) - 2
    assert chrome[0] and not any(chrome[1:end])  # the middle of a long text is not examined
    assert strip_chrome(paragraphs) == ["Headline", *middle]
