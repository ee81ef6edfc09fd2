"""Issue 11: one admission control with a bounded queue, for requests and coalesced groups."""

import asyncio

import pytest
from fastapi import HTTPException

from app.api import coalesce
from app.api.admission import Lane, StopSignal
from app.api.routes.trajectories import plan_trajectory
from app.api.schemas import TrajectoryRequest
from app.config import settings
from app.engine import get_function


def request(function, start, steps) -> TrajectoryRequest:
    body = {"function": function, "start": start, "optimizer": {"name": "sgd"}, "steps": steps}
    return TrajectoryRequest.model_validate(body)


def test_a_lane_queues_in_order_and_refuses_past_its_expected_wait():
    async def scenario():
        lane, stop = Lane(1), StopSignal(60)
        order = []
        await lane.enter(2 * 10**9, stop)  # runs at once: 2 CPU-s ahead of the next

        async def wait(name):
            await lane.enter(2 * 10**9, stop)
            order.append(name)

        first = asyncio.create_task(wait("first"))
        await asyncio.sleep(0)
        second = asyncio.create_task(wait("second"))  # 4 s ahead: still within 5
        await asyncio.sleep(0)
        with pytest.raises(HTTPException) as refused:  # 6 s ahead: over max_queue_seconds
            await lane.enter(2 * 10**9, stop)
        lane.leave(2 * 10**9)
        await first
        lane.leave(2 * 10**9)
        await second
        lane.leave(2 * 10**9)
        return order, refused.value, lane

    order, refused, lane = asyncio.run(scenario())
    assert order == ["first", "second"]
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "6"
    assert lane.running == 0 and lane.backlog_ns == 0 and not lane.waiters


def test_a_request_waiting_past_its_deadline_gets_503_and_leaves_the_queue():
    async def scenario():
        lane = Lane(1)
        await lane.enter(10**8, StopSignal(60))
        with pytest.raises(HTTPException) as late:
            await lane.enter(10**8, StopSignal(0.05))
        return late.value, lane

    late, lane = asyncio.run(scenario())
    assert late.status_code == 503 and not lane.waiters and lane.backlog_ns == 10**8


def test_coalesced_groups_have_a_bounded_queue(monkeypatch):
    """Before: an unbounded queue behind one gate; a 100-step run waited 21 s."""
    run = request("rosenbrock", [-1.5, 2], 100)

    async def scenario():
        c = coalesce.Coalescer()
        state = c._states.setdefault(asyncio.get_running_loop(), coalesce._LoopState())
        state.queued[0] = int((settings.max_queue_seconds + 1) * 1e9)  # batches ahead
        await c.submit("another key", get_function("rosenbrock"), run)

    with pytest.raises(HTTPException) as refused:
        asyncio.run(scenario())
    assert refused.value.status_code == 503 and "Retry-After" in refused.value.headers


def test_long_formula_runs_are_heavy_and_not_coalesced_with_short_ones():
    trig = {"expression": "+".join(f"sin({k}*x*y)*cos(x-{k}*y)" for k in range(1, 15)),
            "domain": [[0, 1], [0, 1]]}  # fmt: skip
    long, short = request(trig, [0.7, 0.7], 10_000), request("rosenbrock", [-1.5, 2], 100)
    assert plan_trajectory(long)[2] > settings.heavy_operations
    assert plan_trajectory(short)[2] < settings.heavy_operations


def test_a_wait_that_times_out_as_the_slot_is_released_is_not_a_500():
    """Seen under load: the waiter's deadline and the running request's end fell in the
    same loop iteration; the hand-over dropped the timed-out waiter from the queue and
    the waiter's own clean-up then failed (ValueError: a 500)."""

    async def scenario():
        lane = Lane(1)
        await lane.enter(10**8, StopSignal(60))
        waiting = asyncio.create_task(lane.enter(10**8, StopSignal(0.05)))
        await asyncio.sleep(0)  # it waits in the queue
        # The running request ends just as the timed-out wait is being cancelled.
        lane.waiters[0].add_done_callback(lambda _: lane.leave(10**8))
        with pytest.raises(HTTPException) as late:
            await waiting
        return late.value, lane

    late, lane = asyncio.run(scenario())
    assert late.status_code == 503
    assert lane.running == 0 and not lane.waiters and lane.backlog_ns == 0
