"""HTML articles: metadata, the article container, blocks, chrome, and real saved pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tuinews.model import Alternate, Block, BlockKind, LangOrigin, LinkSpan, LoadFailure
from tuinews.sources.html import parse_html
from tuinews.sources.local import load_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "articles"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Zelensky plans new meeting with Trump | World News Daily</title>
<meta property="og:site_name" content="World News Daily">
<meta property="article:published_time" content="2025-09-19T08:30:00+03:00">
<meta name="author" content="Jane Reporter">
<link rel="canonical" href="https://news.example.org/world/zelensky-trump">
<link rel="alternate" hreflang="uk" href="/uk/world/zelensky-trump">
<link rel="alternate" hreflang="de-DE" href="https://news.example.org/de/welt/selenskyj">
<link rel="alternate" hreflang="x-default" href="https://news.example.org/world/zelensky-trump">
<style>.x { color: red }</style>
<script>var tracking = "Facebook Twitter";</script>
</head>
<body class="article-page share-enabled">
<a class="skip-link" href="#main">Skip to content</a>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav></header>
<div id="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept all</button></div>
<div class="breadcrumbs">Home &gt; World &gt; Europe</div>
<main>
<article>
<h1>Zelensky plans new meeting with Trump</h1>
<div class="social-share"><a href="https://facebook.com/s">Facebook</a> <a href="/t">Twitter</a></div>
<p>Ukrainian President Volodymyr Zelensky has announced his intention to meet with
<a href="/people/trump">President Trump</a> next week during the <b>UN General Assembly</b>.
This comes as Russia continues its attacks.</p>
<figure><img src="/img/kyiv.jpg" alt="Kyiv at night"></figure>
<h2>Security guarantees</h2>
<p>The leaders will discuss security guarantees &amp; air defence, officials said on Friday.</p>
<ul><li>European troops</li><li>Air defence<ul><li>Patriot systems</li></ul></li></ul>
<ol start="3"><li>Third</li><li>Fourth</li></ol>
<blockquote><p>“These attacks aren’t about military necessity,” Zelensky said.</p></blockquote>
<pre>code   line
  indented</pre>
<hr>
<p>Read the <a href="javascript:void(0)">script link</a> and [bold]markup[/] stays.<br>Line two.</p>
<p>Facebook Twitter WhatsApp</p>
<div hidden>Hidden text</div>
<span style="display: none">Invisible text</span>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Other story</a></li></ul></aside>
</article>
</main>
<div class="sidebar"><p>Most popular stories of the week, in a long sidebar that is not the article.</p></div>
<footer><p>© 2025 World News Daily. All rights reserved.</p></footer>
</body>
</html>
"""

FIRST = (
    "Ukrainian President Volodymyr Zelensky has announced his intention to meet with President "
    "Trump next week during the UN General Assembly. This comes as Russia continues its attacks."
)


@pytest.fixture(scope="module")
def page():
    return parse_html(PAGE, "page.html")


def test_metadata(page) -> None:
    assert page.guid == "page.html"
    assert page.title == "Zelensky plans new meeting with Trump"
    assert page.published == datetime(2025, 9, 19, 8, 30, tzinfo=timezone(timedelta(hours=3)))
    assert page.language == "en-GB"
    assert page.lang_origin is LangOrigin.META
    assert page.author == "Jane Reporter"
    assert page.link == "https://news.example.org/world/zelensky-trump"
    assert page.alternates == [
        Alternate("uk", "https://news.example.org/uk/world/zelensky-trump"),
        Alternate("de-DE", "https://news.example.org/de/welt/selenskyj"),
    ]


def test_blocks(page) -> None:
    assert page.blocks == [
        Block(
            BlockKind.PARAGRAPH,
            FIRST,
            links=(LinkSpan(80, 95, "https://news.example.org/people/trump"),),
        ),
        Block(BlockKind.IMAGE, "Kyiv at night", url="https://news.example.org/img/kyiv.jpg"),
        Block(BlockKind.HEADING, "Security guarantees", level=2),
        Block(
            BlockKind.PARAGRAPH,
            "The leaders will discuss security guarantees & air defence, officials said on Friday.",
        ),
        Block(BlockKind.ITEM, "European troops", marker="•"),
        Block(BlockKind.ITEM, "Air defence", marker="•"),
        Block(BlockKind.ITEM, "Patriot systems", level=1, marker="•"),
        Block(BlockKind.ITEM, "Third", marker="3."),
        Block(BlockKind.ITEM, "Fourth", marker="4."),
        Block(BlockKind.QUOTE, "“These attacks aren’t about military necessity,” Zelensky said."),
        Block(BlockKind.CODE, "code   line\n  indented"),
        Block(BlockKind.RULE, ""),
        Block(BlockKind.PARAGRAPH, "Read the script link and [bold]markup[/] stays.\nLine two."),
    ]
    assert page.blocks[0].text[80:95] == "President Trump"


