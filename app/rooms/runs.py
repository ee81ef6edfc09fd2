"""A student's click, computed and recorded: from the message to the run on the projector.

Each click becomes the same ``TrajectoryRequest`` as ``POST /trajectories`` and goes through
the same coalescer (clicks arriving together share one batched engine call). Runs that
finish together are then recorded together (``Recorder``): one store transaction numbers
them, names their basins and updates the board, and one message carries them all to the
teacher, instead of one transaction and one leaderboard per run.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import numpy as np
from fastapi import HTTPException
from pydantic import ValidationError

from app.api.admission import StopSignal, compute, off_loop
from app.api.coalesce import coalescer
from app.api.function_specs import resolve_function, unprocessable
from app.api.grouping import group_key, run_group
from app.api.routes.functions import function_info
from app.api.schemas import TrajectoryRequest
from app.api.work import check_operations, runs_ns
from app.config import settings
from app.rooms.hub import envelope
from app.rooms.model import Participant, Refused, Room, RoomSettings
from app.rooms.store import RoomStore


def plan_function(config: RoomSettings, where: str = "body") -> tuple[Any, dict]:
    f = resolve_function(config.function, where)
    if f.dims != 2:
        raise unprocessable([where, "function"], "a room's landscape must have two variables")
    return f, function_info(f)


class Landscapes:
    """The resolved function of each room's revision, in this process (a replica that did
    not open the room resolves it from the stored spec the first time it needs it)."""

    def __init__(self, limit: int = 256) -> None:
        self.limit, self.held = limit, {}

    def keep(self, room: Room, f: Any) -> None:
        if len(self.held) >= self.limit:
            self.held.pop(next(iter(self.held)))
        self.held[(room.code, room.revision)] = f

    async def of(self, room: Room) -> Any:
        f = self.held.get((room.code, room.revision))
        if f is None:
            f, _ = await off_loop(plan_function, room.config)
            self.keep(room, f)
        return f


landscapes = Landscapes()


def finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def run_request(room: Room, f: Any, message: dict) -> TrajectoryRequest:
    """The trajectory request of a student's click, within what the teacher allows."""
    start = message.get("start")
    if not (isinstance(start, list) and len(start) == 2
            and all(isinstance(v, int | float) and math.isfinite(v) for v in start)):  # fmt: skip
        raise Refused("start", "start must be two finite numbers [x, y]")
    for value, (lo, hi) in zip(start, f.domain):
        if not lo <= value <= hi:
            raise Refused("start", f"start must lie in the landscape [{lo}, {hi}]")
    chosen = message.get("optimizer")
    if not isinstance(chosen, dict) or not isinstance(chosen.get("name"), str):
        raise Refused("optimizer", "optimizer must be {name, …}")
    allowed = {o.name: o for o in room.config.optimizers}
    rule = allowed.get(chosen["name"])
    if rule is None:
        raise Refused("optimizer.name", f"this room allows: {', '.join(allowed)}")
    options: dict[str, Any] = {"name": rule.name}
    for key, value in chosen.items():
        if key == "name":
            continue
        if key not in rule.ranges:
            raise Refused(f"optimizer.{key}", f"{key} is fixed in this room")
        lo, hi = rule.ranges[key]
        if not (isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value) and lo <= value <= hi):  # fmt: skip
            raise Refused(f"optimizer.{key}", f"{key} must be between {lo:g} and {hi:g}")
        options[key] = float(value)
    try:
        # The landscape was resolved once per revision (``landscapes``): the request names a
        # stand-in (a data spec's points are not validated again at each click) and the
        # room's own function is handed to the engine.
        return TrajectoryRequest.model_validate({
            "function": "bowl",
            "start": [float(v) for v in start], "optimizer": options,
            "steps": room.config.steps, "tol": room.config.tol,
        })  # fmt: skip
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise Refused(field, f"{field}: {first['msg']}") from None


