"""Request and response models of computation graphs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import Coordinate
from app.engine.expressions.parse import MAX_LENGTH, MAX_NAME_LENGTH, MAX_VARIABLES

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]


class GraphRequest(BaseModel):
    """An expression in any variable names (at most 8) and a value for each."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"expression": "c*(a + 2*b)",
                                         "values": {"a": 1, "b": 2, "c": 3}}]},
    )  # fmt: skip
    expression: str = Field(min_length=1, max_length=MAX_LENGTH)
    values: dict[Name, Coordinate] = Field(default_factory=dict, max_length=MAX_VARIABLES)


class GraphNodeInfo(BaseModel):
    id: int
    op: str = Field(description="input, add, sub, mul, div, pow, neg, a function or constant")
    label: str = Field(description="LaTeX of the node's short name (u_1, …; L for the output)")
    latex: str = Field(description="LaTeX of the subexpression the node computes")
    definition: str = Field(description="LaTeX: the label = the operation on its operands")
    inputs: list[int]
    layer: int = Field(description="0 for inputs; 1 + the deepest operand's layer otherwise")
    value: float | None = Field(description="forward value (null where undefined)")
    adjoint: float | None = Field(description="∂L/∂node")


class GraphEdgeInfo(BaseModel):
    source: int
    target: int
    local: float | None = Field(description="∂target/∂source at the forward values")
    local_latex: str
    contribution: float | None = Field(description="adjoint(target) × local")


class GraphResponse(BaseModel):
    formula: str
    variables: list[str]
    value: float | None
    gradient: dict[str, float | None]
    output: int
    nodes: list[GraphNodeInfo] = Field(description="operands before their uses")
    edges: list[GraphEdgeInfo] = Field(description="in the order the backward pass visits them")


class GraphPreset(BaseModel):
    id: str
    title: str
    expression: str
    values: dict[str, float]
    note: str
    function: str | None = Field(None, description="the catalog function this graph computes")


class GraphPresets(BaseModel):
    presets: list[GraphPreset]
