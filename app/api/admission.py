"""One admission control for every computation, and the stop signal of each request.

Every request that computes (trajectories alone or coalesced, batches, basins, sweeps,
surfaces) enters a lane with its estimated CPU (``app.api.work``) before any thread
starts on it. Light work (under ``heavy_operations``) and heavy work have a lane each, so
a 100-step run never waits behind 30-second ones. A lane computes at most ``slots``
requests at once; the others wait in order, without holding a thread, while the
expected wait (the CPU ahead of them over the lane's slots) stays under
``max_queue_seconds``; past that, 503 with a Retry-After of that wait.

A computation stops when its client disconnects or its deadline
(``request_deadline_seconds``, queueing included) passes: ``StopSignal`` is polled by the
engine between chunks of steps (``should_stop``; the array driver every step)
and by the API between the pieces it controls (surface row blocks).
"""

from __future__ import annotations

import asyncio
import functools
import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import HTTPException, Request
from starlette.responses import Response
from starlette.types import Receive

from app.api import processes
from app.api.allocator import trim_memory
from app.api.responses import keep_content
from app.config import settings, usable_cpus
from app.engine import Cancelled

NS_PER_SECOND = 1e9
T = TypeVar("T")
# In a worker process (app/api/processes.py): the deadline of the request it answers.
inherited_deadline: ContextVar[float] = ContextVar("inherited_deadline", default=math.inf)


def busy(seconds: float) -> HTTPException:
    retry = max(settings.retry_after_seconds, math.ceil(seconds))
    return HTTPException(
        503,
        "the server is busy with other requests; retry shortly",
        headers={"Retry-After": str(retry)},
    )


