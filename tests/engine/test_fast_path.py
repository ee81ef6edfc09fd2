"""The compiled kernel serves what it supports, once compiled; numpy serves the rest."""

import numpy as np
import pytest

pytest.importorskip("numba")

from app.engine import compile_expression, fast_path, get_function  # noqa: E402
from app.engine.data.sampling import MinibatchSchedule  # noqa: E402

ROSENBROCK = get_function("rosenbrock")


@pytest.fixture(scope="module", autouse=True)
def compiled_kernel():
    fast_path.warm_up(block=True)


def test_catalog_functions_without_noise_or_state_are_compiled():
    assert fast_path.usable(ROSENBROCK, "adam")


@pytest.mark.parametrize(
    ("f", "kwargs"),
    [
        (compile_expression("x^2 + y^2"), {}),
        (get_function("parabola"), {}),
        (ROSENBROCK, {"noise": 0.1}),
        (ROSENBROCK, {"include_state": True}),
        (ROSENBROCK, {"minibatches": MinibatchSchedule(3, 1)}),
    ],
    ids=["expression", "one-variable", "noise", "state", "minibatches"],
)
def test_everything_else_stays_on_numpy(f, kwargs):
    assert not fast_path.usable(f, "adam", **kwargs)


def test_api_runs_take_the_compiled_path_and_equal_the_numpy_runner(client, monkeypatch):
    from app.engine import make_optimizer, run

    calls = []
    real = fast_path.run
    monkeypatch.setattr(fast_path, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    body = {"function": "rosenbrock", "start": [-1.5, 2.0], "steps": 300, "tol": 0,
            "optimizer": {"name": "rmsprop", "lr": 0.01, "momentum": 0.5}}  # fmt: skip
    answer = client.post("/api/v1/trajectories", json=body).json()
    assert calls, "the compiled kernel was not used"
    expected = run(ROSENBROCK, [-1.5, 2.0], make_optimizer("rmsprop", lr=0.01, momentum=0.5),
                   steps=300)  # fmt: skip
    np.testing.assert_array_equal(answer["points"], expected.points)


def test_basins_take_the_vectorised_compiled_path(client, monkeypatch):
    from app.engine import compiled_vector

    calls = []
    real = compiled_vector.vector_run_many
    monkeypatch.setattr(
        compiled_vector, "vector_run_many", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    body = {"function": "himmelblau", "optimizer": {"name": "adam", "lr": 0.05}, "steps": 300,
            "resolution": 20}  # fmt: skip
    answer = client.post("/api/v1/basins", json=body).json()
    assert calls and len(answer["end_points"]) == 4
