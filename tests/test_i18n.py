"""The interface language: catalogs complete and well-formed, locale resolution, the live switch
in the reader, the CLI in the locale's language, and the build hook that puts `.mo` files in wheels."""

from __future__ import annotations

import gettext
import html
import re
import statistics
import time
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from tuinews import i18n
from tuinews.config import load_config
from tuinews.i18n import _, ngettext, set_ui_language, ui_language
from tuinews.i18n_build import PoEntry, compile_tree, iter_entries
from tuinews.library import LoadReport
from tuinews.ui.app import TuinewsApp
from tuinews.ui.help_screen import HelpScreen
from tuinews.ui.language_screen import LanguageScreen

LOCALE = REPO / "src" / "tuinews" / "locale"
LANGUAGES = ("uk", "de", "fr", "es")
NPLURALS = {"uk": 3, "de": 2, "fr": 2, "es": 2}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


def entries(path: Path) -> dict[str, PoEntry]:
    found = iter_entries(path.read_text(encoding="utf-8"))
    return {entry.msgid: entry for entry in found if entry.msgid}


@pytest.fixture(scope="module")
def template() -> dict[str, PoEntry]:
    return entries(LOCALE / "tuinews.pot")


def test_template_has_the_interface_strings(template: dict[str, PoEntry]) -> None:
    for msgid in ("Quit", "All languages", "Interface language", "{count} article", "Also in:"):
        assert msgid in template
    assert template["{count} article"].msgid_plural == "{count} articles"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated_in_every_form(
    language: str, template: dict[str, PoEntry]
) -> None:
    catalog = entries(LOCALE / language / "LC_MESSAGES" / "tuinews.po")
    assert set(catalog) == set(template), "the .po is out of date: see docs/translations.md"
    for msgid, entry in catalog.items():
        assert not entry.fuzzy, msgid
        assert entry.msgid_plural == template[msgid].msgid_plural, msgid
        wanted = NPLURALS[language] if entry.msgid_plural is not None else 1
        assert len(entry.msgstr) == wanted, msgid
        assert all(form.strip() for form in entry.msgstr), msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language: str) -> None:
    for msgid, entry in entries(LOCALE / language / "LC_MESSAGES" / "tuinews.po").items():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or msgid))
        for form in entry.msgstr:
            assert sorted(PLACEHOLDER.findall(form)) == wanted, (msgid, form)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_header(language: str) -> None:
    header = next(iter_entries((LOCALE / language / "LC_MESSAGES" / "tuinews.po").read_text()))
    assert header.msgid == ""
    assert f"nplurals={NPLURALS[language]};" in header.msgstr[0]


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, "стаття"),
        (2, "статті"),
        (5, "статей"),
        (11, "статей"),
        (21, "стаття"),
        (22, "статті"),
        (25, "статей"),
        (0, "статей"),
        (111, "статей"),
        (104, "статті"),
    ],
)
def test_ukrainian_plural_forms(n: int, form: str) -> None:
    set_ui_language("uk")
    assert ngettext("{count} article", "{count} articles", n).format(count=n) == f"{n} {form}"


def test_load_report_summary_is_translated_with_plurals() -> None:
    report = LoadReport(added=1, updated=2, unchanged=5)
    assert report.summary() == "1 new, 2 updated, 5 unchanged"
    set_ui_language("uk")
    assert report.summary() == "1 нова, 2 оновлені, 5 без змін"
    set_ui_language("fr")
    assert report.summary() == "1 nouveau, 2 mis à jour, 5 inchangés"


