"""The loss-function catalog and its surfaces."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query

from app.api.responses import StrictJSONResponse, finite_or_none, rows
from app.api.schemas import FunctionInfo, FunctionList, Surface
from app.config import settings
from app.engine.catalog import CATALOG, UnknownFunctionError, get_function
from app.engine.functions import LossFunction

router = APIRouter(prefix="/api/v1/functions", tags=["functions"])

F4_MAX = float(np.finfo(np.float32).max)
WindowBound = Annotated[
    float | None,
    Query(ge=-settings.max_coordinate, le=settings.max_coordinate, allow_inf_nan=False),
]


def function_info(f: LossFunction) -> dict:
    return {
        "id": f.id,
        "title": f.title,
        "dims": f.dims,
        "formula": f.formula,
        "domain": [list(b) for b in f.domain],
        "minima": [
            {"point": list(m.point), "value": m.value, "global": m.is_global} for m in f.minima
        ],
        "start": list(f.start),
        "log_scale": f.log_scale,
        "description": f.description,
    }


def lookup(function_id: str) -> LossFunction:
    try:
        return get_function(function_id)
    except UnknownFunctionError as error:
        raise HTTPException(404, str(error)) from None


@router.get("", response_model=FunctionList)
def list_functions() -> StrictJSONResponse:
    """List every function in the catalog."""
    return StrictJSONResponse({"functions": [function_info(f) for f in CATALOG.values()]})


@router.get("/{function_id}", response_model=FunctionInfo, responses={404: {}})
def get_function_info(function_id: str) -> StrictJSONResponse:
    """Describe one function: formula, domain, known minima and default start."""
    return StrictJSONResponse(function_info(lookup(function_id)))


def evaluate_surface(
    f: LossFunction, window: list[tuple[float, float]], resolution: int, encoding: str
) -> dict:
    """f on a resolution-per-axis grid over ``window``; z[j][i] = f(x[i], y[j])."""
    axes = [np.linspace(lo, hi, resolution) for lo, hi in window]
    grid = np.stack(np.meshgrid(*axes, indexing="xy"), axis=-1)
    with np.errstate(all="ignore"):
        z = f.value(grid)
    finite = np.isfinite(z)
    body = {"x": axes[0].tolist()}
    if f.dims == 2:
        body["y"] = axes[1].tolist()
    body["z_min"] = finite_or_none(z[finite].min()) if finite.any() else None
    body["z_max"] = finite_or_none(z[finite].max()) if finite.any() else None
    if encoding == "base64":
        # Non-finite values become NaN, which Plotly draws as gaps; beyond float32 is clipped.
        z32 = np.where(finite, np.clip(z, -F4_MAX, F4_MAX), np.nan).astype("<f4")
        body["z"] = {
            "dtype": "f4",
            "bdata": base64.b64encode(z32.tobytes()).decode(),
            "shape": ",".join(str(s) for s in z32.shape),
        }
    else:
        body["z"] = rows(z)
    return body


def resolve_window(
    f: LossFunction, bounds: list[tuple[float | None, float | None]]
) -> list[tuple[float, float]]:
    window = []
    for axis, ((lo, hi), (default_lo, default_hi)) in zip("xy", zip(bounds, f.domain)):
        lo = default_lo if lo is None else lo
        hi = default_hi if hi is None else hi
        if lo >= hi:
            raise HTTPException(
                422,
                [{"loc": ["query", f"{axis}_min"], "msg": f"{axis}_min must be below {axis}_max "
                  f"(got {lo:g} >= {hi:g})", "type": "value_error"}],
            )  # fmt: skip
        window.append((lo, hi))
    return window


@router.get("/{function_id}/surface", response_model=Surface, responses={404: {}})
def get_surface(
    function_id: str,
    resolution: Annotated[int, Query(ge=2, le=settings.max_resolution)] = (
        settings.default_resolution
    ),
    x_min: WindowBound = None,
    x_max: WindowBound = None,
    y_min: WindowBound = None,
    y_max: WindowBound = None,
    encoding: Literal["list", "base64"] = "list",
) -> StrictJSONResponse:
    """Evaluate the function on a grid; base64 gives z as a Plotly typed array (float32)."""
    f = lookup(function_id)
    window = resolve_window(f, [(x_min, x_max), (y_min, y_max)])
    return StrictJSONResponse(evaluate_surface(f, window, resolution, encoding))
