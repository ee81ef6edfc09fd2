"""``POST /api/v1/code``: a trajectory request as a runnable PyTorch script (``text/x-python``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.function_specs import check_start, resolve_function, unprocessable
from app.api.routes.trajectories import check_scheduler
from app.api.schemas import DataSpec, ExpressionSpec, NetworkSpec, TrajectoryRequest
from app.engine.optim import from_resolved, with_scheduler
from app.engine.run import torch_script

router = APIRouter(prefix="/api/v1/code", tags=["code"])


@router.post("", response_class=Response,
             responses={200: {"content": {"text/x-python": {}}}, 404: {}, 422: {}})  # fmt: skip
def create_code(request: TrajectoryRequest) -> Response:
    """The run as a short PyTorch script: the same loss (a catalog function's formula, the
    typed formula, or the fit with its data), optimizer and scheduler classes and kwargs, and
    the loop (a closure for L-BFGS), printing the trajectory as JSON."""
    if isinstance(request.function, NetworkSpec):
        raise unprocessable(["body", "function"], "networks are not exported as code yet")
    for field, value in (("gradient_noise", request.gradient_noise),
                         ("batch_size", request.batch_size)):  # fmt: skip
        if value:
            raise unprocessable(["body", field], f"{field} is not exported: the script runs "
                                                 "the exact full-batch loss")  # fmt: skip
    f = resolve_function(request.function)
    start = check_start(f, request.start)
    check_scheduler(["body"], request.optimizer, request.scheduler, request.steps)
    optimizer = with_scheduler(from_resolved(request.optimizer.name,
                                             [request.optimizer.resolved()]),
                               request.scheduler and request.scheduler.schedule())  # fmt: skip
    try:
        if isinstance(request.function, ExpressionSpec):
            loss = torch_script.formula_loss(request.function.expression, f.dims)
        elif isinstance(request.function, DataSpec) or "data" in f.extra:  # lesson fits too
            loss = torch_script.data_loss(f.extra["data"])
        else:
            loss = torch_script.catalog_loss(f)
    except torch_script.NotExportable as error:
        raise unprocessable(["body", error.field], str(error)) from None
    text = torch_script.script(f, loss, list(start), optimizer, request.steps, request.tol)
    return Response(text, media_type="text/x-python")
