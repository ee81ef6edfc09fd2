"""Many runs at once: a batch of trajectories, basins of attraction, learning-rate sweeps."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request

from app.api.admission import StopSignal, compute, off_loop, watching
from app.api.exports import basins_csv, batch_csv, batch_html, formats, responses, sweep_csv
from app.api.function_specs import (
    check_recording,
    check_start,
    planar,
    resolve_function,
    response_values,
    unprocessable,
)
from app.api.grouping import group_key, run_group
from app.api.responses import StrictJSONResponse, finite_or_none, grid, rows
from app.api.routes.trajectories import build_minibatches, check_scheduler, trajectory_body
from app.api.schemas.many import (
    BasinsRequest,
    BasinsResponse,
    BatchRequest,
    BatchResponse,
    SweepRequest,
    SweepResponse,
)
from app.api.work import (
    check_operations,
    check_work,
    runs_ns,
    state_bytes,
    step_ns,
    stoppable,
    values_per_point,
)
from app.engine import STATUS_NAMES
from app.engine.basins import basins
from app.engine.optim import from_resolved, get_spec, with_scheduler
from app.engine.sweeps import sweep

router = APIRouter(prefix="/api/v1", tags=["many runs"])
ERRORS = {404: {}, 422: {}, 503: {}}


async def admit(http: Request, plan, request) -> StrictJSONResponse:
    """Validate and charge in a thread, then compute once admitted (admission.py)."""
    ns, work = await off_loop(plan, request)
    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, work)


@router.post("/trajectories/batch", response_model=BatchResponse,
             responses=ERRORS | responses(html=True))  # fmt: skip
@formats(batch_csv, batch_html)
async def create_trajectory_batch(request: BatchRequest, http: Request) -> StrictJSONResponse:
    """Run up to 64 trajectory requests in one call; each result as POST /trajectories."""
    return await admit(http, plan_batch, request)


def plan_batch(request: BatchRequest) -> tuple:
    runs = request.runs
    check_work("runs", sum(run.steps for run in runs), "max_batch_work", "the sum of steps")
    functions = [resolve_function(run.function) for run in runs]
    for i, (f, run) in enumerate(zip(functions, runs)):
        run.start = check_start(f, run.start)
        check_scheduler(["body", "runs", i], run.optimizer, run.scheduler, run.steps)
        check_recording(f, 1, run.steps)
    schedules = [build_minibatches(f, run) for f, run in zip(functions, runs)]  # validates
    values = sum((r.steps + 1) * values_per_point(f.dims, r.include_state) if f.dims <= 2
                 else response_values(f, r.steps, r.include_state, r.record_every)
                 for r, f in zip(runs, functions))  # fmt: skip
    check_work("runs", values, "max_response_values", "the numbers to return")
    groups: dict[str, list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault(group_key(run), []).append(i)
    ns = check_operations("runs", sum(
        runs_ns(functions[m[0]], len(m), runs[m[0]].steps, runs[m[0]].optimizer.name,
                noise=runs[m[0]].gradient_noise, include_state=runs[m[0]].include_state,
                batch_size=runs[m[0]].batch_size if schedules[m[0]] else None,
                feedback=bool(runs[m[0]].scheduler and runs[m[0]].scheduler.schedule().feedback),
                options=max((runs[i].optimizer.resolved() for i in m),
                            key=lambda o: o.get("max_eval") or o.get("max_iter", 0)))
        for m in groups.values()), values=values, held=sum(
        (r.steps + 1) * state_bytes(1, f.dims, r.include_state)
        for r, f in zip(runs, functions)))  # fmt: skip

    def work(stop: StopSignal) -> StrictJSONResponse:
        results: list[dict | None] = [None] * len(runs)
        for members in groups.values():
            f, first, minibatches = functions[members[0]], runs[members[0]], schedules[members[0]]
            ran = run_group(f, [runs[i] for i in members], minibatches, stop)
            for i, (trajectory, optimizer) in zip(members, ran):
                results[i] = trajectory_body(
                    trajectory, f.id, optimizer, first.include_state, minibatches,
                    f.n_samples > 0, first.record_every,
                )  # fmt: skip
        return StrictJSONResponse({"results": results})

    return ns, work


@router.post("/basins", response_model=BasinsResponse, responses=ERRORS | responses())
@formats(basins_csv)
async def create_basins(request: BasinsRequest, http: Request) -> StrictJSONResponse:
    """Run one optimizer from every start of a grid and label the valley each one reaches."""
    return await admit(http, plan_basins, request)


def plan_basins(request: BasinsRequest) -> tuple:
    f = planar(resolve_function(request.function))
    if f.dims != 2:
        raise unprocessable(["body", "function"], "basins need a function of x and y")
    check_work("steps", request.resolution**2 * request.steps, "max_basin_work",
               "resolution² × steps")  # fmt: skip
    window = [tuple(b) for b in request.window] if request.window else list(f.domain)
    for axis, (lo, hi) in zip("xy", window):
        if lo >= hi:
            raise unprocessable(["body", "window"], f"{axis}: min must be below max")
    optimizer = from_resolved(request.optimizer.name, [request.optimizer.resolved()])
    check_scheduler(["body"], request.optimizer, request.scheduler, request.steps)
    optimizer = with_scheduler(optimizer, request.scheduler and request.scheduler.schedule())
    feedback = optimizer.schedule is not None and optimizer.schedule.feedback
    starts = request.resolution**2  # the response: labels, final loss, status, steps taken
    held = 4 * state_bytes(starts, f.dims, True)  # the driver's arrays, a few copies
    ns = check_operations("steps", runs_ns(f, starts, request.steps, optimizer.name,
                                           feedback=feedback, options=optimizer.hyperparams),
                          values=4 * starts, held=held)  # fmt: skip
    return ns, lambda stop: render_basins(request, f, basins(
        stoppable(f, starts, stop), optimizer, window, request.resolution,
        request.steps, request.tol, request.radius, should_stop=stop))  # fmt: skip


def render_basins(request: BasinsRequest, f, result) -> StrictJSONResponse:
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


@router.post("/sweeps", response_model=SweepResponse, responses=ERRORS | responses())
@formats(sweep_csv)
async def create_sweep(request: SweepRequest, http: Request) -> StrictJSONResponse:
    """Final loss and status for each learning rate (× a second parameter's values)."""
    return await admit(http, plan_sweep, request)


def plan_sweep(request: SweepRequest) -> tuple:
    f = planar(resolve_function(request.function))
    check_start(f, request.start)
    lr = request.lr
    if lr.min > lr.max:
        raise unprocessable(["body", "lr", "min"], "lr.min must be at most lr.max")
    name = request.optimizer.name
    options = request.optimizer.resolved()
    second = request.second
    known = {p.name for p in get_spec(name).params}
    if "base" in options:  # SAM: its base's kwargs too
        known |= {p.name for p in get_spec(options["base"]).params}
    if second and second.param.split("[")[0] not in known:
        raise unprocessable(["body", "second", "param"], f"{name} has no {second.param}")
    check_scheduler(["body"], request.optimizer, request.scheduler, request.steps)
    settings_count = lr.count * (len(second.values) if second else 1)
    check_work("lr", settings_count, "max_sweep_settings", "the number of settings")
    check_work("steps", settings_count * request.steps, "max_sweep_work", "settings × steps")
    ns = check_operations("steps", (request.steps + 1) * step_ns(f, settings_count),
                          values=3 * settings_count,  # held: states, a per-step lr table
                          held=4 * state_bytes(settings_count, f.dims, True)
                          + 8 * settings_count * (request.steps + 1))  # fmt: skip
    lrs = np.geomspace(lr.min, lr.max, lr.count)

    def work(stop: StopSignal) -> StrictJSONResponse:
        try:
            result = sweep(
                stoppable(f, settings_count, stop), request.start, name, options, lrs,
                request.steps, request.tol, second.param if second else None,
                np.array(second.values) if second else None, should_stop=stop,
                schedule=request.scheduler and request.scheduler.schedule(),
            )  # fmt: skip
        except ValueError as error:  # a swept value torch would reject, e.g. betas[0] = 1
            raise unprocessable(["body", "second", "values"], str(error)) from None
        return render_sweep(request, lrs, result)

    return ns, work


def render_sweep(request: SweepRequest, lrs, result) -> StrictJSONResponse:
    second = request.second
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
