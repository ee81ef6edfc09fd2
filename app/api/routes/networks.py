"""The network lessons' data sets, as the network function specs draw them (for plotting)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from app.api.admission import StopSignal, compute, watching
from app.api.function_specs import unprocessable
from app.api.responses import StrictJSONResponse, rows
from app.api.work import check_operations, dataset_ns
from app.config import settings
from app.engine.networks.datasets import CLASSES, DATASETS, FEATURES, held_out, make_dataset, size

router = APIRouter(prefix="/api/v1/networks", tags=["slices"])
HELD_OUT = 32  # held-out samples one request may ask for


class Samples(BaseModel):
    x: list[list[float]]
    y: list[float]


class DatasetResponse(BaseModel):
    name: str
    features: int
    classes: int
    x: list[list[float]]
    y: list[float]
    held_out: Samples = Field(description="samples after the first n (digits), for testing")


def dataset_body(name: str, n: int, noise: float, seed: int, test: int) -> StrictJSONResponse:
    most = size(name) or settings.max_network_samples
    if n > most:
        raise unprocessable(["query", "n"], f"n is 1 to {most:,} ({name} has {most:,} samples)")
    x, y = make_dataset(name, n, noise, seed)
    tx, ty = held_out(name, n, test)
    return StrictJSONResponse({
        "name": name, "features": FEATURES[name], "classes": CLASSES[name], "x": rows(x),
        "y": y.tolist(), "held_out": {"x": rows(tx), "y": ty.tolist()},
    })  # fmt: skip


@router.get("/datasets/{name}", response_model=DatasetResponse, responses={422: {}})
async def get_dataset(
    name: Literal[DATASETS],
    n: int = Query(200, ge=1, le=settings.max_network_samples),
    noise: float = Query(0.1, ge=0, le=1, allow_inf_nan=False),
    seed: int = Query(0, ge=0, le=2**32 - 1),
    held_out: int = Query(0, ge=0, le=HELD_OUT, description="samples after the first n"),
    *,
    http: Request,
) -> StrictJSONResponse:
    """The samples ``{"dataset": name, "n", "noise", "seed"}`` stands for in a network spec."""
    values = (n + held_out) * (FEATURES[name] + 1)
    ns = check_operations("n", dataset_ns(values), "samples", "query", values=values)
    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, lambda _stop: dataset_body(name, n, noise, seed, held_out))