def test_gettext_reads_the_current_catalog_at_call_time() -> None:
    assert _("Quit") == "Quit"
    assert set_ui_language("de") == "de"
    assert _("Quit") == "Beenden"
    assert set_ui_language("es") == "es"
    assert (_("Quit"), ui_language()) == ("Salir", "es")
    assert i18n.N_("Quit") == "Quit"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "uk_UA.UTF-8"}, "uk"),
        ({"LANG": "de_AT.UTF-8"}, "de"),
        ({"LANG": "fr_CA"}, "fr"),
        ({"LANG": "uk_UA.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "uk_UA.UTF-8", "LC_ALL": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "pt_BR:fr"}, "fr"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "uk"}, "en"),
        ({"LANG": "pt_BR.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
    ],
)
def test_auto_follows_the_locale(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LANG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert set_ui_language("auto") == expected
    assert ui_language() == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("uk", "uk"), ("de-CH", "de"), ("es_MX", "es"), ("EN", "en"), ("xx", "en"), ("", "en")],
)
def test_explicit_codes_and_unknown_ones(code: str, expected: str) -> None:
    assert set_ui_language(code) == expected


# The reader, live


ARTICLES = {
    "en-tram.md": "---\ntitle: Tram line opens\nlang: en\n---\n\nThe new tram line links the harbour.\n",
    "uk-honey.md": "---\ntitle: Медовий ярмарок\nlang: uk\n---\n\nНа площі відкрився медовий ярмарок.\n",
    "de-storm.md": "---\ntitle: Herbststurm am Rhein\nlang: de\n---\n\nEin Herbststurm bringt Böen.\n",
}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "новини"  # a source name that is no English interface word
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


async def settle(pilot, app: TuinewsApp, rounds: int = 6) -> None:
    for _round in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: TuinewsApp) -> str:
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return "".join(html.unescape(run).replace("\xa0", " ") for run in runs)


def english_leftovers(text: str, language: str = "uk") -> list[str]:
    """English catalog strings (longer than 3 characters, translated differently) found in `text`."""
    catalog = entries(LOCALE / language / "LC_MESSAGES" / "tuinews.po")
    found = []
    for msgid, entry in catalog.items():
        for english in filter(None, (msgid, entry.msgid_plural)):
            literal = PLACEHOLDER.split(english)
            if len(english) <= 3 or english in entry.msgstr:
                continue
            for part in literal:
                part = part.strip(" :")
                if len(part) > 3 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text):
                    found.append(part)
    return found


async def choose_interface_language(pilot, app: TuinewsApp, code: str) -> float:
    """Open the switcher with `l`, move to `code` in "Interface language", press Enter.

    Returns the seconds from the Enter key to the repainted footer.
    """
    await pilot.press("l")
    await pilot.pause()
    assert isinstance(app.screen, LanguageScreen)
    options = app.screen.query_one("#language-options")
    await pilot.press("G")  # the last interface language
    while options.get_option_at_index(options.highlighted).id != f"ui:{code}":
        await pilot.press("k")
    started = time.perf_counter()
    await pilot.press("enter")
    quit_label = _("Quit")  # the catalog switched during the key press
    for _attempt in range(100):
        await pilot.pause()
        if f"q {quit_label}" in screen_text(app):
            break
    return time.perf_counter() - started


