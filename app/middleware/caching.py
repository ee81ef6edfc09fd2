"""ETag and Cache-Control for the deterministic GETs; 304 on If-None-Match."""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.middleware.asgi import header, without

OFF_LOOP_BYTES = 256 * 1024
# Deterministic GETs: same URL, same body (until the server is upgraded).
CACHED_PREFIXES = ("/api/v1/functions", "/api/v1/optimizers")


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


class ETags:
    """A strong ETag (hash of the body) and Cache-Control on 200 GETs under
    ``CACHED_PREFIXES``; 304 without a body when ``If-None-Match`` names it. Static files
    (which Starlette already tags) get ``Cache-Control: no-cache``: their URLs carry no
    version, so browsers revalidate and get 304s."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/static/"):
            await self.app(scope, receive, self._no_cache(send))
        elif path.startswith(CACHED_PREFIXES):
            await self._tagged(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    @staticmethod
    def _no_cache(send: Send) -> Send:
        async def send_no_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    message = {**message, "headers": headers + [(b"cache-control", b"no-cache")]}
            await send(message)

        return send_no_cache

    async def _tagged(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                else:
                    start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if len(body) > OFF_LOOP_BYTES:  # hashing megabytes would stall the event loop
                digest = await run_in_threadpool(_digest, body)
            else:
                digest = _digest(body)
            etag = '"' + digest + '"'
            headers = without(list(start.get("headers", ())), {b"etag", b"cache-control"})
            headers += [(b"etag", etag.encode()), (b"cache-control", self.cache_control)]
            if etag_matches(header(scope, b"if-none-match"), etag):
                kept = without(headers, {b"content-length", b"content-type"})
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
            else:
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffer)
