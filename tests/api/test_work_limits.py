"""Work caps count how costly one evaluation is: a 10,000-point logistic fit is not a bowl.

Every request's CPU is capped by DESCENT_MAX_REQUEST_OPERATIONS (estimated operations);
the other caps bound sizes (steps, starts, settings, numbers returned)."""

import numpy as np
import pytest


def logistic_fit(n: int) -> dict:
    x = np.linspace(0, 1, n)
    return {"model": "logistic", "loss": "bce",
            "data": {"x": x.tolist(), "y": (x > 0.5).astype(int).tolist()}}  # fmt: skip


BIG_FIT = {
    "model": "logistic",
    "loss": "bce",
    "data": {
        "x": np.linspace(0, 1, 10_000).tolist(),
        "y": (np.linspace(0, 1, 10_000) > 0.5).astype(int).tolist(),
    },
}


@pytest.mark.parametrize(
    ("path", "body", "limit"),
    [
        ("/api/v1/surface", {"function": BIG_FIT, "resolution": 1000}, "MAX_REQUEST_OPERATIONS"),
        ("/api/v1/trajectories", {"function": BIG_FIT, "start": [0, 0],
                                  "optimizer": {"name": "sgd"}, "steps": 100_000},
         "MAX_REQUEST_OPERATIONS"),
        ("/api/v1/basins", {"function": BIG_FIT, "optimizer": {"name": "sgd"},
                            "resolution": 100, "steps": 500}, "MAX_REQUEST_OPERATIONS"),
        ("/api/v1/basins", {"function": "bowl", "optimizer": {"name": "sgd"},
                            "resolution": 400, "steps": 1000}, "MAX_BASIN_WORK"),
        ("/api/v1/sweeps", {"function": BIG_FIT, "start": [0, 0], "optimizer": {"name": "sgd"},
                            "lr": {"count": 100}, "steps": 1000}, "MAX_REQUEST_OPERATIONS"),
        ("/api/v1/trajectories/batch", {"runs": [{"function": logistic_fit(10_000),
                                                  "start": [0, 0], "optimizer": {"name": "sgd"},
                                                  "steps": 50_000}] * 4},
         "MAX_REQUEST_OPERATIONS"),
    ],
)  # fmt: skip
def test_costly_request_is_422_naming_its_limit(client, path, body, limit):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert f"DESCENT_{limit}" in response.text


def test_the_same_request_on_a_cheap_function_is_allowed(client):
    body = {"function": "bowl", "resolution": 1000, "encoding": "base64"}
    assert client.post("/api/v1/surface", json=body).status_code == 200


def linear_fit(n: int) -> dict:
    x = np.linspace(0, 1, n)
    return {"model": "linear", "loss": "mse", "data": {"x": x.tolist(), "y": (2 * x).tolist()}}


def test_mini_batch_gradients_count_towards_the_work(client):
    body = {"function": linear_fit(10_000), "start": [0, 0], "optimizer": {"name": "sgd"},
            "steps": 100_000, "batch_size": 10_000}  # fmt: skip
    response = client.post("/api/v1/trajectories", json=body)
    assert response.status_code == 422 and "DESCENT_MAX_REQUEST_OPERATIONS" in response.text
    small = {**body, "steps": 20, "batch_size": 100}
    assert client.post("/api/v1/trajectories", json=small).status_code == 200


def test_a_batch_returning_too_many_numbers_is_422(client):
    run = {"function": "rosenbrock", "start": [-1.5, 2], "tol": 0, "steps": 31_250,
           "optimizer": {"name": "adam", "amsgrad": True}, "include_state": True}  # fmt: skip
    response = client.post("/api/v1/trajectories/batch", json={"runs": [run] * 64})
    assert response.status_code == 422 and "DESCENT_MAX_RESPONSE_VALUES" in response.text


def test_a_bad_run_late_in_a_batch_is_refused_before_any_work(client, monkeypatch):
    import app.api.routes.many as many

    calls = []
    monkeypatch.setattr(many, "run_group", lambda *a: calls.append(a))
    ok = {"function": "bowl", "start": [1, 1], "optimizer": {"name": "sgd"}}
    bad = {**ok, "batch_size": 2}  # batch_size applies to data only
    response = client.post("/api/v1/trajectories/batch", json={"runs": [ok, bad]})
    assert response.status_code == 422 and calls == []
