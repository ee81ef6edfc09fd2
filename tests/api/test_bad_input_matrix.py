"""Bad input of every kind gets its documented 4xx with a JSON ``detail``, never a 500, and
no response carries NaN, Infinity or a traceback.

The generic rows (malformed JSON, wrong content types and methods, oversized bodies) run
against every operation in the OpenAPI schema; the specific rows against trajectories and
surfaces.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
from fastapi.testclient import TestClient

from app.config import settings
from app.main import create_app

app = create_app()
SCHEMA = app.openapi()
POSTS = sorted(p for p, ops in SCHEMA["paths"].items() if "post" in ops)
GETS = sorted(p for p, ops in SCHEMA["paths"].items() if "get" in ops)
JSON = {"content-type": "application/json"}

TRAJECTORY = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "adam", "lr": 0.05},
    "steps": 10,
}
SURFACE = "/api/v1/functions/rosenbrock/surface"
NON_FINITE = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def api() -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def documented(method: str, path_template: str) -> set[int]:
    responses = SCHEMA["paths"][path_template][method.lower()]["responses"]
    return {int(status) for status in responses}


def check(response, status: int, template: str | None = None, method: str = "POST") -> None:
    """The documented status, a JSON detail, and nothing non-finite or internal."""
    assert response.status_code == status, response.text[:500]
    if template is not None and status != 405:
        assert status in documented(method, template)
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    assert not NON_FINITE.search(text), text[:500]
    body = json.loads(text)
    assert isinstance(body, dict) and body.get("detail"), text[:500]


def with_(base: dict, path: str, value) -> dict:
    """A copy of ``base`` with ``value`` at a dotted ``path`` (``optimizer.lr``, ``start.1``)."""
    body = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


# --- every operation ----------------------------------------------------------------------


GENERIC_BODIES = {
    "malformed JSON": (b'{"function": "rosenbrock",', JSON, 422),
    "truncated JSON": (b'{"function": "rosen', JSON, 422),
    "not UTF-8": (b'{"function": "\xff\xfe"}', JSON, 422),
    "empty body": (b"", JSON, 422),
    "JSON array": (b"[]", JSON, 422),
    "JSON string": (b'"rosenbrock"', JSON, 422),
    "JSON null": (b"null", JSON, 422),
    "bare NaN": (b"NaN", JSON, 422),
    "NaN literal": (b'{"function": NaN}', JSON, 422),
    "Infinity literal": (b'{"function": "rosenbrock", "x": Infinity}', JSON, 422),
    "unknown field only": (b'{"no_such_field": 1}', JSON, 422),
    "text/plain": (json.dumps(TRAJECTORY).encode(), {"content-type": "text/plain"}, 415),
    "form data": (
        b"function=rosenbrock&steps=10",
        {"content-type": "application/x-www-form-urlencoded"},
        415,
    ),  # fmt: skip
    "multipart": (
        b"--b\r\n\r\nx\r\n--b--\r\n",
        {"content-type": "multipart/form-data; boundary=b"},
        415,
    ),  # fmt: skip
    "no content type": (json.dumps(TRAJECTORY).encode(), {}, 415),
    "XML": (b"<trajectory/>", {"content-type": "application/xml"}, 415),
}


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("case", GENERIC_BODIES)
def test_every_post_rejects_bodies_it_cannot_read(api, path, case):
    content, headers, status = GENERIC_BODIES[case]
    check(api.post(path, content=content, headers=headers), status, path)


@pytest.mark.parametrize("path", POSTS)
def test_every_post_rejects_an_oversized_body_with_413(api, path):
    body = b'{"function": "' + b"x" * settings.max_body_bytes + b'"}'
    check(api.post(path, content=body, headers=JSON), 413, path)

    def chunked():  # no Content-Length: counted as it arrives
        yield b'{"function": "'
        for _ in range(settings.max_body_bytes // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    check(api.post(path, content=chunked(), headers=JSON), 413, path)


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_every_post_only_operation_answers_other_methods_with_405(api, path, method):
    if method.lower() in SCHEMA["paths"][path]:
        pytest.skip(f"{method} {path} exists")
    response = api.request(method, path, content=json.dumps(TRAJECTORY), headers=JSON)
    check(response, 405)
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_get_only_operation_answers_other_methods_with_405(api, path, method):
    concrete = path.replace("{function_id}", "rosenbrock")
    response = api.request(method, concrete, content=b"{}", headers=JSON)
    check(response, 405)
    assert "GET" in response.headers["allow"]


def test_unknown_paths_are_404_in_json(api):
    for path in ("/api/v1/nope", "/api/v2/functions", "/api/v1/functions/rosenbrock/nope"):
        check(api.get(path), 404)


# --- trajectories -------------------------------------------------------------------------

NON_FINITE_LITERALS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
NON_FINITE_STRINGS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400"]
FLOAT_FIELDS = ["optimizer.lr", "start.0", "start.1", "tol", "gradient_noise"]


def raw_with(path: str, literal: str) -> bytes:
    """TRAJECTORY as JSON text with a raw literal (NaN, 1e400, …) at ``path``."""
    marker = "__LITERAL__"
    return json.dumps(with_(TRAJECTORY, path, marker)).replace(f'"{marker}"', literal).encode()


@pytest.mark.parametrize("field", FLOAT_FIELDS)
@pytest.mark.parametrize("literal", NON_FINITE_LITERALS)
def test_non_finite_number_literals_are_422(api, field, literal):
    response = api.post("/api/v1/trajectories", content=raw_with(field, literal), headers=JSON)
    check(response, 422, "/api/v1/trajectories")


@pytest.mark.parametrize("field", FLOAT_FIELDS)
@pytest.mark.parametrize("text", NON_FINITE_STRINGS)
def test_non_finite_strings_are_422(api, field, text):
    response = api.post("/api/v1/trajectories", json=with_(TRAJECTORY, field, text))
    check(response, 422, "/api/v1/trajectories")


BAD_TRAJECTORIES = {
    # wrong types
    "start is a string": ("start", "abc", 422),
    "start is an object": ("start", {"x": 1}, 422),
    "start holds a string": ("start.0", "left", 422),
    "steps is a list": ("steps", [10], 422),
    "steps is fractional": ("steps", 10.5, 422),
    "optimizer is a string": ("optimizer", "adam", 422),
    "optimizer without name": ("optimizer", {"lr": 0.1}, 422),
    "function is a number": ("function", 3, 422),
    "function is empty": ("function", "", 422),
    "lr is a word": ("optimizer.lr", "fast", 422),
    "lr is null": ("optimizer.lr", None, 422),
    "include_state is an object": ("include_state", {"yes": True}, 422),
    "seed is fractional": ("seed", 1.5, 422),
    # out of range
    "zero steps": ("steps", 0, 422),
    "too many steps": ("steps", settings.max_steps + 1, 422),
    "huge steps": ("steps", 10**30, 422),
    "negative lr": ("optimizer.lr", -0.1, 422),
    "huge lr": ("optimizer.lr", 1e9, 422),
    "start beyond the plane": ("start.0", settings.max_coordinate * 10, 422),
    "empty start": ("start", [], 422),
    "3-D start": ("start", [1.0, 2.0, 3.0], 422),
    "1-D start on a 2-D function": ("start", [1.0], 422),
    "negative seed": ("seed", -1, 422),
    "seed over 32 bits": ("seed", 2**32, 422),
    "negative noise": ("gradient_noise", -1.0, 422),
    "too much noise": ("gradient_noise", settings.max_gradient_noise * 10, 422),
    "negative tol": ("tol", -1e-3, 422),
    "momentum over 1": ("optimizer", {"name": "sgd", "lr": 0.1, "momentum": 1.5}, 422),
    "beta of 1": ("optimizer", {"name": "adam", "betas": [0.9, 1.0]}, 422),
    "one beta": ("optimizer", {"name": "adam", "betas": [0.9]}, 422),
    # torch's own rules
    "nesterov without momentum": ("optimizer", {"name": "sgd", "nesterov": True}, 422),
    # unknown ids and parameters
    "unknown function": ("function", "no-such-function", 404),
    "unknown optimizer": ("optimizer", {"name": "sparseadam"}, 422),
    "unknown optimizer parameter": ("optimizer", {"name": "adam", "momentum": 0.9}, 422),
    "misspelt parameter": ("optimizer", {"name": "sgd", "learning_rate": 0.1}, 422),
    "unknown field": ("stepz", 10, 422),
}


@pytest.mark.parametrize("case", BAD_TRAJECTORIES)
def test_bad_trajectory_requests(api, case):
    field, value, status = BAD_TRAJECTORIES[case]
    response = api.post("/api/v1/trajectories", json=with_(TRAJECTORY, field, value))
    check(response, status, "/api/v1/trajectories")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", True),
        ("steps", "10"),
        ("tol", False),
        ("gradient_noise", True),
        ("seed", "3"),
        ("optimizer.lr", "0.1"),
        ("start.0", True),
        ("start.1", "2"),
        ("include_state", "yes"),
        ("include_state", 1),
    ],
)
def test_values_of_the_wrong_json_type_are_422(api, field, value):
    response = api.post("/api/v1/trajectories", json=with_(TRAJECTORY, field, value))
    check(response, 422, "/api/v1/trajectories")


def test_the_valid_request_behind_these_cases_is_accepted(api):
    response = api.post("/api/v1/trajectories", json=TRAJECTORY)
    assert response.status_code == 200
    assert not NON_FINITE.search(response.text)


def test_an_overlong_function_id_is_422(api):
    check(api.get("/api/v1/functions/" + "x" * 5000), 422, "/api/v1/functions/{function_id}", "GET")


# --- surfaces -----------------------------------------------------------------------------

BAD_SURFACE_QUERIES = {
    "resolution 1": ({"resolution": 1}, 422),
    "resolution over the cap": ({"resolution": settings.max_resolution + 1}, 422),
    "resolution is a word": ({"resolution": "high"}, 422),
    "resolution is fractional": ({"resolution": 20.5}, 422),
    "resolution 1e400": ({"resolution": "1e400"}, 422),
    "x_min nan": ({"x_min": "nan"}, 422),
    "x_min NaN": ({"x_min": "NaN"}, 422),
    "x_min inf": ({"x_min": "inf"}, 422),
    "x_max -Infinity": ({"x_max": "-Infinity"}, 422),
    "y_min 1e400": ({"y_min": "1e400"}, 422),
    "x_min beyond the plane": ({"x_min": settings.max_coordinate * 10}, 422),
    "x_min above x_max": ({"x_min": 3, "x_max": 1}, 422),
    "empty window": ({"y_min": 2, "y_max": 2}, 422),
    "x_min is a word": ({"x_min": "left"}, 422),
    "unknown encoding": ({"encoding": "png"}, 422),
}


@pytest.mark.parametrize("case", BAD_SURFACE_QUERIES)
def test_bad_surface_queries(api, case):
    params, status = BAD_SURFACE_QUERIES[case]
    check(api.get(SURFACE, params=params), status, "/api/v1/functions/{function_id}/surface", "GET")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/functions/no-such-function",
        "/api/v1/functions/no-such-function/surface",
        "/api/v1/functions/%00",
    ],
)
def test_unknown_function_ids_are_404(api, path):
    template = (
        "/api/v1/functions/{function_id}/surface"
        if path.endswith("/surface")
        else "/api/v1/functions/{function_id}"
    )
    check(api.get(path), 404, template, "GET")


SURFACE_BODY = {"function": "rosenbrock", "resolution": 10}
BAD_SURFACE_BODIES = {
    "unknown function": ({"function": "no-such-function"}, 404),
    "resolution 1": ({"resolution": 1}, 422),
    "resolution over the cap": ({"resolution": settings.max_resolution + 1}, 422),
    "window reversed": ({"window": [[1, 0], [0, 1]]}, 422),
    "window of one axis for 2-D": ({"window": [[0, 1]]}, 422),
    "window bound nan string": ({"window": [["nan", 1], [0, 1]]}, 422),
    "unknown encoding": ({"encoding": "png"}, 422),
    "unknown field": ({"colour": "red"}, 422),
    "expression that does not parse": ({"function": {"expression": "x +* y"}}, 422),
    "expression with unknown names": ({"function": {"expression": "__import__('os')"}}, 422),
}


@pytest.mark.skipif("/api/v1/surface" not in SCHEMA["paths"], reason="no POST /api/v1/surface")
@pytest.mark.parametrize("case", BAD_SURFACE_BODIES)
def test_bad_surface_bodies(api, case):
    changes, status = BAD_SURFACE_BODIES[case]
    check(api.post("/api/v1/surface", json=SURFACE_BODY | changes), status, "/api/v1/surface")
