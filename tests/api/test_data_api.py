"""Losses on data over HTTP: lessons by id, data specs, mini-batches, epochs and errors."""

import json

import numpy as np
import pytest

from app.engine.lessons import DOSAGE, HOURS

TRAJECTORIES, SURFACE = "/api/v1/trajectories", "/api/v1/surface"
DOSAGE_SPEC = {"model": "linear", "loss": "mse", "data": {"x": DOSAGE[0], "y": DOSAGE[1]}}


def post(client, url, body):
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def error_message(response) -> str:
    assert response.status_code == 422, response.text
    return " ".join(d["msg"] for d in response.json()["detail"])


def line_loss(points, x, y):
    """The whole-dataset MSE of m·x + b (or w·x) at each point."""
    points, x, y = np.asarray(points), np.asarray(x), np.asarray(y)
    pred = points[:, :1] * x + (points[:, 1:2] if points.shape[1] == 2 else 0.0)
    return np.mean((pred - y) ** 2, axis=1)


def test_a_learning_rate_too_large_for_hours_points_diverges(client):
    def hours(lr):
        request = {"function": "hours-points", "start": [0.0], "steps": 1000,
                   "optimizer": {"name": "sgd", "lr": lr}}  # fmt: skip
        return post(client, TRAJECTORIES, request)

    body = hours(1.0)  # stable only below 2 / J''(w) = 2 / (2·mean(x²)) ≈ 0.214
    assert body["status"] == "diverged"
    assert body["steps_taken"] < 1000 and all(np.isfinite(body["losses"]))
    small = hours(0.1)
    assert small["status"] == "converged" and small["points"][-1][0] == pytest.approx(2.0)


@pytest.mark.parametrize("function", ["linreg-hours", "linreg-dosage", DOSAGE_SPEC])
def test_full_batch_descent_reaches_the_least_squares_line(client, function):
    body = post(client, TRAJECTORIES, {
        "function": function, "start": [0.0, 0.0], "steps": 5000, "tol": 1e-11,
        "optimizer": {"name": "sgd", "lr": 0.03, "momentum": 0.9},
    })  # fmt: skip
    info = function if isinstance(function, dict) else client.get(
        f"/api/v1/functions/{function}").json()  # fmt: skip
    x, y = np.array(info["data"]["x"]), np.array(info["data"]["y"])
    solution, *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)
    assert body["status"] == "converged"
    assert body["epoch"] == list(range(len(body["points"])))  # full batch: an epoch a step
    np.testing.assert_allclose(body["points"][-1], solution, atol=1e-9)


def test_batch_size_one_without_shuffle_is_the_classic_per_sample_loop(client):
    lr, epochs = 0.02, 4
    body = post(client, TRAJECTORIES, {
        "function": "hours-points", "start": [0.5], "optimizer": {"name": "sgd", "lr": lr},
        "steps": 3 * epochs, "tol": 0, "batch_size": 1, "shuffle": False,
    })  # fmt: skip
    w, expected = 0.5, [0.5]
    for _ in range(epochs):
        for x_i, y_i in zip(*HOURS):
            w -= lr * 2 * (w * x_i - y_i) * x_i  # loss = (w·x_i − y_i)², one sample a step
            expected.append(w)
    np.testing.assert_allclose([p[0] for p in body["points"]], expected, rtol=1e-14)
    assert body["epoch"] == [k // 3 for k in range(3 * epochs + 1)]


def test_losses_are_over_the_whole_dataset_and_epochs_count_full_passes(client):
    body = post(client, TRAJECTORIES, {
        "function": "linreg-dosage", "start": [0.5, -1.0],
        "optimizer": {"name": "sgd", "lr": 0.02}, "steps": 40, "tol": 0, "batch_size": 3,
    })  # fmt: skip
    np.testing.assert_allclose(body["losses"], line_loss(body["points"], *DOSAGE), rtol=1e-12)
    # 8 samples in batches of 3: three updates an epoch (3, 3 and 2 samples).
    assert body["epoch"] == [k // 3 for k in range(41)]
    assert len(body["epoch"]) == len(body["points"]) == len(body["losses"])


def test_shuffling_is_reproducible_by_seed(client):
    def points(seed, shuffle=True):
        return post(client, TRAJECTORIES, {
            "function": DOSAGE_SPEC, "start": [0.0, 0.0], "steps": 30, "tol": 0,
            "optimizer": {"name": "sgd", "lr": 0.02}, "batch_size": 2, "shuffle": shuffle,
            "seed": seed,
        })["points"]  # fmt: skip

    assert points(5) == points(5)
    assert points(5) != points(6)
    assert points(5) != points(5, shuffle=False)
    assert points(5, shuffle=False) == points(6, shuffle=False)


def test_a_data_spec_runs_like_its_catalog_twin(client):
    common = {"start": [0.3, 0.2], "optimizer": {"name": "adam", "lr": 0.05}, "steps": 60,
              "batch_size": 4, "seed": 3}  # fmt: skip
    by_id = post(client, TRAJECTORIES, {"function": "linreg-dosage", **common})
    by_spec = post(client, TRAJECTORIES, {"function": DOSAGE_SPEC, **common})
    assert by_spec["function"] == "data" and by_id["function"] == "linreg-dosage"
    assert by_spec["points"] == by_id["points"] and by_spec["epoch"] == by_id["epoch"]


def test_batch_size_is_refused_for_a_function_without_data(client):
    request = {"function": "bowl", "start": [1.0, 1.0], "optimizer": {"name": "sgd"},
               "batch_size": 2}  # fmt: skip
    response = client.post(TRAJECTORIES, json=request)
    assert "batch_size applies to losses on data" in error_message(response)


def bad_spec(**changes):
    spec = {"model": "logistic", "loss": "bce", "data": {"x": [0.1, 0.5, 0.9], "y": [0, 1, 1]}}
    spec.update(changes)
    return spec


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (bad_spec(data={"x": [0.1, 0.5, 0.9], "y": [0, 0.5, 1]}), "every y to be 0 or 1"),
        (bad_spec(data={"x": [0.1, 0.5, 0.9], "y": [0, 2, 1]}), "every y to be 0 or 1"),
        (bad_spec(model="linear"), "bce loss needs the logistic model"),
        (bad_spec(model="line-through-origin"), "bce loss needs the logistic model"),
        (bad_spec(data={"x": [0.1, 0.5], "y": [0, 1, 1]}), "same length"),
        (bad_spec(data={"x": [], "y": []}), "at least 1"),
        (bad_spec(data={"x": [0.5] * 10_001, "y": [1] * 10_001}), "at most 10000"),
        (bad_spec(domain=[[0, 1]]), r"2 [min, max] pairs (for w, b); got 1"),
        (bad_spec(domain=[[0, 1], [3, 2]]), "minimum below its maximum"),
        (bad_spec(model="cubic"), "'line-through-origin', 'linear' or 'logistic'"),
    ],
)
@pytest.mark.parametrize("url", [TRAJECTORIES, SURFACE])
def test_invalid_data_specs_are_422_with_a_reason(client, url, spec, message):
    body = {"function": spec}
    if url == TRAJECTORIES:
        body |= {"start": [0.0, 0.0], "optimizer": {"name": "sgd"}}
    assert message in error_message(client.post(url, json=body))


