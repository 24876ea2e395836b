"""The feed parser's cheaper routes give exactly what the general code gives.

* `model.blocks_to_json` (written by hand) against `json.dumps` of `Block.to_json`;
* `feed_body.simple_html_blocks` (and its `<p>text</p>` and `<p><a>text</a></p>` shortcuts) against
  the HTML parser and the page walker, on generated fragments;
* `InlineText` against the plain version it replaced, on generated sequences of pieces;
* `textclean.clean_line` / `strip_controls` against the plain regular-expression cleaning;
* `fast_url.url_scheme` against `urllib.parse.urlsplit` on URLs without a scheme;
* `feed_entry.build_entries`' fingerprints, now hashed only when needed;
* `fast_url.join_url` (paths from the root, against any base: only its origin is checked; plain
  relative paths) against `urljoin`, and `html_meta.absolute_url`'s shortcut for such paths;
* `<p><a href=...>` with any quoted value (`feed_body._attributes`' shortcut) against the walker;
* `model.paragraph` / `link_span` against the frozen dataclasses they make.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from tuinews import textclean
from tuinews.model import Block, BlockKind, LinkSpan, blocks_to_json, link_span, paragraph
from tuinews.sources import feed_body, html_meta
from tuinews.sources.fast_url import is_plain_absolute, join_url, url_scheme
from tuinews.sources.feed_entry import EntryDraft, FeedContext, build_entries
from tuinews.sources.inline import InlineText
from tuinews.textclean import clean_line, strip_controls


def _outcome(function, *args):
    try:
        return ("ok", function(*args))
    except ValueError as error:
        return ("error", type(error))


# Blocks as JSON

TRICKY = 'a "\\\n\r\t\x00\x1f\x7f\u2028\u2029é中\ud800/<>&'
TEXTS = st.text(max_size=12) | st.text(alphabet=st.sampled_from(TRICKY), max_size=12)
NUMBERS = st.integers(-3, 10**12) | st.booleans()
SPANS = st.builds(LinkSpan, NUMBERS, NUMBERS, TEXTS | NUMBERS)
BLOCKS = st.builds(
    Block,
    st.sampled_from(list(BlockKind)),
    TEXTS | st.just(""),
    NUMBERS,
    TEXTS | st.just(""),
    TEXTS | st.just(""),
    st.lists(SPANS, max_size=3).map(tuple),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(BLOCKS, max_size=4))
def test_blocks_json_is_json_dumps(blocks: list[Block]) -> None:
    expected = json.dumps([block.to_json() for block in blocks], ensure_ascii=False)
    assert blocks_to_json(blocks) == expected


def test_blocks_json_of_a_kind_that_is_no_block_kind() -> None:
    blocks = [Block("p", "text")]  # type: ignore[arg-type]
    try:
        json.dumps([block.to_json() for block in blocks])
    except AttributeError:
        pass
    else:
        raise AssertionError("to_json was expected to refuse a plain string kind")
    try:
        blocks_to_json(blocks)
    except AttributeError:
        pass
    else:
        raise AssertionError("blocks_to_json should refuse it as to_json does")


# Simple HTML bodies

BASE = "https://example.org/news/item?id=1"
WORDS = st.sampled_from(
    [
        "word",
        "Слово",
        "café",
        "cafe\u0301",
        "中文",
        " ",
        "  ",
        "\n",
        "\t",
        "\u00a0",
        "\u2028",
        "\u3000",
        "&amp;",
        "&lt;",
        "&#233;",
        "&#x1F600;",
        "&nbsp;",
        "\x07",
        "\u202e",
        "\x1b[31m",
        "a.b",
        "«q»",
    ]
)
TEXT = st.lists(WORDS, max_size=5).map("".join)
HREFS = st.sampled_from(
    [
        "/x/7",
        "rel/path",
        "https://a.example/x?q=1&amp;r=2",
        "#top",
        "javascript:alert(1)",
        "",
        "//host/p",
        "http://[x/a",
        "//[x/a",
        " /spaced ",
        "../up",
        "mailto:a@b.example",
    ]
)


@st.composite
def links(draw) -> str:
    quote = draw(st.sampled_from(["'", '"']))
    extra = draw(st.sampled_from(["", " title='t'", " class='share'", " rel='nofollow'", "  "]))
    tag = draw(st.sampled_from(["a", "A"]))
    label = draw(TEXT | st.tuples(TEXT, images(), TEXT).map("".join))
    return f"<{tag} href={quote}{draw(HREFS)}{quote}{extra}>{label}</{tag}>"


IMAGE_ATTRIBUTES = st.sampled_from(
    [
        " src='/i.png'",
        ' src="https://img.example/a.jpg?w=1"',
        " src=rel/x.png",
        " src='https://pixel.wp.com/g.gif'",
        " src='//[x/a.png'",
        " src='javascript:x'",
        " data-src='/lazy.jpg'",
        " data-src='https://stats.wordpress.com/b.gif'",
        " alt='An  image'",
        " alt=' '",
        " alt='&amp; &#233;'",
        " title='Title'",
        " class='emoji'",
        " class='wp-image-1 share'",
        " width='1'",
        " height=2",
        " width='640'",
        " style='width: 1px'",
        " hspace=4",
        " onload='x()'",
        " hidden",
        " aria-hidden='true'",
    ]
)


@st.composite
def images(draw) -> str:
    attributes = "".join(draw(st.lists(IMAGE_ATTRIBUTES, max_size=3)))
    tag = draw(st.sampled_from(["img", "IMG"]))
    return f"<{tag}{attributes}{draw(st.sampled_from(['', '/', ' /']))}>"


@st.composite
def inline(draw) -> str:
    pieces = draw(
        st.lists(
            TEXT
            | links()
            | images()
            | st.sampled_from(["<br>", "<br/>", "<b>bold</b>", "<i> it </i>", "<em></em>"]),
            max_size=4,
        )
    )
    return "".join(pieces)


@st.composite
def paragraphs(draw) -> str:
    tag = draw(st.sampled_from(["p", "P"]))
    attributes = draw(st.sampled_from(["", " class='lead'", " class='share-buttons'", " id=x"]))
    shape = draw(st.sampled_from(["plain", "link", "mixed"]))
    if shape == "plain":
        body = draw(TEXT)
    elif shape == "link":
        body = draw(links())
    else:
        body = draw(inline())
    return f"<{tag}{attributes}>{body}</{tag}>"


FRAGMENTS = st.lists(paragraphs() | TEXT | inline(), min_size=1, max_size=4).map("".join)


@settings(max_examples=1000, deadline=None)
@given(FRAGMENTS)
def test_simple_route_matches_the_walker_on_generated_fragments(html: str) -> None:
    fast = _outcome(feed_body.simple_html_blocks, html, BASE)
    if fast != ("ok", None):
        assert fast == _outcome(feed_body.general_html_blocks, html, BASE), html


@settings(max_examples=500, deadline=None)
@given(st.lists(images() | st.sampled_from(["<p>", "</p><p>", " text ", "<br>"]), min_size=1))
def test_images_read_as_the_walker_reads_them(pieces: list[str]) -> None:
    html = "<p>" + "".join(pieces) + "</p>"
    fast = _outcome(feed_body.simple_html_blocks, html, BASE)
    if fast != ("ok", None):
        assert fast == _outcome(feed_body.general_html_blocks, html, BASE), html


def test_the_shortcut_shapes_take_the_simple_route() -> None:
    for html in [
        "<p>One two</p><p>Три чотири</p><p><a href='/x/7'>More</a></p>",
        '<p>  spaced   out </p><P><A HREF="https://a.example/"> link  text </A></P>',
        "<p><a href='#top'>no link</a></p><p><a href=''> </a></p><p></p>",
    ]:
        fast = feed_body.simple_html_blocks(html, BASE)
        assert fast is not None
        assert fast == feed_body.general_html_blocks(html, BASE)


# InlineText, against the version before the shortcuts


class _ReferenceInline:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._space = False
        self._links: list[LinkSpan] = []
        self._open: list[tuple[int, str]] = []

    def _emit(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def _needs_space(self) -> bool:
        return bool(self._parts) and not self._parts[-1].endswith((" ", "\n"))

    def add(self, text: str) -> None:
        if not text:
            return
        text = strip_controls(unicodedata.normalize("NFC", text))
        words = text.split()
        if not words:
            self._space = self._space or bool(text)
            return
        if (self._space or text[0].isspace()) and self._needs_space():
            self._emit(" ")
        self._emit(" ".join(words))
        self._space = text[-1].isspace()

    def newline(self) -> None:
        if self._length and not (self._parts and self._parts[-1].endswith("\n")):
            self._emit("\n")
        self._space = False

    def open_link(self, url: str) -> None:
        if self._space and self._needs_space():
            self._emit(" ")
        self._space = False
        self._open.append((self._length, url))

    def close_link(self) -> None:
        if not self._open:
            return
        start, url = self._open.pop()
        end = self._length
        for piece in reversed(self._parts):
            if end <= start or piece not in (" ", "\n"):
                break
            end -= 1
        first = len(self._parts) - 1
        covered = self._length
        while first >= 0 and covered - len(self._parts[first]) >= start:
            covered -= len(self._parts[first])
            first -= 1
        for piece in self._parts[first + 1 :]:
            if start >= end or piece not in (" ", "\n"):
                break
            start += 1
        if url and end > start:
            self._links.append(LinkSpan(start, end, url))

    def result(self) -> tuple[str, tuple[LinkSpan, ...]]:
        while self._open:
            self.close_link()
        text = "".join(self._parts)
        lines = text.split("\n")
        if len(lines) == 1 and text == text.strip():
            cleaned = text
        else:
            cleaned = "\n".join(line.strip() for line in lines if line.strip())
        if cleaned != text:
            spans = []
            position = 0
            for span in sorted(self._links, key=lambda s: (s.start, s.end)):
                label = clean_line(text[span.start : span.end])
                if not label:
                    continue
                found = cleaned.find(label, position)
                if found < 0:
                    continue
                spans.append(LinkSpan(found, found + len(label), span.url))
                position = found
            return cleaned, tuple(spans)
        return text, tuple(sorted(self._links, key=lambda span: (span.start, span.end)))


PIECES = st.lists(WORDS, max_size=4).map("".join) | st.text(max_size=6)
OPERATIONS = st.lists(
    st.tuples(st.just("add"), PIECES)
    | st.tuples(st.sampled_from(["newline", "close"]), st.just(""))
    | st.tuples(st.just("open"), st.sampled_from(["", "https://a.example/", "/x"])),
    max_size=10,
)


@settings(max_examples=1000, deadline=None)
@given(OPERATIONS)
def test_inline_text_is_the_plain_version(operations: list[tuple[str, str]]) -> None:
    fast, plain = InlineText(), _ReferenceInline()
    for buffer in (fast, plain):
        for operation, argument in operations:
            if operation == "add":
                buffer.add(argument)
            elif operation == "newline":
                buffer.newline()
            elif operation == "open":
                buffer.open_link(argument)
            else:
                buffer.close_link()
    assert bool(fast) == (plain._length > 0)
    assert fast.result() == plain.result()


# Text cleaning


def _clean_line(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = textclean._CONTROLS.sub("", textclean._ESCAPES.sub("", text))
    text = textclean._BLANK_LINES.sub("\n\n", unicodedata.normalize("NFC", text))
    return textclean._SPACES.sub(" ", text.replace("\n", " ").replace("\t", " ")).strip()


SPACY = "ab  \t\n\u00a0\u1680\u2000\u2028\u2029\u202f\u3000\x85\x1c\u200bé\u0301Ж\x07\u202e"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPACY), max_size=12))
def test_clean_line_shortcuts_on_white_space(text: str) -> None:
    assert clean_line(text) == _clean_line(text)
    reference = textclean._CONTROLS.sub(
        "", textclean._ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    )
    assert strip_controls(text) == reference


# URL schemes of URLs without one


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("/ab[]:.\t \x00é\uff0f?#@%"), max_size=10))
def test_url_scheme_without_a_colon(url: str) -> None:
    assert _outcome(url_scheme, url) == _outcome(lambda u: urlsplit(u).scheme, url)


# Fingerprints, hashed only for the entries that need one


def _fingerprint(title: str, date_text: str, link: str, sample: str = "") -> str:
    digest = hashlib.sha1(f"{title}\0{date_text}\0{link}".encode(), usedforsecurity=False)
    if not title:
        digest.update(sample.encode())
    return digest.hexdigest()


def test_fingerprints_of_clashing_and_missing_guids() -> None:
    context = FeedContext(url="https://feed.example/", language="en")
    date = datetime(2026, 1, 2, tzinfo=UTC)
    drafts = [
        EntryDraft(guid="same", title="One", date_text="Mon, 1 Jan", published=date),
        EntryDraft(guid="same", title="Two", date_text="Mon, 1 Jan", published=date),
        EntryDraft(guid="same", title="Two", date_text="Mon, 1 Jan", published=date),
        EntryDraft(body="Only a body, no title", date_text=" 2 Jan "),
        EntryDraft(title="No guid", link="https://a.example/x"),
    ]
    articles = build_entries(drafts, context)
    assert [article.guid for article in articles] == [
        "same#" + _fingerprint("One", "Mon, 1 Jan", "")[:16],
        "same#" + _fingerprint("Two", "Mon, 1 Jan", "")[:16],
        "sha1:" + _fingerprint("", "2 Jan", "", "Only a body, no title"),
        "https://a.example/x",
    ]


# Resolving URLs: paths from the root against any base (only its origin matters), plain relative
# paths, and `absolute_url`'s own shortcut for paths from the root

ORIGINS = st.sampled_from(["https://", "http://", "HTTP://", "ftp://", "https:/", ""]).flatmap(
    lambda scheme: st.tuples(
        st.just(scheme),
        st.sampled_from(["example.org", "a.b:8080", "A-B.c", "x:", "[::1]"])
        | st.text(alphabet=st.sampled_from("ab.-0:[]@é?# "), max_size=6),
    ).map("".join)
)
URL_BASES = st.tuples(ORIGINS, st.text(alphabet=st.sampled_from("/ab.;?#%\t é"), max_size=8)).map(
    "".join
)
URL_PATHS = (
    st.text(alphabet=st.sampled_from("/ab.;?#%:@é[] \t"), max_size=8).map(lambda path: "/" + path)
    | st.text(alphabet=st.sampled_from("/ab.-_~;?#%:@é"), max_size=8)
    | st.sampled_from(["/x/7", "/x/./7", "/x/../7", "/.", "/a/", "x/7", "a/b/c.html", "a//b"])
)


@settings(max_examples=1000, deadline=None)
@given(URL_BASES, URL_PATHS)
def test_join_url_of_paths_is_urljoin(base: str, url: str) -> None:
    assert _outcome(join_url, base, url) == _outcome(urljoin, base, url)


def _reference_absolute_url(url: str, base: str) -> str:
    url = clean_line(url)
    if not url or url.startswith("#"):
        return ""
    scheme = urlsplit(url).scheme.casefold()
    if scheme in ("javascript", "data", "vbscript", "about", "blob"):
        return ""
    if scheme or not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


@settings(max_examples=600, deadline=None)
@given(URL_BASES | st.just(""), URL_PATHS | URL_PATHS.map(lambda url: " " + url))
def test_absolute_url_of_paths_from_the_root(base: str, url: str) -> None:
    expected = _outcome(_reference_absolute_url, url, base)
    assert _outcome(html_meta.absolute_url, url, base) == expected


def test_a_page_of_one_site_resolves_against_each_items_link() -> None:
    # The bases differ for every item; the origin they share is what is remembered.
    for number in range(3):
        base = f"https://example.org/feed/{number}"
        assert join_url(base, f"/x/{number}") == f"https://example.org/x/{number}"
        assert is_plain_absolute(join_url("https://example.org/", base))
    assert join_url("https://example.org?q/a", "/x") == urljoin("https://example.org?q/a", "/x")


# Links of `<p><a href=...>text</a></p>`, whatever the quotes hold


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["'", '"', ""]),
    st.text(alphabet=st.sampled_from("/x'\" =&amp;#é\t"), max_size=8),
    st.sampled_from(["a", "A"]),
)
def test_link_paragraphs_with_any_href(quote: str, href: str, tag: str) -> None:
    html = f"<p><{tag} href={quote}{href}{quote}>More</{tag}></p><p>x <a href={quote}{href}{quote}>y</a></p>"
    fast = _outcome(feed_body.simple_html_blocks, html, BASE)
    if fast != ("ok", None):
        assert fast == _outcome(feed_body.general_html_blocks, html, BASE), html


# Paragraph blocks made without the frozen dataclass's `__init__`


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(SPANS, max_size=2).map(tuple))
def test_paragraph_is_the_dataclass(text: str, links: tuple[LinkSpan, ...]) -> None:
    spans = tuple(link_span(span.start, span.end, span.url) for span in links)
    made = paragraph(text, spans)
    expected = Block(BlockKind.PARAGRAPH, text, links=links)
    assert made == expected
    assert spans == links
    assert hash(made) == hash(expected)
    assert repr(made) == repr(expected)
    for name in (field.name for field in dataclasses.fields(Block)):
        assert getattr(made, name) == getattr(expected, name)
