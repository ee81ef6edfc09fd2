"""A worker process's life (``app.api.processes`` starts them): build the application
without middleware, then answer the heavy requests the server hands over, one at a time.

The server sends a ``Job`` (the request's plain ASGI scope, its body, its deadline); the
worker runs it through the routes as an ASGI call, with a ``receive`` that turns the
shared flag into ``http.disconnect`` when the client leaves, and sends back status and
headers (pickled), then the body on its own. Imports nothing of the app until it runs in
the worker: the server imports this module for ``Job`` and ``serve``'s name only.
"""

from __future__ import annotations

import asyncio
import ctypes
import pickle
import signal
from dataclasses import dataclass

CLIENT_LEFT = 1  # the shared flag's value when the request's client has left


@dataclass(frozen=True)
class Job:
    scope: dict  # the ASGI scope's plain fields
    body: bytes
    deadline: float  # time.monotonic() after which the work stops


async def _answer(app, job: Job, flag) -> tuple[int, list, bytes]:
    from app.api.admission import inherited_deadline

    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": job.body, "more_body": False}
        while flag.value != CLIENT_LEFT:
            await asyncio.sleep(0.02)
        return {"type": "http.disconnect"}

    start: dict = {}
    chunks: list[bytes] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    inherited_deadline.set(job.deadline)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "state": {}, **job.scope}
    await app(scope, receive, send)
    return start["status"], list(start.get("headers", [])), b"".join(chunks)


def serve(connection, flag) -> None:
    """A worker's life: build the app, say ready, answer jobs until the server goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:  # and if the server is killed, so is this process (Linux: PR_SET_PDEATHSIG)
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    from app.main import create_app
    from app.middleware.logs import CatchErrors

    app = CatchErrors(create_app(middleware=False))  # its JSON 500, logged here
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    connection.send_bytes(b"ready")
    while True:
        try:
            job = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return  # the server closed its end
        try:
            status, headers, body = loop.run_until_complete(_answer(app, job, flag))
        except Exception:  # after the response started: the server drops the connection
            status, headers = 500, [(b"content-type", b"application/json")]
            body = b'{"detail":"internal error"}'
        # the body on its own, not pickled: a copy fewer of up to ~100 MB on each side
        connection.send_bytes(pickle.dumps((status, headers)))
        connection.send_bytes(body)
        del body