async def test_interface_language_switches_live_and_is_remembered(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = screen_text(app)
        assert "q Quit" in before and "Language:" in before
        await choose_interface_language(pilot, app, "uk")
        await settle(pilot, app)
        assert ui_language() == "uk"
        text = screen_text(app)
        for ukrainian in ("Вийти", "Мова", "Оновити", "Довідка", "Мова:", "Усі мови", "3 статті"):
            assert ukrainian in text, ukrainian
        assert app.query_one("#sources").border_title == "Джерела"
        assert app.query_one("#headlines").border_title == "Заголовки"
        assert app.query_one("#article").border_title == "Стаття"
        assert "Виберіть заголовок" in text
        assert english_leftovers(text) == []

        await pilot.press("enter")  # open an article: its header in Ukrainian too
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        for ukrainian in (
            "Клавіші tuinews",
            "Усюди",
            "Заголовки",
            "Наступна панель",
        ):
            assert ukrainian in help_text, ukrainian
        assert english_leftovers(help_text) == []
        await pilot.press("escape")
        await pilot.pause()

        await choose_interface_language(pilot, app, "en")
        await settle(pilot, app)
        assert "Language:" in screen_text(app)
        await choose_interface_language(pilot, app, "uk")
        await settle(pilot, app)

    set_ui_language("en")
    again = TuinewsApp(load_config(), [library])
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        assert ui_language() == "uk"
        text = screen_text(again)
        assert "Вийти" in text and "Мова:" in text
        assert english_leftovers(text) == []


async def test_saved_choice_wins_over_the_config(library: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[reader]\nui_language = "de"\n', encoding="utf-8")
    app = TuinewsApp(load_config(config_file), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert ui_language() == "de"
        assert "Beenden" in screen_text(app)
        await choose_interface_language(pilot, app, "fr")
        await settle(pilot, app)
        assert "Quitter" in screen_text(app)
    again = TuinewsApp(load_config(config_file), [library])
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot, again)
        assert ui_language() == "fr"


async def test_switch_time(library: Path) -> None:
    """The switch, from the Enter key to the repainted footer, stays well under a second."""
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        times = []
        for code in ("uk", "de", "fr", "es", "en"):
            times.append(await choose_interface_language(pilot, app, code))
            await settle(pilot, app)
    assert statistics.median(times) < 1.0, times


# Every screen in Ukrainian: nothing of the catalog left in English


STORY = {
    "uk": ("Новий міст через річку відкрили", "Міст з’єднав два береги міста."),
    "de": ("Neue Brücke über den Fluss eröffnet", "Die Brücke verbindet beide Ufer der Stadt."),
    "fr": ("Un nouveau pont sur la rivière", "Le pont relie les deux rives de la ville."),
}


@pytest.fixture
def story(tmp_path: Path) -> Path:
    """One story in three languages (hreflang alternates), with links, and a file that cannot load."""
    folder = tmp_path / "новини"
    folder.mkdir()
    alternates = "".join(
        f'<link rel="alternate" hreflang="{code}" href="https://example.org/mist/{code}">'
        for code in STORY
    )
    for code, (title, text) in STORY.items():
        (folder / f"mist.{code}.html").write_text(
            f'<!doctype html><html lang="{code}"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta property="article:published_time" content="2026-10-29T16:00:00+02:00">'
            f'<link rel="canonical" href="https://example.org/mist/{code}">{alternates}</head>'
            f"<body><article><h1>{title}</h1><p>{text}</p>"
            '<p><a href="https://example.org/rozklad">розклад</a> '
            '<a href="https://example.org/karta">мапа</a></p></article></body></html>',
            encoding="utf-8",
        )
    (folder / "zlamanyi.txt").write_bytes(b"\x00\x01\x02\x00" * 200)
    return folder


async def test_no_screen_shows_an_english_catalog_string_in_ukrainian(
    story: Path, tmp_path: Path
) -> None:
    from tuinews.ui.link_picker import LinkPicker
    from tuinews.ui.version_screen import VersionScreen

    config_file = tmp_path / "config.toml"
    config_file.write_text('[reader]\nui_language = "uk"\n', encoding="utf-8")
    app = TuinewsApp(load_config(config_file), [story])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, app)
        seen: dict[str, str] = {}

        async def look(name: str, screen_type: type | None = None) -> None:
            await settle(pilot, app, 3)
            if screen_type is not None:
                assert isinstance(app.screen, screen_type), name
            seen[name] = screen_text(app)
            assert english_leftovers(seen[name]) == [], name

        await look("main")  # with the notification about the file that cannot load
        assert "двійковий файл" in seen["main"] and "Не вдалося завантажити" in seen["main"]
        app.clear_notifications()
        await pilot.press("enter")
        await look("article")
        assert "Також мовами: Deutsch · Français" in seen["article"]
        await pilot.press("question_mark")
        await look("help", HelpScreen)
        await pilot.press("escape", "l")
        await look("language switcher", LanguageScreen)
        assert "Мова інтерфейсу" in seen["language switcher"]
        await pilot.press("escape", "L")
        await look("link picker", LinkPicker)
        assert "https://example.org/karta" in seen["link picker"]
        await pilot.press("escape", "t")
        await look("version picker", VersionScreen)
        assert "Neue Brücke über den Fluss eröffnet" in seen["version picker"]
        await pilot.press("escape", "ctrl+p")
        await look("palette")
        for ukrainian in ("Пошук команд…", "Позначити все прочитаним", "Гортати  Пробіл"):
            assert ukrainian in seen["palette"], ukrainian
        await pilot.press(*"тема")  # Textual's own commands too
        await look("palette: тема")
        assert "Змінити поточну тему" in seen["palette: тема"]
        await pilot.press(*["backspace"] * 4, *"знімок")
        await look("palette: знімок")
        assert "Зберегти «знімок» поточного екрана в SVG" in seen["palette: знімок"]
        await pilot.press("escape")
        await pilot.press("r")  # a refresh of files: its notification too
        await look("refreshed")
        assert "Оновлено" in seen["refreshed"]


async def test_key_names_are_words_of_the_interface_language(library: Path) -> None:
    app = TuinewsApp(load_config(), [library])
    async with app.run_test(size=(120, 80)) as pilot:  # tall enough for the whole help
        await settle(pilot, app)
        await choose_interface_language(pilot, app, "uk")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert re.search(r"Пробіл +Гортати", text)  # Space
        assert re.search(r"Shift\+Tab +Попередня панель", text)  # kept as on Ukrainian keyboards
        assert "Space" not in text
        await pilot.press("escape")
        await choose_interface_language(pilot, app, "fr")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for french in ("Espace", "Maj+Tab", "g, Début", "G, Fin", "Pg préc", "Ctrl+P", "Échap"):
            assert french in text, french
        await pilot.press("escape")
        await choose_interface_language(pilot, app, "en")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for english in ("Space", "Shift+Tab", "g, Home", "PgUp", "Ctrl+P", "1-9 Enter"):
            assert english in text, english


async def test_footer_names_a_remapped_key_in_the_interface_language(
    library: Path, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[reader]\nui_language = "fr"\n[keys]\n"app.refresh" = "insert"\n', encoding="utf-8"
    )
    app = TuinewsApp(load_config(config_file), [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "Inser Actualiser" in screen_text(app)
        await choose_interface_language(pilot, app, "es")
        await settle(pilot, app)
        assert "Insert Actualizar" in screen_text(app)


def test_key_name_keeps_characters_and_translates_words() -> None:
    from tuinews.ui.key_names import key_name

    assert [key_name(k) for k in ("j", "G", "question_mark", "down", "ctrl+p", "f5")] == [
        "j",
        "G",
        "?",
        "↓",
        "Ctrl+P",
        "F5",
    ]
    assert (key_name("enter", compact=True), key_name("ctrl+p", compact=True)) == ("⏎", "^p")
    set_ui_language("de")
    assert [key_name(k) for k in ("space", "home", "pagedown", "ctrl+p", "shift+tab")] == [
        "Leertaste",
        "Pos1",
        "Bild↓",
        "Strg+P",
        "Umschalt+Tab",
    ]
    assert key_name("escape", compact=True) == "Esc"


# The CLI


def test_cli_errors_follow_the_locale() -> None:
    result = run_cli("read", "12345", env={"LANG": "de_DE.UTF-8"})
    assert result.returncode == 1
    assert result.stderr.strip() == "tuinews: 12345: weder eine Datei noch eine Artikel-ID im Cache"
    english = run_cli("read", "12345", env={"LANG": "C.UTF-8"})
    assert "no such file or cached article id" in english.stderr


def test_cli_config_ui_language_wins_over_the_locale(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[reader]\nui_language = "uk"\n', encoding="utf-8")
    result = run_cli("--config", str(config_file), "sources", env={"LANG": "de_DE.UTF-8"})
    assert result.returncode == 0
    assert "Джерела не налаштовано" in result.stdout


# Build: .mo files in wheels


def test_catalogs_compile_to_mo_files_gettext_reads(tmp_path: Path) -> None:
    written = compile_tree(LOCALE, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        f"{code}/LC_MESSAGES/tuinews.mo" for code in sorted(LANGUAGES)
    ]
    catalog = gettext.translation("tuinews", localedir=tmp_path, languages=["uk"])
    assert catalog.gettext("Quit") == "Вийти"
    assert catalog.ngettext("{count} article", "{count} articles", 22) == "{count} статті"


def test_build_hook_puts_mo_files_in_the_wheel(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    import importlib.util

    spec = importlib.util.spec_from_file_location("hatch_build", REPO / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    included = hook.compile_catalogs(REPO, tmp_path)
    assert sorted(included.values()) == [
        f"tuinews/locale/{code}/LC_MESSAGES/tuinews.mo" for code in sorted(LANGUAGES)
    ]
    for source in included:
        assert Path(source).read_bytes()[:4] == b"\xde\x12\x04\x95"
    assert hook.LocaleBuildHook.PLUGIN_NAME == "custom"


def test_pyproject_registers_the_hook_and_mo_files_are_ignored() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["hatch"]["build"]["hooks"]["custom"]["path"] == "hatch_build.py"
    assert "*.mo" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_template_has_every_string_the_code_marks(template: dict[str, PoEntry]) -> None:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    marked = {
        message if isinstance(message, str) else message[0]
        for _filename, _line, message, _comments, _context in extract_from_dir(
            str(REPO / "src" / "tuinews"), keywords=keywords
        )
    }
    missing = sorted(marked - set(template))
    assert not missing, f"re-extract the template (docs/translations.md): {missing[:5]}"
