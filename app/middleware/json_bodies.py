"""JSON bodies are parsed strictly before the app sees them: a duplicated key is a 422
naming it (instead of the last one silently winning), and a body nested too deeply for
the parser is a 422 (instead of a 400 about "an error parsing the body"). Other errors
(not JSON, not UTF-8) are left to FastAPI's own 422 json_invalid."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.admission import off_loop
from app.middleware.asgi import header, send_json
from app.middleware.bodies import is_json

INLINE_BYTES = 16_384  # bodies up to this size are checked on the event loop (< 0.1 ms)


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return result


def problem(body: bytes) -> dict | None:
    """The 422 error of a JSON body that parses but must be refused, or None."""
    try:
        json.loads(body, object_pairs_hook=_unique)
    except DuplicateKey as error:
        key = error.key[:100]
        return {"loc": ["body", key], "msg": f"duplicate key '{key}' in the JSON body",
                "type": "value_error"}  # fmt: skip
    except RecursionError:
        return {"loc": ["body"], "msg": "the JSON body is nested too deeply",
                "type": "json_invalid"}  # fmt: skip
    except ValueError:  # not JSON or not UTF-8: FastAPI answers those
        return None
    return None


class StrictJson:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] in ("POST", "PUT", "PATCH")
            and is_json(header(scope, b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:  # bounded: BodyLimit, outside this layer, counts what is received
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if len(body) > INLINE_BYTES:  # a 10,000-point fit parses in ms: not on the loop,
            # and on the planning threads (as many as cores), not up to 40 at once: each
            # thread parsing at the same time is one more taker of the GIL the loop needs
            error = await off_loop(problem, body)
        else:
            error = problem(body) if body else None
        if error is not None:
            await send_json(send, 422, {"detail": [error]})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
