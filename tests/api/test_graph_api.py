"""POST /api/v1/graph: the computation graph of an expression; GET …/presets: the lesson's."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.catalog import get_function
from app.engine.expressions.parse import MAX_LENGTH, MAX_NAME_LENGTH, MAX_VARIABLES

GRAPH = "/api/v1/graph"


def graph(client, expression: str, values: dict):
    return client.post(GRAPH, json={"expression": expression, "values": values})


def test_the_lectures_example_gives_nodes_edges_and_gradients(client):
    body = graph(client, "c*(a + 2*b)", {"a": 1, "b": 2, "c": 3}).json()
    assert body["value"] == 15
    assert body["gradient"] == {"c": 5, "a": 3, "b": 6}
    assert body["nodes"][body["output"]]["label"] == "L"
    assert [n["op"] for n in body["nodes"]] == ["input"] * 3 + ["mul", "add", "mul"]
    first = body["edges"][0]
    assert first == {
        "source": 0, "target": 5, "local": 5.0, "contribution": 5.0,
        "local_latex": r"\frac{\partial L}{\partial c} = u_{2}",
    }  # fmt: skip


def test_an_undefined_value_is_null_never_nan(client):
    body = graph(client, "log(x)*y", {"x": -1, "y": 2}).json()
    assert body["value"] is None and body["gradient"]["y"] is None


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"expression": "a+b", "values": {"a": 1}}, "values", "give a value for b"),
        ({"expression": "x+", "values": {"x": 1}}, "expression", "ends too early"),
        ({"expression": "x" * (MAX_LENGTH + 1)}, "expression", f"at most {MAX_LENGTH}"),
        ({"expression": "+".join(f"v{i}" for i in range(MAX_VARIABLES + 1))}, "expression",
         f"at most {MAX_VARIABLES} different names"),
        ({"expression": "a", "values": {"a" * (MAX_NAME_LENGTH + 1): 1}}, "values",
         f"at most {MAX_NAME_LENGTH} characters"),
        ({"expression": "a", "values": {"a": 1e300}}, "values", "less than or equal"),
        ({"expression": "a", "values": {"a": "nan"}}, "values", "valid number"),
    ],
)  # fmt: skip
def test_bad_graphs_are_422_naming_the_field_and_the_limit(client, body, field, words):
    response = client.post(GRAPH, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert field in detail["loc"] and words in detail["msg"]


def test_every_preset_builds_and_the_dosage_loss_has_the_data_fits_gradient(client):
    presets = client.get(f"{GRAPH}/presets").json()["presets"]
    assert [p["id"] for p in presets] == ["lecture", "sine", "homework", "sigmoid", "mse-dosage"]
    for preset in presets:
        body = graph(client, preset["expression"], preset["values"]).json()
        assert body["value"] is not None, preset["id"]
        if preset.get("function"):
            fit = get_function(preset["function"])
            point = [preset["values"][name] for name in ("m", "b")]
            assert fit.value(np.array(point)) == pytest.approx(body["value"], rel=1e-12)
            gradient = [body["gradient"][name] for name in ("m", "b")]
            np.testing.assert_allclose(gradient, fit.gradient(np.array(point)), rtol=1e-12)
