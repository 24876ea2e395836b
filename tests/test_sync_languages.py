"""A feed's language learnt from its first items during a sync (`tuinews.sync.feed_language`) gives
every article the language (and origin) that detecting each item gives: on feeds in one language,
where most items skip detection, and on mixed ones, which keep per-item detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tuinews.sync.feed_language as feed_language
from tuinews.model import LangOrigin
from tuinews.sync.articles import PreparedItems, item_articles, prepare_items
from tuinews.sync.feed_language import LEARN, FeedLanguages, signature
from tuinews.sync.greader import ServerItem

FETCHED = datetime(2026, 5, 1, tzinfo=UTC)

TEXTS = {
    "en": (
        "The city council approved the new tram line after a long debate about its cost.",
        "Residents of the northern district say the buses are late nearly every morning.",
        "The museum opens a new exhibition of photographs from the harbour next week.",
    ),
    "fr": (
        "Le conseil municipal a approuvé la nouvelle ligne de tramway après un long débat.",
        "Les habitants du quartier nord disent que les bus sont en retard chaque matin.",
        "Le musée ouvre la semaine prochaine une exposition de photographies du port.",
    ),
    "de": (
        "Der Stadtrat hat die neue Straßenbahnlinie nach einer langen Debatte genehmigt.",
        "Die Bewohner des Nordviertels sagen, dass die Busse fast jeden Morgen zu spät sind.",
        "Das Museum eröffnet nächste Woche eine Ausstellung mit Fotografien aus dem Hafen.",
    ),
    "uk": (
        "Міська рада схвалила нову лінію трамваю після довгих дебатів про її вартість.",
        "Мешканці північного району кажуть, що автобуси запізнюються майже щоранку.",
        "Наступного тижня музей відкриває виставку фотографій з гавані.",
    ),
    "es": (
        "El ayuntamiento aprobó la nueva línea de tranvía después de un largo debate.",
        "Los vecinos del barrio norte dicen que los autobuses llegan tarde cada mañana.",
        "El museo abre la próxima semana una exposición de fotografías del puerto.",
    ),
}


def _item(number: int, stream: str, language: str, *, short: bool = False) -> ServerItem:
    texts = TEXTS[language]
    first, second = texts[number % 3], texts[(number + 1) % 3]
    body = f"<p>{first}</p>" if short else f"<p>{first} ({number})</p><p>{second}</p>"
    return ServerItem(
        item=number,
        stream_id=stream,
        feed_title=stream,
        html_url="https://example.org/",
        title="Ok" if short else f"{first[:40]} {number}",
        body="<p>Ok.</p>" if short else body,
        published=1_790_000_000 + number,
        links=[(f"https://example.org/{stream}/{number}", "")],
    )


def _rows(prepared: list[PreparedItems]) -> list[tuple]:
    return [(part.stream_id, part.rows, part.uids) for part in prepared]


def _both(answers: list[list[ServerItem]]) -> tuple[list, list, FeedLanguages, int]:
    """Per-item detection and learning over the same answers: their rows, the learnt languages,
    and how many items learning detected."""
    per_item = [row for items in answers for row in _rows(prepare_items(items, FETCHED))]
    languages = FeedLanguages()
    detected = 0
    original = feed_language.detect_language

    def counting(text: str) -> str | None:
        nonlocal detected
        detected += 1
        return original(text)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feed_language, "detect_language", counting)
        learnt = [
            row for items in answers for row in _rows(prepare_items(items, FETCHED, languages))
        ]
    return per_item, learnt, languages, detected


def test_feeds_in_one_language_skip_detection_with_the_same_results() -> None:
    streams = {"feed/1": "en", "feed/2": "fr", "feed/3": "de", "feed/4": "uk", "feed/5": "es"}
    # Interleaved, as a server's reading list mixes feeds, over several answers.
    items = [
        _item(n * 10 + k, stream, language)
        for n in range(40)
        for k, (stream, language) in enumerate(streams.items())
    ]
    answers = [items[i : i + 50] for i in range(0, len(items), 50)]
    per_item, learnt, languages, detected = _both(answers)
    assert learnt == per_item
    assert {s: languages.learnt(s) for s in streams} == streams
    assert detected < len(items) / 3  # most items were not detected


def test_a_mixed_feed_keeps_detection_per_item() -> None:
    cycle = ["en", "fr", "uk", "de", "es"]
    items = [_item(n, "feed/1", cycle[n % len(cycle)]) for n in range(40)]
    per_item, learnt, languages, detected = _both([items[:20], items[20:]])
    assert learnt == per_item
    assert languages.learnt("feed/1") is None
    assert detected == len(items)


@pytest.mark.parametrize("later", ["uk", "fr", "de", "es"])
def test_a_feed_that_changes_language_after_its_first_items(later: str) -> None:
    """The first items agree on English; the later ones, in another language, are not given it."""
    items = [_item(n, "feed/1", "en") for n in range(3 * LEARN)]
    items += [_item(100 + n, "feed/1", later) for n in range(20)]
    per_item, learnt, _languages, _detected = _both([items])
    assert learnt == per_item
    articles = item_articles(items, FETCHED, FeedLanguages())
    assert [a.language for a in articles[-20:]] == [later] * 20
    assert {a.lang_origin for a in articles} == {LangOrigin.DETECTED}


def test_short_items_are_always_detected() -> None:
    """An item with little text may have no language detected: it never gets the learnt one."""
    items = [_item(n, "feed/1", "en") for n in range(3 * LEARN)]
    items += [_item(100 + n, "feed/1", "en", short=True) for n in range(5)]
    per_item, learnt, languages, _detected = _both([items])
    assert learnt == per_item
    assert languages.learnt("feed/1") == "en"
    assert signature("Ok\nOk.") is None


def test_signature_tells_scripts_and_accents_apart() -> None:
    english = signature("Tram\n" + TEXTS["en"][0] + "\n" + TEXTS["en"][1])
    french = signature("Tram\n" + TEXTS["fr"][0] + "\n" + TEXTS["fr"][1])
    ukrainian = signature("Трамвай\n" + TEXTS["uk"][0] + "\n" + TEXTS["uk"][1])
    assert english == frozenset()
    assert french and french != ukrainian and ukrainian
    assert signature(TEXTS["en"][0] + " café " + TEXTS["en"][1]) == {"é"}
    assert signature(TEXTS["en"][0] + " ÉCLAIR " + TEXTS["en"][1]) == {"É", "é"}  # and folded


@pytest.mark.parametrize(
    ("learnt", "other"),
    [
        (
            "Міська рада схвалила нову лінію трамваю після довгих дебатів про її вартість, кажуть.",
            "Городской совет одобрил новую линию трамвая после долгих дебатов о её стоимости.",
        ),
        (
            "El ayuntamiento aprobó la nueva línea de tranvía después de un largo debate público.",
            "A câmara municipal aprovou a nova linha de elétrico depois de um longo debate, então.",
        ),
    ],
)
def test_signature_tells_languages_of_one_script_apart(learnt: str, other: str) -> None:
    """Ukrainian and Russian, Spanish and Portuguese: letters one has and the other never uses."""
    learnt_letters = signature(f"{learnt}\n{learnt}")
    other_letters = signature(f"{other}\n{other}")
    assert learnt_letters and other_letters
    assert other_letters - learnt_letters  # so an item of the other is detected, not given


def _old_rule(learnt: frozenset[str], text: str) -> bool:
    """The set comparison `choose` stands for: the item's case-folded non-ASCII letters are all
    learnt ones, and it has some exactly when the learning items had some."""
    item = signature(text)
    if item is None:
        return False
    folded = {char for char in item if char == char.casefold()}
    return not (folded - learnt) and bool(folded) == bool(learnt)


_ALPHABET = "abcdeEnst Trä Äéèçœ ßẞ ёЁыЫіІїє İıσςΣ 12½ «»—’ _"


@given(
    learning=st.lists(
        st.text(_ALPHABET, min_size=90, max_size=140), min_size=LEARN, max_size=LEARN
    ),
    items=st.lists(st.text(_ALPHABET, min_size=0, max_size=160), min_size=1, max_size=8),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_choose_gives_the_language_only_where_the_letters_allow(
    monkeypatch: pytest.MonkeyPatch, learning: list[str], items: list[str]
) -> None:
    """`choose` (two compiled patterns) never gives the learnt language where the comparison of
    letter sets would not; with letters of one case form each, exactly where it would."""
    monkeypatch.setattr(feed_language, "SPOT", 10**9)  # no checks in between
    languages = FeedLanguages()
    learnt: set[str] = set()
    for text in learning:
        letters = signature(text)
        assume(letters is not None)
        languages.detected("feed/1", letters, "xx")
        learnt |= {char for char in letters if char == char.casefold()}
    assert languages.learnt("feed/1") == "xx"
    for text in items:
        given_language = languages.choose("feed/1", text) == "xx"
        old = _old_rule(frozenset(learnt), text)
        assert not given_language or old
        simple = all(
            len(char.casefold()) == 1 and len(char.upper()) == 1 and char not in "İıσςΣ½ẞß"
            for char in text
        )
        if simple:
            assert given_language == old


def test_an_item_without_the_feeds_accents_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_language, "SPOT", 10**9)
    languages = FeedLanguages()
    for number in range(LEARN):
        text = f"{TEXTS['fr'][number % 3]}\n{TEXTS['fr'][(number + 1) % 3]}"
        languages.detected("feed/1", signature(text), "fr")
    french = f"{TEXTS['fr'][0]}\n{TEXTS['fr'][2]}"
    english = f"{TEXTS['en'][0]}\n{TEXTS['en'][1]}"
    assert languages.choose("feed/1", french) == "fr"
    assert languages.choose("feed/1", english) is None


def test_checks_of_a_learnt_language_come_less_often_as_they_agree() -> None:
    """The 8th item given the learnt language is detected as a check, then the 16th after it, the
    32nd, and every 64th from then on; a check that disagrees ends the learning."""
    languages = FeedLanguages()
    text = "Tram\n" + TEXTS["en"][0] + "\n" + TEXTS["en"][1]
    for _ in range(LEARN):
        languages.detected("feed/1", signature(text), "en")
    checks = []
    for number in range(250):
        if languages.choose("feed/1", text) is None:
            checks.append(number)
            languages.detected("feed/1", signature(text), "en")
    assert checks == [7, 23, 55, 119, 183, 247]
    assert languages.learnt("feed/1") == "en"
    for _ in range(64):
        if languages.choose("feed/1", text) is None:
            languages.detected("feed/1", signature(text), "nl")
    assert languages.learnt("feed/1") is None
    assert languages.choose("feed/1", text) is None
