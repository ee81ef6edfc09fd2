"""Optimizer trajectories on a loss function."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request

from app.api.admission import StopSignal, compute, off_loop, watching
from app.api.coalesce import coalescer
from app.api.exports import formats, responses, trajectory_csv
from app.api.function_specs import (
    check_recording,
    check_start,
    resolve_function,
    response_values,
    unprocessable,
)
from app.api.grouping import group_key, run_group
from app.api.responses import StrictJSONResponse, rows
from app.api.schemas import TrajectoryRequest, TrajectoryResponse
from app.api.work import check_operations, check_work, runs_ns, state_bytes, values_per_point
from app.config import settings
from app.engine import Trajectory
from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.engine.optim import ScheduleError, check_schedule
from app.engine.optim.specs import CLOSURE

router = APIRouter(prefix="/api/v1/trajectories", tags=["trajectories"])


def check_scheduler(loc: list, optimizer, scheduler, steps: int) -> None:
    """What torch refuses once the optimizer and the run are known (``CyclicLR`` cycling the
    momentum of Adagrad, ``OneCycleLR`` with fewer ``total_steps`` than the run): 422 naming
    the field. ``optimizer``: the request's options (SAM's name its base), or a name."""
    if scheduler is None:
        return
    name, options = (optimizer, None) if isinstance(optimizer, str) else (optimizer.name,
                                                                           optimizer.resolved())
    try:
        check_schedule(name, scheduler.schedule(), steps, options)
    except ScheduleError as error:
        raise unprocessable([*loc, "scheduler", scheduler.name, *([error.field] if error.field
                                                                 else [])],
                            f"{error.field}: {error}" if error.field else str(error)) from None


def build_minibatches(f: LossFunction, request: TrajectoryRequest) -> MinibatchSchedule | None:
    if request.batch_size is None or f.sample_gradient is None:
        if request.batch_size is not None:
            raise unprocessable(["body", "batch_size"], "batch_size applies to losses on data")
        return None
    return MinibatchSchedule(f.n_samples, request.batch_size, request.shuffle, request.seed)


def trajectory_body(
    t: Trajectory,
    function_id: str,
    optimizer,
    states: bool,
    minibatches: MinibatchSchedule | None = None,
    data: bool = False,
    record_every: int = 1,
) -> dict:
    kept = np.arange(len(t.points))
    if record_every > 1:  # every k-th point and the last
        kept = np.unique(np.append(kept[::record_every], kept[-1:]))
    body = {
        "points": rows(t.points[kept]),
        "losses": rows(t.losses),
        "grad_norms": rows(t.grad_norms),
        "status": t.status,
        "steps_taken": t.steps_taken,
        "function": function_id,
        "optimizer": {
            "name": optimizer.name,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in optimizer.hyperparams.items()},
        },
    }
    if getattr(optimizer, "schedule", None) is not None:
        body["scheduler"] = optimizer.schedule.as_dict()
        body["lrs"] = rows(t.lrs)
    if t.evaluations is not None:  # L-BFGS: evaluations and the points each step evaluated
        body["evaluations"] = t.evaluations
        if isinstance(t.probes, np.ndarray):  # SAM: one probe a step, (steps, 1, dims + 1)
            finite = np.isfinite(t.probes[:, 0]).all(axis=1).tolist()
            body["probes"] = [[row] if ok else [] for row, ok in
                              zip(t.probes[:, 0].tolist(), finite, strict=True)]  # fmt: skip
        else:
            body["probes"] = [rows(p[np.isfinite(p).all(axis=1)]) for p in t.probes]
    if record_every > 1:
        body["point_steps"] = kept
    if states:
        body["gradients"] = rows(t.gradients[kept])
        body["states"] = {name: rows(value[kept]) for name, value in (t.states or {}).items()}
    if data:  # full epochs done at each point; a full batch is one epoch per step
        steps = np.arange(len(t.points))
        body["epoch"] = minibatches.epoch_of_point(steps) if minibatches else steps
    return body


@router.post("", response_model=TrajectoryResponse,
             responses={404: {}, 422: {}, 503: {}, **responses()})  # fmt: skip
@formats(trajectory_csv)
async def create_trajectory(request: TrajectoryRequest, http: Request) -> StrictJSONResponse:
    """Run one optimizer from a start point and return every step."""
    # A catalog function's planning takes microseconds: it never queues behind formulas'
    # and fits' compiling.
    catalog = isinstance(request.function, str)
    f, minibatches, ns, key = await off_loop(plan_trajectory, request, True, quick=catalog)
    async with watching(http, StopSignal()) as stop:
        if ns > settings.heavy_operations or minibatches is not None or request.gradient_noise:

            def alone(signal: StopSignal) -> StrictJSONResponse:
                ran = run_group(f, [request], minibatches, signal)[0]
                return render(f, request, minibatches, *ran)

            return await compute(ns, stop, alone)
        trajectory, optimizer = await coalescer.submit(key, f, request, stop)
        return await off_loop(render, f, request, None, trajectory, optimizer, quick=True)


def plan_trajectory(request: TrajectoryRequest, keyed: bool = False) -> tuple:
    """Validate and charge a request (in a thread: compiling a fit takes tens of ms);
    ``keyed``: also its coalescing group's key (dumping a 10,000-point fit takes ms)."""
    f = resolve_function(request.function)
    request.start = check_start(f, request.start)
    check_scheduler(["body"], request.optimizer, request.scheduler, request.steps)
    minibatches = build_minibatches(f, request)
    values = response_values(f, request.steps, request.include_state, request.record_every)
    if f.dims <= 2:
        values = (request.steps + 1) * values_per_point(f.dims, request.include_state)
    check_work("steps", values, "max_response_values", "the numbers to return")
    check_recording(f, 1, request.steps)
    options = request.optimizer.resolved()
    if request.optimizer.name in CLOSURE:  # L-BFGS returns each step's probes too
        if request.gradient_noise or request.batch_size is not None:
            field = "gradient_noise" if request.gradient_noise else "batch_size"
            raise unprocessable(["body", field], f"{request.optimizer.name} needs the exact "
                                "function (its line search compares values)")  # fmt: skip
        probes = options["max_eval"] or options["max_iter"] * 5 // 4
        check_work("steps", values + request.steps * (probes + 1) * (f.dims + 1),
                   "max_response_values", "the numbers to return")  # fmt: skip
    ns = check_operations("steps", runs_ns(
        f, 1, request.steps, request.optimizer.name, noise=request.gradient_noise,
        batch_size=request.batch_size if minibatches else None,
        include_state=request.include_state, options=request.optimizer.resolved(),
        feedback=bool(request.scheduler and request.scheduler.schedule().feedback)),
        values=values,
        held=(request.steps + 1) * state_bytes(1, f.dims, request.include_state))  # fmt: skip
    if not keyed:
        return f, minibatches, ns
    return f, minibatches, ns, group_key(request) if ns <= settings.heavy_operations else None


def render(f: LossFunction, request: TrajectoryRequest, minibatches, trajectory, optimizer):
    body = trajectory_body(
        trajectory,
        f.id,
        optimizer,
        request.include_state,
        minibatches,
        f.n_samples > 0,
        request.record_every,
    )
    if "gradient_latex" in f.extra:
        body |= {"formula": f.formula, "gradient_latex": f.extra["gradient_latex"]}
    return StrictJSONResponse(body)
