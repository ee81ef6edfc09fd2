"""Optimizer trajectories on a loss function."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.api.coalesce import coalescer
from app.api.function_specs import check_start, resolve_function, unprocessable
from app.api.grouping import group_key, run_group
from app.api.responses import StrictJSONResponse, rows
from app.api.schemas import TrajectoryRequest, TrajectoryResponse
from app.api.work import check_work, is_heavy, step_cost, values_per_point
from app.engine import Trajectory
from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.limits import heavy_slot

router = APIRouter(prefix="/api/v1/trajectories", tags=["trajectories"])


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
) -> dict:
    body = {
        "points": rows(t.points),
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
    if states:
        body["gradients"] = rows(t.gradients)
        body["states"] = {name: rows(value) for name, value in (t.states or {}).items()}
    if data:  # full epochs done at each point; a full batch is one epoch per step
        steps = np.arange(len(t.points))
        body["epoch"] = minibatches.epoch_of_point(steps) if minibatches else steps
    return body


@router.post("", response_model=TrajectoryResponse, responses={404: {}, 422: {}, 503: {}})
async def create_trajectory(request: TrajectoryRequest) -> StrictJSONResponse:
    """Run one optimizer from a start point and return every step."""
    f = resolve_function(request.function)
    check_start(f, request.start)
    minibatches = build_minibatches(f, request)
    work = check_work("steps", request.steps * step_cost(f, request.batch_size),
                      "max_run_work", "steps × evaluation cost")  # fmt: skip
    check_work("steps", (request.steps + 1) * values_per_point(f.dims, request.include_state),
               "max_response_values", "the numbers to return")  # fmt: skip

    if is_heavy(work) or minibatches is not None or request.gradient_noise > 0:
        trajectory, optimizer = await run_in_threadpool(run_alone, f, request, minibatches, work)
    else:
        trajectory, optimizer = await coalescer.submit(group_key(request), f, request)
    body = trajectory_body(
        trajectory, f.id, optimizer, request.include_state, minibatches, f.n_samples > 0
    )
    if "gradient_latex" in f.extra:
        body |= {"formula": f.formula, "gradient_latex": f.extra["gradient_latex"]}
    return StrictJSONResponse(body)


def run_alone(f: LossFunction, request: TrajectoryRequest, minibatches, work: int) -> tuple:
    with heavy_slot() if is_heavy(work) else nullcontext():
        return run_group(f, [request], minibatches)[0]