class StopSignal:
    """Whether a request's work should stop: its client left, its deadline passed, or the
    thread computing it used more CPU than ``max_request_cpu_seconds``.

    The CPU budget is the backstop of the estimates (``app.api.work``): those assume
    ordinary inputs, and a formula can be driven where libm is slow (``sinh`` overflowing
    costs 17 times its usual time, ``sin`` of 1e12 four times). ``start_clock`` is called
    by the thread that computes; after it, every thread that polls (the engine splits big
    batches over its own threads) is counted from its first poll."""

    def __init__(self, seconds: float | None = None) -> None:
        seconds = settings.request_deadline_seconds if seconds is None else seconds
        self.deadline = min(time.monotonic() + seconds, inherited_deadline.get())
        self.http: Request | None = None  # the request, when its work may be handed over
        self.disconnected = False
        self.over_budget = False
        self._clock: dict[int, list[float]] | None = None  # thread → [CPU at start, now]

    def start_clock(self) -> None:
        now = time.thread_time()
        self._clock = {threading.get_ident(): [now, now]}

    def cpu_seconds(self) -> float:
        return sum(now - start for start, now in (self._clock or {}).values())

    def __call__(self) -> bool:
        if self._clock is not None:
            now = time.thread_time()
            self._clock.setdefault(threading.get_ident(), [now, now])[1] = now
            if self.cpu_seconds() > settings.max_request_cpu_seconds:
                self.over_budget = True
        return self.disconnected or self.over_budget or time.monotonic() > self.deadline

    def check(self) -> None:
        if self():
            raise Cancelled("the client left" if self.disconnected else "deadline passed")

    async def watch(self, receive: Receive) -> None:
        """Wait for the client's ``http.disconnect`` (the body has been read by then)."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                return


class Lane:
    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.running = 0
        self.backlog_ns = 0  # estimated CPU of the requests running and waiting
        self.waiters: deque[asyncio.Future] = deque()

    def expected_wait(self) -> float:
        return self.backlog_ns / self.slots / NS_PER_SECOND

    def refuse_if_full(self) -> None:
        if self.running >= self.slots and self.expected_wait() > settings.max_queue_seconds:
            raise busy(self.expected_wait())

    async def enter(self, ns: int, stop: StopSignal) -> None:
        if self.running < self.slots and not self.waiters:
            self.running += 1
            self.backlog_ns += ns
            return
        self.refuse_if_full()
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        self.backlog_ns += ns
        try:
            await asyncio.wait_for(waiter, max(0.0, stop.deadline - time.monotonic()))
        except BaseException:
            self.backlog_ns -= ns
            if waiter.done() and not waiter.cancelled():
                self._hand_over()  # the slot was handed to us as we gave up: pass it on
            elif waiter in self.waiters:  # a hand-over may have dropped it already
                self.waiters.remove(waiter)
            if time.monotonic() > stop.deadline:
                raise busy(self.expected_wait()) from None
            raise

    def leave(self, ns: int) -> None:
        self.backlog_ns -= ns
        self._hand_over()

    def _hand_over(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to it: running stays the same
                return
        self.running -= 1


class _Lanes:
    def __init__(self) -> None:
        self.light = Lane(settings.max_light_requests)
        self.heavy = Lane(settings.max_heavy_requests)


_per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def lane_for(ns: int) -> Lane:
    # asyncio futures belong to one event loop; tests may run several.
    lanes = _per_loop.setdefault(asyncio.get_running_loop(), _Lanes())
    return lanes.heavy if ns > settings.heavy_operations else lanes.light


@asynccontextmanager
async def admitted(ns: int, stop: StopSignal):
    """Hold a slot of the right lane for work of ``ns`` estimated CPU-nanoseconds."""
    lane = lane_for(ns)
    await lane.enter(ns, stop)
    try:
        yield
    finally:
        lane.leave(ns)


# Threads validating, planning and rendering at once. Each job is GIL-bound (a fit's
# compile ~40 ms, a 64-run network batch's starts ~0.5 s), so more threads than cores add
# no throughput: they only take the GIL from the event loop more often (/healthz waits for
# it). Jobs known to be small (planning a catalog function, rendering light work) have
# threads of their own, so a 100-step run never queues behind 30 heavy requests' planning.
PREPARE_THREADS = QUICK_THREADS = usable_cpus()


def _limiter(kind: str, threads: int) -> anyio.CapacityLimiter:
    lanes = _per_loop.setdefault(asyncio.get_running_loop(), _Lanes())
    if not hasattr(lanes, kind):
        setattr(lanes, kind, anyio.CapacityLimiter(threads))
    return getattr(lanes, kind)


async def off_loop(fn: Callable[..., T], *args, quick: bool = False) -> T:
    """Run ``fn`` (validation, compiling a formula or a fit, rendering JSON) in a thread:
    nothing heavier than parsing runs on the event loop. ``quick``: a job of at most a few
    ms (planning a catalog function, rendering light work), on threads of its own."""
    limiter = _limiter("quick", QUICK_THREADS) if quick else _limiter("prepare", PREPARE_THREADS)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter)


@asynccontextmanager
async def watching(http: Request, stop: StopSignal):
    """Notice the client leaving while the request computes."""
    stop.http = http
    watcher = asyncio.get_running_loop().create_task(stop.watch(http.receive))
    try:
        yield stop
    finally:
        watcher.cancel()


# How the response of this request is converted (CSV, HTML: ``app.api.exports``), within
# its admitted slot: the conversion is charged with the request and takes seconds at most.
converter: ContextVar[Callable | None] = ContextVar("converter", default=None)


def _finish(work: Callable[[StopSignal], T], stop: StopSignal) -> T:
    stop.start_clock()
    convert = converter.get()
    if convert is None:
        return work(stop)
    kept = keep_content.set(True)  # the body is converted, never written as JSON
    try:
        result = work(stop)
    finally:
        keep_content.reset(kept)  # an HTML conversion runs the API again, as JSON
    return convert(result)


async def _in_worker(stop: StopSignal) -> Response | None:
    """The response of a worker process to this request (``app.api.processes``), or None
    when none is ready (starting, being replaced): then it is computed here."""
    pool = processes.pool()
    if pool is None or stop.http is None:
        return None
    job = await processes.job_of(stop.http, stop.deadline)
    try:
        return await pool.answer(job, lambda: stop.disconnected)
    except processes.WorkerDied:
        raise HTTPException(503, "the process computing this request stopped; retry",
                            headers={"Retry-After": str(settings.retry_after_seconds)},
                            ) from None  # fmt: skip


async def compute(ns: int, stop: StopSignal, work: Callable[[StopSignal], T]) -> T:
    """``work(stop)`` in a thread once admitted, or for heavy work of a request watched by
    ``watching`` the same request answered by a worker process; 503 if its deadline passed
    meanwhile."""
    async with admitted(ns, stop):
        try:
            stop.check()
            if ns > settings.heavy_operations:
                response = await _in_worker(stop)
                if response is not None:
                    return response
            return await anyio.to_thread.run_sync(_finish, work, stop)
        except Cancelled:
            if stop.over_budget:
                raise HTTPException(422, [{
                    "loc": ["body"], "type": "value_error",
                    "msg": f"stopped after {settings.max_request_cpu_seconds:g} CPU-seconds "
                    "(DESCENT_MAX_REQUEST_CPU_SECONDS): this request costs more than "
                    "estimated; ask for fewer steps or points, or a simpler function"}],
                ) from None  # fmt: skip
            detail = "the client left" if stop.disconnected else "the deadline passed"
            raise HTTPException(
                503,
                f"stopped: {detail} (requests may take {settings.request_deadline_seconds:g} s"
                " with queueing); retry later or ask for less",
                headers={"Retry-After": str(settings.retry_after_seconds)},
            ) from None
        finally:
            if ns > settings.heavy_operations:
                trim_memory()
