"""Other formats of the run endpoints: CSV (?format=csv or Accept: text/csv), parsed back,
and the race as one self-contained HTML page."""

from __future__ import annotations

import csv
import io
import re

import pytest

RUN = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "adam", "lr": 0.05},
    "steps": 50,
}
BASINS = {
    "function": "himmelblau",
    "optimizer": {"name": "adam", "lr": 0.05},
    "steps": 300,
    "resolution": 8,
}
SWEEP = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "sgd"},
    "lr": {"min": 1e-4, "max": 1e-1, "count": 6},
    "second": {"param": "momentum", "values": [0, 0.9]},
    "steps": 100,
}


def parse(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def test_trajectory_csv_has_a_header_and_one_row_per_point_with_the_json_numbers(client):
    data = client.post("/api/v1/trajectories", json=RUN).json()
    rows = parse(client.post("/api/v1/trajectories?format=csv", json=RUN))
    assert list(rows[0]) == ["step", "x", "y", "loss", "grad_norm"]
    assert len(rows) == len(data["points"]) == 51
    for k, row in enumerate(rows):
        assert int(row["step"]) == k
        assert [float(row["x"]), float(row["y"])] == data["points"][k]  # exact: repr round-trips
        assert float(row["loss"]) == data["losses"][k]
        assert float(row["grad_norm"]) == data["grad_norms"][k]


def test_accept_text_csv_asks_for_csv_and_format_json_overrides_it(client):
    accept = {"accept": "text/csv"}
    by_header = client.post("/api/v1/trajectories", json=RUN, headers=accept)
    assert by_header.text == client.post("/api/v1/trajectories?format=csv", json=RUN).text
    explicit = client.post("/api/v1/trajectories?format=json", json=RUN, headers=accept)
    assert explicit.headers["content-type"] == "application/json"
    browser = client.post("/api/v1/trajectories", json=RUN, headers={"accept": "*/*"})
    assert browser.headers["content-type"] == "application/json"


def test_a_data_fit_csv_adds_the_epoch_of_each_point(client):
    fit = {
        "function": {"model": "line-through-origin", "data": {"x": [1, 2, 3], "y": [2, 4, 6]}},
        "start": [0.0],
        "optimizer": {"name": "sgd", "lr": 0.01},
        "steps": 6,
        "batch_size": 1,
        "shuffle": False,
    }
    rows = parse(client.post("/api/v1/trajectories?format=csv", json=fit))
    assert list(rows[0]) == ["step", "x", "loss", "grad_norm", "epoch"]
    assert [int(r["epoch"]) for r in rows] == [0, 0, 0, 1, 1, 1, 2]


def test_batch_csv_lists_every_runs_points_with_its_optimizer(client):
    runs = [RUN, RUN | {"optimizer": {"name": "sgd", "lr": 1e-3, "momentum": 0.9}}]
    data = client.post("/api/v1/trajectories/batch", json={"runs": runs}).json()["results"]
    rows = parse(client.post("/api/v1/trajectories/batch?format=csv", json={"runs": runs}))
    assert list(rows[0]) == ["run", "optimizer", "step", "x", "y", "loss", "grad_norm"]
    assert {r["optimizer"] for r in rows} == {"adam(lr=0.05)", "sgd(lr=0.001,momentum=0.9)"}
    second = [r for r in rows if r["run"] == "1"]
    assert [float(r["loss"]) for r in second] == data[1]["losses"]


@pytest.mark.parametrize("encoding", ["list", "base64"])
def test_basins_csv_has_one_row_per_start_whatever_the_encoding(client, encoding):
    body = BASINS | {"encoding": "list"}
    data = client.post("/api/v1/basins", json=body).json()
    rows = parse(client.post("/api/v1/basins?format=csv", json=BASINS | {"encoding": encoding}))
    assert list(rows[0]) == ["x", "y", "label", "final_loss", "status", "steps_taken"]
    assert len(rows) == 64
    for row in rows:
        i, j = data["x"].index(float(row["x"])), data["y"].index(float(row["y"]))
        assert int(row["label"]) == data["labels"][j][i]
        assert row["status"] == data["status_names"][data["status"][j][i]]
        assert float(row["final_loss"]) == pytest.approx(data["final_loss"][j][i], rel=1e-6)


def test_sweep_csv_has_one_row_per_setting(client):
    data = client.post("/api/v1/sweeps", json=SWEEP).json()
    rows = parse(client.post("/api/v1/sweeps", json=SWEEP, headers={"accept": "text/csv"}))
    assert list(rows[0]) == ["momentum", "lr", "final_loss", "status", "steps_taken"]
    assert len(rows) == 12
    assert [float(r["lr"]) for r in rows[:6]] == data["lrs"]
    assert [r["status"] for r in rows[6:]] == data["status"][1]
    losses = [("" if v is None else repr(v)) for row in data["final_loss"] for v in row]
    assert [r["final_loss"] for r in rows] == losses


def test_a_sweep_without_a_second_parameter_has_no_such_column(client):
    body = SWEEP | {"second": None}
    rows = parse(client.post("/api/v1/sweeps?format=csv", json=body))
    assert list(rows[0]) == ["lr", "final_loss", "status", "steps_taken"] and len(rows) == 6


def test_the_race_as_html_is_one_offline_page_with_frames(client):
    runs = [RUN, RUN | {"optimizer": {"name": "sgd", "lr": 1e-3}}]
    response = client.post("/api/v1/trajectories/batch?format=html", json={"runs": runs})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<script src=" not in html and "Plotly.addFrames" in html
    assert "adam(lr=0.05)" in html and "sgd(lr=0.001)" in html


def test_the_html_race_draws_the_batch_the_route_computed_and_computes_it_once(client, monkeypatch):
    from app import notebook  # noqa: PLC0415
    from app.figures import figure_html  # noqa: PLC0415

    body = {"runs": [RUN, RUN | {"optimizer": {"name": "sgd", "lr": 0.5}, "record_every": 3}]}
    expected = figure_html(notebook.figure_of(body))  # the notebook's figure of the same body
    monkeypatch.setattr(notebook.inprocess, "batch", lambda payload: pytest.fail("computed again"))
    response = client.post("/api/v1/trajectories/batch?format=html", json=body)
    assert response.status_code == 200
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert uuid.sub("id", response.text) == uuid.sub("id", expected)


def test_bad_input_is_still_json_whatever_the_format(client):
    response = client.post("/api/v1/trajectories?format=csv", json=RUN | {"steps": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "steps"]
    unknown = client.post("/api/v1/basins?format=html", json=BASINS)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "format"]


def test_openapi_documents_the_csv_and_html_responses(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/trajectories",
        "/api/v1/trajectories/batch",
        "/api/v1/basins",
        "/api/v1/sweeps",
    ):
        content = paths[path]["post"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content)
    assert "text/html" in paths["/api/v1/trajectories/batch"]["post"]["responses"]["200"]["content"]
