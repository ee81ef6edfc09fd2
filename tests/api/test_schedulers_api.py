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
