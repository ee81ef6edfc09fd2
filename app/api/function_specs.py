"""Turn a request's ``function`` (catalog id, typed expression or data fit) into a record."""

from __future__ import annotations

from fastapi import HTTPException

from app.api.schemas import DataSpec, ExpressionSpec
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


def resolve_function(spec: str | ExpressionSpec | DataSpec, where: str = "body") -> LossFunction:
    if isinstance(spec, str):
        return lookup(spec)
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


def check_start(f: LossFunction, start: list[float]) -> None:
    if len(start) != f.dims:
        raise unprocessable(
            ["body", "start"], f"start has {len(start)} coordinate(s); this function takes {f.dims}"
        )
