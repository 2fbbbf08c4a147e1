"""What bounds every request: body size, time, a last-resort 500 (ASGI middleware), a
relative trailing-slash redirect, and a per-client limit on failed token checks.

Starlette sends an unexpected error's 500 from its outermost layer, past every
other middleware; ``Guard`` answers it first, so the reply is still JSON on API
addresses, an HTML page elsewhere, and carries the security headers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict, deque
from urllib.parse import quote

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from critica.errors import RateLimitError

log = logging.getLogger("critica.api")
API_PREFIXES = ("/api/", "/healthz", "/openapi.json")


class BodyTooLarge(Exception):
    pass


def _answer(scope: Scope, status: int, error: str, message: str) -> Response:
    if str(scope.get("path", "")).startswith(API_PREFIXES):
        return JSONResponse({"error": error, "message": message}, status)
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>critica</title>"
        f"<h1>{status}</h1><p>{message}</p>",  # fixed text only: nothing from the request
        status,
    )


def _has_nul(query: bytes) -> bool:
    """Whether a raw query string carries a NUL, encoded or not (PostgreSQL cannot hold one)."""
    return b"\x00" in query or b"%00" in query


class Guard:
    """Refuse bodies over ``max_bytes`` (413) and query strings with a NUL (422, the same on
    SQLite and PostgreSQL), stop requests after ``timeout`` s (503), and turn an unexpected
    error into a clean 500 that says nothing internal."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = (
            f"the request body is over the {self.max_bytes:,}-byte limit; send less "
            "(split the review) or raise CRITICA_MAX_REQUEST_BYTES"
        )
        if _has_nul(scope.get("query_string") or b""):
            message = (
                "a query parameter contains a NUL character (%00), which no name, word or "
                "filter holds; remove it"
            )
            await _answer(scope, 422, "InputError", message)(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _answer(scope, 413, "InputError", too_large)(scope, receive, send)
            return
        started = overflow = False
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen, overflow
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                overflow = True
                raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if overflow:  # the app caught BodyTooLarge and answered: answer 413 instead
                if not started:
                    started = True
                    await _answer(scope, 413, "InputError", too_large)(scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, counted_receive, watched_send), self.timeout)
        except BodyTooLarge:
            if not started:
                await _answer(scope, 413, "InputError", too_large)(scope, receive, send)
        except TimeoutError:
            if not started:
                message = (
                    f"the request took longer than {self.timeout:g} s and was stopped; "
                    "send a shorter review, or raise CRITICA_REQUEST_TIMEOUT"
                )
                await _answer(scope, 503, "Timeout", message)(scope, receive, send)
        except Exception:
            log.exception("unexpected error serving %s", scope.get("path"))
            if not started:
                message = (
                    "critica hit an unexpected error and logged it; retry, and report "
                    "it if it happens again"
                )
                await _answer(scope, 500, "ServerError", message)(scope, receive, send)


class TrailingSlash:
    """``/titles/`` → ``/titles`` with a relative ``Location`` (307 keeps the method).

    Starlette's own slash redirect builds an absolute URL from the request's ``Host``
    header, which anyone can set; no critica address ends with a slash but ``/``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            target = quote(path.rstrip("/") or "/")
            if query := scope.get("query_string", b""):
                target += "?" + query.decode("latin-1")
            await Response(status_code=307, headers={"location": target})(scope, receive, send)
            return
        await self.app(scope, receive, send)


class FailedAuth:
    """Failed token checks per client: past ``limit`` in ``window`` seconds, the client is
    refused (429) until its oldest failure leaves the window. Memory stays bounded: at most
    ``clients`` are remembered, the least recent dropped first."""

    def __init__(self, limit: int = 20, window: float = 60.0, clients: int = 10_000) -> None:
        self.limit, self.window, self.clients = limit, window, clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise ``RateLimitError`` when ``client`` has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            seen = self._failures.get(client)
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if seen and len(seen) >= self.limit:
                wait = max(1, int(self.window - (now - seen[0])) + 1)
                raise RateLimitError(
                    f"too many requests with an invalid token from this address; wait {wait} s, "
                    "then send a valid one (`critica token create NAME`)",
                    wait,
                )

    def failed(self, client: str) -> None:
        """Count one failed check for ``client``."""
        with self._lock:
            seen = self._failures.setdefault(client, deque(maxlen=self.limit))
            seen.append(time.monotonic())
            self._failures.move_to_end(client)
            while len(self._failures) > self.clients:
                self._failures.popitem(last=False)
