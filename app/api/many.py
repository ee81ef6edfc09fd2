"""Many runs at once: a batch of trajectories, basins of attraction, learning-rate sweeps."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from fastapi import APIRouter

from app.api.function_specs import check_start, resolve_function, unprocessable
from app.api.grouping import group_key, run_group
from app.api.many_schemas import (
    BasinsRequest,
    BasinsResponse,
    BatchRequest,
    BatchResponse,
    SweepRequest,
    SweepResponse,
)
from app.api.responses import StrictJSONResponse, finite_or_none, grid, rows
from app.api.trajectories import build_minibatches, trajectory_body
from app.api.work import check_work, evaluation_cost, is_heavy, step_cost, values_per_point
from app.engine import STATUS_NAMES
from app.engine.basins import basins
from app.engine.optim import from_resolved, get_spec
from app.engine.sweeps import sweep
from app.limits import heavy_slot

router = APIRouter(prefix="/api/v1", tags=["many runs"])
ERRORS = {404: {}, 422: {}, 503: {}}


@router.post("/trajectories/batch", response_model=BatchResponse, responses=ERRORS)
def create_trajectory_batch(request: BatchRequest) -> StrictJSONResponse:
    """Run up to 64 trajectory requests in one call; each result as POST /trajectories."""
    runs = request.runs
    check_work("runs", sum(run.steps for run in runs), "max_batch_work", "the sum of steps")
    functions = [resolve_function(run.function) for run in runs]
    for f, run in zip(functions, runs):
        check_start(f, run.start)
    schedules = [build_minibatches(f, run) for f, run in zip(functions, runs)]  # validates
    work = check_work(
        "runs", sum(r.steps * step_cost(f, r.batch_size) for r, f in zip(runs, functions)),
        "max_batch_work", "the sum of steps × evaluation cost",
    )  # fmt: skip
    check_work(
        "runs",
        sum((r.steps + 1) * values_per_point(f.dims, r.include_state)
            for r, f in zip(runs, functions)),
        "max_response_values", "the numbers to return",
    )  # fmt: skip
    groups: dict[str, list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault(group_key(run), []).append(i)
    results: list[dict | None] = [None] * len(runs)
    with heavy_slot() if is_heavy(work) else nullcontext():
        for members in groups.values():
            f, first, minibatches = functions[members[0]], runs[members[0]], schedules[members[0]]
            ran = run_group(f, [runs[i] for i in members], minibatches)
            for i, (trajectory, optimizer) in zip(members, ran):
                results[i] = trajectory_body(
                    trajectory, f.id, optimizer, first.include_state, minibatches,
                    f.n_samples > 0,
                )  # fmt: skip
    return StrictJSONResponse({"results": results})


@router.post("/basins", response_model=BasinsResponse, responses=ERRORS)
def create_basins(request: BasinsRequest) -> StrictJSONResponse:
    """Run one optimizer from every start of a grid and label the valley each one reaches."""
    f = resolve_function(request.function)
    if f.dims != 2:
        raise unprocessable(["body", "function"], "basins need a function of x and y")
    check_work("steps", request.resolution**2 * request.steps * evaluation_cost(f),
               "max_basin_work", "resolution² × steps × evaluation cost")  # fmt: skip
    window = [tuple(b) for b in request.window] if request.window else list(f.domain)
    for axis, (lo, hi) in zip("xy", window):
        if lo >= hi:
            raise unprocessable(["body", "window"], f"{axis}: min must be below max")
    optimizer = from_resolved(request.optimizer.name, [request.optimizer.resolved()])
    with heavy_slot():
        result = basins(f, optimizer, window, request.resolution, request.steps, request.tol,
                        request.radius)  # fmt: skip
    encoding = request.encoding
    end_points = [
        {
            "label": label,
            "point": e.point.tolist(),
            "loss": finite_or_none(e.loss),
            "count": e.count,
            "minimum": e.minimum,
            "is_global": None if e.minimum is None else f.minima[e.minimum].is_global,
        }
        for label, e in enumerate(result.end_points)
    ]
    return StrictJSONResponse(
        {
            "x": result.x.tolist(),
            "y": result.y.tolist(),
            "labels": grid(result.labels, "i4", encoding),
            "final_loss": grid(result.final_losses, "f4", encoding),
            "status": grid(result.status, "u1", encoding),
            "steps_taken": grid(result.steps_taken, "i4", encoding),
            "status_names": list(STATUS_NAMES),
            "end_points": end_points,
        }
    )


@router.post("/sweeps", response_model=SweepResponse, responses=ERRORS)
def create_sweep(request: SweepRequest) -> StrictJSONResponse:
    """Final loss and status for each learning rate (× a second parameter's values)."""
    f = resolve_function(request.function)
    check_start(f, request.start)
    lr = request.lr
    if lr.min > lr.max:
        raise unprocessable(["body", "lr", "min"], "lr.min must be at most lr.max")
    name = request.optimizer.name
    options = request.optimizer.resolved()
    second = request.second
    if second and second.param.split("[")[0] not in {p.name for p in get_spec(name).params}:
        raise unprocessable(["body", "second", "param"], f"{name} has no {second.param}")
    settings_count = lr.count * (len(second.values) if second else 1)
    check_work("lr", settings_count, "max_sweep_settings", "the number of settings")
    check_work("steps", settings_count * request.steps * evaluation_cost(f), "max_sweep_work",
               "settings × steps × evaluation cost")  # fmt: skip
    lrs = np.geomspace(lr.min, lr.max, lr.count)
    try:
        with heavy_slot():
            result = sweep(
                f, request.start, name, options, lrs, request.steps, request.tol,
                second.param if second else None,
                np.array(second.values) if second else None,
            )  # fmt: skip
    except ValueError as error:  # a swept value torch would reject, e.g. betas[0] = 1
        raise unprocessable(["body", "second", "values"], str(error)) from None
    return StrictJSONResponse(
        {
            "lrs": lrs.tolist(),
            "param": second.param if second else None,
            "values": second.values if second else None,
            "final_loss": rows(result.final_losses),
            "status": [[STATUS_NAMES[s] for s in row] for row in result.status.tolist()],
            "steps_taken": result.steps_taken.tolist(),
        }
    )
