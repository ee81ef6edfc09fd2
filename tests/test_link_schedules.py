"""A run's own schedule as the page's link writes it (``adam(lr=0.05)@{json}``) and a
page-wide one reach the API from the notebook and the CLI's export, as they do from the page."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from app.api.inprocess import InputError
from app.cli import cli
from app.notebook import parse_runs, race_payload

OWN = {"name": "ExponentialLR", "gamma": 0.97}
PAGE = {"name": "StepLR", "step_size": 2, "gamma": 0.5}
RUNS = f"sgd(lr=1.05)@{json.dumps(OWN, separators=(',', ':'))}|sgd(lr=0.1)"


def test_race_payload_keeps_a_runs_own_schedule_over_the_page_wide_one():
    payload = race_payload("bowl", RUNS, [-1.6, 1.2], 30, scheduler=PAGE)
    assert [r["optimizer"] for r in payload["runs"]] == [{"name": "sgd", "lr": 1.05},
                                                         {"name": "sgd", "lr": 0.1}]  # fmt: skip
    assert [r["scheduler"] for r in payload["runs"]] == [OWN, PAGE]
    assert "scheduler" not in race_payload("bowl", RUNS.split("|")[1], [1, 1], 5)["runs"][0]
    assert parse_runs(RUNS) == [{"name": "sgd", "lr": 1.05}, {"name": "sgd", "lr": 0.1}]


def test_an_unreadable_schedule_is_refused_naming_runs():
    with pytest.raises(InputError) as error:
        race_payload("bowl", "sgd(lr=0.1)@{nope", [1, 1], 5)
    assert "runs" in str(error.value) and "schedule" in str(error.value)


def test_export_runs_each_schedule(tmp_path, client):
    out = tmp_path / "race.json"
    result = CliRunner().invoke(cli, ["export", "bowl", "--run", RUNS, "--start", "-1.6,1.2",
                                      "--steps", "30", "--scheduler", json.dumps(PAGE),
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())["results"]
    api = client.post("/api/v1/trajectories/batch", json={"runs": [
        {"function": "bowl", "start": [-1.6, 1.2], "steps": 30, "optimizer": opt, "scheduler": s}
        for opt, s in [({"name": "sgd", "lr": 1.05}, OWN), ({"name": "sgd", "lr": 0.1}, PAGE)]
    ]}).json()["results"]  # fmt: skip
    assert exported == api
    # lr = 1.05 alone overshoots further each step; its own decay makes it converge
    assert exported[0]["status"] == "converged" and exported[0]["lrs"][:2] == [1.05, 1.05 * 0.97]
    assert exported[1]["lrs"][:3] == [0.1, 0.1, 0.05]


def test_export_refuses_a_scheduler_that_is_not_json(tmp_path):
    result = CliRunner().invoke(cli, ["export", "bowl", "--scheduler", "{nope",
                                      "-o", str(tmp_path / "r.json")])  # fmt: skip
    assert result.exit_code == 2 and "scheduler: not valid JSON" in result.output
