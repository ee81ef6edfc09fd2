"""Slices of many-parameter losses (networks): the loss on a plane through a centre."""

from __future__ import annotations

from typing import Literal

import numpy as np
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.api.admission import StopSignal, compute, off_loop, watching
from app.api.function_specs import check_start, resolve_function, unprocessable
from app.api.responses import StrictJSONResponse, finite_or_none, grid, rows
from app.api.schemas import Coordinate, FunctionSpec
from app.api.schemas.networks import InitStart
from app.api.work import check_operations, state_bytes, surface_ns
from app.config import settings
from app.engine.networks.slices import BLOCK_VECTORS, directions, evaluate_slice, project

router = APIRouter(prefix="/api/v1/slices", tags=["slices"])
Vector = list[Coordinate]


class SliceRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{
            "function": {"network": {"layers": [2, 8, 8, 1]}, "data": {"dataset": "circle"}},
            "center": {"init": "torch", "seed": 0}, "directions": "filter-normalized",
            "resolution": 51, "span": 1.0, "encoding": "base64"}]},
    )  # fmt: skip
    function: FunctionSpec
    center: Vector | InitStart | None = Field(
        None, description="θ_c (default: the trajectory's last point, else the function's start)"
    )
    directions: Literal["filter-normalized", "pca", "interpolation"] = "filter-normalized"
    trajectory: list[Vector] | None = Field(
        None, min_length=2, max_length=2000, description="points of a run (pca, interpolation)"
    )
    resolution: int = Field(51, ge=2, le=settings.max_slice_resolution)
    span: float = Field(1.0, gt=0, le=1000, allow_inf_nan=False, description="α, β in ±span")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    encoding: Literal["list", "base64"] = "list"


class SliceResponse(BaseModel):
    x: list[float] = Field(description="α")
    y: list[float] = Field(description="β")
    z: object
    z_min: float | None
    z_max: float | None
    center: list[float]
    directions: list[list[float]]
    projected: list[list[float]] | None = Field(description="(α, β) of each trajectory point")
    explained: list[float] | None = Field(None, description="PCA: variance share of d₁, d₂")


def plan_slice(request: SliceRequest) -> tuple:
    f = resolve_function(request.function)
    trajectory = request.trajectory
    if request.directions != "filter-normalized" and trajectory is None:
        raise unprocessable(["body", "trajectory"], f"{request.directions} needs a trajectory")
    if trajectory is not None:
        values = len(trajectory) * f.dims
        if values > settings.max_response_values:
            raise unprocessable(["body", "trajectory"], f"the trajectory holds {values:,} "
                                f"numbers, over {settings.max_response_values:,}")  # fmt: skip
        for i, point in enumerate(trajectory):
            if len(point) != f.dims:
                raise unprocessable(["body", "trajectory", i], f"each point has {f.dims} "
                                    f"coordinates (expected length {f.dims})")  # fmt: skip
    if request.center is not None:
        center = check_start(f, request.center)
    else:
        center = trajectory[-1] if trajectory is not None else list(f.start)
    points = request.resolution**2  # evaluated BLOCK_VECTORS parameter vectors at a time
    held = 8 * points + 2 * state_bytes(min(points, BLOCK_VECTORS), f.dims)
    ns = check_operations("resolution", surface_ns(f, points), "points", values=points,
                          held=held)  # fmt: skip
    return f, np.asarray(center, dtype=np.float64), ns


@router.post("", response_model=SliceResponse, responses={404: {}, 422: {}, 503: {}})
async def create_slice(request: SliceRequest, http: Request) -> StrictJSONResponse:
    """The loss on the plane θ_c + α·d₁ + β·d₂ (α along x, β along y, θ_c at 0, 0)."""
    f, center, ns = await off_loop(plan_slice, request)

    def work(stop: StopSignal) -> StrictJSONResponse:
        d, explained = directions(f, request.directions, center, request.trajectory, request.seed)
        axis = np.linspace(-request.span, request.span, request.resolution)
        z = evaluate_slice(f, center, d, axis, axis, stop)
        finite = np.isfinite(z)
        body = {
            "x": axis, "y": axis, "z": grid(z, "f4", request.encoding),
            "z_min": finite_or_none(z[finite].min()) if finite.any() else None,
            "z_max": finite_or_none(z[finite].max()) if finite.any() else None,
            "center": rows(center), "directions": rows(d), "explained": explained,
            "projected": rows(project(center, d, request.trajectory))
            if request.trajectory is not None else None,
        }  # fmt: skip
        return StrictJSONResponse(body)

    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, work)
