"""A class's room: its settings, participants and runs, held in memory (nothing on disk).

``RoomStore`` is the interface the socket layer uses (create, get, remove, rate limits);
``MemoryRooms`` is the embedded single-process store. Every number that bounds a room
(capacity, rates, sizes, idle expiry) comes from ``app.config.settings``.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.api.schemas import FunctionSpec
from app.config import settings
from app.engine.optim.specs import SPECS

# No 0/O, 1/I/L: a code read off a projector is typed without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

Number = Annotated[float, Field(allow_inf_nan=False)]
Range = Annotated[list[Number], Field(min_length=2, max_length=2)]


class AllowedOptimizer(BaseModel):
    """An optimizer students may pick, and the range of each parameter they may set
    (parameters not listed keep torch's defaults)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=32)
    ranges: dict[str, Range] = Field(default_factory=dict, max_length=8)

    @model_validator(mode="after")
    def known(self) -> AllowedOptimizer:
        spec = SPECS.get(self.name)
        if spec is None:
            raise ValueError(f"unknown optimizer {self.name!r}; use one of: {', '.join(SPECS)}")
        params = {p.name: p for p in spec.params}
        for name, (lo, hi) in self.ranges.items():
            p = params.get(name)
            if p is None or p.kind != "float":
                numeric = [q.name for q in spec.params if q.kind == "float"]
                raise ValueError(f"{self.name} has no numeric parameter {name!r}: {numeric}")
            if lo > hi:
                raise ValueError(f"ranges.{name}: the low end {lo} is above the high end {hi}")
            if (p.low is not None and lo < p.low) or (p.high is not None and hi > p.high):
                raise ValueError(f"ranges.{name}: [{lo}, {hi}] leaves [{p.low}, {p.high}]")
        return self


DEFAULT_OPTIMIZERS = [
    AllowedOptimizer(name="sgd", ranges={"lr": [1e-4, 0.1], "momentum": [0.0, 0.99]}),
    AllowedOptimizer(name="rmsprop", ranges={"lr": [1e-4, 0.5]}),
    AllowedOptimizer(name="adam", ranges={"lr": [1e-4, 0.5]}),
]


class RoomSettings(BaseModel):
    """What the teacher chooses: the landscape, what students may pick, and the doors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    function: FunctionSpec = "himmelblau"
    optimizers: list[AllowedOptimizer] = Field(
        default_factory=lambda: [o.model_copy() for o in DEFAULT_OPTIMIZERS],
        min_length=1,
        max_length=len(SPECS),
    )
    steps: int = Field(300, ge=1, le=settings.room_max_steps)
    tol: float = Field(1e-8, ge=0, le=settings.max_tol)
    open: bool = Field(True, description="whether students may join")
    locked: bool = Field(False, description="whether students may start runs")
    show_nicknames: bool = Field(False, description="whether students see each other's names")
    capacity: int = Field(settings.room_capacity, ge=1, le=settings.room_capacity)

    @field_validator("optimizers")
    @classmethod
    def distinct(cls, value: list[AllowedOptimizer]) -> list[AllowedOptimizer]:
        names = [o.name for o in value]
        if len(set(names)) != len(names):
            raise ValueError("each optimizer may be listed once")
        return value


_NOT_NAME = re.compile(r"[^\w .'\-]")


def clean_nickname(text: Any) -> str:
    """At most ``room_nickname_chars`` letters, digits, spaces and ``.'-``: no markup,
    no control or invisible characters. Pages still insert it as text, never as HTML."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)[: settings.room_nickname_chars * 4]
    text = _NOT_NAME.sub("", text)
    return " ".join(text.split())[: settings.room_nickname_chars].strip()


def same_secret(given: Any, expected: str) -> bool:
    """Constant-time comparison of a token a client sent with the room's."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class RateLimit:
    """At most ``limit`` events per ``window`` seconds for each key (sliding window)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self.events: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self.events.get(key)
        if times is None:
            if len(self.events) >= self.max_keys:  # bounded memory: forget the stalest
                self.events.pop(next(iter(self.events)))
            times = self.events[key] = deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        times = self.events.get(key)
        return max(1, math.ceil(times[0] + self.window - now)) if times else 1


@dataclass
class Participant:
    id: str
    secret: str  # lets the same student resume after a reconnect
    nickname: str
    runs: RateLimit = field(default_factory=lambda: RateLimit(settings.room_runs_per_minute))
    removed: bool = False


@dataclass
class Room:
    code: str
    teacher_token: str
    config: RoomSettings
    function: Any  # the resolved LossFunction
    function_info: dict
    participants: dict[str, Participant] = field(default_factory=dict)
    runs: deque = field(default_factory=lambda: deque(maxlen=settings.room_max_runs))
    basins: list[list[float]] = field(default_factory=list)  # end points that name a basin
    sockets: set = field(default_factory=set)  # (websocket, role, participant id) here
    last_active: float = field(default_factory=time.monotonic)
    closed: bool = False
    next_run: int = 1
    revision: int = 1  # bumped by each landscape change, so late results are dropped

    board: list[dict] = field(default_factory=list)  # the leaderboard, kept as runs arrive
    counts: dict[str, int] = field(default_factory=dict)  # runs per optimizer

    def record(self, run: dict) -> None:
        """Keep a finished run; the leaderboard and counts are updated in O(board size)."""
        self.runs.append(run)
        name = run["optimizer"]["name"]
        self.counts[name] = self.counts.get(name, 0) + 1
        self.board = standings([*self.board, run])

    def reset(self) -> None:
        """Forget every run (a cleared room, or a new landscape)."""
        self.runs.clear()
        self.basins, self.board, self.counts = [], [], {}

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def idle(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return now - self.last_active > settings.room_idle_seconds

    def active(self) -> list[Participant]:
        return [p for p in self.participants.values() if not p.removed]

    def join(self, nickname: str) -> Participant:
        number = len(self.participants) + 1
        pid = f"p{number}"
        who = Participant(pid, secrets.token_urlsafe(18), nickname or f"Student {number}")
        self.participants[pid] = who
        return who

    def resume(self, pid: Any, secret: Any) -> Participant | None:
        who = self.participants.get(pid) if isinstance(pid, str) else None
        if who is None or who.removed or not same_secret(secret, who.secret):
            return None
        return who

    def basin_of(self, end: list[float]) -> int:
        """Which basin an end point is in: the nearest known minimum or earlier end point
        within 2 % of the domain's diagonal, else a new basin."""
        if not self.basins:
            self.basins = [list(m.point) for m in self.function.minima]
        (x0, x1), (y0, y1) = self.function.domain
        radius = 0.02 * math.hypot(x1 - x0, y1 - y0)
        best, best_d = -1, radius
        for i, point in enumerate(self.basins):
            d = math.dist(point, end) if all(map(math.isfinite, end)) else math.inf
            if d <= best_d:
                best, best_d = i, d
        if best >= 0:
            return best
        if not all(map(math.isfinite, end)) or len(self.basins) >= 64:
            return -1  # diverged, or more basins than colours
        self.basins.append(list(end))
        return len(self.basins) - 1


def standings(runs: list[dict], limit: int = 10) -> list[dict]:
    """The leaderboard: lowest final loss first, then fewest steps (diverged runs last)."""

    def key(run: dict):
        loss = run["final_loss"]
        finite = loss is not None and math.isfinite(loss)
        return (not finite, loss if finite else 0.0, run["steps_taken"], run["id"])

    summary = ("id", "participant", "nickname", "optimizer", "final_loss", "steps_taken", "basin")
    return [{k: run.get(k) for k in summary} for run in sorted(runs, key=key)[:limit]]


class RoomStore:
    """Where rooms live. The socket layer talks to this interface only."""

    joins: RateLimit  # students joining, per address
    creations: RateLimit  # rooms opened, per address

    def create(self, config: RoomSettings, function: Any, info: dict) -> Room:
        raise NotImplementedError

    def get(self, code: str) -> Room | None:
        raise NotImplementedError

    def remove(self, code: str) -> None:
        raise NotImplementedError


class Full(Exception):
    """No room can be opened: ``max_rooms`` are open."""


class MemoryRooms(RoomStore):
    """Rooms in this process's memory; idle ones are dropped whenever rooms are looked up."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.joins = RateLimit(settings.room_joins_per_minute)
        self.creations = RateLimit(settings.room_creations_per_minute)

    def expire(self) -> None:
        now = time.monotonic()
        for code in [c for c, r in self.rooms.items() if r.closed or r.idle(now)]:
            self.rooms.pop(code).closed = True  # its sockets end at their next message

    def create(self, config: RoomSettings, function: Any, info: dict) -> Room:
        self.expire()
        if len(self.rooms) >= settings.max_rooms:
            raise Full
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.rooms:
                break
        room = Room(code, secrets.token_urlsafe(24), config, function, info)
        self.rooms[code] = room
        return room

    def get(self, code: str) -> Room | None:
        room = self.rooms.get(code.upper() if isinstance(code, str) else "")
        if room is not None and (room.closed or room.idle()):
            self.rooms.pop(room.code, None)
            room.closed = True
            return None
        return room

    def remove(self, code: str) -> None:
        self.rooms.pop(code, None)


rooms: RoomStore = MemoryRooms()
