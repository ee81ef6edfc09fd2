"""The most expensive requests each endpoint allows, found against the app's own checks.

A case is a request whose size (steps, resolution, runs) is the largest the server's
planning code accepts: each is searched for by bisection with the same ``plan_*``
functions the routes call, so it follows every limit and the cost and memory estimates.
Shared by ``bench.bench_limits`` (each alone: CPU and peak RSS) and ``bench.worst_case``
(30 at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException
from pydantic import BaseModel, ValidationError

from app.api.routes.many import plan_basins, plan_batch, plan_sweep
from app.api.routes.slices import SliceRequest, plan_slice
from app.api.routes.surfaces import plan_surface
from app.api.routes.trajectories import plan_trajectory
from app.api.schemas import SurfaceRequest, TrajectoryRequest
from app.api.schemas.many import BasinsRequest, BatchRequest, SweepRequest
from app.api.work import response_format
from app.config import settings

HOSTILE = {"expression": "+".join(f"sinh(x^y^{k})" for k in range(1, 29)),
           "domain": [[0.5, 1], [0.5, 1]]}  # fmt: skip
# sin of arguments near 1e12 takes ~4 times its usual time: charged as ordinary inputs,
# this runs ~3 times its estimate, and the CPU budget (max_request_cpu_seconds) stops it.
SLOW = {"expression": "+".join(f"sin(1000000*x+{k}*y)" for k in range(1, 21)),
        "domain": [[1e5, 1e6], [1e5, 1e6]]}  # fmt: skip
FIT = {"model": "logistic", "loss": "bce",
       "data": {"x": [i / 10_000 for i in range(10_000)],
                "y": [int(i % 3 == 0 or i > 6000) for i in range(10_000)]}}  # fmt: skip
# 2-70-66-1: 4,963 parameters, about the most allowed (max_network_parameters).
WIDE = [2, 70, 66, 1]
NET_ONE = {"network": {"layers": WIDE}, "data": {"dataset": "circle", "n": 1}}
NET_ALL = {"network": {"layers": WIDE},
           "data": {"dataset": "circle", "n": settings.max_network_samples}}  # fmt: skip
ADAM = {"name": "adam", "lr": 1e-5}  # small: formula runs stay in their domain to the end
START = [0.7, 0.7]
PLANS: dict[str, tuple[type[BaseModel], Callable]] = {
    "/api/v1/trajectories": (TrajectoryRequest, plan_trajectory),
    "/api/v1/trajectories/batch": (BatchRequest, plan_batch),
    "/api/v1/basins": (BasinsRequest, plan_basins),
    "/api/v1/sweeps": (SweepRequest, plan_sweep),
    "/api/v1/surface": (SurfaceRequest, plan_surface),
    "/api/v1/slices": (SliceRequest, plan_slice),
}


def allowed(path: str, body: dict, query: str = "") -> bool:
    model, plan = PLANS[path]
    token = response_format.set(query.removeprefix("format=") or "json")
    try:
        plan(model.model_validate(body))
    except (HTTPException, ValidationError):
        return False
    finally:
        response_format.reset(token)
    return True


def largest(path: str, build: Callable[[int], dict], lo: int, hi: int, query: str = "") -> dict:
    """``build(n)`` for the largest n in [lo, hi] the server accepts."""
    if not allowed(path, build(lo), query):
        raise ValueError(f"{path}: even n = {lo} is refused")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if allowed(path, build(mid), query) else (lo, mid - 1)
    return build(lo)


@dataclass
class Case:
    name: str
    method: str
    path: str
    body: dict | None = None
    query: str = ""

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def run(function, steps, **extra) -> dict:
    return {"function": function, "start": START, "optimizer": ADAM, "steps": steps,
            "tol": 0, **extra}  # fmt: skip


def network_run(function, steps, **extra) -> dict:
    return run(function, steps, start={"init": "torch", "seed": 0}, **extra)


def cases() -> list[Case]:
    """Every endpoint's dearest requests, by CPU and by memory (a few seconds to search)."""
    traj, batch = "/api/v1/trajectories", "/api/v1/trajectories/batch"
    max_steps = settings.max_steps
    state = run("rastrigin", max_steps, include_state=True)
    cases = [
        Case("trajectory: rastrigin, max steps, include_state", "POST", traj, state),
        Case("trajectory: same, gradient noise (array driver)", "POST", traj,
             run("rastrigin", max_steps, include_state=True, gradient_noise=0.1)),
        Case("trajectory: rastrigin as CSV, most steps", "POST", traj,
             largest(traj, lambda n: run("rastrigin", n), 1, max_steps, "format=csv"),
             "format=csv"),
        Case("trajectory: 28-term hostile formula, most steps", "POST", traj,
             largest(traj, lambda n: run(HOSTILE, n), 1, max_steps)),
        Case("trajectory: 10,000-point fit, batch 32, noise, most steps", "POST", traj,
             largest(traj, lambda n: run(FIT, n, batch_size=32, gradient_noise=0.1),
                     1, max_steps)),
        Case("trajectory: 4,963-parameter network, 1 sample, most steps", "POST", traj,
             largest(traj, lambda n: network_run(NET_ONE, n), 1, max_steps)),
        Case("trajectory: 4,963-parameter network, 2,000 samples, most steps", "POST", traj,
             largest(traj, lambda n: network_run(NET_ALL, n), 1, max_steps)),
    ]  # fmt: skip

    def runs_of(function, count, steps, **extra):
        maker = network_run if isinstance(function, dict) and "network" in function else run
        return {"runs": [maker(function, steps, seed=i, **extra) for i in range(count)]}

    top = settings.max_batch_runs
    rastrigin_batch = largest(batch, lambda n: runs_of("rastrigin", top, n), 1, max_steps)
    cases += [
        Case(f"batch: {top} rastrigin runs, most steps", "POST", batch, rastrigin_batch),
        Case(f"batch: {top} rastrigin runs as CSV, most steps", "POST", batch,
             largest(batch, lambda n: runs_of("rastrigin", top, n), 1, max_steps, "format=csv"),
             "format=csv"),
        Case("batch: 6 rastrigin runs as HTML, most steps", "POST", batch,
             largest(batch, lambda n: runs_of("rastrigin", 6, n), 1, max_steps, "format=html"),
             "format=html"),
        Case(f"batch: {top} runs of the network, 1 sample, most steps", "POST", batch,
             largest(batch, lambda n: runs_of(NET_ONE, top, n), 1, max_steps)),
        Case("batch: 8 noisy runs of the hostile formula, most steps", "POST", batch,
             largest(batch, lambda n: runs_of(HOSTILE, 8, n, gradient_noise=0.1),
                     1, max_steps)),
    ]  # fmt: skip

    basins, sweeps = "/api/v1/basins", "/api/v1/sweeps"
    res = settings.max_basin_resolution

    def basin(function, steps):
        return {"function": function, "optimizer": ADAM, "resolution": res, "steps": steps,
                "tol": 0, "encoding": "list"}  # fmt: skip

    def sweep(function, steps):
        return {"function": function, "start": START, "optimizer": {"name": "sgd"},
                "lr": {"min": 1e-5, "max": 1e-3, "count": 100}, "steps": steps, "tol": 0,
                "second": {"param": "momentum", "values": [i / 26 for i in range(25)]}}  # fmt: skip

    cases += [
        Case(f"basins: rastrigin {res}², most steps", "POST", basins,
             largest(basins, lambda n: basin("rastrigin", n), 1, max_steps)),
        Case(f"basins: hostile formula {res}², most steps", "POST", basins,
             largest(basins, lambda n: basin(HOSTILE, n), 1, max_steps)),
        Case(f"basins: sin of 1e12 {res}², most steps (past its estimate)", "POST", basins,
             largest(basins, lambda n: {**basin(SLOW, n), "optimizer": {"name": "sgd",
                                                                         "lr": 1e-30}},
                     1, max_steps)),
        Case("sweep: rastrigin 2,500 settings, most steps", "POST", sweeps,
             largest(sweeps, lambda n: sweep("rastrigin", n), 1, max_steps)),
        Case("sweep: hostile formula 2,500 settings, most steps", "POST", sweeps,
             largest(sweeps, lambda n: sweep(HOSTILE, n), 1, max_steps)),
    ]  # fmt: skip

    surface, slices, top_res = "/api/v1/surface", "/api/v1/slices", settings.max_resolution

    def grid(function, n):
        return {"function": function, "resolution": n, "encoding": "list"}

    def plane(n):
        return {"function": NET_ALL, "resolution": n, "encoding": "list"}

    cases += [
        Case("surface: hostile formula, largest grid, lists", "POST", surface,
             largest(surface, lambda n: grid(HOSTILE, n), 2, top_res)),
        Case("surface: 10,000-point fit, largest grid", "POST", surface,
             largest(surface, lambda n: grid(FIT, n), 2, top_res)),
        Case(f"surface GET: rastrigin {top_res}², lists", "GET",
             "/api/v1/functions/rastrigin/surface", None, f"resolution={top_res}"),
        Case("slice: 4,963-parameter network, 2,000 samples, largest grid", "POST", slices,
             largest(slices, plane, 2, settings.max_slice_resolution)),
        Case("graph: 191-token expression", "POST", "/api/v1/graph",
             {"expression": "+".join(f"sin(a*b+{k})*exp(c)" for k in range(16)),  # ≤ 200
              "values": {"a": 1.0, "b": 2.0, "c": 0.5}}),
    ]  # fmt: skip
    return cases


def describe(case: Case) -> str:
    """The size found for a case: steps, runs, resolution."""
    body = case.body or {}
    first = body.get("runs", [body])[0]
    parts = []
    if "runs" in body:
        parts.append(f"{len(body['runs'])} runs")
    for key in ("resolution", "steps"):
        if key in first or key in body:
            parts.append(f"{key} {first.get(key, body.get(key)):,}")
    return ", ".join(parts) or case.query
