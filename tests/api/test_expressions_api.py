"""Typed expressions wherever a catalog id is accepted, and POST /api/v1/surface."""

import base64

import numpy as np
import pytest

SURFACE, TRAJECTORIES = "/api/v1/surface", "/api/v1/trajectories"


def test_expression_surface_carries_the_formula_and_gradient_as_latex(client):
    spec = {"expression": "x^2 + 10*y^2", "domain": [[-2, 2], [-1, 1]]}
    body = client.post(SURFACE, json={"function": spec, "resolution": 5}).json()
    assert body["formula"] == "f(x, y) = x^{2} + 10y^{2}"
    assert len(body["gradient_latex"]) == 2
    assert body["x"] == [-2, -1, 0, 1, 2] and body["y"] == [-1, -0.5, 0, 0.5, 1]
    assert body["z"][0][0] == pytest.approx(4 + 10)


def test_one_variable_expression_gives_a_one_dimensional_surface(client):
    body = client.post(SURFACE, json={"function": {"expression": "x^2"}, "resolution": 3}).json()
    assert "y" not in body and body["z"] == [25, 0, 25]


def test_undefined_points_are_null_in_lists_and_nan_in_base64(client):
    spec = {"function": {"expression": "log(x)", "domain": [[-1, 1]]}, "resolution": 3}
    assert client.post(SURFACE, json=spec).json()["z"] == [None, None, 0.0]
    typed = client.post(SURFACE, json={**spec, "encoding": "base64"}).json()["z"]
    assert np.isnan(np.frombuffer(base64.b64decode(typed["bdata"]), "<f4")[:2]).all()


def test_catalog_id_works_in_the_surface_body_too(client):
    body = client.post(SURFACE, json={"function": "bowl", "resolution": 3}).json()
    assert body["z"][1][1] == 0 and body["z_max"] == 8


def test_expression_trajectory_descends_and_reports_latex(client):
    request = {"function": {"expression": "(x-1)^2 + (y+2)^2"}, "start": [0, 0],
               "optimizer": {"name": "sgd", "lr": 0.1}, "steps": 300, "tol": 1e-8}  # fmt: skip
    body = client.post(TRAJECTORIES, json=request).json()
    assert body["status"] == "converged"
    assert body["points"][-1] == pytest.approx([1, -2], abs=1e-7)
    assert body["gradient_latex"][0].endswith("2\\left(x - 1\\right)")


def test_trajectory_stepping_where_the_expression_is_undefined_diverges(client):
    request = {"function": {"expression": "sqrt(x)"}, "start": [1],
               "optimizer": {"name": "sgd", "lr": 5}, "steps": 50}  # fmt: skip
    body = client.post(TRAJECTORIES, json=request).json()
    assert body["status"] == "diverged" and body["points"][0] == [1]


def test_power_tower_answers_at_once(client):
    request = {"function": {"expression": "9^9^9^9 * x"}, "start": [1],
               "optimizer": {"name": "sgd"}, "steps": 10}  # fmt: skip
    response = client.post(TRAJECTORIES, json=request)
    assert response.status_code == 422 or response.json()["status"] == "diverged"


@pytest.mark.parametrize(
    ("expression", "column"),
    [("x + z", 5), ("__import__('os')", 12), ("().__class__", 3), ("x.real", 2), ("2 +", None)],
)
def test_bad_expression_is_422_with_its_column(client, expression, column):
    response = client.post(SURFACE, json={"function": {"expression": expression}})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][-1] == "expression"
    if column is not None:
        assert error["column"] == column


@pytest.mark.parametrize(
    "spec",
    [
        {"expression": "x", "domain": [[1, 0]]},
        {"expression": "x*y", "domain": [[-1, 1]]},
        {"expression": "x" * 501},
        {"expression": ""},
        {"expression": "x", "colour": 1},
    ],
)
def test_bad_expression_spec_is_422(client, spec):
    assert client.post(SURFACE, json={"function": spec}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"function": "bowl", "window": [[0, 1]]},
        {"function": "bowl", "window": [[1, 0], [0, 1]]},
        {"function": "bowl", "resolution": 1001},
        {"function": "bowl", "encoding": "png"},
    ],
)
def test_bad_surface_body_is_422(client, body):
    assert client.post(SURFACE, json=body).status_code == 422


def test_unknown_id_in_a_surface_body_is_404(client):
    assert client.post(SURFACE, json={"function": "banana"}).status_code == 404


def test_start_must_match_the_expressions_dimensions(client):
    request = {"function": {"expression": "x^2"}, "start": [1, 2], "optimizer": {"name": "sgd"}}
    assert client.post(TRAJECTORIES, json=request).status_code == 422


def test_an_empty_expression_gets_one_error_about_the_expression(client):
    response = client.post(SURFACE, json={"function": {"expression": ""}})
    detail = response.json()["detail"]
    assert response.status_code == 422 and len(detail) == 1
    assert detail[0]["loc"][-1] == "expression"


def test_a_function_of_the_wrong_type_gets_one_clear_error(client):
    detail = client.post(SURFACE, json={"function": 5}).json()["detail"]
    assert len(detail) == 1 and "catalog id" in detail[0]["msg"]


def test_a_typed_landscape_link_preloads_no_catalog_surface(client):
    page = client.get("/?function=custom&expr=x%5E2").text
    assert "/api/v1/functions/custom/surface" not in page
    assert "/api/v1/functions/rosenbrock/surface" in client.get("/").text
