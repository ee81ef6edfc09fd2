"""L-BFGS against torch.optim.LBFGS bit for bit, fed the engine's function.

``tests/fixtures/golden_lbfgs.json`` is written by ``tests/fixtures/make_golden_lbfgs.py``:
torch 2.13's ``step(closure)`` on the engine's own loss and gradient, so only L-BFGS's
arithmetic (its two-loop recursion, strong Wolfe line search and cubic interpolation) is
compared: the points, each step's function evaluations, the points each step evaluated
(its probes) and, with a scheduler, each step's lr.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from app.engine import compile_expression, get_function, make_optimizer, run, with_scheduler
from app.engine.optim import describe

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_lbfgs.json").read_text())


def decode(text: str, width: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8").reshape(-1, width)


def engine_run(case: dict, driver: str | None = None):
    optimizer = with_scheduler(make_optimizer("lbfgs", **case["kwargs"]), case.get("scheduler"))
    return run(get_function(case["function"]), case["start"], optimizer, steps=case["steps"],
               tol=0.0, driver=driver)  # fmt: skip


def assert_torchs(case: dict, trajectory) -> None:
    np.testing.assert_array_equal(trajectory.points, decode(case["points"], 2))
    assert trajectory.evaluations.tolist() == case["evaluations"][: trajectory.steps_taken]
    probes = decode(case["probes"], 3)
    offsets = np.cumsum([0, *case["probe_counts"]])
    for k, ours in enumerate(trajectory.probes):
        np.testing.assert_array_equal(ours, probes[offsets[k] : offsets[k + 1]], err_msg=f"{k}")


@pytest.mark.parametrize("driver", ["catalog", "array"])
@pytest.mark.parametrize("case", GOLDEN["cases"] + GOLDEN["scheduled"],
                         ids=lambda c: c["id"])  # fmt: skip
def test_lbfgs_gives_torchs_points_evaluations_and_probes(case, driver):
    trajectory = engine_run(case, driver)
    assert_torchs(case, trajectory)
    if "scheduler" in case:
        torch_lrs = np.frombuffer(base64.b64decode(case["lrs"]), dtype="<f8")
        assert trajectory.lrs.tolist() == torch_lrs.tolist()


def test_random_configurations_are_torchs_bits():
    configs = GOLDEN["random"]
    assert len(configs) >= 100
    assert {c["kwargs"].get("line_search_fn") for c in configs} == {None, "strong_wolfe"}
    for config in configs:
        assert_torchs(config, engine_run(config))


def test_a_typed_formula_runs_on_the_array_driver_with_the_same_arithmetic():
    formula = compile_expression("(1 - x)^2 + 100*(y - x^2)^2")
    optimizer = make_optimizer("lbfgs", line_search_fn="strong_wolfe")
    ours = run(formula, [-1.5, 2.0], optimizer, steps=30, tol=0.0)
    catalog = run(get_function("rosenbrock"), [-1.5, 2.0], optimizer, steps=30, tol=0.0)
    # numpy's gradient of the formula and the catalog's compiled one may differ in a last
    # bit; both reach the minimum to torch's tolerance_grad
    np.testing.assert_allclose(ours.points[-1], [1.0, 1.0], atol=1e-5)
    np.testing.assert_allclose(ours.points[-1], catalog.points[-1], atol=1e-5)
    assert (ours.evaluations >= 1).all() and len(ours.probes) == ours.steps_taken


def test_lbfgs_refuses_gradient_noise():
    with pytest.raises(ValueError, match="no gradient noise"):
        run(get_function("bowl"), [1.0, 1.0], make_optimizer("lbfgs"), steps=5,
            gradient_noise=0.1)  # fmt: skip


def test_lbfgs_is_described_with_torchs_state_names():
    assert "old_dirs" in describe("lbfgs")["state"]
    assert make_optimizer("lbfgs").hyperparams["max_eval"] is None  # torch: max_iter * 5 // 4


# (function, starts, kwargs, scheduler, steps, tol): fixed steps and strong Wolfe, a
# schedule, runs that converge (tol), run to max_steps across several chunks of the
# compiled loop (steps > lbfgs_driver.CHUNK) and diverge, several runs per batch
LOOP_CASES = [
    ("rosenbrock", [[-1.5, 2.0], [0.5, -0.5]], {"line_search_fn": "strong_wolfe"}, None, 150, 1e-9),
    ("himmelblau", [[-0.3, -0.9], [4.0, 4.0], [0.0, 0.0]], {"lr": 0.1, "max_iter": 5}, None,
     200, 0.0),
    ("rastrigin", [[3.3, 2.7]], {"lr": 0.5, "max_iter": 3, "history_size": 2},
     {"name": "ExponentialLR", "gamma": 0.99}, 130, 0.0),
    ("saddle", [[-1.5, 0.01], [0.3, 0.2]], {"lr": 1.0, "max_iter": 4}, None, 300, 0.0),
    ("beale", [[1.0, 1.5]], {"line_search_fn": "strong_wolfe", "max_eval": 7}, None, 64, 1e-6),
    ("ackley", [[3.2, -2.4], [1.0, 1.0]], {"lr": 0.05, "max_iter": 1}, None, 129, 0.0),
]  # fmt: skip


@pytest.mark.parametrize("record", [True, False])
@pytest.mark.parametrize("case", LOOP_CASES, ids=lambda c: c[0])
def test_the_compiled_step_loop_gives_the_python_loops_bits(case, record):
    """The catalog driver's compiled loop (``run/lbfgs_loop.py``) against the Python loop of
    the array driver, which runs the same step in Python with numpy's gradient: on these
    catalog functions the two gradients are the same bits, so every output must be."""
    from app.engine.run.dispatch import run_batch

    name, starts, kwargs, scheduler, steps, tol = case
    optimizer = with_scheduler(make_optimizer("lbfgs", **kwargs), scheduler)
    ours, python = (run_batch(get_function(name), np.array(starts), optimizer, steps=steps,
                              tol=tol, record=record, driver=driver)
                    for driver in ("catalog", "array"))  # fmt: skip
    for field in ("status", "steps_taken", "n_points", "final_points", "final_losses"):
        np.testing.assert_array_equal(getattr(ours, field), getattr(python, field), err_msg=field)
    if not record:
        assert ours.history is None and ours.extras is None
        return
    for key, values in python.history.items():
        np.testing.assert_array_equal(ours.history[key], values, err_msg=key)
    np.testing.assert_array_equal(ours.lrs, python.lrs)
    for mine, theirs in zip(ours.extras, python.extras, strict=True):
        np.testing.assert_array_equal(mine["evaluations"], theirs["evaluations"])
        assert len(mine["probes"]) == len(theirs["probes"])
        for a, b in zip(mine["probes"], theirs["probes"], strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.shape == b.shape


def test_the_loop_cases_end_every_way():
    """The cases above reach every end a run can have, so the comparison covers each."""
    from app.engine.run.dispatch import run_batch

    ends = set()
    for name, starts, kwargs, scheduler, steps, tol in LOOP_CASES:
        optimizer = with_scheduler(make_optimizer("lbfgs", **kwargs), scheduler)
        result = run_batch(get_function(name), np.array(starts), optimizer, steps=steps, tol=tol)
        ends |= set(result.status.tolist())
        assert result.n_points.max() > 65 or steps <= 65  # the long cases cross a chunk
    assert ends == {0, 1, 2}  # max_steps, converged, diverged


@pytest.mark.parametrize("driver", ["catalog", "array"])
def test_a_long_lbfgs_run_stops_between_chunks_when_asked(driver):
    from app.engine.run.cancel import Cancelled
    from app.engine.run.dispatch import run_batch

    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) >= 2  # the second check: after 128 of the 1000 steps

    with pytest.raises(Cancelled):
        run_batch(get_function("rosenbrock"), np.array([[-1.5, 2.0]]), make_optimizer("lbfgs"),
                  steps=1000, should_stop=should_stop, driver=driver)  # fmt: skip
    assert len(asked) == 2