def test_no_chrome_reaches_the_body(page) -> None:
    body = "\n".join(page.paragraphs)
    for chrome in (
        "Skip to content",
        "Home",
        "cookies",
        "Accept all",
        "Facebook",
        "Related",
        "Other story",
        "Most popular",
        "All rights reserved",
        "tracking",
        "color: red",
        "Hidden text",
        "Invisible text",
    ):
        assert chrome not in body


def test_without_article_the_densest_element_is_taken() -> None:
    html = (
        "<html><head><title>Page</title></head><body class='has-sidebar'>"
        "<div class='menu'><a href='/'>Home</a> <a href='/n'>News</a></div>"
        "<div class='content'><h1>Headline here</h1>"
        f"<p>{FIRST}</p><p>{FIRST.replace('next week', 'soon')}</p></div>"
        "<div class='box'><p>Short teaser.</p></div>"
        "</body></html>"
    )
    article = parse_html(html, "w")
    assert article.title == "Page"
    assert article.blocks[0] == Block(BlockKind.HEADING, "Headline here", level=1)
    assert article.paragraphs[1:] == [FIRST, FIRST.replace("next week", "soon")]
    assert article.language == "en"
    assert article.lang_origin is LangOrigin.DETECTED


def test_a_wrapper_whose_class_says_sidebar_keeps_the_article_but_loses_its_share_bar() -> None:
    second = FIRST.replace("next week", "soon")
    html = (
        "<html><body><div class='layout-with-sidebar'>"
        f"<h1>Headline</h1><p>{FIRST}</p><div class='share-buttons'>Mastodon Bluesky</div>"
        f"<p>{second}</p></div></body></html>"
    )
    article = parse_html(html, "w")
    assert article.paragraphs == [FIRST, second]


def test_an_article_split_into_sections_is_read_whole() -> None:
    parts = [FIRST.replace("next week", f"in week {n}") for n in range(4)]
    html = "<html><body><div class='post'>"
    for part in parts:
        html += f"<section class='wrap'><div class='post-text'><p>{part}</p></div></section>"
        html += "<figure><img src='x.png' alt='A figure'></figure>"
    html += "</div><div class='teaser'><p>Another story entirely.</p></div></body></html>"
    article = parse_html(html, "w")
    assert [p for p in article.paragraphs if p != "A figure"][1:] == parts[1:]
    assert "Another story entirely." not in article.paragraphs


def test_text_written_with_br_in_divs_is_found() -> None:
    html = (
        "<html><body><div class='nav'><a href='/'>Home</a></div>"
        "<div class='post'><div>Erster Absatz des Artikels, der lang genug ist, um als "
        "Text zu zählen.<br><br>Zweiter Absatz mit weiterem Text über die Verhandlungen in "
        "Genf.</div></div></body></html>"
    )
    article = parse_html(html, "w")
    assert article.title.startswith("Erster Absatz")
    assert article.paragraphs[-1].endswith("Verhandlungen in Genf.")
    assert article.language == "de"


def test_title_falls_back_to_h1_and_time_element_and_dateline() -> None:
    html = (
        "<html lang='fr'><body><article><h1>Le titre</h1>"
        "<time datetime='2025-04-02T09:00:00Z'>2 avril</time>"
        f"<p>{FIRST}</p></article></body></html>"
    )
    article = parse_html(html, "w")
    assert article.title == "Le titre"
    assert article.published == datetime(2025, 4, 2, 9, tzinfo=UTC)
    assert article.language == "fr"

    html = (
        "<html><body><article><h1>Le titre</h1><p>Publié le 2 avril 2025</p>"
        f"<p>{FIRST}</p></article></body></html>"
    )
    article = parse_html(html, "w")
    assert article.published == datetime(2025, 4, 2, tzinfo=UTC)
    assert article.paragraphs == [FIRST]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta property="og:locale" content="pt_BR">', "pt-BR"),
        ('<meta http-equiv="content-language" content="de-AT">', "de-AT"),
    ],
)
def test_language_from_other_metadata(meta: str, expected: str) -> None:
    article = parse_html(f"<html><head>{meta}</head><body><p>{FIRST}</p></body></html>", "w")
    assert article.language == expected
    assert article.lang_origin is LangOrigin.META


