"""The loss-function catalog and its surfaces."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from app.api.admission import StopSignal, compute, watching
from app.api.function_specs import lookup, unprocessable
from app.api.responses import StrictJSONResponse
from app.api.routes.surfaces import evaluate_surface
from app.api.schemas import FunctionInfo, FunctionList, Surface
from app.api.work import check_operations, surface_ns
from app.config import settings
from app.engine.catalog import CATALOG
from app.engine.functions import LossFunction, Story

router = APIRouter(prefix="/api/v1/functions", tags=["functions"])

FunctionIdPath = Annotated[str, Path(max_length=64, examples=["rosenbrock"])]
WindowBound = Annotated[
    float | None,
    Query(ge=-settings.max_coordinate, le=settings.max_coordinate, allow_inf_nan=False),
]


def story_info(story: Story) -> dict:
    runs = [{"optimizer": r.optimizer, "expect": list(r.expect)} for r in story.runs]
    return {"runs": runs, "prompt": story.prompt, "steps": story.steps,
            "resolution": story.resolution, "levels": story.levels}  # fmt: skip


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
        **({"story": story_info(f.story)} if f.story else {}),
        **({"data": f.extra["data"]} if "data" in f.extra else {}),
    }


@router.get("", response_model=FunctionList)
def list_functions() -> StrictJSONResponse:
    """List every function in the catalog."""
    return StrictJSONResponse({"functions": [function_info(f) for f in CATALOG.values()]})


@router.get("/{function_id}", response_model=FunctionInfo, responses={404: {}})
def get_function_info(function_id: FunctionIdPath) -> StrictJSONResponse:
    """Describe one function: formula, domain, known minima and default start."""
    return StrictJSONResponse(function_info(lookup(function_id)))


def resolve_window(
    f: LossFunction, bounds: list[tuple[float | None, float | None]]
) -> list[tuple[float, float]]:
    if f.dims == 1 and any(b is not None for b in bounds[1]):
        raise unprocessable(["query", "y_min"], f"'{f.id}' is a function of one variable: no y")
    window = []
    for axis, ((lo, hi), (default_lo, default_hi)) in zip("xy", zip(bounds, f.domain)):
        lo = default_lo if lo is None else lo
        hi = default_hi if hi is None else hi
        if lo >= hi:
            raise unprocessable(
                ["query", f"{axis}_min"], f"{axis}_min must be below {axis}_max ({lo:g} >= {hi:g})"
            )
        window.append((lo, hi))
    return window


@router.get("/{function_id}/surface", response_model=Surface, responses={404: {}, 503: {}})
async def get_surface(
    http: Request,
    function_id: FunctionIdPath,
    resolution: Annotated[
        int | None, Query(ge=2, le=settings.max_resolution, description="default: the record's")
    ] = None,
    x_min: WindowBound = None,
    x_max: WindowBound = None,
    y_min: WindowBound = None,
    y_max: WindowBound = None,
    encoding: Annotated[Literal["list", "base64"], Query(examples=["base64"])] = "list",
) -> StrictJSONResponse:
    """Evaluate the function on a grid; base64 gives z as a Plotly typed array (float32)."""
    f = lookup(function_id)
    if resolution is None:  # the record's own: enough to resolve its finest ripple
        resolution = f.story.resolution if f.story else settings.default_resolution
    window = resolve_window(f, [(x_min, x_max), (y_min, y_max)])
    points = resolution**f.dims
    ns = check_operations("resolution", surface_ns(f, points), "points", "query",
                          values=points, held=8 * points)  # fmt: skip

    def work(stop: StopSignal) -> StrictJSONResponse:
        return StrictJSONResponse(evaluate_surface(f, window, resolution, encoding, stop))

    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, work)
