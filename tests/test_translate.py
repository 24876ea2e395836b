"""Machine translation (`T`): the LibreTranslate client against a real loopback server, the cached use
case, the config keys, and the reader driven through Pilot."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from libretranslate_server import LibreTranslateServer, fake_translate
from test_app import article_text, settle
from tuinews.config import ConfigError, load_config
from tuinews.model import Article, Block, BlockKind, LinkSpan, Source, SourceKind, paragraph
from tuinews.store import Store
from tuinews.translate.argos import ArgosTranslator
from tuinews.translate.base import TranslateError, Translator, batches
from tuinews.translate.libretranslate import LibreTranslate
from tuinews.translate.none import NoTranslator
from tuinews.translate.service import make_translator, translate, translate_article
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_view import ArticleView


@pytest.fixture
def libretranslate() -> Iterator[LibreTranslateServer]:
    """A started loopback LibreTranslate server, closed after the test."""
    with LibreTranslateServer() as server:
        yield server


def write_config(tmp_path: Path, translate_table: str, languages: str = '["uk"]') -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[cache]\npath = "cache.db"\n\n[reader]\nlanguages = {languages}\n\n'
        f"[network]\ntimeout = 2\n\n[translate]\n{translate_table}\n",
        encoding="utf-8",
    )
    return path


def libre_config(tmp_path: Path, server: LibreTranslateServer, extra: str = ""):
    return load_config(
        write_config(tmp_path, f'backend = "libretranslate"\nurl = "{server.url}"\n{extra}')
    )


def one_line(text: str) -> bool:
    return "\n" not in text and len(text) < 400


# The client


def test_batches_by_count_and_size() -> None:
    assert [len(b) for b in batches(["a"] * 45)] == [20, 20, 5]
    big = "x" * 6000
    assert [len(b) for b in batches([big, big, "a", big])] == [1, 2, 1]
    assert batches([]) == []
    assert [len(b) for b in batches(["y" * 20_000, "a"])] == [1, 1]


def test_client_translates_in_batches(libretranslate: LibreTranslateServer) -> None:
    texts = [f"Tram line {n}" for n in range(45)]
    with LibreTranslate(libretranslate.url) as client:
        assert isinstance(client, Translator)
        out = client.translate(texts, "en", "uk")
    assert out == [fake_translate(text, "uk") for text in texts]
    assert out[0] == "трамвай лінія [uk]0"
    assert libretranslate.hits["/translate"] == 3
    assert [len(p["q"]) for p in libretranslate.payloads] == [20, 20, 5]
    first = libretranslate.payloads[0]
    assert (first["source"], first["target"], first["format"]) == ("en", "uk", "text")
    assert "api_key" not in first


def test_client_sends_the_api_key_and_a_wrong_one_is_refused() -> None:
    with LibreTranslateServer(api_key="s3cret") as server:
        with LibreTranslate(server.url, api_key="s3cret") as client:
            assert client.translate(["tram"], "en", "uk") == ["трамвай"]
        assert server.payloads[-1]["api_key"] == "s3cret"
        with (
            LibreTranslate(server.url, api_key="wrong") as client,
            pytest.raises(TranslateError) as caught,
        ):
            client.translate(["tram"], "en", "uk")
    message = str(caught.value)
    assert message.startswith(server.url) and "Invalid API key" in message
    assert "api_key" in message and one_line(message)


def test_unsupported_pair_is_one_line_naming_the_url() -> None:
    with (
        LibreTranslateServer(unsupported={("de", "uk")}) as server,
        LibreTranslate(server.url) as client,
    ):
        assert "uk" not in client.pairs()["de"]
        with pytest.raises(TranslateError) as caught:
            client.translate(["Sturm"], "de", "uk")
    message = str(caught.value)
    assert message.startswith(server.url) and "not supported" in message and one_line(message)


def test_server_error_and_connection_refused(libretranslate: LibreTranslateServer) -> None:
    libretranslate.fail_with_500 = True
    with LibreTranslate(libretranslate.url) as client, pytest.raises(TranslateError) as caught:
        client.translate(["tram"], "en", "uk")
    assert "server error 500" in str(caught.value) and one_line(str(caught.value))
    url = libretranslate.url
    libretranslate.close()
    with LibreTranslate(url) as client, pytest.raises(TranslateError) as caught:
        client.translate(["tram"], "en", "uk")
    assert str(caught.value).startswith(f"{url}: cannot connect") and one_line(str(caught.value))


def test_timeout(libretranslate: LibreTranslateServer) -> None:
    libretranslate.delay = 5
    started = time.monotonic()
    with (
        LibreTranslate(libretranslate.url, timeout=0.3) as client,
        pytest.raises(TranslateError, match=r"no answer within 0\.3 s"),
    ):
        client.translate(["tram"], "en", "uk")
    assert time.monotonic() - started < 3


def test_languages_are_asked_once(libretranslate: LibreTranslateServer) -> None:
    with LibreTranslate(libretranslate.url + "/") as client:
        assert client.languages() == {"en", "uk", "de", "fr", "es"}
        assert client.languages() == {"en", "uk", "de", "fr", "es"}
    assert libretranslate.hits["/languages"] == 1


def test_not_a_libretranslate_server(feed_server) -> None:
    with LibreTranslate(feed_server.base_url) as client, pytest.raises(TranslateError) as caught:
        client.translate(["tram"], "en", "uk")
    assert str(caught.value).startswith(feed_server.base_url) and one_line(str(caught.value))


def test_none_and_argos_backends_say_how_to_enable(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))
    assert config.translate.backend == "none"
    backend = make_translator(config)
    assert isinstance(backend, NoTranslator) and backend.languages() == set()
    with pytest.raises(TranslateError, match='backend = "libretranslate"'):
        backend.translate(["x"], "en", "uk")
    try:
        import argostranslate  # noqa: F401
    except ImportError:
        with pytest.raises(TranslateError, match="pip install argostranslate"):
            ArgosTranslator().translate(["x"], "en", "uk")


# The use case, over a real cache


def stored_article(store: Store, **changes) -> Article:
    source = store.upsert_source(Source(SourceKind.PATH, "/news", "News"))
    fields = {
        "guid": "/news/tram.md",
        "title": "Tram line opens",
        "language": "en",
        "blocks": [
            Block(BlockKind.HEADING, "The new line", level=2),
            Block(BlockKind.PARAGRAPH, "Tram opens", links=(LinkSpan(0, 4, "https://x.test/"),)),
            Block(BlockKind.ITEM, "second line", marker="•"),
            Block(BlockKind.QUOTE, "the harbour"),
            Block(BlockKind.CODE, "tram = line"),
            Block(BlockKind.IMAGE, "tram photo", url="https://x.test/a.jpg"),
            Block(BlockKind.RULE, ""),
        ]
        + [paragraph(f"paragraph {n}") for n in range(25)],
    }
    fields.update(changes)
    article = Article(**fields)
    store.upsert_articles(source, [(article, None)])
    assert article.id is not None
    return store.article(article.id)


def test_translate_then_cache_hit_costs_nothing(
    tmp_path: Path, libretranslate: LibreTranslateServer
) -> None:
    config = libre_config(tmp_path, libretranslate)
    seen: list[tuple[int, int]] = []
    with Store(config.cache.path) as store:
        article = stored_article(store)
        result = translate(store, article, "uk", config, progress=lambda d, t: seen.append((d, t)))
        assert not result.cached and result.backend == "libretranslate"
        assert (result.source, result.target) == ("en", "uk")
        translated = result.article
        assert translated.title == "трамвай лінія відкривається"
        assert translated.language == "uk" and translated.id == article.id
        kinds = [block.kind for block in translated.blocks]
        assert kinds == [block.kind for block in article.blocks]
        assert translated.blocks[0].text == "новий лінія" and translated.blocks[0].level == 2
        assert translated.blocks[1].text == "трамвай відкривається"
        assert translated.blocks[1].links == ()
        assert translated.blocks[2].marker == "•"
        assert translated.blocks[4].text == "tram = line"  # code is kept
        assert translated.blocks[5] == article.blocks[5]  # the image too
        # 1 title + 4 text blocks + 25 paragraphs = 30 texts: two requests.
        requests = libretranslate.requests
        assert requests == 2
        assert seen == [(0, 30), (20, 30), (30, 30)]

        again = translate(store, article, "uk", config)
        assert again.cached and again.backend == "libretranslate"
        assert again.article.title == translated.title
        assert again.article.blocks == translated.blocks
        assert libretranslate.requests == requests
        assert translate_article(store, article, "uk", config).title == translated.title
        assert store.machine_translation(article.id, "uk").language == "uk"
        assert store.machine_translation(article.id, "de") is None
        assert libretranslate.requests == requests


def test_a_changed_article_is_translated_again(
    tmp_path: Path, libretranslate: LibreTranslateServer
) -> None:
    config = libre_config(tmp_path, libretranslate)
    with Store(config.cache.path) as store:
        article = stored_article(store, blocks=[paragraph("tram")])
        assert translate_article(store, article, "uk", config).blocks[0].text == "трамвай"
        changed = stored_article(store, blocks=[paragraph("new tram")])
        assert changed.id == article.id
        assert store.machine_translation(article.id, "uk") is None
        result = translate(store, changed, "uk", config)
        assert not result.cached and result.article.blocks[0].text == "новий трамвай"
    assert libretranslate.hits["/translate"] == 2


def test_offline_after_caching(tmp_path: Path, libretranslate: LibreTranslateServer) -> None:
    config = libre_config(tmp_path, libretranslate)
    with Store(config.cache.path) as store:
        article = stored_article(store)
        first = translate_article(store, article, "uk", config)
    libretranslate.close()
    with Store(config.cache.path) as store:
        article = store.article(article.id)
        assert translate_article(store, article, "uk", config).blocks == first.blocks
        with pytest.raises(TranslateError, match="cannot connect"):
            translate_article(store, article, "de", config)


def test_errors_leave_no_cache_entry(tmp_path: Path) -> None:
    with LibreTranslateServer(unsupported={("en", "uk")}) as server:
        config = libre_config(tmp_path, server)
        with Store(config.cache.path) as store:
            article = stored_article(store)
            with pytest.raises(TranslateError, match="not supported"):
                translate_article(store, article, "uk", config)
            assert store.machine_translation(article.id, "uk") is None
            with pytest.raises(TranslateError, match="already in"):
                translate_article(store, article, "en-GB", config)


# Config


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('backend = "google"', "'translate.backend' must be one of"),
        ("backend = 3", "'translate.backend' must be a string"),
        ('backend = "libretranslate"', "'translate.url' is needed"),
        ('backend = "libretranslate"\nurl = "ftp://x"', "'translate.url' must start with http"),
        ("api_key = 5", "'translate.api_key' must be a string"),
        ('model = "x"', "unknown key 'translate.model'"),
    ],
)
def test_translate_config_errors(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, table))
    assert message in str(caught.value) and one_line(str(caught.value))


def test_translate_config_values(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path, 'backend = "LibreTranslate"\nurl = "https://lt.test/"\napi_key = "k"'
        )
    )
    assert config.translate.backend == "libretranslate"
    assert config.translate.url == "https://lt.test"
    assert config.translate.api_key == "k"
    assert load_config(write_config(tmp_path, 'backend = "argos"')).translate.backend == "argos"


# The reader


@pytest.fixture
def tram_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(
        "---\ntitle: Tram line opens\nlang: en\n---\n\nThe new tram line opens.\n\n"
        "A [bold]second[/] paragraph.\n",
        encoding="utf-8",
    )
    return folder


async def open_first(pilot, app: TuinewsApp) -> None:
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)


async def test_T_translates_and_T_again_shows_the_original(
    tmp_path: Path, tram_folder: Path, libretranslate: LibreTranslateServer
) -> None:
    app = TuinewsApp(libre_config(tmp_path, libretranslate), [tram_folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        assert "The new tram line opens." in article_text(app)
        await pilot.press("T")
        await settle(pilot, app)
        text = article_text(app)
        assert "Machine translation from English (en) (libretranslate)" in text
        assert "T again for the original" in text
        assert "трамвай лінія відкривається" in text
        assert "[uk]A [[uk]bold]другий[/] абзац." in text  # brackets shown literally
        assert app.query_one(ArticleView).article.language == "uk"
        assert libretranslate.hits["/translate"] == 1

        await pilot.press("T")
        await settle(pilot, app)
        text = article_text(app)
        assert "Machine translation" not in text
        assert "The new tram line opens." in text

        await pilot.press("T")  # from the cache: no new request
        await settle(pilot, app)
        assert "трамвай лінія відкривається" in article_text(app)
        assert libretranslate.hits["/translate"] == 1
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_T_with_the_server_down_is_one_notification(
    tmp_path: Path, tram_folder: Path, libretranslate: LibreTranslateServer
) -> None:
    config = libre_config(tmp_path, libretranslate)
    libretranslate.close()
    app = TuinewsApp(config, [tram_folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("T")
        await settle(pilot, app)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert errors[0].message.startswith(f"{libretranslate.url}: cannot connect")
        assert "The new tram line opens." in article_text(app)
        assert "Translating" not in str(app.query_one("#status").render())


async def test_T_with_backend_none_says_how_to_turn_it_on(
    tmp_path: Path, tram_folder: Path
) -> None:
    app = TuinewsApp(load_config(write_config(tmp_path, "")), [tram_folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("T")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("Machine translation is off" in m and "[translate]" in m for m in messages)


async def test_T_on_an_article_already_in_the_language(
    tmp_path: Path, tram_folder: Path, libretranslate: LibreTranslateServer
) -> None:
    app = TuinewsApp(libre_config_languages(tmp_path, libretranslate, '["en"]'), [tram_folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot, app)
        await pilot.press("T")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("already in English (en)" in m for m in messages)
    assert libretranslate.requests == 0


def libre_config_languages(tmp_path: Path, server: LibreTranslateServer, languages: str):
    table = f'backend = "libretranslate"\nurl = "{server.url}"'
    return load_config(write_config(tmp_path, table, languages))
