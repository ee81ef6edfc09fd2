"""What the pages are sent about a room, and the teacher's controls.

Every message to a room's sockets goes through ``store.publish`` (delivered here in one
process, through Redis pub/sub to every replica otherwise), made once for the teacher
and once for the students.
"""

from __future__ import annotations

from fastapi import HTTPException
from pydantic import ValidationError

from app.api.admission import off_loop
from app.rooms.hub import envelope
from app.rooms.model import Refused, Room, RoomSettings
from app.rooms.runs import landscapes, plan_function
from app.rooms.store import RoomStore


def public_state(room: Room) -> dict:
    """What anyone with the code may know: the landscape and what students may choose."""
    c = room.config
    return {
        "code": room.code,
        "function": c.model_dump(mode="json")["function"],
        "function_info": room.function_info,
        "optimizers": [o.model_dump() for o in c.optimizers],
        "steps": c.steps,
        "open": c.open,
        "locked": c.locked,
        "show_nicknames": c.show_nicknames,
        "capacity": c.capacity,
        "participants": room.active,
        "revision": room.revision,
    }


async def teacher_state(store: RoomStore, room: Room) -> dict:
    people = [{"id": p.id, "nickname": p.nickname} for p in await store.people(room.code)]
    scores = await store.scores(room.code)
    return {"room": public_state(room), "participants": people,
            "board": scores.board, "counts": scores.counts}  # fmt: skip


def for_student(run: dict, room: Room) -> dict:
    return run if room.config.show_nicknames else {**run, "nickname": None}


async def broadcast_state(store: RoomStore, room: Room, cleared: bool = False) -> None:
    teacher = {"type": "state", "cleared": cleared, **await teacher_state(store, room)}
    student = {"type": "state", "cleared": cleared, "room": public_state(room)}
    await store.publish(envelope(room.code, teacher, student))


async def new_settings(room: Room, patch) -> tuple[RoomSettings, dict | None]:
    """The room's settings with the teacher's patch, and the new landscape's info if any."""
    if not isinstance(patch, dict):
        raise Refused("settings", "settings must be an object of the room's settings")
    merged = room.config.model_dump(mode="json") | patch
    try:
        config = RoomSettings.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        field = "settings." + ".".join(str(p) for p in first["loc"])
        raise Refused(field, f"{field}: {first['msg']}") from None
    if config.function == room.config.function:
        return config, None
    try:
        f, info = await off_loop(plan_function, config, "settings")
    except HTTPException as error:
        detail = error.detail
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            detail = detail[0].get("msg", detail)
        raise Refused("settings.function", str(detail)) from None
    landscapes.keep(Room(room.code, "", config, info, room.revision + 1), f)
    return config, info


async def control(store: RoomStore, room: Room, message: dict) -> None:
    kind = message["type"]
    if kind == "settings":
        config, info = await new_settings(room, message.get("settings"))
        changed = await store.configure(room.code, config, info)
        if changed is not None:
            await broadcast_state(store, changed, cleared=info is not None)
    elif kind == "clear":
        await store.clear(room.code)
        await broadcast_state(store, room, cleared=True)
    elif kind == "remove":
        pid = message.get("participant")
        if not await store.remove_participant(room.code, pid):
            raise Refused("participant", "no such participant")
        await store.publish(envelope(room.code, student={"type": "removed"}, only=pid, close=4403))
        await broadcast_state(store, await store.get(room.code) or room)
    elif kind == "close":
        closed = {"type": "closed"}
        await store.close(room.code)
        await store.publish(envelope(room.code, closed, closed, close=4410))
    else:
        raise Refused("type", f"unknown message type {kind!r}")
