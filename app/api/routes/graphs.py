"""Computation graphs of typed expressions: forward values, local derivatives, adjoints."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from app.api.admission import StopSignal, compute, watching
from app.api.function_specs import unprocessable
from app.api.responses import StrictJSONResponse
from app.api.schemas.graphs import GraphPresets, GraphRequest, GraphResponse
from app.api.work import check_operations, graph_ns
from app.engine.expressions import ExpressionError
from app.engine.graphs import build_graph
from app.engine.graphs.presets import PRESETS

router = APIRouter(prefix="/api/v1/graph", tags=["graphs"])


def graph_body(request: GraphRequest) -> StrictJSONResponse:
    try:
        graph = build_graph(request.expression, request.values)
    except ExpressionError as error:
        field = "values" if error.column is None else "expression"
        raise unprocessable(["body", field], error.message, column=error.column) from None
    return StrictJSONResponse({
        "formula": graph.formula, "variables": list(graph.variables), "value": graph.value,
        "gradient": graph.gradient, "output": graph.output,
        "nodes": [asdict(n) for n in graph.nodes], "edges": [asdict(e) for e in graph.edges],
    })  # fmt: skip


@router.post("", response_model=GraphResponse, responses={422: {}, 503: {}})
async def create_graph(request: GraphRequest, http: Request) -> StrictJSONResponse:
    """The computation graph of an expression at the given values (a DAG: shared
    subexpressions once), with each node's value and adjoint and each edge's local
    derivative."""
    ns = check_operations("expression", graph_ns(request.expression), "characters")
    async with watching(http, StopSignal()) as stop:
        return await compute(ns, stop, lambda _stop: graph_body(request))


@router.get("/presets", response_model=GraphPresets)
async def graph_presets() -> StrictJSONResponse:
    """The lesson's examples: the lecture's, its homework, the sigmoid, a loss over data."""
    return StrictJSONResponse({"presets": list(PRESETS)})
