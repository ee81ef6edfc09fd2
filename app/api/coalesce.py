"""Coalesce concurrent trajectory requests into batched runner calls.

Thirty students clicking at once send thirty small requests; each alone would pay the
runner's per-step overhead. Requests with the same group key (``grouping.group_key``)
that arrive while a batch is computing wait for the next batch and run together, at
about the cost of one. Batches run one at a time per process, off the event loop, so a
request never waits for more than the batch ahead of it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from app.api.grouping import ResolvedOptimizer, run_group
from app.api.schemas import TrajectoryRequest
from app.engine.functions import LossFunction
from app.engine.runner import Trajectory

MAX_GROUP = 256  # runs in one coalesced call


@dataclass
class _Batch:
    function: LossFunction
    runs: list[TrajectoryRequest] = field(default_factory=list)
    futures: list[asyncio.Future] = field(default_factory=list)


class Coalescer:
    def __init__(self) -> None:
        self._open: dict[str, _Batch] = {}
        self._gate: asyncio.Semaphore | None = None

    async def submit(
        self, key: str, f: LossFunction, run: TrajectoryRequest
    ) -> tuple[Trajectory, ResolvedOptimizer]:
        loop = asyncio.get_running_loop()
        if self._gate is None:
            self._gate = asyncio.Semaphore(1)
        batch = self._open.get(key)
        if batch is None or len(batch.runs) >= MAX_GROUP:
            batch = self._open[key] = _Batch(f)
            loop.create_task(self._execute(key, batch))
        future = loop.create_future()
        batch.runs.append(run)
        batch.futures.append(future)
        return await future

    async def _execute(self, key: str, batch: _Batch) -> None:
        assert self._gate is not None
        async with self._gate:
            if self._open.get(key) is batch:
                del self._open[key]  # closed: later arrivals start the next batch
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
