"""Sync without FreshRSS: the `[sync]` config, the queue, the push plan, item ids, the password,
and what a server that does not follow the protocol gets (a fake one on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from fake_greader import sync_config
from tuinews.config import ConfigError, NetworkConfig, load_config, parse_config
from tuinews.model import Article, Source, SourceKind, paragraph
from tuinews.store import Store
from tuinews.store.sync_state import READ, STARRED, SUBSCRIBE, QueuedChange, SyncState
from tuinews.sync.engine import _plan, sync_account
from tuinews.sync.greader import (
    AuthError,
    NetworkError,
    ProtocolError,
    ServerError,
    item_long_id,
    item_number,
)
from tuinews.sync.password import PasswordError, run_password_command

# The config


def _config(tmp_path: Path, sync: dict) -> None:
    parse_config({"sync": sync}, tmp_path / "config.toml")


def test_sync_config_is_checked_key_by_key(tmp_path: Path) -> None:
    good = {"service": "greader", "url": "https://rss.example.net/api/greader.php/", "user": "me"}
    config = parse_config({"sync": {**good, "password_command": "pass rss"}}, tmp_path / "c")
    assert config.sync.enabled and config.sync.url == "https://rss.example.net/api/greader.php"
    assert "password" not in repr(config.sync).replace("password_command", "")
    assert not parse_config({}, tmp_path / "c").sync.enabled
    for bad, message in [
        ({**good, "service": "fever"}, "'sync.service' must be one of"),
        ({**good, "url": "ftp://x"}, "'sync.url' must start with http"),
        ({"service": "greader", "user": "me", "password": "x"}, "'sync.url' is needed"),
        ({**good, "user": ""}, "'sync.user' is needed"),
        (good, "'sync.password_command' (or 'sync.password') is needed"),
        ({**good, "password": "a", "password_command": "b"}, "set one of"),
        ({**good, "password": 42}, "'sync.password' must be a string"),
        ({**good, "colour": "red"}, "unknown key 'sync.colour'"),
        ({**good, "password": "x", "app_id": "1000"}, "set both 'sync.app_id' and 'sync.app_key'"),
        ({**good, "password": "x", "app_key": "k"}, "set both 'sync.app_id' and 'sync.app_key'"),
        (
            {**good, "password": "x", "url": "https://www.inoreader.com"},
            "Inoreader wants 'sync.app_id' and 'sync.app_key'",
        ),
    ]:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            _config(tmp_path, bad)


def test_an_app_id_and_key_are_kept_and_the_key_never_shown(tmp_path: Path) -> None:
    inoreader = {
        "service": "greader",
        "url": "https://jp.inoreader.com",
        "user": "me@example.org",
        "password_command": "pass inoreader",
        "app_id": " 1000001414 ",
        "app_key": "kk18irxGeoXA5wyFg9U1PpTuabDu2WWG",
    }
    sync = parse_config({"sync": inoreader}, tmp_path / "c").sync
    assert (sync.app_id, sync.app_key) == ("1000001414", "kk18irxGeoXA5wyFg9U1PpTuabDu2WWG")
    assert "kk18" not in repr(sync)


def test_the_example_config_documents_every_sync_key() -> None:
    from tuinews.config import _SECTIONS

    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    text = example.read_text(encoding="utf-8")
    assert "[sync]" in text
    for key in _SECTIONS["sync"]:
        assert f"{key} =" in text, key
    assert not load_config(example).sync.enabled


# The queue and the push plan


def _server_store(tmp_path: Path) -> tuple[Store, SyncState, list[int]]:
    store = Store(tmp_path / "cache.db")
    server = store.upsert_source(Source(SourceKind.SERVER, "feed/1", "Server feed"))
    local = store.upsert_source(Source(SourceKind.URL, "https://example.org/f", "Local"))
    articles = [Article(f"tag:{n}", f"Title {n}", [paragraph("Text")]) for n in range(3)]
    store.upsert_articles(server, [(a, None) for a in articles])
    state = SyncState(store, "https://rss.example.net#me")
    state.remember_items([(100 + n, a.uid) for n, a in enumerate(articles)])
    other = Article("local-1", "Local title", [paragraph("Text")])
    store.upsert_articles(local, [(other, None)])
    ids = [a.id for a in articles if a.id is not None]
    return store, state, [*ids, other.id or 0]


def test_flag_changes_of_server_articles_queue_themselves(tmp_path: Path) -> None:
    store, state, ids = _server_store(tmp_path)
    with store:
        store.set_read(ids)  # three server articles and a local one
        store.set_read(ids[:1])  # no change: nothing queued
        store.set_starred(ids[1:2])
        store.set_read(ids[:1], False)
        pending = state.pending()
        assert [(c.action, c.item, c.value) for c in pending] == [
            (READ, 100, True),
            (READ, 101, True),
            (READ, 102, True),
            (STARRED, 101, True),
            (READ, 100, False),
        ]
        # What the server says is applied without queueing, except where a change waits.
        changed = state.apply_server_state(unread={100, 101, 102}, starred=set())
        assert changed == (0, 0)  # every item has a change of both kinds waiting, or none
        state.done([c.seq for c in pending])
        assert state.apply_server_state(unread={100, 101}, starred={102}) == (1, 2)
        assert state.pending() == []
        rows = {store.article(i).title: store.article(i) for i in ids}  # type: ignore[union-attr]
        assert not rows["Title 0"].read and not rows["Title 1"].read and rows["Title 2"].read
        assert rows["Title 2"].starred and not rows["Title 1"].starred


def test_the_push_plan_keeps_order_and_sends_each_flag_once() -> None:
    def change(seq: int, action: str, item: int | None, value: bool = True) -> QueuedChange:
        target = None if item is not None else f"https://example.org/{seq}.xml"
        return QueuedChange(seq, action, item, target, value, float(seq))

    plan = _plan(
        [
            change(1, READ, 1),
            change(2, READ, 2),
            change(3, STARRED, 1),
            change(4, READ, 1, False),  # undo: only this one goes out for item 1
            change(5, SUBSCRIBE, None),
            change(6, READ, 3),
            change(7, READ, 4),
        ]
    )
    assert [
        (kind, value, [c.item for c in changes], seqs) for kind, value, changes, seqs in plan
    ] == [
        (READ, True, [2], [2]),
        (STARRED, True, [1], [3]),
        (READ, False, [1], [4, 1]),
        (SUBSCRIBE, True, [None], [5]),
        (READ, True, [3, 4], [6, 7]),
    ]


def test_item_ids_in_both_forms() -> None:
    assert item_number("1795618594417538") == item_number(
        "tag:google.com,2005:reader/item/0006611b0878eb82"
    )
    assert item_number("tag:google.com,2005:reader/item/ffffffffffffffff") == -1
    assert item_long_id(-1).endswith("/ffffffffffffffff")
    assert item_long_id(item_number("42")) == "tag:google.com,2005:reader/item/000000000000002a"
    for bad in ("", "abc", "tag:google.com,2005:reader/item/xyz", None, "1" * 33, "٣٤", "-5"):
        with pytest.raises(ValueError):
            item_number(bad)  # type: ignore[arg-type]


ITEM_PREFIX_TEST = "tag:google.com,2005:reader/item/"


def test_item_ids_wider_than_64_bits() -> None:
    """The Old Reader's ids are 96-bit ObjectIds: bare hex digits in its id lists, the long form
    in contents; the cache keeps them as text, and sends them back as the server wrote them."""
    bare, long = (
        "00157A17b192950b65be3791",
        "tag:google.com,2005:reader/item/00157a17b192950b65be3791",
    )
    assert item_number(bare) == item_number(long) == "x00157a17b192950b65be3791"
    assert item_long_id(item_number(bare)) == long
    # All its hex digits decimal: too large for a 64-bit id, so it is one of these.
    assert item_number("001570171920950165237910") == "x001570171920950165237910"
    assert item_number("18446744073709551615") == -1  # the largest 64-bit id stays a number
    assert item_number(ITEM_PREFIX_TEST + "00000006611b0878eb82") == item_number("1795618594417538")
    with pytest.raises(ValueError):
        item_number(ITEM_PREFIX_TEST + "1" * 33)


# The password


def test_password_command_first_line_and_failures() -> None:
    assert run_password_command("printf 'pa ss\\nsecond\\n'") == "pa ss"
    with pytest.raises(PasswordError, match="printed no password"):
        run_password_command("true")
    with pytest.raises(PasswordError) as failed:
        run_password_command("sh -c 'echo s3cret; echo gpg: decryption failed: s3cret >&2; exit 2'")
    assert "exit status 2" in str(failed.value) and "s3cret" not in str(failed.value)
    # No shell: `;` is a word like any other, and a missing program is named.
    assert run_password_command("echo one; echo two") == "one; echo two"
    with pytest.raises(PasswordError, match="could not run no-such-vault"):
        run_password_command("no-such-vault show rss")
    with pytest.raises(PasswordError, match="cannot be split"):
        run_password_command("pass show 'unclosed")


# A server that does not follow the protocol


class _FakeServer:
    """Answers each path with what a test says; everything else is 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self) -> None:
                path = self.path.split("?", 1)[0].removeprefix("/api/greader.php/")
                route = server.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                with contextlib.suppress(ConnectionError):  # a failed sync hung up on the rest
                    route(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/greader.php"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _text(status: int, body: str, headers: dict[str, str] | None = None):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        data = body.encode()
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def _hang(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)


@pytest.fixture
def fake() -> Iterator[_FakeServer]:
    server = _FakeServer()
    server.routes["accounts/ClientLogin"] = _text(200, "SID=x\nAuth=me/token\n")
    server.routes["reader/api/0/subscription/list"] = _text(200, '{"subscriptions": []}')
    server.routes["reader/api/0/unread-count"] = _text(200, '{"unreadcounts": []}')
    server.routes["reader/api/0/stream/items/ids"] = _text(200, '{"itemRefs": []}')
    yield server
    server.close()


def _sync(tmp_path: Path, url: str, *, timeout: float = 5.0):
    config = parse_config(
        {"sync": {"service": "greader", "url": url, "user": "me", "password": "pw-secret"}},
        tmp_path / "config.toml",
    )
    with Store(tmp_path / "cache.db") as store:
        return sync_account(
            store, config.sync, "pw-secret", NetworkConfig(timeout=timeout), progress=None
        )


APP_KEY = "kk18irxGeoXA5wyFg9U1PpTuabDu2WWG"


def _app_required(answer: Callable[[BaseHTTPRequestHandler], None], seen: list[tuple]):
    """`answer`, for requests that carry the app's headers (as Inoreader wants); 403 without."""

    def checked(handler: BaseHTTPRequestHandler) -> None:
        headers = (handler.headers.get("AppId"), handler.headers.get("AppKey"))
        seen.append(headers)
        if headers != ("1000001414", APP_KEY):
            # A server that quotes what it was sent: the key must not reach the message.
            handler.send_response(403, f"App authentication required ({headers[1]})")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        answer(handler)

    return checked


def test_an_app_id_and_key_go_with_every_request(fake: _FakeServer, tmp_path: Path) -> None:
    seen: list[tuple] = []
    fake.routes = {path: _app_required(answer, seen) for path, answer in fake.routes.items()}
    app = {"app_id": "1000001414", "app_key": APP_KEY}
    sync = {"service": "greader", "url": fake.url, "user": "me", "password": "pw-secret"}
    with Store(tmp_path / "cache.db") as store:
        config = parse_config({"sync": {**sync, **app}}, tmp_path / "config.toml")
        report = sync_account(store, config.sync, "pw-secret", NetworkConfig(), progress=None)
    assert report.subscriptions == 0
    assert len(seen) == report.requests and set(seen) == {("1000001414", APP_KEY)}

    wrong = {**app, "app_key": APP_KEY[:-1] + "X"}
    with Store(tmp_path / "other.db") as store:
        config = parse_config({"sync": {**sync, **wrong}}, tmp_path / "config.toml")
        with pytest.raises(AuthError) as refused:
            sync_account(store, config.sync, "pw-secret", NetworkConfig(), progress=None)
    assert "wrong user, password or app (sync.app_id, sync.app_key)" in str(refused.value)
    assert APP_KEY[:-1] not in str(refused.value)

    def quoting(handler: BaseHTTPRequestHandler) -> None:
        """A refusal whose reason phrase quotes the key it was sent."""
        handler.send_response(500, f"Quota exceeded for {handler.headers.get('AppKey')}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    fake.routes["reader/api/0/unread-count"] = quoting
    with Store(tmp_path / "third.db") as store:
        config = parse_config({"sync": {**sync, **app}}, tmp_path / "config.toml")
        with pytest.raises(ServerError) as failed:
            sync_account(store, config.sync, "pw-secret", NetworkConfig(), progress=None)
    assert "HTTP 500 Quota exceeded for ***" in str(failed.value)
    assert APP_KEY not in str(failed.value)


def test_sources_lists_server_subscriptions_in_natural_order(
    fake: _FakeServer, tmp_path: Path
) -> None:
    names = ["Feed 10", "feed 9", "Zeitung", "Feed 2"]
    subscriptions = [{"id": f"feed/{n}", "title": name} for n, name in enumerate(names)]
    fake.routes["reader/api/0/subscription/list"] = _text(
        200, json.dumps({"subscriptions": subscriptions})
    )
    config = sync_config(tmp_path, fake.url)
    assert run_cli("--config", str(config), "sync", "-q").returncode == 0
    listed = run_cli("--config", str(config), "sources", "--json")
    assert [row["name"] for row in json.loads(listed.stdout)] == [
        "Feed 2",
        "feed 9",
        "Feed 10",
        "Zeitung",
    ]


def test_a_busy_server_is_asked_again_after_the_wait_it_names(
    fake: _FakeServer, tmp_path: Path
) -> None:
    calls: list[float] = []
    normal = fake.routes["reader/api/0/unread-count"]

    def busy_once(handler: BaseHTTPRequestHandler) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            _text(429, "slow down", {"Retry-After": "1"})(handler)
        else:
            normal(handler)

    fake.routes["reader/api/0/unread-count"] = busy_once
    report = _sync(tmp_path, fake.url)
    assert report.subscriptions == 0 and len(calls) == 2
    assert calls[1] - calls[0] >= 0.9

    # A wait longer than a sync waits for, or a second refusal: the sync ends with one line.
    for wait in ("3600", "0"):
        calls.clear()
        fake.routes["reader/api/0/unread-count"] = _text(503, "busy", {"Retry-After": wait})
        with pytest.raises(ServerError, match="HTTP 503") as raised:
            _sync(tmp_path, fake.url)
        assert "\n" not in str(raised.value)


def test_a_server_that_follows_the_protocol_gives_an_empty_sync(
    fake: _FakeServer, tmp_path: Path
) -> None:
    report = _sync(tmp_path, fake.url)
    assert report.subscriptions == 0 and report.added == 0


@pytest.mark.parametrize(
    ("path", "answer", "error", "message"),
    [
        (
            "reader/api/0/subscription/list",
            _text(200, "<html>oops</html>"),
            ProtocolError,
            "not JSON",
        ),
        (
            "reader/api/0/subscription/list",
            _text(200, '{"subscriptions": [{"x": 1}]}'),
            ProtocolError,
            "without an id",
        ),
        (
            "reader/api/0/stream/items/ids",
            _text(200, '{"itemRefs": [{"id": "zz"}]}'),
            ProtocolError,
            "not a number",
        ),
        ("reader/api/0/unread-count", _text(500, "boom"), ServerError, "HTTP 500"),
        ("accounts/ClientLogin", _text(200, "Hello"), ProtocolError, "no Auth token"),
        ("accounts/ClientLogin", _text(401, "Unauthorized!"), AuthError, "wrong user or password"),
        (
            "reader/api/0/subscription/list",
            _text(401, "no", {"Google-Bad-Token": "true"}),
            AuthError,
            "refused the login",
        ),
        ("reader/api/0/unread-count", _hang, NetworkError, "timed out"),
    ],
)
def test_answers_off_the_protocol_are_one_line(
    fake: _FakeServer, tmp_path: Path, path: str, answer, error: type, message: str
) -> None:
    fake.routes[path] = answer
    with pytest.raises(error) as raised:
        _sync(tmp_path, fake.url, timeout=1.0)
    text = str(raised.value)
    assert message in text and fake.url in text
    assert "\n" not in text and "pw-secret" not in text and "me/token" not in text


def test_items_off_the_protocol(fake: _FakeServer, tmp_path: Path) -> None:
    fake.routes["reader/api/0/stream/items/ids"] = _text(200, '{"itemRefs": [{"id": "7"}]}')
    fake.routes["reader/api/0/stream/items/contents"] = _text(
        200, '{"items": [{"id": "tag:google.com,2005:reader/item/0000000000000007"}]}'
    )
    with pytest.raises(ProtocolError, match="without its feed"):
        _sync(tmp_path, fake.url)
    with Store(tmp_path / "cache.db") as store:
        state = SyncState(store, f"{fake.url}#me")
        assert state.state().last_sync is None
        assert "without its feed" in (state.state().last_error or "")


def test_cli_errors_never_show_a_traceback(fake: _FakeServer, tmp_path: Path) -> None:
    fake.routes["reader/api/0/subscription/list"] = _text(502, "Bad gateway")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\npath = "{tmp_path / "cache.db"}"\n[sync]\nservice = "greader"\n'
        f'url = "{fake.url}"\nuser = "me"\npassword_command = "echo pw-secret"\n'
    )
    result = run_cli("--config", str(config), "sync")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"tuinews: {fake.url}: HTTP 502 Bad Gateway (subscriptions)"
    ]