@pytest.mark.parametrize("url", [TRAJECTORIES, SURFACE])
def test_non_finite_data_are_422(client, url):
    body = {"function": {"model": "linear", "data": {"x": [1, float("nan")], "y": [1, 2]}},
            "start": [0.0, 0.0], "optimizer": {"name": "sgd"}}  # fmt: skip
    if url == SURFACE:
        del body["start"], body["optimizer"]
    raw = json.dumps(body, allow_nan=True)
    response = client.post(url, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "NaN" not in response.text


def test_a_data_spec_start_must_match_its_parameters(client):
    response = client.post(TRAJECTORIES, json={"function": DOSAGE_SPEC, "start": [1.0],
                                               "optimizer": {"name": "sgd"}})  # fmt: skip
    assert "takes 2" in error_message(response)


def test_function_info_carries_the_data_for_the_data_panel(client):
    info = client.get("/api/v1/functions/linreg-dosage").json()
    assert info["data"] == {"model": "linear", "loss": "mse", "x": DOSAGE[0], "y": DOSAGE[1]}
    assert info["dims"] == 2 and len(info["minima"]) == 1
    assert "data" not in client.get("/api/v1/functions/rosenbrock").json()
    assert client.get("/api/v1/functions/hours-points").json()["data"]["model"] == (
        "line-through-origin"
    )


def test_one_dimensional_surface_has_x_and_z_only(client):
    body = client.get("/api/v1/functions/hours-points/surface?resolution=7").json()
    assert body["x"] == [-1, 0, 1, 2, 3, 4, 5] and "y" not in body
    np.testing.assert_allclose(body["z"], line_loss(np.array(body["x"])[:, None], *HOURS),
                               rtol=1e-12, atol=1e-15)  # fmt: skip
    assert body["z_min"] == 0.0
    parabola = client.get("/api/v1/functions/parabola/surface?resolution=3").json()
    assert parabola["x"] == [-5, 0, 5] and parabola["z"] == [25, 0, 25]


def test_surface_of_a_data_spec(client):
    body = post(client, SURFACE, {"function": DOSAGE_SPEC, "resolution": 6})
    x, y, z = np.array(body["x"]), np.array(body["y"]), np.array(body["z"])
    info = client.get("/api/v1/functions/linreg-dosage").json()
    assert body["domain"] == info["domain"] and z.shape == (6, 6)
    grid = np.stack(np.meshgrid(x, y), -1).reshape(-1, 2)
    np.testing.assert_allclose(z.reshape(-1), line_loss(grid, *DOSAGE), rtol=1e-12)


def test_surface_of_a_logistic_spec_with_its_own_domain_and_one_dimensional_fit(client):
    spec = bad_spec(domain=[[-10, 10], [-5, 5]])
    body = post(client, SURFACE, {"function": spec, "resolution": 5})
    assert body["x"] == [-10, -5, 0, 5, 10] and body["y"] == [-5, -2.5, 0, 2.5, 5]
    assert np.isfinite(np.array(body["z"], dtype=float)).all()
    line = {"model": "line-through-origin", "data": {"x": [1, 2], "y": [1, 2]}}
    body = post(client, SURFACE, {"function": line, "resolution": 4})
    assert "y" not in body and len(body["z"]) == 4 and body["domain"] == [[-0.5, 2.5]]


def test_full_batch_runs_on_data_report_one_epoch_per_step(client):
    body = {"function": "hours-points", "start": [0.0], "optimizer": {"name": "sgd", "lr": 0.01},
            "steps": 5, "tol": 0}  # fmt: skip
    assert client.post("/api/v1/trajectories", json=body).json()["epoch"] == [0, 1, 2, 3, 4, 5]


def test_runs_on_formulas_report_no_epoch(client):
    body = {"function": "bowl", "start": [1.0, 1.0], "optimizer": {"name": "sgd"}, "steps": 3}
    assert "epoch" not in client.post("/api/v1/trajectories", json=body).json()
