"""Request bodies: 413 past the size limit, 415 when JSON was expected but not sent."""

from __future__ import annotations

import re

from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.middleware.asgi import header, send_json


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
        declared = header(scope, b"content-length")
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
            and not is_json(content_type := header(scope, b"content-type"))
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
        length = header(scope, b"content-length")
        if length is not None:
            return length.strip() not in ("", "0")
        return header(scope, b"transfer-encoding") is not None

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
