"""The HTTP protocol `critica serve` runs: uvicorn's h11 protocol with a header-read timeout.

uvicorn limits how long an idle keep-alive connection may stay open, but not how long a
client may take to send a request's headers: a client that drips one header byte every
few seconds (slowloris) holds its connection, and enough of them hold every connection
the server has. Here each request's headers must arrive within ``header_timeout`` seconds
of its first byte (or of the connection opening, for the first request); past that a
client that sent part of a request gets ``408 Request Timeout``, and the connection is
closed either way. Bodies and responses are not affected: a slow upload is limited by
the request timeout and size cap instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from critica.config import get


def run(app: Any, host: str, port: int, **options: Any) -> None:
    """Serve ``app`` (an ASGI app, or an import string with ``factory=True``) with uvicorn,
    using this protocol: the one way `critica serve` and `critica demo` start a server."""
    import uvicorn

    uvicorn.run(
        app, host=host, port=port, log_level="warning", http=HeaderTimeoutProtocol, **options
    )


_LATE = b"The request's headers took too long to send."
TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_LATE), _LATE)
)


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose headers do not arrive in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = float(get("header_timeout"))
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers():
            self._arm_header_timer()  # the next request has begun: its headers are timed
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if not self._waiting_for_headers():
            self._disarm_header_timer()

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting_for_headers():
            return
        if self._partial():
            self.transport.write(TIMED_OUT)
        self.transport.close()

    def _partial(self) -> bool:
        """Whether part of a request has arrived (else the connection just sat idle)."""
        return bool(self.conn.trailing_data[0])
