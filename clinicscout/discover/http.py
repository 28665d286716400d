"""A small JSON-over-HTTP client for the open-data sources, polite and explicit about failures.

Every request identifies clinicscout (User-Agent), has a timeout, and backs off when the
service says it is overloaded (HTTP 429, or 503/504 from a busy Overpass instance), a bounded
number of times. Every failure becomes a :class:`SourceError` whose message names the source,
the URL and what went wrong, so the operator can tell a rate limit from a broken answer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

_RETRYABLE = {429, 503, 504}


def _user_agent() -> str:
    try:
        release = version("clinicscout")
    except PackageNotFoundError:
        release = "dev"
    return f"clinicscout/{release} (microneedling clinic directory; open-data discovery)"


USER_AGENT = _user_agent()


class SourceError(RuntimeError):
    """A source could not give a usable answer; the message says which and why."""


@dataclass
class JsonClient:
    """GET and POST returning parsed JSON; ``source`` names the service in error messages."""

    source: str
    timeout: float = 60.0
    retries: int = 3  # extra attempts after a 429/503/504
    backoff: float = 5.0  # first wait in seconds when the service gives no Retry-After
    max_wait: float = 120.0  # a Retry-After beyond this is capped
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    requests_made: int = 0

    def get(self, url: str, params: dict[str, Any]) -> Any:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return self._request(urllib.request.Request(f"{url}?{query}" if query else url))

    def post_form(self, url: str, form: dict[str, str]) -> Any:
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        })
        return self._request(request)

    def _request(self, request: urllib.request.Request) -> Any:
        request.add_header("User-Agent", USER_AGENT)
        request.add_header("Accept", "application/json")
        url = request.full_url.split("?")[0]
        for attempt in range(self.retries + 1):
            self.requests_made += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                return self._parse(raw, url)
            except urllib.error.HTTPError as error:
                if error.code in _RETRYABLE and attempt < self.retries:
                    self.sleep(self._wait(error, attempt))
                    continue
                raise SourceError(self._http_message(error, url, attempt)) from None
            except TimeoutError:
                raise SourceError(
                    f"{self.source}: no answer from {url} within {self.timeout:g} s (timeout)"
                ) from None
            except urllib.error.URLError as error:
                reason = error.reason
                if isinstance(reason, TimeoutError):
                    raise SourceError(
                        f"{self.source}: no answer from {url} within {self.timeout:g} s (timeout)"
                    ) from None
                raise SourceError(f"{self.source}: cannot reach {url}: {reason}") from None
            except (ConnectionError, OSError) as error:
                raise SourceError(f"{self.source}: connection to {url} failed: {error}") from None
        raise AssertionError("unreachable: the loop returns or raises")

    def _wait(self, error: urllib.error.HTTPError, attempt: int) -> float:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_wait)
        return min(self.backoff * 2**attempt, self.max_wait)

    def _http_message(self, error: urllib.error.HTTPError, url: str, attempt: int) -> str:
        if error.code == 429:
            return (f"{self.source}: rate limited by {url} (HTTP 429) after {attempt + 1} "
                    "attempts; wait a few minutes and try again")
        try:
            detail = " ".join(error.read(300).decode("utf-8", "replace").split())
        except OSError:
            detail = ""
        tail = f": {detail}" if detail else ""
        return f"{self.source}: {url} answered HTTP {error.code} {error.reason}{tail}"

    def _parse(self, raw: bytes, url: str) -> Any:
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            start = " ".join(raw[:80].decode("utf-8", "replace").split())
            raise SourceError(
                f"{self.source}: malformed JSON from {url} ({error}); the answer began {start!r}"
            ) from None
