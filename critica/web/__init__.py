"""The web UI: HTML pages over the same page builders as the JSON API.

``install(app)`` mounts the pages and static files, adds the security headers
and makes errors on HTML addresses render a friendly page (API errors stay JSON).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from critica.errors import CriticaError, http_status
from critica.web.routes import HERE, render, router

API = ("/api/", "/healthz", "/openapi.json", "/docs")
# The API docs page: Swagger UI 5 from the fastapi-offline package's files (its own page
# builder writes inline scripts, so it is not used), started by a script
# file of ours (no inline script, no CDN), so it works offline and under the CSP.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>critica API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<script src="/docs/assets/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body><div id="swagger-ui"></div></body>
</html>
"""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
TITLES = {404: "Page not found", 401: "Token needed", 422: "That didn't work"}

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class SecurityHeaders:
    """ASGI middleware: CSP, frame, sniffing and referrer headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(HEADERS)
        extra.append((b"content-security-policy", CSP.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_html(request: Request) -> bool:
    """Whether the address belongs to the web UI rather than the JSON API."""
    return not request.url.path.startswith(API)


def error_page(request: Request, status: int, message: str) -> Response:
    """A friendly HTML error page."""
    heading = TITLES.get(status, "Something went wrong")
    return render(request, "error.html", {"status": status, "heading": heading,
                                          "message": message}, status)  # fmt: skip


def html_or(app: FastAPI, exc_class: Any, page: Callable[[Any], tuple[int, str]]) -> None:
    """Render errors of ``exc_class`` as a page on HTML addresses; keep the API's JSON handler."""
    fallback: Handler | None = app.exception_handlers.get(exc_class)

    async def handle(request: Request, exc: Any) -> Response:
        if is_html(request) or fallback is None:
            return error_page(request, *page(exc))
        answer = fallback(request, exc)
        return answer if isinstance(answer, Response) else await answer

    app.add_exception_handler(exc_class, handle)


def _http_error(exc: HTTPException) -> tuple[int, str]:
    if exc.status_code == 404:
        return 404, "There is nothing at this address. Try the search, or start from the home page."
    return exc.status_code, str(exc.detail)


def install(app: FastAPI) -> None:
    """Add the web pages, static files, security headers and HTML error pages to ``app``."""
    html_or(app, CriticaError, lambda e: (http_status(e), str(e)))
    html_or(app, HTTPException, _http_error)
    html_or(
        app,
        RequestValidationError,
        lambda e: (422, "That address or form has a value we can't use; check it and retry."),
    )
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    swagger = Path(str(files("fastapi_offline") / "static"))
    app.mount("/docs/assets", StaticFiles(directory=swagger), name="swagger-ui")

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI over /openapi.json, from files in the package."""
        return HTMLResponse(DOCS_PAGE)

    app.add_middleware(SecurityHeaders)
