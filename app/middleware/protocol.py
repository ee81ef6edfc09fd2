"""uvicorn's HTTP protocol with a read timeout: ``--http app.middleware.protocol:Guarded``.

uvicorn times out idle keep-alive connections but not a request that arrives slowly: a
client that trickles its headers (or body) holds a socket forever, and a thousand of them
exhaust the process's file descriptors, /healthz included. Here a request's head and body
must arrive within ``header_timeout_seconds`` of its first byte (or of the connection
opening); else the connection is closed. The response phase is bounded by the request
deadline instead (``app.api.admission``). Idle keep-alive: ``keep_alive_seconds``.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import settings


class Guarded(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timeout_keep_alive = settings.keep_alive_seconds
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(settings.header_timeout_seconds, self._expire)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _expire(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()
