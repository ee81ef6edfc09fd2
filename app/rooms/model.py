"""A class's room: its settings, participants, runs and scores, as plain data.

Where rooms live is ``app.rooms.store`` (memory) or ``app.rooms.redis_store`` (Redis); both
keep these records and score runs with ``Scores.record``, so the rules are written once.
Every number that bounds a room (capacity, rates, sizes, idle expiry) comes from
``app.config.settings``.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import time
import unicodedata
from collections import deque
from dataclasses import asdict, dataclass, field
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
            if p.too_low(lo) or p.too_high(hi):
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


class Refused(Exception):
    """A message the room will not act on; ``field`` names what was wrong."""

    def __init__(self, field: str, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.field, self.detail, self.retry_after = field, detail, retry_after


@dataclass
class Participant:
    id: str
    secret: str  # lets the same student resume after a reconnect
    nickname: str
    removed: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Room:
    """What every message handler needs of a room (its runs and people are asked apart)."""

    code: str
    teacher_token: str
    config: RoomSettings
    function_info: dict
    revision: int = 1  # bumped by each landscape change, so late results are dropped
    active: int = 0  # participants not removed


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_participant(number: int, nickname: str) -> Participant:
    return Participant(f"p{number}", secrets.token_urlsafe(18), nickname or f"Student {number}")


@dataclass
class Scores:
    """The numbering of runs, the basins their ends named, the leaderboard and the counts
    per optimizer: what recording a run changes. Both stores apply ``record``."""

    next_run: int = 1
    basins: list[list[float]] = field(default_factory=list)  # end points that name a basin
    board: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def record(self, function: Any, runs: list[dict]) -> list[dict]:
        """Number the runs, name their basins and update the board in O(board + runs)."""
        for run in runs:
            run["id"] = self.next_run
            self.next_run += 1
            run["basin"] = self.basin_of(function, run["end"])
            name = run["optimizer"]["name"]
            self.counts[name] = self.counts.get(name, 0) + 1
        self.board = standings([*self.board, *runs])
        return runs

    def basin_of(self, function: Any, end: list) -> int:
        """Which basin an end point is in: the nearest known minimum or earlier end point
        within 2 % of the domain's diagonal, else a new basin."""
        finite = all(v is not None and math.isfinite(v) for v in end)
        if not self.basins:
            self.basins = [list(m.point) for m in function.minima]
        (x0, x1), (y0, y1) = function.domain
        radius = 0.02 * math.hypot(x1 - x0, y1 - y0)
        best, best_d = -1, radius
        for i, point in enumerate(self.basins):
            d = math.dist(point, end) if finite else math.inf
            if d <= best_d:
                best, best_d = i, d
        if best >= 0:
            return best
        if not finite or len(self.basins) >= 64:
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
