"""Coalesce concurrent trajectory requests into batched runner calls.

Thirty students clicking at once send thirty small requests; each alone would pay the
runner's per-step overhead. Requests with the same group key (``grouping.group_key``)
that arrive while a batch is computing wait for the next batch and run together, at
about the cost of one. Batches run one at a time per process, off the event loop, so a
request never waits for more than the batch ahead of it.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from app.api.grouping import ResolvedOptimizer, run_group
from app.api.schemas import TrajectoryRequest
from app.config import settings
from app.engine import Trajectory
from app.engine.functions import LossFunction

MAX_GROUP = 256  # runs in one coalesced call


@dataclass
class _Batch:
    function: LossFunction
    runs: list[TrajectoryRequest] = field(default_factory=list)
    futures: list[asyncio.Future] = field(default_factory=list)


class _LoopState:
    def __init__(self) -> None:
        self.open: dict[str, _Batch] = {}
        self.gate = asyncio.Semaphore(1)
        self.tasks: set[asyncio.Task] = set()


class Coalescer:
    def __init__(self) -> None:
        # asyncio primitives belong to one event loop; tests and workers may run several.
        self._states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def submit(
        self, key: str, f: LossFunction, run: TrajectoryRequest
    ) -> tuple[Trajectory, ResolvedOptimizer]:
        loop = asyncio.get_running_loop()
        state = self._states.setdefault(loop, _LoopState())
        batch = state.open.get(key)
        if (
            batch is None
            or len(batch.runs) >= MAX_GROUP
            or (len(batch.runs) + 1) * run.steps > settings.max_batch_work  # bounded memory
        ):
            batch = state.open[key] = _Batch(f)
            task = loop.create_task(self._execute(state, key, batch))
            state.tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(state.tasks.discard)
        future = loop.create_future()
        batch.runs.append(run)
        batch.futures.append(future)
        return await future

    async def _execute(self, state: _LoopState, key: str, batch: _Batch) -> None:
        async with state.gate:
            if state.open.get(key) is batch:
                del state.open[key]  # closed: later arrivals start the next batch
            try:
                results = await run_in_threadpool(run_group, batch.function, batch.runs)
            except Exception as error:  # noqa: BLE001 (handed to every waiting request)
                for future in batch.futures:
                    if not future.done():
                        future.set_exception(error)
                return
            for future, result in zip(batch.futures, results):
                if not future.done():
                    future.set_result(result)


coalescer = Coalescer()
