"""Networks wherever a function id is accepted, training with record_every, and slices."""

from __future__ import annotations

import numpy as np
import pytest

from app.config import settings

NET = {"network": {"layers": [2, 8, 8, 1], "activation": "tanh", "loss": "bce"},
       "data": {"dataset": "circle", "n": 100, "noise": 0.1}}  # fmt: skip
DIMS = 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1


def train(client, **extra):
    body = {"function": NET, "start": {"init": "torch", "seed": 0},
            "optimizer": {"name": "adam", "lr": 0.05}, "steps": 200} | extra  # fmt: skip
    return client.post("/api/v1/trajectories", json=body)


def test_training_a_network_is_a_trajectory_with_every_kth_point(client):
    body = train(client, record_every=50, batch_size=20).json()
    assert body["point_steps"] == [0, 50, 100, 150, 200]
    assert [len(p) for p in body["points"]] == [DIMS] * 5
    assert len(body["losses"]) == 201 and body["losses"][-1] < 0.5 * body["losses"][0]


def test_a_race_of_networks_runs_in_one_batch(client):
    runs = [
        {
            "function": NET,
            "start": {"init": "torch", "seed": s},
            "steps": 20,
            "optimizer": {"name": "sgd", "lr": 0.5},
            "record_every": 20,
        }
        for s in (0, 1)
    ]
    results = client.post("/api/v1/trajectories/batch", json={"runs": runs}).json()["results"]
    assert results[0]["points"][0] != results[1]["points"][0]


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"start": [0.0, 1.0]}, ["body", "start"], f"expected length {DIMS}"),
        ({"function": NET | {"network": {"layers": [2, 100, 100, 1]}}},
         ["body", "function", "network", "layers"], "DESCENT_MAX_NETWORK_PARAMETERS"),
        ({"function": NET | {"data": {"x": [[0, 0], [1, 1]], "y": [0, 2]}}},
         ["body", "function", "data"], "bce labels are 0 or 1"),
        ({"function": NET | {"data": {"x": [[0, 0]], "y": [0]}}, "start": [0.0] * DIMS,
          "steps": 100_000, "record_every": 10_000}, ["body", "steps"],
         "DESCENT_MAX_NETWORK_RECORD_VALUES"),
    ],
)  # fmt: skip
def test_bad_network_requests_are_422_naming_the_field_and_limit(client, change, loc, words):
    response = train(client, **change)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][: len(loc)] == loc and words in detail["msg"]


@pytest.mark.parametrize("path", ["/api/v1/surface", "/api/v1/basins"])
def test_grids_of_all_parameters_point_to_slices(client, path):
    body = {"function": NET} | ({"optimizer": {"name": "adam"}} if "basins" in path else {})
    response = client.post(path, json=body)
    assert response.status_code == 422 and "/api/v1/slices" in response.json()["detail"][0]["msg"]


def test_a_filter_normalized_slice_has_the_centre_at_zero(client):
    body = client.post(
        "/api/v1/slices",
        json={"function": NET, "center": {"init": "torch", "seed": 0}, "resolution": 11},
    ).json()
    z = np.array(body["z"])
    assert z.shape == (11, 11) and body["x"][5] == 0 == body["y"][5]
    start = train(client, steps=1).json()["losses"][0]
    assert z[5, 5] == pytest.approx(start, rel=1e-12)
    assert body["z_min"] <= z.min() and len(body["directions"]) == 2


@pytest.mark.parametrize("kind", ["pca", "interpolation"])
def test_trajectory_slices_project_the_run_onto_the_plane(client, kind):
    points = train(client, record_every=20).json()["points"]
    body = client.post(
        "/api/v1/slices",
        json={"function": NET, "directions": kind, "trajectory": points, "resolution": 5},
    ).json()
    assert body["projected"][-1] == pytest.approx([0, 0], abs=1e-9)  # the centre: the last point
    if kind == "interpolation":
        assert body["projected"][0] == pytest.approx([-1, 0], abs=1e-9)
    else:
        assert sum(body["explained"]) <= 1 + 1e-12


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"directions": "pca"}, "needs a trajectory"),
        ({"resolution": settings.max_slice_resolution + 1}, "less than or equal"),
        ({"center": [1.0, 2.0]}, f"expected length {DIMS}"),
    ],
)
def test_bad_slices_are_422(client, change, words):
    response = client.post("/api/v1/slices", json={"function": NET} | change)
    assert response.status_code == 422 and words in response.json()["detail"][0]["msg"]


DIGITS = {"network": {"layers": [64, 16, 10], "activation": "tanh", "loss": "ce"},
          "data": {"dataset": "digits", "n": 1500}}  # fmt: skip


def test_the_digits_network_trains_and_its_51_by_51_slice_is_within_the_work_caps(client):
    body = {"function": DIGITS, "start": {"init": "torch", "seed": 0}, "steps": 100,
            "optimizer": {"name": "adam", "lr": 0.01}, "batch_size": 64,
            "record_every": 100}  # fmt: skip
    run = client.post("/api/v1/trajectories", json=body).json()
    assert len(run["points"][-1]) == 64 * 16 + 16 + 16 * 10 + 10
    assert run["losses"][-1] < 0.5 * run["losses"][0]
    sliced = client.post("/api/v1/slices", json={"function": DIGITS, "center": run["points"][-1],
                                                 "resolution": 51})  # fmt: skip
    assert sliced.status_code == 200, sliced.text
    z = np.array(sliced.json()["z"])
    assert z.shape == (51, 51) and z[25, 25] == pytest.approx(run["losses"][-1], rel=1e-12)


@pytest.mark.parametrize("name", ["circle", "xor", "gaussian", "spiral", "digits"])
def test_the_datasets_route_gives_the_samples_a_spec_stands_for(client, name):
    response = client.get(f"/api/v1/networks/datasets/{name}", params={"n": 50, "held_out": 4})
    body = response.json()
    assert response.status_code == 200 and len(body["x"]) == 50 == len(body["y"])
    assert all(len(row) == body["features"] for row in body["x"])
    assert len(body["held_out"]["x"]) == (4 if name == "digits" else 0)
    from app.engine.networks.datasets import make_dataset

    x, y = make_dataset(name, 50, 0.1, 0)
    assert np.array_equal(np.array(body["x"]), x) and body["y"] == y.tolist()


@pytest.mark.parametrize(
    ("path", "loc", "words"),
    [
        ("/api/v1/networks/datasets/digits?n=1798", ["query", "n"], "digits has 1,797 samples"),
        ("/api/v1/networks/datasets/moons", ["path", "name"], "'digits'"),
        ("/api/v1/networks/datasets/circle?n=2001", ["query", "n"], "less than or equal to 2000"),
        ("/api/v1/networks/datasets/circle?held_out=33", ["query", "held_out"], "32"),
    ],
)
def test_bad_dataset_requests_are_422_naming_the_parameter(client, path, loc, words):
    response = client.get(path)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and words in detail["msg"]


def test_a_digits_slice_beyond_the_work_cap_is_refused_naming_the_limit(client):
    spec = DIGITS | {"data": {"dataset": "digits", "n": 1797}}
    response = client.post("/api/v1/slices", json={"function": spec, "resolution": 101})
    assert response.status_code == 422
    assert "DESCENT_MAX_REQUEST_OPERATIONS" in response.json()["detail"][0]["msg"]
