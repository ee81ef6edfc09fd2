"""Issue 11: requests are charged by the operations they perform, not by their length.

A 354-character formula of 28 sinh terms passed every cap as "cost 1" and ran for 46 s;
it must now be refused before any work, with a 422 naming the CPU cap."""

import pytest

from app.api.work import evaluation_ns, runs_ns, surface_ns
from app.engine import compile_expression, data_function, get_function

HOSTILE = "+".join(f"sinh(x^y^{k})" for k in range(1, 29))
HOSTILE_SPEC = {"expression": HOSTILE, "domain": [[0.5, 1], [0.5, 1]]}
CAP = "DESCENT_MAX_REQUEST_OPERATIONS"


def test_the_hostile_formula_is_within_the_text_limits():
    assert len(HOSTILE) == 354 <= 500


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/trajectories", {"function": HOSTILE_SPEC, "start": [0.7, 0.7],
                                  "optimizer": {"name": "adam"}, "steps": 100_000, "tol": 0}),
        ("/api/v1/basins", {"function": HOSTILE_SPEC, "optimizer": {"name": "adam"},
                            "resolution": 400, "steps": 250}),
        ("/api/v1/trajectories/batch", {"runs": [
            {"function": HOSTILE_SPEC, "start": [0.7, 0.7], "steps": 50_000, "tol": 0,
             "optimizer": {"name": "adam", "lr": 1e-3 * (i + 1)}} for i in range(19)]}),
        ("/api/v1/sweeps", {"function": HOSTILE_SPEC, "start": [0.7, 0.7],
                            "optimizer": {"name": "sgd"}, "lr": {"count": 200}, "steps": 25_000}),
    ],
)  # fmt: skip
def test_hostile_formulas_are_refused_before_any_work(client, monkeypatch, path, body):
    from app.api.admission import Lane

    started = []

    async def enter(self, ns, stop):  # every computation is admitted through a lane
        started.append(ns)

    monkeypatch.setattr(Lane, "enter", enter)
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text[:300]
    assert CAP in response.text and started == []


def test_the_same_formula_with_fewer_steps_is_allowed(client):
    body = {"function": HOSTILE_SPEC, "start": [0.7, 0.7], "optimizer": {"name": "adam"},
            "steps": 500, "tol": 0}  # fmt: skip
    response = client.post("/api/v1/trajectories", json=body)
    assert response.status_code == 200 and response.json()["steps_taken"] == 500


def test_a_formula_is_charged_by_its_operations():
    small = compile_expression("x^2 + y^2")
    hostile = compile_expression(HOSTILE, [[0.5, 1], [0.5, 1]])
    bowl = get_function("bowl")
    # Its value and gradient programs make ~470 numpy calls against ~10 for a bowl.
    assert evaluation_ns(hostile, 1, "gradient") > 25 * evaluation_ns(bowl, 1, "gradient")
    assert runs_ns(hostile, 1, 1000, "adam") > 8 * runs_ns(small, 1, 1000, "adam")
    # Per point too: a surface of it costs far more than a surface of x^2 + y^2.
    assert evaluation_ns(hostile, 10**6) > 20 * evaluation_ns(small, 10**6)


def test_a_fit_is_charged_by_its_data():
    x = [i / 10_000 for i in range(10_000)]
    y = [int(v > 0.5) for v in x]
    big = data_function("logistic", "bce", x, y)
    small = data_function("logistic", "bce", x[:10], y[:10])
    line = data_function("linear", "mse", x, [2 * v for v in x])
    assert surface_ns(big, 10**4) > 500 * surface_ns(small, 10**4) / 10
    # A line's loss is O(1) per point whatever the data size (sufficient statistics).
    assert surface_ns(line, 10**4) < surface_ns(small, 10**4)


def test_sin_counts_more_than_addition():
    dear = compile_expression("sin(x) + sin(y)")
    cheap = compile_expression("x + y")
    assert evaluation_ns(dear, 10**6) > 5 * evaluation_ns(cheap, 10**6)


def test_a_network_is_charged_by_its_size_and_data(client, monkeypatch):
    """A 4,963-parameter network on 2,000 samples costs ~60 ms a step (bench/README.md):
    300 steps are refused before any work; a 2-3-1 network on 10 samples is cheap."""
    from app.api.routes import trajectories

    started = []
    monkeypatch.setattr(trajectories, "compute", lambda *a: started.append(a))

    def network(layers, n):
        return {"network": {"layers": layers}, "data": {"dataset": "circle", "n": n}}

    body = {"function": network([2, 70, 66, 1], 2000), "start": {"init": "torch", "seed": 0},
            "optimizer": {"name": "sgd"}, "steps": 300}  # fmt: skip
    response = client.post("/api/v1/trajectories", json=body)
    assert response.status_code == 422 and CAP in response.text and started == []
    from app.api.function_specs import resolve_function
    from app.api.schemas.networks import NetworkSpec

    big = resolve_function(NetworkSpec.model_validate(network([2, 70, 66, 1], 2000)))
    small = resolve_function(NetworkSpec.model_validate(network([2, 3, 1], 10)))
    assert runs_ns(big, 1, 100, "sgd") > 1000 * runs_ns(small, 1, 100, "sgd") / 10
