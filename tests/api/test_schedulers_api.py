"""``"scheduler"`` on trajectories, batches, basins and sweeps."""

from __future__ import annotations

import pytest

from app.engine import get_function, make_optimizer, run, with_scheduler
from app.engine.optim import SCHEDULERS

TRAJECTORY = {"function": "rosenbrock", "start": [-1.5, 2.0], "steps": 40, "tol": 0,
              "optimizer": {"name": "adam", "lr": 0.05}}  # fmt: skip
COSINE = {"name": "CosineAnnealingLR", "T_max": 20, "eta_min": 0.001}


def test_a_scheduled_trajectory_is_the_engines_run_with_its_lrs(client):
    body = client.post("/api/v1/trajectories", json=TRAJECTORY | {"scheduler": COSINE}).json()
    engine = run(get_function("rosenbrock"), [-1.5, 2.0],
                 with_scheduler(make_optimizer("adam", lr=0.05), COSINE), steps=40)  # fmt: skip
    assert body["points"] == engine.points.tolist()
    assert body["lrs"] == engine.lrs.tolist()
    assert body["scheduler"] == COSINE


def test_without_a_scheduler_the_response_has_no_lrs(client):
    body = client.post("/api/v1/trajectories", json=TRAJECTORY).json()
    assert "lrs" not in body and "scheduler" not in body


def test_a_batch_keeps_each_runs_scheduler(client):
    runs = [TRAJECTORY | {"scheduler": COSINE}, TRAJECTORY]
    results = client.post("/api/v1/trajectories/batch", json={"runs": runs}).json()["results"]
    alone = [client.post("/api/v1/trajectories", json=r).json() for r in runs]
    assert results == alone
    assert results[0]["points"] != results[1]["points"]


def test_basins_and_sweeps_take_a_scheduler(client):
    decay = {"name": "ExponentialLR", "gamma": 0.9}
    basins = {"function": "himmelblau", "optimizer": {"name": "sgd", "lr": 0.01}, "steps": 60,
              "resolution": 10}  # fmt: skip
    plain = client.post("/api/v1/basins", json=basins).json()
    scheduled = client.post("/api/v1/basins", json=basins | {"scheduler": decay}).json()
    assert plain["final_loss"] != scheduled["final_loss"]
    sweep = {"function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "sgd"},
             "lr": {"min": 1e-5, "max": 1e-3, "count": 4}, "steps": 50}  # fmt: skip
    plain = client.post("/api/v1/sweeps", json=sweep).json()
    scheduled = client.post("/api/v1/sweeps", json=sweep | {"scheduler": decay}).json()
    assert plain["final_loss"] != scheduled["final_loss"]


@pytest.mark.parametrize(
    ("scheduler", "field", "message"),
    [
        ({"name": "ExponentialLR"}, "gamma", "Field required"),
        ({"name": "ConstantLR", "factor": 2.0}, None,
         "Constant multiplicative factor expected to be between 0 and 1."),
        ({"name": "LambdaLR"}, None, "does not match any of the expected tags"),
    ],
)  # fmt: skip
def test_bad_schedulers_are_422_naming_the_field(client, scheduler, field, message):
    response = client.post("/api/v1/trajectories", json=TRAJECTORY | {"scheduler": scheduler})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][:2] == ["body", "scheduler"]
    assert field is None or detail["loc"][-1] == field
    assert message in detail["msg"]
    if "tags" in message:
        assert all(name in detail["msg"] for name in SCHEDULERS)


def test_onecycle_with_fewer_total_steps_than_the_run_is_422_naming_total_steps(client):
    scheduler = {"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 20}
    response = client.post("/api/v1/trajectories", json=TRAJECTORY | {"scheduler": scheduler})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "scheduler", "OneCycleLR", "total_steps"]
    assert "Tried to step 40 times. The specified number of total steps is 20" in detail["msg"]


def test_onecycle_without_total_steps_takes_the_runs_steps(client):
    body = client.post("/api/v1/trajectories",
                       json=TRAJECTORY | {"scheduler": {"name": "OneCycleLR", "max_lr": 0.1}})
    assert body.status_code == 200
    lrs = body.json()["lrs"]
    assert len(lrs) == 40 and max(lrs) == pytest.approx(0.1) and lrs[-1] < lrs[0]


@pytest.mark.parametrize("route", ["trajectories", "basins", "sweeps"])
def test_cycling_the_momentum_of_adagrad_is_422_with_torchs_message(client, route):
    scheduler = {"name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1}
    body = {
        "trajectories": TRAJECTORY | {"optimizer": {"name": "adagrad"}},
        "basins": {"function": "himmelblau", "optimizer": {"name": "adagrad"}, "steps": 20,
                   "resolution": 5},
        "sweeps": {"function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "adagrad"},
                   "lr": {"min": 1e-3, "max": 1e-2, "count": 2}, "steps": 20},
    }[route]  # fmt: skip
    response = client.post(f"/api/v1/{route}", json=body | {"scheduler": scheduler})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "cycle_momentum"
    assert "optimizer must support momentum or beta1" in detail["msg"]


@pytest.mark.parametrize(
    "scheduler",
    [{"name": "ReduceLROnPlateau", "patience": 2},
     {"name": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 5},
     {"name": "SequentialLR", "milestones": [10], "schedulers": [
         {"name": "LinearLR"}, {"name": "ExponentialLR", "gamma": 0.9}]}],
    ids=lambda s: s["name"],
)  # fmt: skip
def test_every_route_takes_the_new_schedulers(client, scheduler):
    body = client.post("/api/v1/trajectories",
                       json=TRAJECTORY | {"optimizer": {"name": "sgd", "lr": 1e-3,
                                                        "momentum": 0.5},
                                          "scheduler": scheduler})  # fmt: skip
    assert body.status_code == 200, body.text
    assert body.json()["scheduler"]["name"] == scheduler["name"]
    batch = client.post("/api/v1/trajectories/batch", json={"runs": [
        TRAJECTORY | {"scheduler": scheduler}, TRAJECTORY]})  # fmt: skip
    assert batch.status_code == 200
    basins = client.post("/api/v1/basins", json={
        "function": "himmelblau", "optimizer": {"name": "adam", "lr": 0.05}, "steps": 30,
        "resolution": 6, "scheduler": scheduler})  # fmt: skip
    assert basins.status_code == 200
    sweeps = client.post("/api/v1/sweeps", json={
        "function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "adam"},
        "lr": {"min": 1e-3, "max": 1e-2, "count": 3}, "steps": 30, "scheduler": scheduler})
    assert sweeps.status_code == 200


def test_a_sequential_child_that_is_unknown_lists_the_valid_ones(client):
    scheduler = {"name": "SequentialLR", "milestones": [], "schedulers": [{"name": "LambdaLR"}]}
    response = client.post("/api/v1/trajectories", json=TRAJECTORY | {"scheduler": scheduler})
    assert response.status_code == 422
    assert "CosineAnnealingWarmRestarts" in response.json()["detail"][0]["msg"]


def test_the_schedulers_are_listed_with_their_kwargs_for_the_page(client):
    listed = client.get("/api/v1/optimizers/schedulers").json()["schedulers"]
    assert [s["name"] for s in listed] == list(SCHEDULERS)
    one_cycle = next(s for s in listed if s["name"] == "OneCycleLR")
    params = {p["name"]: p for p in one_cycle["params"]}
    assert params["max_lr"]["required"] and params["max_lr"]["default"] is None
    assert params["anneal_strategy"]["choices"] == ["cos", "linear"]
    assert params["total_steps"]["default"] is None and not params["total_steps"]["required"]
