"""Where rooms live: the interface the socket layer uses, and the embedded memory store.

``RoomStore`` is every read and change of a room the app makes, plus ``publish`` (fan-out
of a message to the room's sockets, wherever they are connected). ``MemoryRooms`` keeps
rooms in this process (one process, nothing on disk); ``app.rooms.redis_store.RedisRooms``
keeps them in Redis so replicas share them. ``make_store`` picks by ``DESCENT_REDIS_URL``.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from app.config import settings
from app.rooms.hub import Envelope, hub, to_json
from app.rooms.model import (
    Participant,
    RateLimit,
    Refused,
    Room,
    RoomSettings,
    Scores,
    new_code,
    new_participant,
)


class Full(Exception):
    """No room can be opened: ``max_rooms`` are open."""


class Unavailable(Exception):
    """The store cannot be reached (Redis down or restarting): retry shortly."""


class RoomStore:
    """Every method is a coroutine; ``None`` answers mean the room is gone (closed/idle)."""

    def __init__(self) -> None:
        # Per process (per replica): abuse from one address hits one replica's limits first.
        self.joins = RateLimit(settings.room_joins_per_minute)
        self.creations = RateLimit(settings.room_creations_per_minute)
        self.student_runs = RateLimit(settings.room_runs_per_minute)  # key: "code pid"

    async def start(self) -> None:
        """Begin receiving published messages (Redis); nothing to do in memory."""

    async def stop(self) -> None:
        """Release connections."""

    async def create(self, config: RoomSettings, info: dict) -> Room: ...
    async def get(self, code: str) -> Room | None: ...
    async def people(self, code: str) -> list[Participant]: ...
    async def participant(self, code: str, pid: Any) -> Participant | None: ...
    async def runs(self, code: str, pid: str | None = None) -> list[dict]: ...
    async def scores(self, code: str) -> Scores: ...
    async def join(self, code: str, nickname: str) -> Participant | None: ...
    async def record(
        self, code: str, revision: int, function: Any, runs: list[dict]
    ) -> tuple[list[dict], Scores] | None: ...
    async def configure(
        self, code: str, config: RoomSettings, info: dict | None
    ) -> Room | None: ...
    async def clear(self, code: str) -> None: ...
    async def remove_participant(self, code: str, pid: str) -> bool: ...
    async def close(self, code: str) -> None: ...
    async def touch(self, code: str) -> None: ...
    async def publish(self, message: Envelope) -> None: ...


def stored_runs(stored: list[bytes], pid: str | None) -> list[dict]:
    """Runs kept as JSON (both stores keep them so: a thousand runs of two hundred points
    as Python lists would be 200,000 objects for the garbage collector to walk, again and
    again, on the event loop). A student's own runs are found by the participant their
    JSON begins with (``runs.compute_run`` puts it first), without parsing the others."""
    if pid is not None:
        mine = b'{"participant":' + orjson.dumps(pid) + b","
        stored = [v for v in stored if v.startswith(mine)][-settings.room_student_runs :]
    return [orjson.loads(v) for v in stored]


def check_door(room: Room) -> None:
    """Whether one more student may join (both stores ask this, atomically)."""
    if not room.config.open:
        raise Refused("closed", "the room is not open to new students")
    if room.active >= room.config.capacity:
        raise Refused("full", f"the room is full ({room.config.capacity})")


@dataclass
class MemoryRoom:
    room: Room
    people: dict[str, Participant] = field(default_factory=dict)
    runs: deque[bytes] = field(default_factory=lambda: deque(maxlen=settings.room_max_runs))
    scores: Scores = field(default_factory=Scores)
    last_active: float = field(default_factory=time.monotonic)


class MemoryRooms(RoomStore):
    """Rooms in this process's memory; idle ones are dropped whenever rooms are looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.rooms: dict[str, MemoryRoom] = {}

    def _live(self, code: Any) -> MemoryRoom | None:
        held = self.rooms.get(code.upper() if isinstance(code, str) else "")
        if held is not None and time.monotonic() - held.last_active > settings.room_idle_seconds:
            self.rooms.pop(held.room.code, None)
            return None
        return held

    async def create(self, config: RoomSettings, info: dict) -> Room:
        for code in list(self.rooms):
            self._live(code)  # idle rooms go
        if len(self.rooms) >= settings.max_rooms:
            raise Full
        code = new_code()
        while code in self.rooms:
            code = new_code()
        room = Room(code, secrets.token_urlsafe(24), config, info)
        self.rooms[code] = MemoryRoom(room)
        return room

    async def get(self, code: str) -> Room | None:
        held = self._live(code)
        return replace(held.room) if held else None  # a snapshot, as Redis gives

    async def people(self, code: str) -> list[Participant]:
        held = self._live(code)
        return [p for p in held.people.values() if not p.removed] if held else []

    async def participant(self, code: str, pid: Any) -> Participant | None:
        held = self._live(code)
        return held.people.get(pid) if held and isinstance(pid, str) else None

    async def runs(self, code: str, pid: str | None = None) -> list[dict]:
        held = self._live(code)
        return stored_runs(list(held.runs), pid) if held else []

    async def scores(self, code: str) -> Scores:
        held = self._live(code)
        return held.scores if held else Scores()

    async def join(self, code: str, nickname: str) -> Participant | None:
        held = self._live(code)
        if held is None:
            return None
        check_door(held.room)
        who = new_participant(len(held.people) + 1, nickname)
        held.people[who.id] = who
        held.room.active += 1
        return who

    async def record(self, code: str, revision: int, function: Any, runs: list[dict]):
        held = self._live(code)
        if held is None or held.room.revision != revision:
            return None
        runs = [r for r in runs if not held.people[r["participant"]].removed]
        held.runs.extend(to_json(r) for r in held.scores.record(function, runs))
        return runs, held.scores

    async def configure(self, code: str, config: RoomSettings, info: dict | None) -> Room | None:
        held = self._live(code)
        if held is None:
            return None
        held.room.config = config
        if info is not None:  # a new landscape: its runs and basins start afresh
            held.room.function_info = info
            held.room.revision += 1
            await self.clear(code)
        return replace(held.room)

    async def clear(self, code: str) -> None:
        held = self._live(code)
        if held is not None:
            held.runs.clear()
            held.scores = Scores(next_run=held.scores.next_run)

    async def remove_participant(self, code: str, pid: str) -> bool:
        held = self._live(code)
        who = held.people.get(pid) if held and isinstance(pid, str) else None
        if who is None or who.removed:
            return False
        who.removed = True
        held.room.active -= 1
        return True

    async def close(self, code: str) -> None:
        self.rooms.pop(code, None)

    async def touch(self, code: str) -> None:
        held = self._live(code)
        if held is not None:
            held.last_active = time.monotonic()

    async def publish(self, message: Envelope) -> None:
        await hub.deliver(message)


def make_store() -> RoomStore:
    if settings.redis_url:
        from app.rooms.redis_store import RedisRooms  # noqa: PLC0415 (redis only when asked)

        return RedisRooms(settings.redis_url)
    return MemoryRooms()
