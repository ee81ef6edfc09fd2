"""Work caps count how costly one evaluation is: a 10,000-point logistic fit is not a bowl."""

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
        ("/api/v1/surface", {"function": BIG_FIT, "resolution": 1000}, "MAX_SURFACE_WORK"),
        ("/api/v1/trajectories", {"function": BIG_FIT, "start": [0, 0],
                                  "optimizer": {"name": "sgd"}, "steps": 100_000},
         "MAX_RUN_WORK"),
        ("/api/v1/basins", {"function": BIG_FIT, "optimizer": {"name": "sgd"},
                            "resolution": 100, "steps": 500}, "MAX_BASIN_WORK"),
        ("/api/v1/sweeps", {"function": BIG_FIT, "start": [0, 0], "optimizer": {"name": "sgd"},
                            "lr": {"count": 100}, "steps": 1000}, "MAX_SWEEP_WORK"),
        ("/api/v1/trajectories/batch", {"runs": [{"function": logistic_fit(2000), "start": [0, 0],
                                                  "optimizer": {"name": "sgd"},
                                                  "steps": 50_000}] * 3}, "MAX_BATCH_WORK"),
    ],
)  # fmt: skip
def test_costly_request_is_422_naming_its_limit(client, path, body, limit):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert f"DESCENT_{limit}" in response.text


def test_the_same_request_on_a_cheap_function_is_allowed(client):
    body = {"function": "bowl", "resolution": 1000, "encoding": "base64"}
    assert client.post("/api/v1/surface", json=body).status_code == 200
