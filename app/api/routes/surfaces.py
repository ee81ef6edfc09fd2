"""Surfaces of any function spec: catalog ids, typed expressions and data fits."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Request

from app.api.admission import StopSignal, compute, off_loop, watching
from app.api.function_specs import planar, resolve_function, unprocessable
from app.api.responses import StrictJSONResponse, finite_or_none, grid
from app.api.schemas import Surface, SurfaceRequest
from app.api.work import block_points, check_operations, surface_ns
from app.engine.expressions.eval import BLOCK_POINTS
from app.engine.functions import LossFunction

router = APIRouter(prefix="/api/v1/surface", tags=["surfaces"])


def evaluate_surface(
    f: LossFunction,
    window: list[tuple[float, float]],
    resolution: int,
    encoding: str,
    stop: StopSignal | None = None,
) -> dict:
    """f on a resolution-per-axis grid over ``window``; z[j][i] = f(x[i], y[j]).

    Rows are evaluated a block at a time: the temporaries of any function stay within
    ``BLOCK_POINTS`` points, and an abandoned request stops between blocks (each at most
    ~50 ms of CPU, ``block_points``)."""
    axes = [np.linspace(lo, hi, resolution) for lo, hi in window]
    block = block_points(f, BLOCK_POINTS)
    if f.dims == 1:
        z = np.empty(resolution)
        blocks = [(slice(i, i + block), axes[0][i : i + block, None])
                  for i in range(0, resolution, block)]  # fmt: skip
    else:
        z = np.empty((resolution, resolution))
        rows = max(1, block // resolution)
        blocks = (
            (slice(j, j + rows), np.stack(np.meshgrid(axes[0], axes[1][j : j + rows]), axis=-1))
            for j in range(0, resolution, rows)
        )
    with np.errstate(all="ignore"):
        for where, points in blocks:
            if stop is not None:
                stop.check()
            z[where] = f.value(points)
    finite = np.isfinite(z)
    body = {"x": axes[0].tolist()}
    if f.dims == 2:
        body["y"] = axes[1].tolist()
    body["z_min"] = finite_or_none(z[finite].min()) if finite.any() else None
    body["z_max"] = finite_or_none(z[finite].max()) if finite.any() else None
    del finite
    # Non-finite values become NaN in base64 and null in lists: Plotly draws gaps there.
    body["z"] = grid(z, "f4", encoding)
    return body


def describe_spec(f: LossFunction) -> dict:
    """What a page shows for a typed expression: its LaTeX and its gradient's."""
    described = {"domain": [list(b) for b in f.domain]}
    if "gradient_latex" in f.extra:
        described |= {"formula": f.formula, "gradient_latex": f.extra["gradient_latex"]}
    return described


def plan_surface(request: SurfaceRequest) -> tuple:
    f = planar(resolve_function(request.function))
    window = [tuple(b) for b in request.window] if request.window else list(f.domain)
    if len(window) != f.dims:
        raise unprocessable(["body", "window"], f"window needs {f.dims} [min, max] pair(s)")
    for axis, (lo, hi) in zip("xy", window):
        if lo >= hi:
            raise unprocessable(["body", "window"], f"{axis}: min must be below max")
    points = request.resolution**f.dims
    ns = check_operations("resolution", surface_ns(f, points), "points", values=points,
                          held=8 * points)  # fmt: skip
    return f, window, ns


@router.post("", response_model=Surface, responses={404: {}, 422: {}, 503: {}})
async def create_surface(request: SurfaceRequest, http: Request) -> StrictJSONResponse:
    """Evaluate any function spec (id, expression or data fit) on a grid."""
    f, window, ns = await off_loop(plan_surface, request)

    def work(stop: StopSignal) -> StrictJSONResponse:
        body = evaluate_surface(f, window, request.resolution, request.encoding, stop)
        return StrictJSONResponse(describe_spec(f) | body)

    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, work)
