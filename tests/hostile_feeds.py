"""Hostile feeds and servers, shared by `test_hostile_servers.py` and `bench/hostile.py`.

Each `Case` names a path on a `FeedServer` (a built-in misbehaving endpoint, or a feed that
`install` adds) and what tuinews must make of it: a per-feed error with a named reason, or a
feed that loads with sane text. `GOOD_FEED` is served beside them: its articles must always arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from feedserver import FeedServer
from tuinews.sources.feed_limit import MAX_ITEMS

DEPTH = 100_000
"""Nesting depth of the deep-nesting cases."""
MANY_ITEMS = 100_000
"""Items in the feed of many items."""
SECRET_FILE = "/etc/passwd"
GOOD_PATH = "/good.xml"
GOOD_TITLES = ("Good news one", "Good news two")
GOOD_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good</title>'
    + "".join(
        f"<item><title>{title}</title><guid>good-{n}</guid>"
        f"<description>Body of {title}.</description></item>"
        for n, title in enumerate(GOOD_TITLES)
    )
    + "</channel></rss>"
).encode()


@dataclass(frozen=True)
class Case:
    """One hostile server or feed: where it is served and what tuinews must make of it."""

    name: str
    path: str
    error: str | None
    """The per-feed error reason expected, or None when the feed must load."""
    titles: tuple[str, ...] = ()
    """With `error` None: titles (or title prefixes, ending in "…") the loaded feed must give."""
    slow: bool = False
    """Ends only by the timeout."""


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{declaration}<rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'


def item(title: str, guid: str, description: str = "Text.") -> str:
    return f"<item><title>{title}</title><guid>{guid}</guid><description>{description}</description></item>"


def deep_xml() -> bytes:
    nested = "<x>" * DEPTH + "deep" + "</x>" * DEPTH
    return rss(f"<item><title>Deep XML</title><guid>d</guid>{nested}</item>").encode()


def deep_xml_unclosed() -> bytes:
    return rss(item("Deep unclosed", "d") + "<x>" * DEPTH).encode()


def deep_html() -> bytes:
    nested = "<div>" * DEPTH + "deep text" + "</div>" * DEPTH
    return rss(item("Deep HTML", "d", escape(nested))).encode()


def deep_xhtml() -> bytes:
    nested = "<div>" * DEPTH + "deep text" + "</div>" * DEPTH
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Hostile</title><id>urn:hostile</id><entry><id>urn:d</id><title>Deep XHTML</title>"
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        f"{nested}</div></content></entry></feed>"
    ).encode()


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        "<title>Laughs</title><item><title>Laughs &lol9;</title><guid>l</guid>"
        "<description>&lol9;</description></item></channel></rss>"
    ).encode()


def quadratic_blowup() -> bytes:
    """One 100 KB entity referenced 20,000 times: 2 GB once expanded."""
    big = "x" * 100_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{big}">]><rss version="2.0"><channel>'
        "<title>Blowup</title><item><title>Blowup</title><guid>b</guid>"
        f"<description>{'&big;' * 20_000}</description></item></channel></rss>"
    ).encode()


def external_entity(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>'
        '<rss version="2.0"><channel><title>XXE</title><item><title>XXE &xxe; end</title>'
        "<guid>x</guid><description>before &xxe; after</description></item></channel></rss>"
    ).encode()


def parameter_entity(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % xxe SYSTEM "{target}"> %xxe;]>'
        '<rss version="2.0"><channel><title>XXE</title><item><title>Parameter entity</title>'
        "<guid>p</guid></item></channel></rss>"
    ).encode()


def many_items(count: int = MANY_ITEMS) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><guid>i{n}</guid><description>Body {n}.</description></item>"
        for n in range(count)
    )
    return rss(items).encode()


def tiny_items(megabytes: int = 15) -> bytes:
    """As many items as fit in `megabytes`, each nothing but a title: the most entries per byte."""
    count = megabytes * 1024 * 1024 // len("<item><title>Item 000000</title></item>")
    return rss("".join(f"<item><title>Item {n}</title></item>" for n in range(count))).encode()


def invalid_utf8() -> bytes:
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bad \xff</title>'
        b"<item><title>Caf\xe9 \xc3\x28 ok</title><guid>u</guid>"
        b"<description>Broken \xed\xa0\x80 bytes \x80\x81.</description></item></channel></rss>"
    )


WRONG_CHARSET_ITEMS = item("Привіт, café", "w")


def install(server: FeedServer) -> list[Case]:
    """Serve the good feed and every hostile feed on `server`; the cases, in a fixed order."""
    server.add_feed(GOOD_PATH, GOOD_FEED)
    probe = server.url("/xxe-probe")
    server.add_feed("/xxe-probe", b"LEAKED-OVER-HTTP")
    feeds = {
        "/deep-xml.xml": deep_xml(),
        "/deep-xml-unclosed.xml": deep_xml_unclosed(),
        "/deep-html.xml": deep_html(),
        "/deep-xhtml.xml": deep_xhtml(),
        "/billion-laughs.xml": billion_laughs(),
        "/quadratic-blowup.xml": quadratic_blowup(),
        "/xxe-file.xml": external_entity(f"file://{SECRET_FILE}"),
        "/xxe-http.xml": external_entity(probe),
        "/xxe-parameter.xml": parameter_entity(f"file://{SECRET_FILE}"),
        "/many-items.xml": many_items(),
        "/tiny-items.xml": tiny_items(),
        "/invalid-utf8.xml": invalid_utf8(),
        # Declared ISO-8859-1 in the XML declaration, sent as UTF-8 bytes.
        "/declared-latin1-utf8-bytes.xml": rss(
            WRONG_CHARSET_ITEMS, declaration='<?xml version="1.0" encoding="ISO-8859-1"?>'
        ).encode(),
        # Declared UTF-8, sent as ISO-8859-1 bytes.
        "/declared-utf8-latin1-bytes.xml": rss(item("La fête, café", "w")).encode("latin-1"),
    }
    for path, body in feeds.items():
        server.add_feed(path, body)
    # The HTTP header says ISO-8859-1; the bytes are UTF-8 (no XML declaration).
    server.add_feed(
        "/header-latin1-utf8-bytes.xml",
        rss(WRONG_CHARSET_ITEMS, declaration="").encode(),
        content_type="application/rss+xml; charset=ISO-8859-1",
    )
    # The header says UTF-8; the bytes are ISO-8859-1.
    server.add_feed(
        "/header-utf8-latin1-bytes.xml",
        rss(item("La fête, café", "w"), declaration="").encode("latin-1"),
        content_type="application/rss+xml; charset=utf-8",
    )
    for n in range(8):
        server.add_redirect(f"/chain{n}", f"/chain{n + 1}", status=302)
    server.add_redirect("/chain8", GOOD_PATH, status=302)
    return CASES


CASES = [
    Case("endless body", "/endless", "too large"),
    Case("1 byte per second", "/slow", "timed out", slow=True),
    Case("headers never sent", "/hang", "timed out", slow=True),
    Case("gzip bomb", "/gzip-bomb", "too large"),
    Case("2 GB Content-Length, 1 KB sent", "/huge-length", "too large"),
    Case("2 GB Content-Length, really sent", "/huge-length-stream", "too large"),
    Case("redirect loop", "/loop1", "redirect loop"),
    Case("9 redirects", "/chain0", "too many redirects"),
    Case("100,000 nested XML elements", "/deep-xml.xml", None, ("Deep XML",)),
    Case("100,000 unclosed XML elements", "/deep-xml-unclosed.xml", None, ("Deep unclosed",)),
    Case("100,000 nested HTML elements", "/deep-html.xml", None, ("Deep HTML",)),
    Case("100,000 nested XHTML elements", "/deep-xhtml.xml", None, ("Deep XHTML",)),
    Case("billion laughs", "/billion-laughs.xml", None, ("Laughs…",)),
    Case("quadratic entity blowup", "/quadratic-blowup.xml", None, ("Blowup",)),
    Case("external entity (file)", "/xxe-file.xml", None, ("XXE…",)),
    Case("external entity (http)", "/xxe-http.xml", None, ("XXE…",)),
    Case("external parameter entity", "/xxe-parameter.xml", None, ("Parameter entity",)),
    Case(f"{MANY_ITEMS:,} items", "/many-items.xml", None, ("Item 0", f"Item {MAX_ITEMS - 1}")),
    Case("15 MB of empty items", "/tiny-items.xml", None, ("Item 0", f"Item {MAX_ITEMS - 1}")),
    Case("invalid UTF-8", "/invalid-utf8.xml", None, ("Caf…",)),
    Case(
        "declared ISO-8859-1, UTF-8 bytes",
        "/declared-latin1-utf8-bytes.xml",
        None,
        ("Привіт, café",),
    ),
    Case(
        "declared UTF-8, ISO-8859-1 bytes",
        "/declared-utf8-latin1-bytes.xml",
        None,
        ("La fête, café",),
    ),
    Case(
        "header ISO-8859-1, UTF-8 bytes", "/header-latin1-utf8-bytes.xml", None, ("Привіт, café",)
    ),
    Case(
        "header UTF-8, ISO-8859-1 bytes", "/header-utf8-latin1-bytes.xml", None, ("La fête, café",)
    ),
]
