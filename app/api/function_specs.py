"""Turn a request's ``function`` (catalog id, typed expression or data fit) into a record."""

from __future__ import annotations

from fastapi import HTTPException

from app.api.schemas import DataSpec, ExpressionSpec
from app.api.schemas.networks import InitStart, NetworkSpec
from app.config import settings
from app.engine.catalog import UnknownFunctionError, get_function
from app.engine.expressions import ExpressionError, compile_expression
from app.engine.functions import LossFunction


def unprocessable(loc: list, message: str, **extra) -> HTTPException:
    return HTTPException(422, [{"loc": loc, "msg": message, "type": "value_error", **extra}])


def lookup(function_id: str) -> LossFunction:
    try:
        return get_function(function_id)
    except UnknownFunctionError as error:
        raise HTTPException(404, str(error)) from None


def resolve_function(spec: str | ExpressionSpec | DataSpec | NetworkSpec, where: str = "body"
                     ) -> LossFunction:  # fmt: skip
    if isinstance(spec, str):
        return lookup(spec)
    if isinstance(spec, NetworkSpec):
        return resolve_network(spec, where)
    domain = [list(b) for b in spec.domain] if spec.domain else None
    if isinstance(spec, ExpressionSpec):
        try:
            return compile_expression(spec.expression, domain)
        except ExpressionError as error:
            loc = [where, "function", "domain" if "domain" in error.message else "expression"]
            raise unprocessable(loc, error.message, column=error.column) from None
    from app.engine.data import data_function  # noqa: PLC0415 (the data lessons module)

    try:
        return data_function(spec.model, spec.loss, spec.data.x, spec.data.y, domain)
    except ValueError as error:
        raise unprocessable([where, "function"], str(error)) from None


def resolve_network(spec: NetworkSpec, where: str = "body") -> LossFunction:
    from app.engine.networks import Limits, NetworkError, network_function  # noqa: PLC0415

    limits = Limits(settings.max_network_layers, settings.max_network_width,
                    settings.max_network_parameters, settings.max_network_samples,
                    settings.max_coordinate)  # fmt: skip
    net, data = spec.network, spec.data
    try:
        if hasattr(data, "dataset"):
            return network_function(
                net.layers,
                net.activation,
                net.loss,
                dataset=data.dataset,
                n=data.n,
                noise=data.noise,
                seed=data.seed,
                limits=limits,
            )
        return network_function(net.layers, net.activation, net.loss, data.x, data.y,
                                limits=limits)  # fmt: skip
    except NetworkError as error:
        hint = {"parameters": "DESCENT_MAX_NETWORK_PARAMETERS"}.get(
            "parameters" if "parameters" in error.message else "", ""
        )
        message = f"{error.message} ({hint})" if hint else error.message
        inner = (
            ["network", error.field]
            if error.field in ("layers", "activation", "loss")
            else ["data", *([error.field] if error.field != "data" else [])]
        )
        raise unprocessable([where, "function", *inner], message) from None


def planar(f: LossFunction) -> LossFunction:
    """Grids of starts or points need one or two parameters; a network is drawn by slices."""
    if f.dims > 2:
        raise unprocessable(
            ["body", "function"],
            f"this function has {f.dims:,} parameters: its landscape is drawn in slices "
            "(POST /api/v1/slices), not on a grid of all of them",
        )
    return f


def check_start(f: LossFunction, start: list[float] | InitStart) -> list[float]:
    """The start as coordinates: a network's {init: torch, seed} is drawn here."""
    if isinstance(start, InitStart):
        if "init" not in f.extra:
            raise unprocessable(["body", "start"], "{init: torch} starts apply to networks")
        return f.extra["init"](start.seed).tolist()
    if len(start) != f.dims:
        raise unprocessable(
            ["body", "start"],
            f"start has {len(start)} coordinate(s); this function takes {f.dims} "
            f"(expected length {f.dims})",
        )
    return start


def response_values(f: LossFunction, steps: int, include_state: bool, record_every: int) -> int:
    """Numbers a trajectory response holds: per step the loss, gradient norm and epoch; per
    recorded point its coordinates (and with the state, the gradient and state vectors)."""
    points = -(-(steps + 1) // record_every) + 1
    return (steps + 1) * 3 + points * f.dims * (1 + (6 if include_state else 0))


def check_recording(f: LossFunction, runs: int, steps: int) -> None:
    """The engine keeps every step's parameters and gradient while it runs."""
    held = runs * (steps + 1) * f.dims * 2
    if f.dims > 2 and held > settings.max_network_record_values:
        raise unprocessable(
            ["body", "steps"],
            f"steps × parameters held while running is {held:,}, over the limit of "
            f"{settings.max_network_record_values:,} (DESCENT_MAX_NETWORK_RECORD_VALUES); "
            "ask for fewer steps",
        )
