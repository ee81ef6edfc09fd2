"""One access line per request, and unexpected errors as JSON 500s."""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import quote

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import errors

access_log = logging.getLogger("descent.access")


class AccessLog:
    """``method=GET path=/api/v1/functions status=200 duration_ms=1.93`` per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        except asyncio.CancelledError:
            status = status or 499  # the client went away first (nginx's code for it)
            raise
        finally:
            status = status or 500  # no answer from the app: the server sends a 500
            duration_ms = (time.perf_counter() - start) * 1e3
            # Quoting keeps one request on one line whatever the client sent.
            path = quote(scope["path"], safe="/:@!$&'()*+,;=-._~")
            access_log.info(
                "method=%s path=%s status=%d duration_ms=%.2f",
                scope["method"], path, status, duration_ms,
                extra={"method": scope["method"], "path": path, "status": status,
                       "duration_ms": round(duration_ms, 2)},
            )  # fmt: skip


class CatchErrors:
    """Unexpected exceptions become ``errors.unexpected_error``'s JSON 500 here, inside the
    header and log layers, rather than in Starlette's outermost ServerErrorMiddleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        except Exception as exc:
            if started:  # too late for a clean 500: let the server drop the connection
                raise
            response = await errors.unexpected_error(Request(scope), exc)
            await response(scope, receive, send)
