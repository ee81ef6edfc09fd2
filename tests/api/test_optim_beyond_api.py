"""Beyond torch.optim over HTTP: ``sam`` (its base's kwargs beside its own) and
``adamwschedulefree``: listed, run, and refused with 422 naming the field."""

from __future__ import annotations

import pytest

from app.engine import get_function, make_optimizer, run

BOWL = {"function": "himmelblau", "start": [1.0, -1.0], "steps": 30, "tol": 0}


def test_both_are_listed_with_their_parameters(client):
    listed = {o["name"]: o for o in client.get("/api/v1/optimizers").json()["optimizers"]}
    sam = {p["name"]: p for p in listed["sam"]["params"]}
    assert sam["base"]["kind"] == "choice" and "adam" in sam["base"]["choices"]
    assert "lbfgs" not in sam["base"]["choices"] and "sam" not in sam["base"]["choices"]
    assert sam["rho"]["default"] == 0.05 and sam["rho"]["min"] == 0.0
    free = {p["name"] for p in listed["adamwschedulefree"]["params"]}
    assert free == {"lr", "betas", "eps", "weight_decay", "warmup_steps", "r", "weight_lr_power"}
    assert listed["adamwschedulefree"]["state"][:2] == ["z", "exp_avg_sq"]


def test_a_sam_trajectory_is_the_engines_with_two_evaluations_and_the_climbed_point(client):
    options = {"name": "sam", "base": "adam", "lr": 0.05, "rho": 0.1, "adaptive": True}
    body = client.post("/api/v1/trajectories", json=BOWL | {"optimizer": options}).json()
    engine = run(get_function("himmelblau"), [1.0, -1.0],
                 make_optimizer("sam", base="adam", lr=0.05, rho=0.1, adaptive=True), steps=30)
    assert body["points"] == engine.points.tolist()
    assert body["evaluations"] == [2] * 30
    assert len(body["probes"]) == 30 and all(len(p) == 1 and len(p[0]) == 3
                                             for p in body["probes"])  # fmt: skip
    assert body["optimizer"]["base"] == "adam" and body["optimizer"]["betas"] == [0.9, 0.999]


def test_a_batch_of_sam_runs_with_different_bases_keeps_each_base(client):
    runs = [BOWL | {"optimizer": {"name": "sam", "base": base, "lr": 0.05}}
            for base in ("sgd", "adam", "lion")]  # fmt: skip
    results = client.post("/api/v1/trajectories/batch", json={"runs": runs})
    assert results.status_code == 200, results.text
    alone = [client.post("/api/v1/trajectories", json=r).json() for r in runs]
    assert [r["points"] for r in results.json()["results"]] == [a["points"] for a in alone]
    assert len({str(a["points"]) for a in alone}) == 3


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [({"name": "sam", "rho": -0.1}, "rho", "greater than or equal to 0"),
     ({"name": "sam", "base": "lbfgs"}, "base", "Input should be"),
     ({"name": "sam", "base": "nope"}, "base", "Input should be"),
     ({"name": "sam", "base": "sgd", "momentum": -1}, None, "Invalid momentum value"),
     ({"name": "sam", "base": "sgd", "betas": [0.9, 0.9]}, None, "unexpected parameter"),
     ({"name": "adamwschedulefree", "warmup_steps": -1}, "warmup_steps", "greater than"),
     ({"name": "adamwschedulefree", "betas": [1.0, 0.9]}, "betas", "less than 1"),
     ({"name": "adamwschedulefree", "r": -1}, "r", "greater than or equal to 0")],
)  # fmt: skip
def test_bad_options_are_422_naming_the_field(client, options, field, message):
    response = client.post("/api/v1/trajectories", json=BOWL | {"optimizer": options})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert message in detail["msg"]
    if field:
        assert field in [str(part) for part in detail["loc"]]


def test_sam_cycling_the_momentum_of_a_base_without_one_is_422_naming_the_field(client):
    body = BOWL | {"optimizer": {"name": "sam", "base": "adagrad"},
                   "scheduler": {"name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1}}
    response = client.post("/api/v1/trajectories", json=body)
    assert response.status_code == 422
    assert "cycle_momentum" in response.json()["detail"][0]["loc"]
    ok = body | {"optimizer": {"name": "sam", "base": "sgd", "momentum": 0.9}}
    assert client.post("/api/v1/trajectories", json=ok).status_code == 200


def test_basins_and_sweeps_take_sam_and_a_sweep_varies_its_bases_kwarg(client):
    sam = {"name": "sam", "base": "sgd", "lr": 0.05, "rho": 0.1}
    basins = client.post("/api/v1/basins", json={"function": "himmelblau", "optimizer": sam,
                                                 "steps": 60, "resolution": 8})  # fmt: skip
    assert basins.status_code == 200, basins.text
    sweep = client.post("/api/v1/sweeps", json={
        "function": "himmelblau", "start": [1, -1], "optimizer": sam, "steps": 60,
        "lr": {"min": 0.001, "max": 0.1, "count": 3},
        "second": {"param": "momentum", "values": [0.0, 0.9]}})  # fmt: skip
    assert sweep.status_code == 200, sweep.text
    losses = sweep.json()["final_loss"]
    assert losses[0] != losses[1]
