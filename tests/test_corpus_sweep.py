"""The whole shared corpus, every run: each file through its loader and then the renderer.

Feeds (`corpus/feeds`) go through `parse_feed` (parsed once per run, shared with
`test_feed_corpus.py`, which checks what the parser makes of them), OPML and newsboat lists
(`corpus/opml`) through the importer, and saved pages (`corpus/articles`) through the local-file
loader. Articles then go through `render_article` and a Rich console of fixed width with colours and
hyperlinks on, as `tuinews read` prints them (every page; of each feed, a few items and all those
with risky text); every imported list goes through the `tuinews sources` table. Whatever the file:
no exception but a one-line `LoadFailure`, no control character in the printed text (newlines
aside) nor in a link target, and no text taken for console markup. The counts are printed
(`pytest -s`) for the record."""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rich.console import Console, Group, RenderableType

from conftest import shared_path
from corpus import corpus_files, parse_corpus_feed
from tuinews import cli_subscriptions
from tuinews.model import Article, LoadFailure
from tuinews.render import bidi
from tuinews.render.article import render_article
from tuinews.sources.decode import decode_bytes
from tuinews.sources.local import load_file
from tuinews.sources.opml import looks_like_opml, parse_opml
from tuinews.sources.urls_file import parse_urls_file

WIDTH = 100
KINDS = ("feeds", "opml", "articles")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Text a renderer could get wrong: brackets (markup), bidi controls and right-to-left letters,
# zero-width characters.
RISKY = re.compile(
    "[\\[\\]"  # brackets
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069"  # zero-width and bidi controls
    "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"  # Hebrew, Arabic and their presentation forms
)
RISKY_PER_FILE = 5


@dataclass
class Sweep:
    files: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)
    rendered: Counter[str] = field(default_factory=Counter)
    sources: int = 0
    output_characters: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = ["corpus sweep:"]
        for kind in KINDS:
            what = (
                f"{self.sources} subscriptions, all shown in the sources table"
                if kind == "opml"
                else f"{self.articles[kind]} articles, {self.rendered[kind]} of them rendered"
            )
            lines.append(
                f"  {kind}: {self.files[kind]} files, {self.loaded[kind]} loaded, "
                f"{self.refused[kind]} refused with a one-line reason; {what}"
            )
        lines.append(
            f"  {sum(self.files.values())} files, {sum(self.articles.values())} articles, "
            f"{sum(self.rendered.values())} rendered, "
            f"{self.output_characters:,} characters of output, {len(self.problems)} problems"
        )
        return "\n".join(lines)


def console() -> Console:
    return Console(
        file=io.StringIO(),
        width=WIDTH,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        legacy_windows=False,
    )


def live_markup(renderable: RenderableType) -> bool:
    """Whether a plain string, which Rich would parse as markup, is among the renderables."""
    if isinstance(renderable, str):
        return True
    if isinstance(renderable, Group):
        return any(live_markup(part) for part in renderable.renderables)
    return False


def brackets(text: str) -> int:
    return text.count("[") + text.count("]")


def output_problems(output: str) -> list[str]:
    found = CONTROL.search(output)
    return [f"control character {found.group()!r} in the output"] if found else []


def rendered(renderable: RenderableType, sweep: Sweep) -> tuple[str, list[str]]:
    """The text `tuinews read` would print (Rich's own colour and link sequences aside), and the
    link targets of its styles. Each segment's text is content; sequences come from its style."""
    out = console()
    text: list[str] = []
    links: list[str] = []
    for segment in out.render(renderable, out.options):
        if segment.control:
            continue
        text.append(segment.text)
        if segment.style is not None and segment.style.link:
            links.append(segment.style.link)
    output = "".join(text)
    sweep.output_characters += len(output)
    return output, links


def render_problems(article: Article, sweep: Sweep) -> list[str]:
    renderable = render_article(article)
    if live_markup(renderable):
        return ["a plain string reached the console (markup would be parsed)"]
    output, links = rendered(renderable, sweep)
    problems = output_problems(output) + [
        f"control character in link {link[:60]!r}" for link in links if CONTROL.search(link)
    ]
    # Markup taken as markup would vanish: every bracket of the text must reach the output.
    texts = [article.title, *(block.text for block in article.blocks)]
    if brackets(output) < sum(brackets(text) for text in texts):
        problems.append("brackets of the text missing from the output")
    return problems


