"""POST /trajectories/batch, /basins and /sweeps."""

import base64

import numpy as np
import pytest

from app.config import settings


def run_body(name="adam", lr=0.05, **extra):
    return {"function": "rosenbrock", "start": [-1.5, 2.0],
            "optimizer": {"name": name, "lr": lr}, "steps": 300, **extra}  # fmt: skip


def test_batch_results_equal_single_trajectory_requests(client):
    runs = [run_body("sgd", 1e-3), run_body("sgd", 2e-3), run_body("adam", 0.05),
            run_body("rmsprop", 0.01, include_state=True),
            run_body("sgd", 1e-3, gradient_noise=0.5, seed=3)]  # fmt: skip
    results = client.post("/api/v1/trajectories/batch", json={"runs": runs}).json()["results"]
    assert len(results) == len(runs)
    for run, result in zip(runs, results):
        single = client.post("/api/v1/trajectories", json=run).json()
        assert result == single


def test_batch_of_too_many_runs_is_422(client):
    runs = [run_body()] * (settings.max_batch_runs + 1)
    assert client.post("/api/v1/trajectories/batch", json={"runs": runs}).status_code == 422


def test_batch_over_the_work_cap_is_422_naming_the_limit(client):
    runs = [run_body(steps=100_000)] * 21
    response = client.post("/api/v1/trajectories/batch", json={"runs": runs})
    assert response.status_code == 422 and "limit" in response.text


def test_batch_with_one_bad_run_points_at_it(client):
    runs = [run_body(), run_body(lr=-1)]
    response = client.post("/api/v1/trajectories/batch", json={"runs": runs})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "runs", 1]


def test_empty_batch_is_422(client):
    assert client.post("/api/v1/trajectories/batch", json={"runs": []}).status_code == 422


BASINS = {"function": "himmelblau", "optimizer": {"name": "adam", "lr": 0.05}, "steps": 300,
          "resolution": 30}  # fmt: skip


def test_himmelblau_basins_name_its_four_minima(client):
    body = client.post("/api/v1/basins", json=BASINS).json()
    assert len(body["x"]) == len(body["y"]) == 30
    assert np.array(body["labels"]).shape == (30, 30)
    assert sorted(e["minimum"] for e in body["end_points"]) == [0, 1, 2, 3]
    assert all(e["is_global"] for e in body["end_points"])
    assert body["status_names"] == ["max_steps", "converged", "diverged"]


def test_basins_in_base64_decode_to_the_list_answer(client):
    as_list = client.post("/api/v1/basins", json=BASINS).json()
    typed = client.post("/api/v1/basins", json={**BASINS, "encoding": "base64"}).json()
    labels = typed["labels"]
    assert labels["dtype"] == "i4" and labels["shape"] == "30,30"
    decoded = np.frombuffer(base64.b64decode(labels["bdata"]), "<i4").reshape(30, 30)
    np.testing.assert_array_equal(decoded, as_list["labels"])


@pytest.mark.parametrize(
    "override",
    [{"resolution": 401}, {"resolution": 400, "steps": 300}, {"function": "banana"},
     {"function": {"expression": "x^2"}}, {"window": [[1, 0], [0, 1]]}, {"radius": 0},
     {"radius": "nan"}],
)  # fmt: skip
def test_bad_basins_request_is_4xx(client, override):
    response = client.post("/api/v1/basins", json={**BASINS, **override})
    assert response.status_code in (404, 422)
    assert "detail" in response.json()


SWEEP = {"function": "rosenbrock", "start": [-1.5, 2.0], "optimizer": {"name": "sgd"},
         "lr": {"min": 1e-5, "max": 1e-2, "count": 6}, "steps": 300}  # fmt: skip


def test_one_dimensional_sweep_shows_where_sgd_diverges(client):
    body = client.post("/api/v1/sweeps", json=SWEEP).json()
    assert len(body["lrs"]) == 6 and body["lrs"][0] == pytest.approx(1e-5)
    assert body["status"][0][0] == "max_steps" and body["status"][0][-1] == "diverged"
    assert body["param"] is None and body["values"] is None


def test_two_dimensional_sweep_has_a_row_per_value(client):
    second = {"param": "momentum", "values": [0, 0.5, 0.9]}
    body = client.post("/api/v1/sweeps", json={**SWEEP, "second": second}).json()
    assert len(body["final_loss"]) == 3 and len(body["final_loss"][0]) == 6


@pytest.mark.parametrize(
    "override",
    [{"lr": {"min": 1, "max": 0.1}}, {"lr": {"min": 0}}, {"lr": {"count": 201}},
     {"second": {"param": "betas[0]", "values": [0.5]}},
     {"second": {"param": "momentum", "values": [-1]}},
     {"second": {"param": "__class__", "values": [1]}},
     {"lr": {"count": 200}, "second": {"param": "momentum", "values": [0.1] * 100}},
     {"steps": 100_000, "lr": {"count": 100}}],
)  # fmt: skip
def test_bad_sweep_request_is_422(client, override):
    response = client.post("/api/v1/sweeps", json={**SWEEP, **override})
    assert response.status_code == 422, response.text


def test_batched_runs_report_only_their_own_optimizer_state(client):
    runs = [run_body("sgd", 1e-3, include_state=True), run_body("sgd", 1e-3, include_state=True)]
    runs[1]["optimizer"]["momentum"] = 0.9
    results = client.post("/api/v1/trajectories/batch", json={"runs": runs}).json()["results"]
    assert results[0]["states"] == {}
    assert set(results[1]["states"]) == {"momentum_buffer"}
