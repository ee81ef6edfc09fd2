"""HTTP middleware: access log, security headers, CORS, errors, body-size limit, ETags.

All of it is pure ASGI (no BaseHTTPMiddleware): each layer only looks at the messages
passing by, so a request costs a few dictionary operations. From the outside in:

- ``AccessLog``: one ``descent.access`` line per request (method, path, status, duration).
- ``SecurityHeaders``: CSP, nosniff, Referrer-Policy, … on every response.
- Starlette's ``CORSMiddleware``, only when ``settings.cors_origins`` names origins.
- ``CatchErrors``: an unexpected exception becomes a JSON 500 (logged here, with its
  traceback, never sent to the client) that still passes through the layers above.
- ``BodyLimit``: request bodies over ``settings.max_body_bytes`` get a JSON 413.
- ``JsonBodies``: a body that is not JSON, posted where JSON is expected, gets a JSON 415.
- ``ETags``: ETag + Cache-Control on the deterministic GETs, 304 on ``If-None-Match``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import sys
import time
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import errors
from app.config import Settings, settings

access_log = logging.getLogger("descent.access")

# Deterministic GETs: same URL, same body (until the server is upgraded).
CACHED_PREFIXES = ("/api/v1/functions", "/api/v1/optimizers")
# Swagger UI and ReDoc come from a CDN and start with an inline script.
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def content_security_policy(frame_ancestors: str, docs: bool = False) -> str:
    """The CSP: no inline script and no eval, except on FastAPI's /docs and /redoc pages,
    which load Swagger UI / ReDoc from a CDN and start them with an inline script."""
    cdn = "https://cdn.jsdelivr.net"
    if docs:
        script = f"script-src 'self' 'unsafe-inline' {cdn}"
        style = f"style-src 'self' 'unsafe-inline' {cdn} https://fonts.googleapis.com"
        img = "img-src 'self' data: blob: https://fastapi.tiangolo.com"
        font = "font-src 'self' data: https://fonts.gstatic.com"
    else:
        script = "script-src 'self'"
        style = "style-src 'self' 'unsafe-inline'"  # Plotly.js sets inline styles
        img = "img-src 'self' data: blob:"  # Plotly's icons and image export
        font = "font-src 'self' data:"
    directives = ["default-src 'self'", script, style, img, "connect-src 'self'", font]
    if docs:
        directives.append("worker-src 'self' blob:")  # ReDoc's search runs in a worker
    directives += ["object-src 'none'", "base-uri 'self'", f"frame-ancestors {frame_ancestors}"]
    return "; ".join(directives)


def security_headers(config: Settings, docs: bool = False) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(config.frame_ancestors, docs),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "cross-origin-opener-policy": "same-origin",
    }
    # X-Frame-Options for browsers without CSP frame-ancestors, when it can say the same.
    legacy = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(config.frame_ancestors.strip())
    if legacy:
        headers["x-frame-options"] = legacy
    return [(k.encode(), v.encode()) for k, v in headers.items()]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _without(headers: list[tuple[bytes, bytes]], names: set[bytes]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in names]


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


class SecurityHeaders:
    def __init__(self, app: ASGIApp, config: Settings) -> None:
        self.app = app
        self.headers = security_headers(config)
        self.docs_headers = security_headers(config, docs=True)
        self.names = {k for k, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"] in DOCS_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = _without(list(message.get("headers", ())), self.names)
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")


class BodyLimit:
    """413 for a declared Content-Length over the limit, before reading anything; a body
    without one (chunked) is counted as it arrives and stopped once it passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False  # the server rejects a malformed Content-Length itself
            if too_large:
                await self.reject(scope, receive, send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def send_and_watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, send_and_watch)
        except BodyTooLarge:
            # FastAPI turns it into the 413 itself when a route reads the body; this is for
            # anything else that reads it.
            if started:
                raise
            await self.reject(scope, receive, send)

    async def reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Connection: close, as the unread body would otherwise be taken for the next request.
        detail = BodyTooLarge(self.max_bytes).detail
        await send_json(send, 413, {"detail": detail}, [(b"connection", b"close")])


async def send_json(
    send: Send, status: int, content: dict, headers: list[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class JsonBodies:
    """415 with a JSON ``detail`` when a body that is not JSON is posted to an operation that
    takes a JSON body (say ``curl -d`` without ``-H 'content-type: application/json'``),
    instead of a 422 about a missing object that would puzzle a student. The operations are
    read from the app's OpenAPI schema, once."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self.patterns: list[re.Pattern] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and self.has_body(scope)
            and not is_json(content_type := _header(scope, b"content-type"))
            and self.takes_json(scope["path"])
        ):
            media_type = (content_type or "none").partition(";")[0].strip()[:100]
            detail = (
                "send the request body as JSON with Content-Type: application/json "
                f"(got {media_type})"
            )
            await send_json(send, 415, {"detail": detail})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def has_body(scope: Scope) -> bool:
        length = _header(scope, b"content-length")
        if length is not None:
            return length.strip() not in ("", "0")
        return _header(scope, b"transfer-encoding") is not None

    def takes_json(self, path: str) -> bool:
        if self.patterns is None:
            self.patterns = json_post_paths(self.api.openapi())
        return any(p.fullmatch(path) for p in self.patterns)


def json_post_paths(schema: dict) -> list[re.Pattern]:
    """Regexes of the paths whose POST operation takes a JSON body."""
    patterns = []
    for template, operations in schema.get("paths", {}).items():
        content = operations.get("post", {}).get("requestBody", {}).get("content", {})
        if "application/json" in content:
            parts = re.split(r"(\{[^}]+\})", template)
            regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            patterns.append(re.compile(regex))
    return patterns


def document_responses(app: FastAPI, config: Settings) -> None:
    """Add the 413 and 415 that these layers answer to every operation with a body, so that
    the OpenAPI schema states the body-size bound too."""
    original = app.openapi
    error = {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    }
    added = {
        "413": f"Request body larger than {config.max_body_bytes} bytes",
        "415": "Request body not sent as application/json",
    }

    def openapi() -> dict:
        schema = original()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    responses = operation.setdefault("responses", {})
                    for status, description in added.items():
                        responses.setdefault(status, {"description": description, "content": error})
        return schema

    app.openapi = openapi


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
            etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
            headers = _without(list(start.get("headers", ())), {b"etag", b"cache-control"})
            headers += [(b"etag", etag.encode()), (b"cache-control", self.cache_control)]
            if etag_matches(_header(scope, b"if-none-match"), etag):
                kept = _without(headers, {b"content-length", b"content-type"})
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
            else:
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffer)


def configure_logging(level: str) -> None:
    """Print ``descent.*`` records (the access log and server-side errors) to stderr unless
    logging was configured already (e.g. by a ``--log-config`` or a test runner)."""
    logger = logging.getLogger("descent")
    logger.setLevel(level.upper())
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)


def install(app: FastAPI, config: Settings = settings) -> None:
    """Add every middleware to ``app`` (the last added is the outermost)."""
    configure_logging(config.log_level)
    document_responses(app, config)
    app.add_middleware(ETags, max_age=config.cache_max_age)
    app.add_middleware(JsonBodies, api=app)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(CatchErrors)
    origins = [o.strip() for o in config.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, config=config)
    app.add_middleware(AccessLog)
