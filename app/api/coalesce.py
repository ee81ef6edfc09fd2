"""Coalesce concurrent light trajectory requests into batched runner calls.

Thirty students clicking at once send thirty small requests; each alone would pay the
runner's per-step overhead. Requests with the same group key (``grouping.group_key``)
that arrive while a batch is computing wait for the next batch and run together, at
about the cost of one. Batches run one at a time per process, off the event loop, and
each passes admission (``admission.admitted``) with its estimated CPU like any request.
The queue of batches is bounded by its expected wait: past ``max_queue_seconds`` a new
request gets 503 instead of joining. A batch stops when every request in it has gone.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass, field

import anyio.to_thread

from app.api.admission import Cancelled, StopSignal, admitted, busy
from app.api.grouping import ResolvedOptimizer, run_group
from app.api.schemas import TrajectoryRequest
from app.api.work import runs_ns
from app.config import settings
from app.engine import Trajectory
from app.engine.functions import LossFunction

MAX_GROUP = 256  # runs in one coalesced call


@dataclass
class _Batch:
    function: LossFunction
    runs: list[TrajectoryRequest] = field(default_factory=list)
    stops: list[StopSignal] = field(default_factory=list)
    futures: list[asyncio.Future] = field(default_factory=list)

    def ns(self) -> int:
        first = self.runs[0]
        return runs_ns(self.function, len(self.runs), first.steps, first.optimizer.name,
                       include_state=first.include_state,
                       feedback=bool(first.scheduler and first.scheduler.schedule().feedback),
                       options=max((r.optimizer.resolved() for r in self.runs),
                                   key=lambda o: o.get("max_eval") or o.get("max_iter", 0)),
                       )  # fmt: skip

    def abandoned(self) -> bool:
        return all(stop() for stop in self.stops)


class _LoopState:
    def __init__(self) -> None:
        self.open: dict[str, _Batch] = {}
        self.gate = asyncio.Semaphore(1)
        self.tasks: set[asyncio.Task] = set()
        self.queued: dict[int, int] = {}  # estimated ns of each batch not yet done


class Coalescer:
    def __init__(self) -> None:
        # asyncio primitives belong to one event loop; tests and workers may run several.
        self._states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def submit(
        self, key: str, f: LossFunction, run: TrajectoryRequest, stop: StopSignal | None = None
    ) -> tuple[Trajectory, ResolvedOptimizer]:
        stop = stop or StopSignal()
        loop = asyncio.get_running_loop()
        state = self._states.setdefault(loop, _LoopState())
        batch = state.open.get(key)
        if (
            batch is None
            or len(batch.runs) >= MAX_GROUP
            or (len(batch.runs) + 1) * run.steps > settings.max_batch_work  # bounded memory
        ):
            wait = sum(state.queued.values()) / 1e9
            if wait > settings.max_queue_seconds:
                raise busy(wait)
            batch = state.open[key] = _Batch(f)
            task = loop.create_task(self._execute(state, key, batch))
            state.tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(state.tasks.discard)
        future = loop.create_future()
        batch.runs.append(run)
        batch.stops.append(stop)
        batch.futures.append(future)
        state.queued[id(batch)] = batch.ns()
        try:
            return await asyncio.wait_for(
                asyncio.shield(future), max(0.0, stop.deadline - time.monotonic())
            )
        except (TimeoutError, Cancelled):  # its deadline passed, waiting or computing
            raise busy(sum(state.queued.values()) / 1e9) from None

    async def _execute(self, state: _LoopState, key: str, batch: _Batch) -> None:
        try:
            async with state.gate:
                if state.open.get(key) is batch:
                    del state.open[key]  # closed: later arrivals start the next batch
                if batch.abandoned():
                    raise busy(0)
                group_stop = batch.abandoned
                async with admitted(batch.ns(), StopSignal()):
                    results = await anyio.to_thread.run_sync(
                        run_group,
                        batch.function,
                        batch.runs,
                        None,
                        group_stop,
                    )
        except Exception as error:  # noqa: BLE001 (handed to every waiting request)
            for future in batch.futures:
                if not future.done():
                    future.set_exception(error)
            return
        finally:
            state.queued.pop(id(batch), None)
        for future, result in zip(batch.futures, results):
            if not future.done():
                future.set_result(result)


coalescer = Coalescer()
