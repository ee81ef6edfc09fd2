"""L-BFGS over the API: evaluations and probes per step, every route, bad input."""

from __future__ import annotations

import numpy as np

from app.engine import get_function, make_optimizer, run

LBFGS = {"function": "rosenbrock", "start": [-1.5, 2.0], "steps": 12, "tol": 0,
         "optimizer": {"name": "lbfgs", "line_search_fn": "strong_wolfe"}}  # fmt: skip


def test_a_trajectory_reports_evaluations_and_probes_of_each_step(client):
    body = client.post("/api/v1/trajectories", json=LBFGS).json()
    engine = run(get_function("rosenbrock"), [-1.5, 2.0],
                 make_optimizer("lbfgs", line_search_fn="strong_wolfe"), steps=12, tol=0)
    assert body["points"] == engine.points.tolist()
    assert body["evaluations"] == engine.evaluations.tolist()
    assert len(body["probes"]) == body["steps_taken"] == 12
    assert [len(p) for p in body["probes"]] == [len(p) for p in engine.probes]
    assert all(len(point) == 3 for step in body["probes"] for point in step)
    assert body["optimizer"]["line_search_fn"] == "strong_wolfe"


def test_lbfgs_takes_a_scheduler_and_a_typed_formula(client):
    formula = LBFGS | {"function": {"expression": "x^2 + 10*y^2"},
                       "optimizer": {"name": "lbfgs", "lr": 0.5, "max_iter": 3},
                       "scheduler": {"name": "ExponentialLR", "gamma": 0.9}}  # fmt: skip
    body = client.post("/api/v1/trajectories", json=formula).json()
    assert body["lrs"][:2] == [0.5, 0.45] and len(body["evaluations"]) == body["steps_taken"]


def test_batches_basins_and_sweeps_run_lbfgs(client):
    batch = client.post("/api/v1/trajectories/batch", json={"runs": [LBFGS, LBFGS | {
        "optimizer": {"name": "lbfgs"}}]}).json()["results"]  # fmt: skip
    assert batch[0]["evaluations"] != batch[1]["evaluations"]
    basins = client.post("/api/v1/basins", json={
        "function": "himmelblau", "optimizer": {"name": "lbfgs", "max_iter": 4}, "steps": 10,
        "resolution": 5})  # fmt: skip
    assert basins.status_code == 200, basins.text
    sweeps = client.post("/api/v1/sweeps", json={
        "function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "lbfgs"},
        "lr": {"min": 0.01, "max": 1, "count": 3}, "steps": 10})  # fmt: skip
    assert sweeps.status_code == 200, sweeps.text
    assert np.isfinite(sweeps.json()["final_loss"]).all()


def test_bad_lbfgs_input_is_422_naming_the_field(client):
    for body, field in [
        (LBFGS | {"gradient_noise": 0.1}, "gradient_noise"),
        (LBFGS | {"optimizer": {"name": "lbfgs", "line_search_fn": "armijo"}}, "line_search_fn"),
        (LBFGS | {"optimizer": {"name": "lbfgs", "history_size": 0}}, "history_size"),
        (LBFGS | {"optimizer": {"name": "lbfgs", "lr": -1}}, "lr"),
    ]:
        response = client.post("/api/v1/trajectories", json=body)
        assert response.status_code == 422, body
        assert field in str(response.json()["detail"][0]["loc"]), response.json()
