"""The room sockets connected to this process, and delivery of a message to them.

A message for a room (an ``Envelope``) is serialized once, not once per socket: the
teacher's text and the students' text are made by the sender, and with Redis they travel
through pub/sub as they are (``encode``/``decode``), so a replica only forwards text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from starlette.websockets import WebSocket, WebSocketState

SEND_SECONDS = 5.0


def to_json(value) -> bytes:
    """Compact JSON, numpy arrays included (a trail's points stay one array until here:
    200 Python lists per run would keep the garbage collector busy on the event loop);
    NaN and infinities become null. orjson never writes a raw newline (``encode``)."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


def dumps(message: dict) -> str:
    return to_json(message).decode()


@dataclass(frozen=True)
class Envelope:
    code: str
    teacher: str | None = None  # text for the teacher's sockets
    student: str | None = None  # text for students' sockets
    only: str | None = None  # the one participant the student text is for
    close: int = 0  # then close the addressed sockets with this code (0: keep them)
    changed: bool = True  # the room's settings or people changed (not so for new runs)

    def encode(self) -> bytes:
        head = (self.code, self.only or "", str(self.close), str(int(self.changed)))
        return "\n".join((*head, self.teacher or "", self.student or "")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Envelope:
        code, only, close, changed, teacher, student = data.decode().split("\n", 5)
        return cls(code, teacher or None, student or None, only or None, int(close),
                   changed == "1")  # fmt: skip


def envelope(
    code: str, teacher: dict | None = None, student: dict | None = None,
    only: str | None = None, close: int = 0, changed: bool = True,
) -> Envelope:  # fmt: skip
    teacher_text, student_text = teacher and dumps(teacher), student and dumps(student)
    return Envelope(code, teacher_text, student_text, only, close, changed)


async def send_text(ws: WebSocket, text: str) -> None:
    if ws.application_state != WebSocketState.CONNECTED:
        return
    try:
        await asyncio.wait_for(ws.send_text(text), SEND_SECONDS)
    except Exception:  # noqa: BLE001 (a gone or stuck client: its own loop ends it)
        pass


async def close(ws: WebSocket, code: int, reason: str = "") -> None:
    try:
        await ws.close(code, reason)
    except Exception:  # noqa: BLE001 (already closed)
        pass


class Hub:
    """Sockets of this process by room: (websocket, role, participant id or None).

    A socket joins before its welcome is written, so that nothing published meanwhile is
    lost; what arrives for it until ``welcomed`` waits, and is sent after the welcome in
    order (a reconnecting teacher once got a student's "joined" before its "welcome")."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[tuple[WebSocket, str, str | None]]] = {}
        self.waiting: dict[WebSocket, list[str]] = {}  # sockets not yet welcomed

    def add(self, code: str, entry: tuple) -> None:
        self.waiting[entry[0]] = []
        self.rooms.setdefault(code, set()).add(entry)

    async def welcomed(self, entry: tuple) -> None:
        """Its welcome is sent: now what waited, then everything as it comes."""
        ws = entry[0]
        queue = self.waiting.get(ws, [])
        while queue:  # deliveries during these sends join the queue, still in order
            await send_text(ws, queue.pop(0))
        self.waiting.pop(ws, None)

    def discard(self, code: str, entry: tuple) -> None:
        self.waiting.pop(entry[0], None)
        entries = self.rooms.get(code)
        if entries is not None:
            entries.discard(entry)
            if not entries:
                del self.rooms[code]

    async def deliver(self, message: Envelope) -> None:
        addressed: list[tuple[WebSocket, str]] = []
        for ws, role, pid in list(self.rooms.get(message.code, ())):
            if role == "teacher":
                text = message.teacher if message.only is None else None
            else:
                text = message.student if message.only in (None, pid) else None
            if text is not None:
                addressed.append((ws, text))
        sending = []
        for ws, text in addressed:
            if ws in self.waiting:
                self.waiting[ws].append(text)
            else:
                sending.append(send_text(ws, text))
        await asyncio.gather(*sending)
        if message.close:
            await asyncio.gather(*(close(ws, message.close) for ws, _ in addressed))

    async def drop_all(self, code: int, reason: str) -> None:
        """Close every socket here (they reconnect and resume, with the state afresh)."""
        everyone = [ws for entries in self.rooms.values() for ws, _, _ in entries]
        await asyncio.gather(*(close(ws, code, reason) for ws in everyone))


hub = Hub()
