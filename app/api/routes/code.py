"""``POST /api/v1/code``: a trajectory request as a runnable PyTorch script (``text/x-python``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.function_specs import unprocessable
from app.api.routes.trajectories import plan_trajectory
from app.api.schemas import DataSpec, ExpressionSpec, NetworkSpec, TrajectoryRequest
from app.api.schemas.networks import InitStart
from app.engine.optim import from_resolved, with_scheduler
from app.engine.run import torch_formula, torch_network, torch_script
from app.engine.run.torch_sampling import Sampling

router = APIRouter(prefix="/api/v1/code", tags=["code"])


@router.post("", response_class=Response,
             responses={200: {"content": {"text/x-python": {}}}, 404: {}, 422: {}})  # fmt: skip
def create_code(request: TrajectoryRequest) -> Response:
    """The run as a short PyTorch script: the same loss (a catalog function's formula, the
    typed formula, the fit with its data, or the network with its data), optimizer and
    scheduler classes and kwargs, the loop (a closure for L-BFGS), mini-batches and gradient
    noise drawn from the engine's seeded streams, printing the trajectory as JSON."""
    init_seed = request.start.seed if isinstance(request.start, InitStart) else None
    f, minibatches, _ = plan_trajectory(request)  # the trajectory's own checks (and start)
    optimizer = with_scheduler(from_resolved(request.optimizer.name,
                                             [request.optimizer.resolved()]),
                               request.scheduler and request.scheduler.schedule())  # fmt: skip
    try:
        if isinstance(request.function, NetworkSpec):
            data = request.function.data
            loss = torch_network.network_loss(f, getattr(data, "dataset", None))
        elif isinstance(request.function, ExpressionSpec):
            loss = torch_formula.formula_loss(request.function.expression, f.dims)
        elif isinstance(request.function, DataSpec) or "data" in f.extra:  # lesson fits too
            loss = torch_script.data_loss(f.extra["data"])
        else:
            loss = torch_script.catalog_loss(f)
    except torch_formula.NotExportable as error:
        raise unprocessable(["body", error.field], str(error)) from None
    sampling = Sampling(request.gradient_noise, request.seed, minibatches)
    text = torch_script.script(f, loss, list(request.start), optimizer, request.steps,
                               request.tol, sampling, init_seed, request.record_every)  # fmt: skip
    return Response(text, media_type="text/x-python")
