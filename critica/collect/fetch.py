"""Fetching as a crawler outlets tolerate: robots.txt honoured, a delay between requests
to one host, conditional GETs, a User-Agent that says who we are, retries with backoff on
429 and 5xx that respect Retry-After, caps on size and time, and the private-address guard
on every hop."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import stamina

from critica import __version__, config
from critica.errors import FetchError
from critica.inputs.sources import MAX_REDIRECTS, _checked_address, _pinned

if TYPE_CHECKING:
    import httpx
    from protego import Protego

ROBOTS_TOKEN = "critica"  # the name robots.txt rules address


def user_agent() -> str:
    """``critica/VERSION (+contact)``: the contact from the ``collect_contact`` setting."""
    contact = str(config.get("collect_contact") or "").strip()
    return f"critica/{__version__} (review collector{'; +' + contact if contact else ''})"


@dataclass
class Page:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional GET of something unchanged
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None


class Retryable(FetchError):
    """A 429 or 5xx answer: worth another try, after ``retry_after`` seconds if it said."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Deferred(FetchError):
    """The host asks us to come back later than this pass can wait."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class Refused(FetchError):
    """A 4xx answer (429 aside): the address is not there for us; ``status`` says which."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Disallowed(FetchError):
    """robots.txt forbids the address to critica."""


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None without one."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Fetcher:
    """One collector's HTTP client. ``polite=False`` drops the per-host delay and the
    robots.txt check (for measuring what politeness costs; never the default)."""

    polite: bool = True
    delay: float = field(default_factory=lambda: float(config.get("collect_delay")))
    retries: int = field(default_factory=lambda: int(config.get("collect_retries")))
    max_wait: float = field(default_factory=lambda: float(config.get("collect_max_wait")))
    requests: int = 0  # sent, retries and robots.txt included
    _last: dict[str, float] = field(default_factory=dict)  # host -> when we last asked it
    _robots: dict[str, Protego | None] = field(default_factory=dict)  # origin -> rules
    _client: httpx.Client | None = None

    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            timeout = float(config.get("fetch_timeout"))
            self._client = httpx.Client(timeout=timeout, headers={"User-Agent": user_agent()})
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Page:
        """GET ``url`` politely: 200 with the body, or 304 when ``etag``/``last_modified``
        show it unchanged. Raises ``Disallowed``, ``Deferred`` or ``FetchError``."""
        if self.polite and not self.allowed(url):
            raise Disallowed(f"robots.txt of {urlsplit(url).netloc} forbids {url} to critica")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in stamina.retry_context(
            on=self._backoff, attempts=self.retries + 1, timeout=None, wait_initial=1.0,
            wait_max=self.max_wait,
        ):  # fmt: skip
            with attempt:
                return self._get(url, headers)
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    def _backoff(self, exc: BaseException) -> bool | float:
        """stamina's hook: retry a 429 or 5xx, after its Retry-After when it gave one."""
        if not isinstance(exc, Retryable):
            return False
        if exc.retry_after is None:
            return True
        return exc.retry_after

    def _wait_turn(self, host: str) -> None:
        if not self.polite:
            return
        gap = self.delay
        rules = self._robots.get(host)
        if rules is not None:
            gap = max(gap, float(rules.crawl_delay(ROBOTS_TOKEN) or 0.0))
        wait = self._last.get(host, -1e9) + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()

    def _get(self, url: str, headers: dict[str, str]) -> Page:
        import httpx

        current = httpx.URL(url)
        deadline = time.monotonic() + float(config.get("fetch_timeout")) * 3
        for _ in range(MAX_REDIRECTS + 1):
            if current.scheme not in ("http", "https"):
                raise FetchError(f"cannot fetch {current}: only http and https are supported")
            target, host_header, extensions = _pinned(current, _checked_address(current))
            self._wait_turn(current.netloc.decode())
            request = self.client().build_request(
                "GET", target, headers={**headers, **host_header}, extensions=extensions
            )
            self.requests += 1
            try:
                response = self.client().send(request, stream=True)
            except httpx.TimeoutException:
                raise Retryable(f"{current} did not answer in time", None) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {current}: {exc}") from None
            try:
                if response.is_redirect and "location" in response.headers:
                    current = current.join(response.headers["location"])
                    continue
                return self._read(response, str(current), deadline)
            finally:
                response.close()
        raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times")

    def _read(self, response: httpx.Response, url: str, deadline: float) -> Page:
        status = response.status_code
        if status == 304:
            return Page(url, 304, etag=response.headers.get("etag"))
        if status == 429 or status >= 500:
            wait = retry_after(response.headers.get("retry-after"))
            if wait is not None and wait > self.max_wait:
                until = datetime.fromtimestamp(time.time() + wait, UTC)
                raise Deferred(f"{url} asks us to come back in {wait:.0f} s", until)
            raise Retryable(f"{url} answered HTTP {status}", wait)
        if status >= 400:
            raise Refused(f"{url} answered HTTP {status} {response.reason_phrase}", status)
        limit, chunks, size = int(config.get("max_input_bytes")), [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url} is over {limit:,} bytes; raise CRITICA_MAX_INPUT_BYTES")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took too long to download")
            chunks.append(chunk)
        return Page(
            url,
            status,
            b"".join(chunks),
            response.headers.get("content-type", ""),
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets critica fetch ``url`` (read once per host and pass). A
        missing robots.txt (4xx) allows everything; one that fails (5xx, unreachable)
        forbids everything for this pass, as RFC 9309 asks."""
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self._robots:
            self._robots[host] = self._read_robots(f"{parts.scheme}://{host}/robots.txt")
        rules = self._robots[host]
        return True if rules is None else bool(rules.can_fetch(url, ROBOTS_TOKEN))

    def _read_robots(self, url: str) -> Protego | None:
        from protego import Protego

        try:
            page = self._get(url, {})
        except Refused:
            return None  # no robots.txt: everything is allowed
        except FetchError:  # 5xx, unreachable: nothing is, this pass (RFC 9309)
            return Protego.parse("User-agent: *\nDisallow: /")
        return Protego.parse(page.body.decode("utf-8", "replace"))
