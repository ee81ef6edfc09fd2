"""app.notebook, and docs/notebook.ipynb executed as a reader would run it (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbclient import NotebookClient

from app.api.inprocess import InputError
from app.notebook import landscape_figure, parse_runs, trajectory_frame

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"


def runs_of(figure: go.Figure) -> list[go.Scatter]:
    return [t for t in figure.data if getattr(t, "mode", None) == "lines" and t.name != "f"]


def test_landscape_figure_draws_the_surface_minima_each_run_and_frames(client):
    figure = landscape_figure(
        "himmelblau", runs=["adam(lr=0.1)", "sgd(lr=0.01)"], start=[0.0, 0.0], steps=100, frames=20
    )
    assert isinstance(figure, go.Figure)
    assert isinstance(figure.data[0], go.Contour)
    minima = next(t for t in figure.data if t.name == "minima")
    assert len(minima.x) == 4
    body = {
        "runs": [
            {
                "function": "himmelblau",
                "start": [0.0, 0.0],
                "steps": 100,
                "optimizer": {"name": name, "lr": lr},
            }
            for name, lr in (("adam", 0.1), ("sgd", 0.01))
        ]
    }
    api = client.post("/api/v1/trajectories/batch", json=body).json()["results"]
    trails = runs_of(figure)
    assert [t.name.split(" ·")[0] for t in trails] == ["adam(lr=0.1)", "sgd(lr=0.01)"]
    for trail, result in zip(trails, api):  # the engine's numbers, as the API answers them
        assert list(trail.x) == [p[0] for p in result["points"]]
    assert len(figure.frames) == 20 and figure.frames[0].name == "0"
    assert figure.frames[-1].name == "100"
    assert figure.layout.updatemenus[0].buttons[0].label == "▶ Play"
    assert [s.label for s in figure.layout.sliders[0].steps][-1] == "100"


def test_a_frame_moves_each_ball_to_that_step():
    figure = landscape_figure("bowl", runs=["sgd(lr=0.1)"], start=[2.0, 2.0], steps=10, frames=11)
    fifth = next(f for f in figure.frames if f.name == "5")
    trail, ball = fifth.data
    assert len(trail.x) == 6 and ball.x[0] == trail.x[-1]
    assert ball.x[0] == pytest.approx(2.0 * 0.8**5)  # bowl: x <- x - lr * 2x


def test_a_one_dimensional_function_draws_its_curve():
    figure = landscape_figure("parabola", runs=["sgd(lr=0.1)"], steps=20)
    assert figure.data[0].mode == "lines" and figure.layout.yaxis.title.text == "f(x)"


def test_runs_may_be_dicts_link_text_or_names():
    assert parse_runs("adam(lr=0.05,betas=0.8:0.99)|sgd") == [
        {"name": "adam", "lr": 0.05, "betas": [0.8, 0.99]},
        {"name": "sgd"},
    ]
    assert parse_runs([{"name": "sgd", "nesterov": True}, "rmsprop(centered=true,c=3)"]) == [
        {"name": "sgd", "nesterov": True},
        {"name": "rmsprop", "centered": True},
    ]


def test_bad_input_is_refused_with_the_apis_message():
    with pytest.raises(InputError, match=r"runs\.0\.optimizer\.adam\.lr: Input should be less"):
        landscape_figure("rosenbrock", runs=["adam(lr=5000)"])
    with pytest.raises(InputError, match="valid ids"):
        landscape_figure("nope", runs=["adam"], start=[0, 0])


def test_trajectory_frame_is_one_row_per_point(client):
    table = trajectory_frame(
        "rosenbrock", optimizer={"name": "adam", "lr": 0.05}, start=[-1.5, 2.0], steps=30
    )
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert len(rows) == 31 and list(rows[0]) == ["step", "x", "y", "loss", "grad_norm"]
    body = {
        "function": "rosenbrock",
        "start": [-1.5, 2.0],
        "optimizer": {"name": "adam", "lr": 0.05},
        "steps": 30,
    }
    api = client.post("/api/v1/trajectories", json=body).json()
    assert [r["loss"] for r in rows] == api["losses"]


def test_trajectory_frame_without_pandas_is_a_list_of_dicts(monkeypatch):
    import builtins  # noqa: PLC0415

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    table = trajectory_frame("bowl", optimizer="sgd(lr=0.1)", start=[1.0, 1.0], steps=3)
    assert isinstance(table, list) and len(table) == 4
    assert table[0] == {
        "step": 0,
        "x": 1.0,
        "y": 1.0,
        "loss": table[0]["loss"],
        "grad_norm": table[0]["grad_norm"],
    }
    assert [row["step"] for row in table] == [0, 1, 2, 3]


# --- docs/notebook.ipynb, executed ----------------------------------------------------------


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def outputs(cell, kind: str) -> list:
    return [o for o in cell.outputs if o.output_type == kind]


def test_the_example_notebook_runs_without_errors(executed):
    assert all(not outputs(cell, "error") for cell in executed)


def test_the_notebook_loads_plotly_js_inline_and_nothing_from_the_internet(executed):
    html = [
        o["data"]["text/html"]
        for cell in executed
        for o in cell.outputs
        if "text/html" in o.get("data", {})
    ]
    assert len(html) == 3  # Plotly.js once, then two figures
    assert len(html[0]) > 1_000_000  # the library itself
    for text in html:
        assert 'src="http' not in text and "src='http" not in text


def test_the_notebooks_race_figure_has_three_runs_a_play_button_and_frames(executed):
    mime = "application/vnd.plotly.v1+json"
    figure = next(o["data"][mime] for o in executed[1].outputs if mime in o.get("data", {}))
    assert len(figure["frames"]) == 60
    assert figure["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"
    names = outputs(executed[2], "execute_result")[0]["data"]["text/plain"]
    for run in ("adam(lr=0.05)", "sgd(lr=0.001,momentum=0.9)", "rmsprop(lr=0.01)"):
        assert run in names


def test_the_notebooks_numbers_are_the_engines(executed):
    himmelblau = outputs(executed[3], "execute_result")[0]["data"]["text/plain"]
    assert "'step': 200" in himmelblau and "'x': 2.99991" in himmelblau  # the (3, 2) minimum
    fitted = outputs(executed[5], "execute_result")[0]["data"]["text/plain"]
    assert fitted == "(-0.55, 1.85)"  # least squares of the four points
    refused = outputs(executed[6], "stream")[0]["text"]
    assert refused.strip() == "runs.0.optimizer.adam.lr: Input should be less than or equal to 1000"