def to_render(articles: list[Article]) -> list[Article]:
    """The articles of one file worth rendering: the first two, the last, the longest, and those
    with risky text (a few per file). Rendering all 6,000 feed items would triple the sweep's time
    for items that are all alike."""
    if len(articles) <= 4:
        return articles
    risky = [a for a in articles if RISKY.search(" ".join([a.title, *(b.text for b in a.blocks)]))]
    longest = max(articles, key=lambda a: sum(len(b.text) for b in a.blocks))
    chosen = [*articles[:2], articles[-1], longest, *risky[:RISKY_PER_FILE]]
    return list({id(article): article for article in chosen}.values())


def load_subscriptions(data: bytes, where: str) -> list:
    """What `tuinews import` reads from a file: an OPML file, else a newsboat urls file."""
    if looks_like_opml(data):
        return parse_opml(data, where).sources
    return parse_urls_file(decode_bytes(data, where), where).sources


def sources_table_output(sources: list) -> str:
    rows = [cli_subscriptions._source_row(source, None) for source in sources]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        cli_subscriptions._print_table(rows)
    return captured.getvalue()


def sweep_file(kind: str, root: Path, path: Path, sweep: Sweep) -> list[str]:
    name = path.relative_to(root).as_posix()
    try:
        if kind == "feeds":
            articles = parse_corpus_feed(root, name).articles
        elif kind == "articles":
            articles = [load_file(path)]
        else:
            sources = load_subscriptions(path.read_bytes(), name)
            sweep.loaded[kind] += 1
            sweep.sources += len(sources)
            return output_problems(sources_table_output(sources)) if sources else []
    except LoadFailure as failure:
        sweep.refused[kind] += 1
        message = str(failure)
        if "\n" in message or CONTROL.search(message):
            return [f"reason not one clean line: {message!r}"]
        return []
    sweep.loaded[kind] += 1
    sweep.articles[kind] += len(articles)
    problems = []
    for article in to_render(articles):
        sweep.rendered[kind] += 1
        problems += render_problems(article, sweep)
    return problems


@pytest.fixture(scope="module")
def sweep() -> Sweep:
    corpus = shared_path("corpus")
    result = Sweep()
    mode = bidi.get_mode()
    bidi.set_mode("app")  # right-to-left lines reordered by tuinews: the longer path
    try:
        for kind in KINDS:
            root = corpus / kind
            for path in corpus_files(root):
                result.files[kind] += 1
                try:
                    problems = sweep_file(kind, root, path, result)
                except Exception as error:  # the point of the sweep: never
                    problems = [f"{type(error).__name__}: {error}"]
                name = path.relative_to(corpus).as_posix()
                result.problems += [f"{name}: {problem}" for problem in problems]
    finally:
        bidi.set_mode(mode)
    print("\n" + result.summary())
    return result


def test_every_file_loads_and_renders_cleanly(sweep: Sweep) -> None:
    assert sweep.problems == [], "\n".join(sweep.problems[:30])


def test_the_sweep_covers_the_whole_corpus(sweep: Sweep) -> None:
    assert sum(sweep.files.values()) > 2700
    assert (
        sweep.files["feeds"] > 2500 and sweep.files["opml"] > 100 and sweep.files["articles"] > 90
    )
    assert sweep.articles["feeds"] > 6000
    assert sweep.loaded["articles"] > 90
    assert sweep.sources > 500


def test_the_checks_catch_what_they_look_for() -> None:
    from tuinews.model import Block, BlockKind

    clean = Article(
        guid="g", title="[bold red]not bold[/]", blocks=[Block(BlockKind.PARAGRAPH, "[b]")]
    )
    assert render_problems(clean, Sweep()) == []
    escaped = Article(guid="g", title="red \x1b[31m", blocks=[])
    assert render_problems(escaped, Sweep()) != []
    assert output_problems("fine\n") == [] and output_problems("bell \x07") != []
    assert live_markup(Group("[bold]x[/]"))
