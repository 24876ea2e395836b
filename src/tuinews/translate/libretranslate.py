"""A LibreTranslate server as a backend: `POST /translate` and `GET /languages`, over httpx.

The API (https://libretranslate.com/docs): `/translate` takes JSON `{q, source, target, format,
api_key}`, where `q` may be a list, and answers `{translatedText}` (a list for a list); errors are
400/403/429/500 with `{"error": "..."}`. `/languages` lists `{code, name, targets}`.
"""

from __future__ import annotations

from typing import Any

import httpx

from tuinews.i18n import _
from tuinews.translate.base import TranslateError, batches, one_line


class LibreTranslate:
    """A LibreTranslate client. One instance belongs to one thread; `close()` it when done."""

    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.requests = 0
        """How many HTTP requests this client has made."""
        self._languages: dict[str, set[str]] | None = None
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "tuinews"},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> LibreTranslate:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def languages(self) -> set[str]:
        """The server's language codes (asked once)."""
        return set(self.pairs())

    def pairs(self) -> dict[str, set[str]]:
        """Each source language code with the codes it translates into (asked once)."""
        if self._languages is None:
            data = self._request("GET", "/languages")
            if not isinstance(data, list):
                raise TranslateError(
                    _("{url}: {path} is not a LibreTranslate answer").format(
                        url=self.url, path="/languages"
                    )
                )
            found: dict[str, set[str]] = {}
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("code"), str):
                    targets = item.get("targets") or []
                    found[item["code"]] = {t for t in targets if isinstance(t, str)}
            self._languages = found
        return self._languages

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate in batches of paragraphs: a long article is a handful of requests."""
        out: list[str] = []
        for batch in batches(texts):
            out.extend(self._translate_batch(batch, source, target))
        return out

    def _translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        payload: dict[str, Any] = {
            "q": texts,
            "source": source,
            "target": target,
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        data = self._request("POST", "/translate", json=payload)
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if (
            not isinstance(translated, list)
            or len(translated) != len(texts)
            or not all(isinstance(text, str) for text in translated)
        ):
            raise TranslateError(
                _("{url}: {path} is not a LibreTranslate answer").format(
                    url=self.url, path="/translate"
                )
            )
        return translated

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.url + path
        self.requests += 1
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise TranslateError(
                _("{url}: no answer within {seconds} s").format(
                    url=self.url, seconds=f"{self.timeout:g}"
                )
            ) from None
        except httpx.ConnectError as exc:
            raise TranslateError(
                _("{url}: cannot connect: {reason}").format(url=self.url, reason=_reason(exc))
            ) from None
        except httpx.HTTPError as exc:
            raise TranslateError(f"{self.url}: {_reason(exc)}") from None
        if response.status_code != 200:
            raise TranslateError(_status_message(self.url, response))
        try:
            return response.json()
        except ValueError:
            raise TranslateError(
                _("{url}: the answer is not JSON").format(url=self.url + path)
            ) from None


def _status_message(url: str, response: httpx.Response) -> str:
    status = response.status_code
    error = ""
    try:
        data = response.json()
        if isinstance(data, dict) and data.get("error"):
            error = one_line(str(data["error"]), 200)
    except ValueError:
        pass
    error = error or response.reason_phrase or _("error")
    if status == 400:
        return f"{url}: {error}"
    if status == 403:
        return _("{url}: refused ({error}); check [translate] api_key").format(url=url, error=error)
    if status == 429:
        return _("{url}: too many requests ({error}); try again later").format(url=url, error=error)
    if status == 404:
        return _("{url}: not found (HTTP 404); is this a LibreTranslate server?").format(url=url)
    return _("{url}: server error {status}: {error}").format(url=url, status=status, error=error)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return one_line(text, 200)
