"""Issue 11: a big JSON body is written a piece at a time, the same bytes as one call.

Before, a 64-run batch (76 MB) was written by one ``orjson.dumps`` call holding the GIL
~0.2 s while /healthz and every other request waited. ``render_body`` splits dicts and
lists of dicts or arrays into pieces of about ``CHUNK_VALUES`` numbers. Each case here is
answered twice: split into pieces of a few numbers (as a big body would be), and written by
one ``dumps`` call with no array sliced (the old way); the bytes must be identical,
non-finite numbers (``null``) included."""

import numpy as np
import orjson
import pytest

import app.api.responses as responses
from tests.api.test_hardening_conversions import CASES as CONVERTED
from tests.api.test_hardening_conversions import DIVERGE, LINE, RUN

LBFGS = {**RUN, "optimizer": {"name": "lbfgs", "lr": 0.5, "max_iter": 4,
                              "line_search_fn": "strong_wolfe"}, "steps": 12}  # fmt: skip
CASES = {name: (path, body) for name, (path, _, body) in CONVERTED.items()} | {
    "trajectory, catalog (coalesced), states": ("/api/v1/trajectories",
                                                {**RUN, "include_state": True}),
    "trajectory, L-BFGS probes": ("/api/v1/trajectories", LBFGS),
    "trajectory, scheduler (lrs)": ("/api/v1/trajectories",
                                    {**RUN, "scheduler": {"name": "StepLR", "step_size": 50}}),
    "batch: mixed dimensions, states, L-BFGS": (
        "/api/v1/trajectories/batch",
        {"runs": [LINE, {**RUN, "include_state": True}, DIVERGE, LBFGS, RUN]}),
    "surface, lists": ("/api/v1/surface", {"function": {"expression": "x^2 + 1/y"},
                                           "resolution": 9, "encoding": "list"}),
}  # fmt: skip


def answer(client, monkeypatch, path, body, chunk, render):
    monkeypatch.setattr(responses, "CHUNK_VALUES", chunk)
    monkeypatch.setattr(responses, "render_body", render)
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text[:300]
    return response.content


@pytest.mark.parametrize("case", CASES)
def test_a_body_written_in_pieces_is_the_body_written_at_once(client, monkeypatch, case):
    path, body = CASES[case]
    render, dumps = responses.render_body, responses.dumps
    at_once = answer(client, monkeypatch, path, body, 10**12, dumps)
    calls = []

    def counted(value):
        calls.append(value)
        return dumps(value)

    monkeypatch.setattr(responses, "dumps", counted)
    in_pieces = answer(client, monkeypatch, path, body, 3, render)
    assert len(calls) > 10  # really split
    assert in_pieces == at_once
    assert orjson.loads(in_pieces)  # valid JSON


def test_pieces_cover_nesting_tuples_fragments_and_non_finite(monkeypatch):
    monkeypatch.setattr(responses, "CHUNK_VALUES", 2)
    nan, inf = float("nan"), float("inf")
    content = {"a": [{"x": np.array([[1.0, nan], [inf, -inf]]), "s": "é\"\n", "n": None},
                     {}, (np.arange(3), np.array([0.5]))],
               "empty": [], "f": responses.rows(np.linspace(0, 1, 9)), "t": (1, 2.5, True),
               "m": {"k": np.float32(1.5), "i": np.int64(7), "v": np.arange(6)[::2]}}  # fmt: skip
    out = []
    responses._pieces(content, out)
    assert len(out) > 10
    assert responses.render_body(content) == responses.dumps(content)
    parsed = orjson.loads(responses.render_body(content))
    assert parsed["a"][0]["x"] == [[1.0, None], [None, None]]


def test_a_dict_orjson_refuses_is_refused_alike(monkeypatch):
    monkeypatch.setattr(responses, "CHUNK_VALUES", 1)
    bad = {"ok": np.arange(4), 3: np.arange(4)}
    with pytest.raises(TypeError):
        responses.dumps(bad)
    with pytest.raises(TypeError):
        responses.render_body(bad)
