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
