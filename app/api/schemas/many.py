"""Request and response models for many runs at once: batches, basins and sweeps."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import (
    Bounds,
    Coordinate,
    FunctionSpec,
    OptimizerOptions,
    SchedulerOptions,
    TrajectoryRequest,
    TrajectoryResponse,
)
from app.config import settings

Encoding = Literal["list", "base64"]


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(extra="forbid", strict=True, allow_inf_nan=False,
                      json_schema_extra={"examples": list(examples)})  # fmt: skip


class BatchRequest(BaseModel):
    model_config = _examples(
        {"runs": [
            {"function": "rosenbrock", "start": [-1.5, 2],
             "optimizer": {"name": "adam", "lr": 0.05}},
            {"function": "rosenbrock", "start": [-1.5, 2],
             "optimizer": {"name": "sgd", "lr": 1e-3, "momentum": 0.9}},
        ]}
    )  # fmt: skip
    runs: list[TrajectoryRequest] = Field(min_length=1, max_length=settings.max_batch_runs)


class BatchResponse(BaseModel):
    results: list[TrajectoryResponse]


class BasinsRequest(BaseModel):
    model_config = _examples(
        {"function": "himmelblau", "optimizer": {"name": "adam", "lr": 0.05}, "steps": 500,
         "tol": 1e-6, "resolution": 100, "encoding": "base64"}
    )  # fmt: skip
    function: FunctionSpec
    optimizer: OptimizerOptions
    scheduler: SchedulerOptions | None = Field(
        None, description="a torch.optim.lr_scheduler stepped after every update"
    )
    steps: int = Field(500, ge=1, le=settings.max_steps)
    tol: float = Field(1e-6, ge=0, le=settings.max_tol, allow_inf_nan=False)
    resolution: int = Field(
        100, ge=2, le=settings.max_basin_resolution, description="starts per axis"
    )
    window: list[Bounds] | None = Field(
        None, min_length=2, max_length=2, description="default: the function's domain"
    )
    radius: float | None = Field(
        None,
        ge=1e-9,
        le=settings.max_coordinate,
        allow_inf_nan=False,
        description="end points closer than this share a basin "
        "(default: 1% of the window's diagonal)",
    )
    encoding: Encoding = "list"


class EndPointInfo(BaseModel):
    label: int
    point: list[float]
    loss: float | None
    count: int
    minimum: int | None = Field(description="index into the function's minima, if known")
    is_global: bool | None


class BasinsResponse(BaseModel):
    x: list[float]
    y: list[float]
    labels: Any = Field(
        description="(ny, nx) basin label per start; -1: diverged, or beyond the "
        "1000 largest basins"
    )
    final_loss: Any
    status: Any = Field(description="(ny, nx) codes into status_names")
    steps_taken: Any
    status_names: list[str]
    end_points: list[EndPointInfo]


class LearningRates(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    min: float = Field(1e-4, gt=0, le=1000, allow_inf_nan=False)
    max: float = Field(1.0, gt=0, le=1000, allow_inf_nan=False)
    count: int = Field(25, ge=1, le=200)


class SecondParameter(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    param: str = Field(
        pattern=r"^(momentum|dampening|alpha|lr_decay|weight_decay|eps|betas\[[01]\])$",
        examples=["momentum", "betas[0]"],
    )
    values: list[Coordinate] = Field(min_length=1, max_length=100)


class SweepRequest(BaseModel):
    model_config = _examples(
        {"function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "sgd"},
         "lr": {"min": 1e-5, "max": 1e-2, "count": 30},
         "second": {"param": "momentum", "values": [0, 0.5, 0.9, 0.99]}, "steps": 500}
    )  # fmt: skip
    function: FunctionSpec
    start: list[Coordinate] = Field(min_length=1, max_length=2)
    optimizer: OptimizerOptions
    scheduler: SchedulerOptions | None = Field(
        None, description="a torch.optim.lr_scheduler stepped after every update"
    )
    lr: LearningRates = LearningRates()
    second: SecondParameter | None = None
    steps: int = Field(500, ge=1, le=settings.max_steps)
    tol: float = Field(1e-8, ge=0, le=settings.max_tol, allow_inf_nan=False)


class SweepResponse(BaseModel):
    lrs: list[float]
    param: str | None
    values: list[float] | None
    final_loss: list[list[float | None]] = Field(description="rows: values; columns: lrs")
    status: list[list[str]]
    steps_taken: list[list[int]]