def thin(points, limit: int) -> np.ndarray:
    """At most ``limit`` points, evenly spaced, the first and last included; an array,
    serialized as it is (``hub.to_json``: NaN and infinities become null)."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    if n > limit:
        points = points[np.unique(np.round(np.linspace(0, n - 1, limit)).astype(np.intp))]
    return np.ascontiguousarray(points)


async def compute_run(store: RoomStore, room: Room, who: Participant, message: dict) -> dict:
    """The run of one click, not yet numbered (``Recorder`` does that)."""
    if room.config.locked:
        raise Refused("locked", "the teacher has paused the runs")
    f = await landscapes.of(room)
    request = run_request(room, f, message)
    limit_key = f"{room.code} {who.id}"
    if not store.student_runs.allow(limit_key):
        wait = store.student_runs.retry_after(limit_key)
        raise Refused("rate", f"{settings.room_runs_per_minute} runs a minute at most; "
                      f"wait {wait} s", wait)  # fmt: skip
    ns = runs_ns(f, 1, request.steps, request.optimizer.name)
    try:
        check_operations("steps", ns)
        if ns > settings.heavy_operations:
            ran = await compute(ns, StopSignal(), lambda s: run_group(f, [request], None, s)[0])
        else:
            key = f"room {room.code} {room.revision} {group_key(request)}"
            ran = await coalescer.submit(key, f, request, StopSignal())
    except HTTPException as error:
        retry = error.headers.get("Retry-After") if error.headers else None
        raise Refused("busy" if error.status_code == 503 else "steps", str(error.detail),
                      int(retry) if retry else None) from None  # fmt: skip
    trajectory, optimizer = ran
    return {
        "participant": who.id,  # first: the Redis store finds a student's runs by it
        "nickname": who.nickname,
        "optimizer": {
            "name": optimizer.name,
            **{k: v for k, v in optimizer.hyperparams.items() if k in ("lr", "momentum")},
        },  # fmt: skip
        "start": request.start,
        "points": thin(trajectory.points, settings.room_trail_points),
        "end": [finite(float(v)) for v in trajectory.points[-1]],
        "final_loss": finite(float(trajectory.losses[-1])) if len(trajectory.losses) else None,
        "steps_taken": int(trajectory.steps_taken),
        "status": trajectory.status,
    }


class Recorder:
    """Runs of one room that finished while a recording was in flight wait for the next:
    one transaction and one message to the teacher per batch."""

    def __init__(self, store: RoomStore) -> None:
        self.store = store
        self.pending: dict[str, list[tuple[Room, dict, asyncio.Future]]] = {}
        self.flushing: set[str] = set()
        self.tasks: set[asyncio.Task] = set()

    async def add(self, room: Room, run: dict) -> dict:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.setdefault(room.code, []).append((room, run, future))
        if room.code not in self.flushing:
            # Started on the next turn of the loop: every run of the same engine batch
            # (their waiters resume on this turn) joins this recording.
            self.flushing.add(room.code)
            task = loop.create_task(self.flush(room.code))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return await future

    async def flush(self, code: str) -> None:
        try:
            while batch := self.pending.pop(code, None):
                for revision in sorted({room.revision for room, _, _ in batch}):
                    await self.settle([b for b in batch if b[0].revision == revision])
        finally:
            self.flushing.discard(code)

    async def settle(self, batch: list[tuple[Room, dict, asyncio.Future]]) -> None:
        try:
            recorded = await self.record(batch[-1][0], [run for _, run, _ in batch])
        except Exception as error:  # noqa: BLE001 (each waiting student is told)
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for _, run, future in batch:
            if future.done():
                continue
            if id(run) in recorded:
                future.set_result(run)
            else:
                future.set_exception(
                    Refused("landscape", "the landscape changed while this run computed")
                )

    async def record(self, room: Room, runs: list[dict]) -> set[int]:
        # Runs computed on an older landscape are dropped by the store (revision check).
        f = await landscapes.of(room)
        result = await self.store.record(room.code, room.revision, f, runs)
        if result is None:
            return set()
        kept, scores = result
        if kept:
            teacher = {"type": "runs", "runs": kept, "board": scores.board, "counts": scores.counts}
            await self.store.publish(envelope(room.code, teacher=teacher, changed=False))
        return {id(run) for run in kept}
