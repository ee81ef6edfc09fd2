"""Issue 11: what a 100-step run and every endpoint wait for while heavy requests run.

- Planning a catalog trajectory and rendering light work have threads of their own
  (``off_loop(..., quick=True)``): before, a 100-step run's planning and rendering queued
  behind 30 heavy requests' planning (compiling formulas, checking 10,000-point fits,
  starting 64 networks) on the same threads.
- The computation graph endpoint is admitted like every other computation.
- Basins and sweeps on a costly function ask whether to stop between blocks of points,
  not only between steps (one step of 22,500 runs on a 10,000-point fit is ~2 CPU-s)."""

import asyncio
import threading
import time

import numpy as np
import pytest

import app.api.admission as admission
import app.api.routes.trajectories as trajectories
from app.api.function_specs import resolve_function
from app.api.schemas import DataSpec
from app.api.work import STOP_CHECK_NS, evaluation_ns, stoppable
from app.engine import Cancelled


def test_quick_jobs_do_not_queue_behind_busy_planning_threads():
    async def scenario():
        release = threading.Event()
        blocked = [asyncio.create_task(admission.off_loop(release.wait, 10))
                   for _ in range(admission.PREPARE_THREADS + 1)]  # fmt: skip
        await asyncio.sleep(0.05)  # every planning thread is taken, one more waits
        start = time.monotonic()
        answer = await asyncio.wait_for(admission.off_loop(lambda: 42, quick=True), 5)
        waited = time.monotonic() - start
        assert not any(task.done() for task in blocked)
        release.set()
        await asyncio.gather(*blocked)
        return answer, waited

    answer, waited = asyncio.run(scenario())
    assert answer == 42 and waited < 5


@pytest.mark.parametrize("function, quick", [("rosenbrock", True),
                                             ({"expression": "x^2 + y^2"}, False)])  # fmt: skip
def test_only_catalog_trajectories_are_planned_on_the_quick_threads(client, monkeypatch,
                                                                     function, quick):  # fmt: skip
    seen = []
    real = trajectories.off_loop

    async def recording(fn, *args, quick=False):
        seen.append((fn.__name__, quick))
        return await real(fn, *args, quick=quick)

    monkeypatch.setattr(trajectories, "off_loop", recording)
    body = {"function": function, "start": [0.5, 0.5], "optimizer": {"name": "sgd"}, "steps": 5}
    assert client.post("/api/v1/trajectories", json=body).status_code == 200
    assert seen == [("plan_trajectory", quick), ("render", True)]


GRAPH = {"expression": "c*(a + 2*b)", "values": {"a": 1, "b": 2, "c": 3}}
SMALL_AND_LARGE = {
    "graph": (("POST", "/api/v1/graph", GRAPH),
              ("POST", "/api/v1/graph", {"expression": "+".join(["a*b"] * 60),
                                         "values": {"a": 1, "b": 2}})),
    "network data set": (("GET", "/api/v1/networks/datasets/xor?n=10", None),
                         ("GET", "/api/v1/networks/datasets/digits?n=1797", None)),
}  # fmt: skip


@pytest.mark.parametrize("endpoint", SMALL_AND_LARGE)
def test_endpoints_computing_off_the_loop_are_admitted_and_refused_when_full(
    client, monkeypatch, endpoint
):
    """Before, these ran in a thread without admission: no 503 however busy the server."""
    (method, path, body), (large_method, large_path, large_body) = SMALL_AND_LARGE[endpoint]
    full = admission.Lane(1)
    full.running, full.backlog_ns = 1, 60 * 10**9  # a minute of work ahead
    charged = []

    def lane_for(ns):
        charged.append(ns)
        return full

    monkeypatch.setattr(admission, "lane_for", lane_for)
    refused = client.request(method, path, json=body)
    assert refused.status_code == 503 and int(refused.headers["retry-after"]) >= 30
    client.request(large_method, large_path, json=large_body)
    assert charged[1] > 10 * charged[0]  # charged by its size
    monkeypatch.undo()
    assert client.request(method, path, json=body).status_code == 200


FIT = DataSpec.model_validate({
    "model": "logistic", "loss": "bce",
    "data": {"x": [i / 10_000 for i in range(10_000)],
             "y": [int(i % 3 == 0 or i > 6000) for i in range(10_000)]}})  # fmt: skip


def test_a_costly_function_is_evaluated_in_blocks_with_the_same_numbers():
    f = resolve_function(FIT)
    points = np.random.default_rng(0).uniform(-3, 3, (6_000, 2))
    assert evaluation_ns(f, len(points), "gradient") > STOP_CHECK_NS  # blocks are needed
    asked = []
    blocked = stoppable(f, len(points), lambda: asked.append(1) or False)
    assert np.array_equal(blocked.value(points), f.value(points))
    assert np.array_equal(blocked.gradient(points), f.gradient(points))
    assert len(asked) >= 4  # at least two blocks per evaluation
    cheap = resolve_function("rosenbrock")
    assert stoppable(cheap, len(points), lambda: True) is cheap  # nothing to split


def test_basins_on_a_fit_stop_within_a_step(client):
    """The stop is asked between blocks: a stop that comes true after a few blocks ends
    the request (before, the whole first step ran: ~2 CPU-s for 150² starts, about the
    most allowed)."""
    from app.api.routes.many import plan_basins
    from app.api.schemas.many import BasinsRequest

    request = BasinsRequest.model_validate({
        "function": FIT.model_dump(), "optimizer": {"name": "sgd"}, "resolution": 150,
        "steps": 1})  # fmt: skip
    _, work = plan_basins(request)
    asked = []

    def stop_after_three() -> bool:
        asked.append(1)
        return len(asked) > 3

    start = time.process_time()
    with pytest.raises(Cancelled):
        work(stop_after_three)
    assert time.process_time() - start < 2.0