def test_site_name_before_the_headline_is_stripped() -> None:
    html = "<html><head><title>Daily News | The Headline</title></head><body>"
    html += f"<article><h1>The Headline</h1><p>{FIRST}</p></article></body></html>"
    assert parse_html(html, "w").title == "The Headline"


def test_escape_sequences_in_html_are_removed() -> None:
    html = f"<html><body><h1>T\x1b[31mred</h1><p>{FIRST}\x07\x1b]0;title\x07</p></body></html>"
    article = parse_html(html, "w")
    assert article.title == "Tred"
    assert article.paragraphs == [FIRST]


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><nav>Home</nav><script>x()</script></body></html>",
        "<html><head><title>Log in | Site</title></head><body><form>Password</form></body></html>",
        "",
    ],
)
def test_a_page_without_article_text(html: str) -> None:
    with pytest.raises(LoadFailure) as caught:
        parse_html(html, "w")
    assert caught.value.error.reason == "no article text"


# -- real pages --------------------------------------------------------------------------------------


def _corpus(relative: str) -> Path:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file missing: {relative}")
    return path


def _norm(text: str) -> str:
    return " ".join(text.split())


def _first_paragraph(text: str) -> str:
    return next(_norm(line) for line in text.split("\n") if len(_norm(line)) >= 40)


REAL_PAGES = [
    # (page, expected file, language)
    ("newspaper4k/arabic_article.html", "newspaper4k/arabic_article.expected", "ar"),
    ("newspaper4k/chinese_article_001.html", "newspaper4k/chinese_article_001.expected", "zh"),
    ("newspaper4k/japanese_article2.html", "newspaper4k/japanese_article2.expected", "ja"),
    ("newspaper4k/spanish_article.html", "newspaper4k/spanish_article.expected", "es"),
]


@pytest.mark.parametrize(("page", "expected", "language"), REAL_PAGES)
def test_real_pages_title_and_first_paragraph(page: str, expected: str, language: str) -> None:
    article = load_file(_corpus(page))
    meta = json.loads(_corpus(expected + ".json").read_text(encoding="utf-8"))
    body = _norm(" ".join(article.paragraphs))
    assert _norm(article.title) == _norm(meta["title"])
    assert _first_paragraph(_corpus(expected + ".txt").read_text(encoding="utf-8"))[:60] in body
    assert article.language.split("-")[0] == language


@pytest.mark.parametrize(
    ("page", "language"),
    [
        ("trafilatura-eval/tagesschau.de.rheinmetall.html", "de"),
        ("trafilatura-eval/bondyblog.fr.paris-8.html", "fr"),
        ("trafilatura-eval/clarin.com-albertofernandez.html", "es"),
        ("trafilatura-eval/assabah.com.tn.article.html", "ar"),
    ],
)
def test_real_pages_keep_the_expected_snippets(page: str, language: str) -> None:
    article = load_file(_corpus(page))
    meta = json.loads(_corpus(page.replace(".html", ".expected.json")).read_text(encoding="utf-8"))
    body = _norm(" ".join(article.paragraphs))
    for snippet in meta["with"]:
        assert _norm(snippet) in body
    title, expected_title = _norm(article.title), _norm(meta["title"])
    assert expected_title[:25] in title or title[:25] in expected_title
    assert article.language.split("-")[0] == language


@pytest.mark.parametrize(
    ("page", "language"),
    [
        ("readability/lemonde-1/source.html", "fr"),
        ("readability/heise/source.html", "de"),
        ("readability/folha/source.html", "pt"),
        ("readability/yahoo-4/source.html", "ja"),
    ],
)
def test_real_pages_title_matches_readability(page: str, language: str) -> None:
    article = load_file(_corpus(page))
    meta = json.loads((_corpus(page).parent / "expected-metadata.json").read_text(encoding="utf-8"))
    assert _norm(meta["title"]).startswith(_norm(article.title))
    assert article.language.split("-")[0] == language
    assert len(" ".join(article.paragraphs)) >= 300


def _corpus_pages() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path
        for path in CORPUS.rglob("*.html")
        if ".expected" not in path.name and path.name != "expected.html"
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus is missing")
def test_every_corpus_page_loads_cleanly_or_fails_cleanly() -> None:
    pages = _corpus_pages()
    assert len(pages) > 50
    loaded = 0
    for path in pages:
        try:
            article = load_file(path)
        except LoadFailure as failure:
            assert failure.error.reason
            continue
        loaded += 1
        assert article.title, path
        assert not CONTROL.search(article.title), path
        for block in article.blocks:
            assert not CONTROL.search(block.text.replace("\n", "")), path
            for span in block.links:
                assert 0 <= span.start < span.end <= len(block.text), path
    assert loaded >= len(pages) - 2
