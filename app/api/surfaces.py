"""Surfaces of any function spec: catalog ids, typed expressions and data fits."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from fastapi import APIRouter

from app.api.function_specs import resolve_function, unprocessable
from app.api.responses import StrictJSONResponse, finite_or_none, grid
from app.api.schemas import Surface, SurfaceRequest
from app.api.work import check_work, evaluation_cost, is_heavy
from app.engine.functions import LossFunction
from app.limits import heavy_slot

router = APIRouter(prefix="/api/v1/surface", tags=["surfaces"])


def evaluate_surface(
    f: LossFunction, window: list[tuple[float, float]], resolution: int, encoding: str
) -> dict:
    """f on a resolution-per-axis grid over ``window``; z[j][i] = f(x[i], y[j])."""
    axes = [np.linspace(lo, hi, resolution) for lo, hi in window]
    points = np.stack(np.meshgrid(*axes, indexing="xy"), axis=-1)
    with np.errstate(all="ignore"):
        z = f.value(points)
    finite = np.isfinite(z)
    body = {"x": axes[0].tolist()}
    if f.dims == 2:
        body["y"] = axes[1].tolist()
    body["z_min"] = finite_or_none(z[finite].min()) if finite.any() else None
    body["z_max"] = finite_or_none(z[finite].max()) if finite.any() else None
    # Non-finite values become NaN in base64 and null in lists: Plotly draws gaps there.
    body["z"] = grid(z, "f4", encoding)
    return body


def describe_spec(f: LossFunction) -> dict:
    """What a page shows for a typed expression: its LaTeX and its gradient's."""
    described = {"domain": [list(b) for b in f.domain]}
    if "gradient_latex" in f.extra:
        described |= {"formula": f.formula, "gradient_latex": f.extra["gradient_latex"]}
    return described


@router.post("", response_model=Surface, responses={404: {}, 422: {}})
def create_surface(request: SurfaceRequest) -> StrictJSONResponse:
    """Evaluate any function spec (id, expression or data fit) on a grid."""
    f = resolve_function(request.function)
    window = [tuple(b) for b in request.window] if request.window else list(f.domain)
    if len(window) != f.dims:
        raise unprocessable(["body", "window"], f"window needs {f.dims} [min, max] pair(s)")
    for axis, (lo, hi) in zip("xy", window):
        if lo >= hi:
            raise unprocessable(["body", "window"], f"{axis}: min must be below max")
    work = check_work("resolution", request.resolution**f.dims * evaluation_cost(f),
                      "max_surface_work", "grid points × evaluation cost")  # fmt: skip
    with heavy_slot() if is_heavy(work) else nullcontext():
        body = evaluate_surface(f, window, request.resolution, request.encoding)
    return StrictJSONResponse(describe_spec(f) | body)
