"""A client for the Google Reader API, as FreshRSS, Miniflux, Inoreader and The Old Reader speak it.

`GReaderClient` talks to one account over httpx (async): ClientLogin, the write token, the
subscription list, unread counts, item id streams with continuation paging, item contents, edit-tag
and the subscription calls. Answers become typed results (`Subscription`, `ServerItem`); anything
else raises a `SyncError` whose message is one line naming the server, never holding the password
or the auth token. The client counts its requests and the items it downloaded, for tests and
benchmarks. The errors, `ServerItem` and the parsing of item contents live in `protocol` (no httpx
there, for the worker processes) and are re-exported here.

Item ids travel in two forms: decimal ("1795618594417538", from the id streams) and long
("tag:google.com,2005:reader/item/0006611b0878eb82", in item contents). Both become the same signed
64-bit integer here; the client always sends the long form, which every server accepts.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from tuinews.i18n import _
from tuinews.model import ItemId
from tuinews.sources.fetch import USER_AGENT, parse_retry_after, redact_url
from tuinews.sources.fetch import _describe_error as describe_error
from tuinews.sources.http_transport import LazyTLS, transport_options
from tuinews.sync.protocol import (
    ITEM_PREFIX,
    AnswerTooLarge,
    AuthError,
    NetworkError,
    ProtocolError,
    ServerError,
    ServerItem,
    item_hex,
    item_long_id,
    item_number,
    parse_items,
)
from tuinews.sync.protocol import READ as READ
from tuinews.sync.protocol import READING_LIST as READING_LIST
from tuinews.sync.protocol import STARRED as STARRED
from tuinews.sync.protocol import SyncError as SyncError
from tuinews.sync.protocol import as_str as _str
from tuinews.sync.protocol import json_field as _field
from tuinews.sync.protocol import parse_item as parse_item
from tuinews.textclean import clean_line

LABEL_PREFIX = "user/-/label/"
ID_PAGE = 10000
"""Item ids asked for per request (servers may send fewer, with a continuation)."""
MAX_PAGES = 1000
MAX_BUSY_WAIT = 30.0
"""Seconds a sync waits, once per request, for a server that answers 429 or 503 with a
Retry-After (a longer wait ends the sync with the error; the next one starts over)."""
_NO_PROXY_MOUNTS: dict[str, httpx.AsyncBaseTransport | None] = {
    "all://127.0.0.1": None,
    "all://localhost": None,
    "all://[::1]": None,
}
_MAX_DETAIL = 80
_ITEM_FIELD = "i=" + quote(ITEM_PREFIX, safe="")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed the account is subscribed to on the server."""

    stream_id: str
    """The server's id for it, such as "feed/12"."""
    title: str
    folders: tuple[str, ...] = ()
    """Its folders (categories, labels), which become the source's tags."""
    url: str | None = None
    """The feed's own URL."""
    html_url: str | None = None
    """The web site the feed belongs to."""


