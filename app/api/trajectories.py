"""Optimizer trajectories on a loss function."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from app.api.functions import lookup
from app.api.responses import StrictJSONResponse
from app.api.schemas import TrajectoryRequest, TrajectoryResponse
from app.engine.functions import LossFunction
from app.engine.optimizers import Optimizer, make_optimizer
from app.engine.runner import Trajectory, run

router = APIRouter(prefix="/api/v1/trajectories", tags=["trajectories"])


def check_start(f: LossFunction, start: list[float]) -> None:
    if len(start) != f.dims:
        raise HTTPException(
            422,
            [{"loc": ["body", "start"], "type": "value_error",
              "msg": f"start has {len(start)} coordinate(s); '{f.id}' takes {f.dims}"}],
        )  # fmt: skip


def build_optimizer(request: TrajectoryRequest) -> Optimizer:
    options = request.optimizer.model_dump()
    return make_optimizer(options.pop("name"), **options)


def trajectory_body(t: Trajectory, function_id: str, optimizer: Optimizer, states: bool) -> dict:
    body = {
        "points": t.points.tolist(),
        "losses": t.losses.tolist(),
        "grad_norms": t.grad_norms.tolist(),
        "status": t.status,
        "steps_taken": t.steps_taken,
        "function": function_id,
        "optimizer": {
            "name": optimizer.name,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in optimizer.hyperparams.items()},
        },
    }
    if states:
        body["gradients"] = t.gradients.tolist()
        body["states"] = {name: value.tolist() for name, value in (t.states or {}).items()}
    return body


@router.post("", response_model=TrajectoryResponse, responses={404: {}, 422: {}})
def create_trajectory(request: TrajectoryRequest) -> StrictJSONResponse:
    """Run one optimizer from a start point and return every step."""
    f = lookup(request.function)
    check_start(f, request.start)
    optimizer = build_optimizer(request)
    trajectory = run(
        f, request.start, optimizer, steps=request.steps, tol=request.tol,
        gradient_noise=request.gradient_noise, seed=request.seed,
        include_state=request.include_state,
    )  # fmt: skip
    return StrictJSONResponse(trajectory_body(trajectory, f.id, optimizer, request.include_state))
