"""A socket joining a room: nothing published while its welcome is being prepared is lost,
and none of it arrives before the welcome (seen: a teacher reconnecting through nginx
after a replica died got a student's "joined" first)."""

from __future__ import annotations

import asyncio

from starlette.websockets import WebSocketState

from app.rooms.hub import Hub, envelope


class Socket:
    application_state = WebSocketState.CONNECTED

    def __init__(self) -> None:
        self.got: list[str] = []
        self.closed: int | None = None

    async def send_text(self, text: str) -> None:
        await asyncio.sleep(0)  # a real send yields to the loop
        self.got.append(text)

    async def close(self, code: int, reason: str = "") -> None:
        self.closed = code


def types(socket: Socket) -> list[str]:
    return [text.split('"type":"')[1].split('"')[0] for text in socket.got]


def test_what_is_published_before_the_welcome_follows_it_in_order():
    async def scenario() -> tuple[Socket, Socket]:
        hub, joining, present = Hub(), Socket(), Socket()
        hub.add("R", (present, "teacher", None))
        await hub.welcomed((present, "teacher", None))
        entry = (joining, "teacher", None)
        hub.add("R", entry)
        await hub.deliver(envelope("R", teacher={"type": "joined", "n": 1}))
        await joining.send_text('{"type":"welcome"}')
        delivering = asyncio.create_task(hub.deliver(envelope("R", teacher={"type": "run"})))
        await hub.welcomed(entry)  # a delivery while the queue is flushed keeps its place
        await delivering
        await hub.deliver(envelope("R", teacher={"type": "runs"}))
        return joining, present

    joining, present = asyncio.run(scenario())
    assert types(joining) == ["welcome", "joined", "run", "runs"]
    assert types(present) == ["joined", "run", "runs"]


def test_a_room_closing_closes_a_socket_not_yet_welcomed():
    async def scenario() -> Socket:
        hub, joining = Hub(), Socket()
        hub.add("R", (joining, "student", "p1"))
        await hub.deliver(envelope("R", student={"type": "closed"}, close=4410))
        return joining

    assert asyncio.run(scenario()).closed == 4410


def test_a_socket_that_leaves_before_its_welcome_leaves_nothing_behind():
    hub, leaving = Hub(), Socket()
    hub.add("R", (leaving, "student", "p1"))
    hub.discard("R", (leaving, "student", "p1"))
    assert hub.waiting == {} and hub.rooms == {}
