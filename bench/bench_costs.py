"""Estimated operations against measured CPU time, per endpoint's most expensive requests.

The work caps (app/api/work.py) charge requests by estimated operations, 1e9 to the
CPU-second; this prints, for a set of requests (the issue's hostile formula, catalog
functions, fits to data), the estimate, the CPU time measured (process time of the
computation alone, in this process) and their ratio. A ratio under 1 means the estimate
is conservative.

    python -m bench.bench_costs
"""

from __future__ import annotations

import json
import time

from app.api.admission import StopSignal
from app.api.grouping import run_group
from app.api.routes.many import plan_basins, plan_batch, plan_sweep
from app.api.routes.surfaces import plan_surface
from app.api.routes.trajectories import plan_trajectory, render
from app.api.schemas import SurfaceRequest, TrajectoryRequest
from app.api.schemas.many import BasinsRequest, BatchRequest, SweepRequest
from app.engine import warm_up
from bench.load import RESULTS

HOSTILE = {"expression": "+".join(f"sinh(x^y^{k})" for k in range(1, 29)),
           "domain": [[0.5, 1], [0.5, 1]]}  # fmt: skip
TRIG = {"expression": "+".join(f"sin({k}*x*y)*cos(x-{k}*y)" for k in range(1, 15)),
        "domain": [[0, 1], [0, 1]]}  # fmt: skip
FIT = {"model": "logistic", "loss": "bce",
       "data": {"x": [i / 10_000 for i in range(10_000)],
                "y": [int(i > 5000) for i in range(10_000)]}}  # fmt: skip
ADAM = {"name": "adam", "lr": 1e-3}


def trajectory(function, steps, **extra):
    request = TrajectoryRequest.model_validate(
        {"function": function, "start": [0.7, 0.7], "optimizer": ADAM, "steps": steps,
         "tol": 0, **extra})  # fmt: skip
    f, minibatches, ns = plan_trajectory(request)
    return ns, lambda: render(f, request, minibatches, *run_group(f, [request], minibatches)[0])


def planned(plan, model, body):
    ns, work = plan(model.model_validate(body))
    return ns, lambda: work(StopSignal(3600))


def surface(function, resolution):
    f, window, ns = plan_surface(SurfaceRequest.model_validate(
        {"function": function, "resolution": resolution, "encoding": "list"}))  # fmt: skip
    from app.api.routes.surfaces import evaluate_surface

    return ns, lambda: evaluate_surface(f, window, resolution, "list")


CASES = {
    "trajectory, hostile formula, 1,300 steps": lambda: trajectory(HOSTILE, 1300),
    "trajectory, trig formula, 20,000 steps": lambda: trajectory(TRIG, 20_000),
    "trajectory, 10k-point fit, 20,000 steps": lambda: trajectory(FIT, 20_000),
    "trajectory, rosenbrock (numpy), 100,000 steps, noise": lambda: trajectory(
        "rosenbrock", 100_000, gradient_noise=0.1),
    "surface, hostile formula, 1000²": lambda: surface(HOSTILE, 1000),
    "surface, trig formula, 1000²": lambda: surface(TRIG, 1000),
    "surface, rastrigin, 1000²": lambda: surface("rastrigin", 1000),
    "surface, 10k-point fit, 100²": lambda: surface(FIT, 100),
    "basins, trig formula, 100² × 100 steps": lambda: planned(plan_basins, BasinsRequest, {
        "function": TRIG, "optimizer": ADAM, "resolution": 100, "steps": 100}),
    "sweep, trig formula, 2500 settings × 200 steps": lambda: planned(plan_sweep, SweepRequest, {
        "function": TRIG, "start": [0.7, 0.7], "optimizer": {"name": "sgd"},
        "lr": {"min": 1e-5, "max": 1e-4, "count": 100},
        "second": {"param": "momentum", "values": [i / 25 for i in range(25)]}, "steps": 200}),
    "batch, hostile formula, 8 × 2000 steps, noise": lambda: planned(plan_batch, BatchRequest, {
        "runs": [{"function": HOSTILE, "start": [0.7, 0.7], "optimizer": ADAM, "steps": 2000,
                  "gradient_noise": 0.1, "seed": i} for i in range(8)]}),
}  # fmt: skip


def main() -> None:
    warm_up()
    results = {}
    for name, make in CASES.items():
        ns, work = make()
        start = time.process_time()
        work()
        seconds = time.process_time() - start
        results[name] = {"estimated_s": round(ns / 1e9, 3), "cpu_s": round(seconds, 3),
                         "measured/estimated": round(seconds / (ns / 1e9), 2)}  # fmt: skip
        print(f"{name:<55} estimated {ns / 1e9:7.3f} s  measured {seconds:7.3f} s  "
              f"ratio {seconds / (ns / 1e9):5.2f}", flush=True)  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "costs.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
