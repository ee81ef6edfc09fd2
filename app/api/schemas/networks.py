"""The network function spec: an MLP, a loss and data (points or a named data set)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.config import settings
from app.engine.networks.datasets import DATASETS

STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
Value = Annotated[float, Field(ge=-settings.max_coordinate, le=settings.max_coordinate,
                               allow_inf_nan=False)]  # fmt: skip
Units = Annotated[int, Field(ge=1, le=settings.max_network_width)]


class Architecture(BaseModel):
    """torch's nn.Sequential(Linear, act, …, Linear): no activation after the last layer."""

    model_config = STRICT
    layers: list[Units] = Field(min_length=2, max_length=settings.max_network_layers,
                                description="units per layer, inputs first",
                                examples=[[2, 8, 8, 1]])  # fmt: skip
    activation: Literal["tanh", "relu", "sigmoid"] = "tanh"
    loss: Literal["bce", "mse", "ce"] = Field(
        "bce", description="BCEWithLogitsLoss (labels 0/1), MSELoss, CrossEntropyLoss (classes)"
    )


class NetworkPoints(BaseModel):
    model_config = STRICT
    x: list[list[Value]] = Field(min_length=1, max_length=settings.max_network_samples)
    y: list[Value] | list[list[Value]] = Field(min_length=1,
                                               max_length=settings.max_network_samples)  # fmt: skip


class Dataset(BaseModel):
    model_config = STRICT
    dataset: Literal[DATASETS] = Field(
        description="toy sets of 2 features, labels 0/1; digits: 8×8 images (64 features), "
        "labels 0…9, its first n images (1,797 in all)"
    )
    n: int = Field(200, ge=1, le=settings.max_network_samples, description="samples")
    noise: float = Field(0.1, ge=0, le=1, allow_inf_nan=False)
    seed: int = Field(0, ge=0, le=2**32 - 1)


class NetworkSpec(BaseModel):
    """A neural network's mean loss over data, as a function of its parameter vector."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"network": {"layers": [2, 8, 8, 1], "activation": "tanh",
                                                     "loss": "bce"},
                                         "data": {"dataset": "circle", "n": 200, "noise": 0.1}}]},
    )  # fmt: skip
    network: Architecture
    data: NetworkPoints | Dataset


class InitStart(BaseModel):
    """A start drawn as torch initialises nn.Linear, from our own seeded generator."""

    model_config = STRICT
    init: Literal["torch"]
    seed: int = Field(0, ge=0, le=2**32 - 1)
