"""The API's operations called in-process, for the CLI and the notebook.

Each call validates its payload with the API's own request model (parsed from JSON, as
the API parses a body), plans it with the API's own ``plan_*`` function (same checks, same
caps) and renders it with the API's own renderer: the bytes are those the API answers.
Bad input raises ``InputError`` carrying the API's message and the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi import HTTPException
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.api.admission import StopSignal
from app.api.function_specs import resolve_function
from app.api.grouping import run_group
from app.api.routes.many import plan_basins, plan_batch, plan_sweep
from app.api.routes.surfaces import describe_spec, evaluate_surface, plan_surface
from app.api.routes.trajectories import plan_trajectory, render
from app.api.schemas import FunctionSpec, SurfaceRequest, TrajectoryRequest
from app.api.schemas.many import BasinsRequest, BatchRequest, SweepRequest
from app.engine.functions import LossFunction

NO_DEADLINE = 365 * 24 * 3600.0  # a person at a terminal or a notebook decides when to stop


class InputError(ValueError):
    """Input the API would refuse: ``status`` as it would answer, ``message`` one line."""

    def __init__(self, status: int, problems: list[tuple[str, str]]) -> None:
        self.status, self.problems = status, problems
        super().__init__("; ".join(f"{field}: {msg}" if field else msg for field, msg in problems))


def _field(loc) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query"))


def _refused(error: Exception) -> InputError:
    if isinstance(error, ValidationError):
        return InputError(422, [(_field(e["loc"]), e["msg"]) for e in error.errors()])
    assert isinstance(error, HTTPException)
    detail = error.detail
    if isinstance(detail, list):
        return InputError(error.status_code, [(_field(e["loc"]), e["msg"]) for e in detail])
    return InputError(error.status_code, [("", str(detail))])


def parse(model: type[BaseModel], payload: dict) -> Any:
    """``payload`` validated exactly as the API validates a JSON body."""
    try:
        return model.model_validate_json(orjson.dumps(payload))
    except ValidationError as error:
        raise _refused(error) from None


def _guarded(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (ValidationError, HTTPException) as error:
        raise _refused(error) from None


def stop_signal(should_stop: Callable[[], bool] | None = None) -> Callable[[], bool]:
    """What the engine asks between steps: the caller's own test, or never stop."""
    return should_stop or StopSignal(NO_DEADLINE)


def trajectory(payload: dict, should_stop=None) -> bytes:
    """The body of ``POST /api/v1/trajectories`` for ``payload``."""
    request = parse(TrajectoryRequest, payload)

    def call() -> bytes:
        f, minibatches, _ns = plan_trajectory(request)
        ran = run_group(f, [request], minibatches, stop_signal(should_stop))[0]
        return render(f, request, minibatches, *ran).body

    return _guarded(call)


def _planned(model, plan, payload: dict, should_stop=None) -> bytes:
    request = parse(model, payload)
    return _guarded(lambda: plan(request)[1](stop_signal(should_stop)).body)


def batch(payload: dict, should_stop=None) -> bytes:
    """The body of ``POST /api/v1/trajectories/batch``."""
    return _planned(BatchRequest, plan_batch, payload, should_stop)


def basins(payload: dict, should_stop=None) -> bytes:
    """The body of ``POST /api/v1/basins``."""
    return _planned(BasinsRequest, plan_basins, payload, should_stop)


def sweep(payload: dict, should_stop=None) -> bytes:
    """The body of ``POST /api/v1/sweeps``."""
    return _planned(SweepRequest, plan_sweep, payload, should_stop)


def surface(payload: dict) -> dict:
    """The body of ``POST /api/v1/surface``, as a dict."""
    request = parse(SurfaceRequest, payload)

    def call() -> dict:
        f, window, _ns = plan_surface(request)
        body = evaluate_surface(f, window, request.resolution, request.encoding)
        return describe_spec(f) | body

    return _guarded(call)


_SPEC = TypeAdapter(FunctionSpec)


def function(spec: str | dict) -> LossFunction:
    """The record behind a function spec (catalog id, ``{expression}`` or ``{model, data}``)."""
    try:
        parsed = _SPEC.validate_json(orjson.dumps(spec))
    except ValidationError as error:
        raise InputError(422, [("function", e["msg"]) for e in error.errors()]) from None
    return _guarded(lambda: resolve_function(parsed))