class GReaderClient:
    """One account on a Google Reader API server. Use as an async context manager.

    `url` is the API base (for FreshRSS, ".../api/greader.php"). `password` is the password or a
    function that returns it, called only when a login is needed: with `auth`, the token of an
    earlier login, calls go out with it, and a new login happens only if the server refuses it
    (`on_login` is told the new token). `requests` counts requests by call name;
    `items_downloaded` the items whose contents came down; `server_time` is the server's clock
    (its Date header) at its first id list.
    """

    def __init__(
        self,
        url: str,
        user: str,
        password: str | Callable[[], str],
        *,
        auth: str | None = None,
        on_login: Callable[[str | None], None] | None = None,
        timeout: float = 20.0,
        max_bytes: int = 64 * 1024 * 1024,
        app: tuple[str, str] | None = None,
    ) -> None:
        """`app`: the (id, key) of an app registered with the server, sent with every request as
        the AppId and AppKey headers (Inoreader)."""
        self.base = url.rstrip("/")
        self._app = app
        self.user = user
        self._password_source = password
        self._password = password if isinstance(password, str) else ""
        self._auth: str | None = auth
        self._kept_auth = auth
        self._on_login = on_login
        self._login_lock = asyncio.Lock()
        self._token: str | None = None
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.where = redact_url(self.base)
        self.requests: Counter[str] = Counter()
        self.items_downloaded = 0
        self.server_time: float | None = None
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> GReaderClient:
        headers = {"User-Agent": USER_AGENT}
        if self._app is not None:
            headers["AppId"], headers["AppKey"] = self._app
        self._client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            trust_env=True,
            mounts=_NO_PROXY_MOUNTS,
            **transport_options(
                LazyTLS(), httpx.Limits(max_connections=4, max_keepalive_connections=4)
            ),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # Session

    async def login(self) -> None:
        """ClientLogin: trade the user and password for the auth token every later call sends.

        With a token from an earlier login, nothing happens until the server refuses it.
        """
        if self._auth is not None:
            return
        if not self._password and callable(self._password_source):
            self._password = self._password_source()
        text = await self._text(
            "POST",
            "accounts/ClientLogin",
            data={"Email": self.user, "Passwd": self._password},
            auth=False,
            name="login",
        )
        for line in text.splitlines():
            if line.startswith("Auth="):
                self._auth = line[5:].strip()
        if not self._auth:
            raise ProtocolError(
                _("{url}: the login answer has no Auth token").format(url=self.where)
            )
        if self._on_login is not None:
            self._on_login(self._auth)

    async def token(self) -> str:
        """The write token (`T`) that edit calls need; fetched once and kept."""
        if self._token is None:
            text = await self._text("GET", "reader/api/0/token", name="token")
            token = text.strip()
            if not token or "\n" in token:
                raise ProtocolError(
                    _("{url}: the token answer is not a token").format(url=self.where)
                )
            self._token = token
        return self._token

    # Reading

    async def subscriptions(self) -> list[Subscription]:
        """The account's subscriptions, with their folders."""
        data = await self._json(
            "GET", "reader/api/0/subscription/list", params={"output": "json"}, name="subscriptions"
        )
        raw = _field(data, "subscriptions", list, self.where, "subscription list")
        found: list[Subscription] = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise ProtocolError(_("{url}: a subscription without an id").format(url=self.where))
            folders: list[str] = []
            for category in entry.get("categories") or []:
                if not isinstance(category, dict):
                    continue
                label = category.get("label")
                if not isinstance(label, str) or not label:
                    ident = category.get("id")
                    label = ident.rsplit("/", 1)[-1] if isinstance(ident, str) else ""
                label = clean_line(label)
                if label and label not in folders:
                    folders.append(label)
            stream_id = entry["id"]
            found.append(
                Subscription(
                    stream_id=stream_id,
                    title=clean_line(_str(entry.get("title"))) or stream_id,
                    folders=tuple(folders),
                    url=_str(entry.get("url")) or None,
                    html_url=_str(entry.get("htmlUrl")) or None,
                )
            )
        return found

    async def unread_counts(self) -> dict[str, int]:
        """Unread items per stream id (feeds, folders, and the whole reading list)."""
        data = await self._json(
            "GET", "reader/api/0/unread-count", params={"output": "json"}, name="unread-count"
        )
        counts: dict[str, int] = {}
        for entry in _field(data, "unreadcounts", list, self.where, "unread counts"):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                try:
                    counts[entry["id"]] = int(entry.get("count", 0))
                except (TypeError, ValueError):
                    raise ProtocolError(
                        _("{url}: an unread count is not a number").format(url=self.where)
                    ) from None
        return counts

    async def item_ids(
        self,
        stream: str,
        *,
        exclude: str | None = None,
        since: float | None = None,
        page: int = ID_PAGE,
    ) -> list[ItemId]:
        """The ids of a stream's items, newest first, following continuations to the end.

        `exclude` drops items with that state (`xt`, such as `READ`); `since` keeps only items the
        server got after that POSIX time (`ot`).
        """
        params: dict[str, Any] = {"s": stream, "n": page, "output": "json"}
        if exclude:
            params["xt"] = exclude
        if since is not None:
            params["ot"] = max(0, int(since))
        ids: list[ItemId] = []
        seen_continuations: set[str] = set()
        for _page in range(MAX_PAGES):
            data = await self._json(
                "GET", "reader/api/0/stream/items/ids", params=params, name="ids", clock=True
            )
            refs = data.get("itemRefs") if isinstance(data, dict) else None
            if refs is None:
                refs = []
            if not isinstance(refs, list):
                raise ProtocolError(
                    _("{url}: the item id list is not a list").format(url=self.where)
                )
            for ref in refs:
                try:
                    ids.append(item_number(ref["id"]))
                except (KeyError, TypeError, ValueError):
                    raise ProtocolError(
                        _("{url}: an item id is not a number").format(url=self.where)
                    ) from None
            continuation = data.get("continuation") if isinstance(data, dict) else None
            if not refs or not isinstance(continuation, str) or not continuation:
                break
            if continuation in seen_continuations:
                break
            seen_continuations.add(continuation)
            params["c"] = continuation
        return list(dict.fromkeys(ids))

    async def items(self, ids: Sequence[ItemId]) -> list[ServerItem]:
        """The contents of these items (ask for a few hundred at a time)."""
        items = parse_items(await self.items_body(ids), self.where)
        self.items_downloaded += len(items)
        return items

    async def items_body(self, ids: Sequence[ItemId]) -> bytes:
        """The undecoded answer of `items` (`parse_items` reads it, maybe in another process)."""
        if not ids:
            return b'{"items": []}'
        form = "&".join(_ITEM_FIELD + item_hex(item) for item in ids)
        return await self._call(
            "POST",
            "reader/api/0/stream/items/contents",
            params={"output": "json"},
            content=form.encode("ascii"),
            name="contents",
        )

    # Writing

    async def edit_tag(
        self, ids: Sequence[ItemId], *, add: str | None = None, remove: str | None = None
    ) -> None:
        """Add or remove a state (`READ`, `STARRED`) on these items."""
        data: dict[str, Any] = {"i": [item_long_id(item) for item in ids]}
        if add:
            data["a"] = add
        if remove:
            data["r"] = remove
        await self._write("reader/api/0/edit-tag", data, name="edit-tag")

    async def quickadd(self, url: str) -> Subscription:
        """Subscribe to a feed URL; the server fetches it and names the new subscription."""
        data = await self._write_json(
            "reader/api/0/subscription/quickadd", {"quickadd": url}, name="quickadd"
        )
        stream_id = data.get("streamId") if isinstance(data, dict) else None
        if not isinstance(stream_id, str) or not stream_id:
            error = data.get("error") if isinstance(data, dict) else None
            detail = (
                clean_line(self._redact(str(error)))[:_MAX_DETAIL]
                if error
                else _("no subscription made")
            )
            message = _("{server}: could not subscribe to {url}: {detail}")
            raise ServerError(message.format(server=self.where, url=url, detail=detail), 400)
        title = clean_line(_str(data.get("streamName"))) or url
        # `query`: the feed's URL as the server found it (a web page's URL leads to its feed).
        return Subscription(stream_id=stream_id, title=title, url=_str(data.get("query")) or url)

    async def unsubscribe(self, stream_id: str) -> None:
        """Remove a subscription by its stream id."""
        await self._write(
            "reader/api/0/subscription/edit",
            {"ac": "unsubscribe", "s": stream_id},
            name="unsubscribe",
        )

    async def _write(self, path: str, data: dict[str, Any], *, name: str) -> str:
        for attempt in (1, 2):
            token = await self.token()
            try:
                return await self._text("POST", path, data={**data, "T": token}, name=name)
            except _BadToken:
                self._token = None  # expired: fetch a new one, once
                if attempt == 2:
                    raise AuthError(
                        _("{url}: the server refused the write token").format(url=self.where)
                    ) from None
        raise AssertionError("unreachable")

    async def _write_json(self, path: str, data: dict[str, Any], *, name: str) -> Any:
        return _decode_json(await self._write(path, data, name=name), self.where, name)

    # HTTP

    async def _json(self, method: str, path: str, *, name: str, **kwargs: Any) -> Any:
        return _decode_json(await self._text(method, path, name=name, **kwargs), self.where, name)

    async def _text(self, method: str, path: str, *, name: str, **kwargs: Any) -> str:
        body = await self._call(method, path, name=name, **kwargs)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(
                _("{url}: the {name} answer is not UTF-8 text").format(url=self.where, name=name)
            ) from None

    async def _call(self, method: str, path: str, *, name: str, **kwargs: Any) -> bytes:
        sent_with = self._auth
        try:
            return await self._send(method, path, name=name, **kwargs)
        except _Refused as refused:
            # Only a token kept from an earlier login may have expired; a fresh one is refused
            # for good (a disabled account, a server that does not like us).
            if sent_with is None or sent_with != self._kept_auth:
                raise AuthError(
                    _("{url}: the server refused the login (HTTP {status})").format(
                        url=self.where, status=refused.status
                    )
                ) from None
        # The token of an earlier login expired (or the password changed): log in anew, once
        # for all the calls that were refused at the same time.
        async with self._login_lock:
            if self._auth == sent_with:
                self._auth = self._token = None
                if self._on_login is not None:
                    self._on_login(None)
                await self.login()
        try:
            return await self._send(method, path, name=name, **kwargs)
        except _Refused as refused:
            raise AuthError(
                _("{url}: the server refused the login (HTTP {status})").format(
                    url=self.where, status=refused.status
                )
            ) from None

    async def _send(self, method: str, path: str, *, name: str, **kwargs: Any) -> bytes:
        """One request; a server too busy for it (429, 503) that says to come back within
        `MAX_BUSY_WAIT` seconds gets it again once, after that wait."""
        try:
            return await self._send_once(method, path, name=name, busy_wait=True, **kwargs)
        except _Busy as busy:
            await asyncio.sleep(busy.wait)
        return await self._send_once(method, path, name=name, busy_wait=False, **kwargs)

    async def _send_once(
        self,
        method: str,
        path: str,
        *,
        name: str,
        busy_wait: bool,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        content: bytes | None = None,
        auth: bool = True,
        clock: bool = False,
    ) -> bytes:
        if self._client is None:
            raise RuntimeError("use GReaderClient as an async context manager")
        headers = {"Content-Type": _FORM} if content is not None else {}
        if auth:
            if self._auth is None:
                raise RuntimeError("log in first")
            headers["Authorization"] = f"GoogleLogin auth={self._auth}"
        self.requests[name] += 1
        try:
            async with self._client.stream(
                method,
                f"{self.base}/{path}",
                params=params,
                data=data,
                content=content,
                headers=headers,
            ) as response:
                body = await self._read(response)
        except (httpx.HTTPError, OSError) as exc:
            raise NetworkError(self._redact(f"{self.where}: {describe_error(exc)}")) from None
        if clock and self.server_time is None:
            self.server_time = _date(response.headers.get("date"))
        status = response.status_code
        if status in (401, 403):
            if not auth:
                if self._app is not None:  # (Inoreader refuses an unknown app at the login)
                    message = _(
                        "{url}: wrong user, password or app (sync.app_id, sync.app_key): the"
                        " server refused the login"
                    )
                else:
                    message = _("{url}: wrong user or password (the server refused the login)")
                raise AuthError(message.format(url=self.where))
            if data is not None and "T" in data and response.headers.get("google-bad-token"):
                raise _BadToken()
            raise _Refused(status)
        if status in (429, 503) and busy_wait:
            until = parse_retry_after(response.headers.get("retry-after"))
            if until is not None and until - time.time() <= MAX_BUSY_WAIT:
                raise _Busy(max(0.0, until - time.time()))
        if status >= 400:
            reason = response.reason_phrase or ""
            raise ServerError(
                self._redact(f"{self.where}: HTTP {status} {reason}".rstrip() + f" ({name})"),
                status,
            )
        return body

    async def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise AnswerTooLarge(
                    _("{url}: an answer larger than {size} bytes").format(
                        url=self.where, size=self.max_bytes
                    )
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _redact(self, text: str) -> str:
        app_key = self._app[1] if self._app is not None else None
        for secret in (self._password, self._auth, self._token, app_key):
            if secret:
                text = text.replace(secret, "***")
        return text


class _BadToken(Exception):
    """The server said the write token is not valid (Google-Bad-Token)."""


class _Busy(Exception):
    """The server is too busy now and says when to come back (`wait` seconds)."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


class _Refused(Exception):
    """The server refused the auth token (HTTP 401 or 403)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _decode_json(text: str, where: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ProtocolError(
            _("{url}: the {name} answer is not JSON").format(url=where, name=name)
        ) from None


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
