"""Issue 11: CSV and HTML conversions never write the body as JSON and parse it back.

Before, an admitted CSV request rendered its JSON body and parsed it again with one
``orjson.loads`` call, which held the GIL for up to 0.75 s on the 60 MB body of a 64-run
batch (the event loop, /healthz included, waited). Now the converter reads the rendered
arrays. The CSV must be the same bytes as converting the JSON body, which is what the
CLI and the notebook do: both are compared here, non-finite numbers included."""

import numpy as np
import orjson
import pytest

import app.api.exports as exports
import app.api.responses as responses

RUN = {"function": "rosenbrock", "start": [-1.5, 2.0], "optimizer": {"name": "adam", "lr": 0.05},
       "steps": 300, "tol": 0}  # fmt: skip
DIVERGE = {"function": "rosenbrock", "start": [-1.5, 2.0], "optimizer": {"name": "sgd", "lr": 1.0},
           "steps": 40, "tol": 0}  # fmt: skip
FIT = {"model": "logistic", "loss": "bce",
       "data": {"x": [i / 100 for i in range(100)], "y": [i % 2 for i in range(100)]}}  # fmt: skip
ON_FIT = {"function": FIT, "start": [0.5, 0.5], "optimizer": {"name": "sgd", "lr": 0.1},
          "steps": 60, "batch_size": 8}  # fmt: skip
LINE = {"function": {"expression": "x^4 - 3*x"}, "start": [2.0],
        "optimizer": {"name": "sgd", "lr": 0.1}, "steps": 30}  # fmt: skip
# Each runs in an admitted slot (noise, mini-batches and batches are never coalesced), so
# its CSV comes from the arrays; the JSON of the same request is converted as the CLI does.
CASES = {
    "trajectory, noise": ("/api/v1/trajectories", exports.trajectory_csv,
                          {**RUN, "gradient_noise": 0.2}),
    "trajectory, diverging": ("/api/v1/trajectories", exports.trajectory_csv,
                              {**DIVERGE, "gradient_noise": 0.1}),
    "trajectory, every 7th point": ("/api/v1/trajectories", exports.trajectory_csv,
                                    {**RUN, "gradient_noise": 0.1, "record_every": 7}),
    "trajectory, mini-batches (epochs)": ("/api/v1/trajectories", exports.trajectory_csv,
                                          ON_FIT),
    "trajectory, 1-D, big (sliced)": ("/api/v1/trajectories", exports.trajectory_csv,
                                      {**LINE, "steps": 20_000, "tol": 0,
                                       "gradient_noise": 0.01}),
    "batch: 1-D first, diverging, fit": ("/api/v1/trajectories/batch", exports.batch_csv,
                                         {"runs": [LINE, RUN, DIVERGE, ON_FIT]}),
    "basins, lists": ("/api/v1/basins", exports.basins_csv,
                      {"function": "rosenbrock", "optimizer": {"name": "sgd", "lr": 0.5},
                       "steps": 50, "resolution": 12, "encoding": "list"}),
    "basins, base64": ("/api/v1/basins", exports.basins_csv,
                       {"function": "rosenbrock", "optimizer": {"name": "sgd", "lr": 0.5},
                        "steps": 50, "resolution": 12}),
    "sweep, two parameters": ("/api/v1/sweeps", exports.sweep_csv,
                              {"function": "rosenbrock", "start": [-1.5, 2.0],
                               "optimizer": {"name": "sgd"}, "steps": 100,
                               "lr": {"min": 1e-4, "max": 1.0, "count": 12},
                               "second": {"param": "momentum", "values": [0, 0.9]}}),
    "sweep, one parameter": ("/api/v1/sweeps", exports.sweep_csv,
                             {"function": "rosenbrock", "start": [-1.5, 2.0],
                              "optimizer": {"name": "sgd"}, "steps": 100,
                              "lr": {"min": 1e-4, "max": 1.0, "count": 12}}),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_csv_from_the_arrays_is_the_csv_of_the_json_body(client, case):
    path, to_csv, body = CASES[case]
    as_json = client.post(path, json=body)
    assert as_json.status_code == 200, as_json.text
    as_csv = client.post(path + "?format=csv", json=body)
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.content == to_csv(orjson.loads(as_json.content)).encode()


def test_non_finite_numbers_in_arrays_are_empty_cells_as_in_the_json():
    nan, inf = float("nan"), float("inf")
    rendered = {"points": np.array([[1.0, nan], [inf, 2.0], [0.5, 0.25]]),
                "losses": np.array([nan, -inf, 3.0]), "grad_norms": np.array([1e300, 0.0, 1e-7]),
                "epoch": np.arange(3)}  # fmt: skip
    parsed = orjson.loads(responses.dumps(rendered))
    assert parsed["points"][0] == [1.0, None]
    text = exports.trajectory_csv(rendered)
    assert text == exports.trajectory_csv(parsed)
    assert text.splitlines()[1:] == ["0,1.0,,,1e+300,0", "1,,2.0,,0.0,1", "2,0.5,0.25,3.0,1e-07,2"]
    grid = np.array([[nan, 1.5], [2.5, inf]])
    assert exports.listed(grid) == [[None, 1.5], [2.5, None]]


@pytest.mark.parametrize("case", ["trajectory, noise", "batch: 1-D first, diverging, fit",
                                  "basins, lists", "sweep, two parameters"])  # fmt: skip
def test_an_admitted_conversion_neither_writes_nor_parses_json(client, monkeypatch, case):
    path, _, body = CASES[case]

    def refuse(*_args, **_kwargs):
        raise AssertionError("a converted body went through JSON")

    monkeypatch.setattr(responses, "dumps", refuse)
    monkeypatch.setattr(exports.orjson, "loads", refuse)
    response = client.post(path + "?format=csv", json=body)
    assert response.status_code == 200, response.text


def test_html_of_a_race_still_runs_the_api_as_json_inside(client):
    """The HTML converter runs the batch again in-process (``notebook.figure_of``) and
    reads its JSON: the arrays-only rendering of the request must not leak into it."""
    response = client.post("/api/v1/trajectories/batch?format=html",
                           json={"runs": [{**RUN, "steps": 20}]})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")


def test_csv_is_written_in_slices(monkeypatch):
    """Rows are handed to the csv writer a slice at a time: no single C call writes a
    whole 100,000-row table while the GIL is held."""
    sizes = []
    real = exports.csv.writer

    class Writer:
        def __init__(self, out, **kwargs):
            self.inner = real(out, **kwargs)

        def writerow(self, row):
            self.inner.writerow(row)

        def writerows(self, rows):
            sizes.append(len(rows))
            self.inner.writerows(rows)

    monkeypatch.setattr(exports.csv, "writer", Writer)
    n = 3 * exports.SLICE_ROWS + 5
    body = {"points": [[float(i)] for i in range(n)], "losses": [1.0] * n,
            "grad_norms": [None] * n}  # fmt: skip
    text = exports.trajectory_csv(body)
    assert sizes == [exports.SLICE_ROWS] * 3 + [5]
    assert text.splitlines()[1] == "0,0.0,1.0," and len(text.splitlines()) == n + 1
