"""A request is validated once and enters the engine once; the API never picks a backend."""

from __future__ import annotations

from pathlib import Path

import pytest

import app.api
from app.api import grouping, schemas
from app.engine.optim import RULES

BODY = {"function": "rosenbrock", "start": [-1.5, 2.0], "steps": 50, "tol": 0}


@pytest.fixture
def counted(monkeypatch):
    calls = {"resolve": 0, "run_batch": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(schemas, "resolve", counting("resolve", schemas.resolve))
    monkeypatch.setattr(grouping, "run_batch", counting("run_batch", grouping.run_batch))
    return calls


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_trajectory_is_validated_once_and_enters_the_engine_once(client, counted, name):
    response = client.post("/api/v1/trajectories", json={**BODY, "optimizer": {"name": name}})
    assert response.status_code == 200, response.text
    assert counted == {"resolve": 1, "run_batch": 1}


def test_a_race_of_one_optimizer_with_different_flags_is_one_engine_call(client, counted):
    runs = [{**BODY, "optimizer": {"name": "sgd", "lr": 0.001, **flags}}
            for flags in ({}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True})]  # fmt: skip
    response = client.post("/api/v1/trajectories/batch", json={"runs": runs})
    assert response.status_code == 200, response.text
    assert counted == {"resolve": 3, "run_batch": 1}


def test_the_api_never_chooses_a_driver():
    # It may ask which one the engine would take (to estimate a cost), never pass one.
    for source in Path(app.api.__file__).parent.rglob("*.py"):
        text = source.read_text()
        assert "driver=" not in text and "codegen" not in text, source.name
