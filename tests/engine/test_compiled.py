"""The compiled runner (numba prototype) against the catalog, torch's goldens and run_batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pytest.importorskip("numba")

from app.engine import get_function  # noqa: E402
from app.engine.compiled import compiled_run_batch, supports  # noqa: E402
from app.engine.compiled_functions import FUNCTION_IDS, value_and_gradient  # noqa: E402
from app.engine.hyper import inject_hyperparams  # noqa: E402
from app.engine.runner import run_batch  # noqa: E402

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_optimizers.json").read_text())
GOLDEN_CASES = [c for c in GOLDEN["cases"] if c["function"] in FUNCTION_IDS]

# One configuration per optimizer branch: every flag and every optional term.
CONFIGS = [
    ("sgd", {"lr": 1e-3}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
    ("sgd", {"lr": 1e-3, "momentum": 0.8, "nesterov": True}),
    ("adam", {"lr": 0.05}),
    ("adam", {"lr": 0.02, "betas": (0.3, 0.9), "eps": 1e-4, "weight_decay": 0.05,
              "amsgrad": True}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.5}),
    ("adamw", {"lr": 0.02, "betas": (0.6, 0.98), "amsgrad": True}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.3, "momentum": 0.5, "weight_decay": 0.2,
                 "centered": True}),
    ("adagrad", {"lr": 0.5}),
    ("adagrad", {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.05,
                 "initial_accumulator_value": 0.5, "eps": 1e-8}),
]  # fmt: skip
ROUNDED = ["ackley", "beale", "three-hump-camel", "six-hump-camel", "styblinski-tang"]
BIT_EXACT = [f for f in FUNCTION_IDS if f not in ROUNDED]


def config_id(config) -> str:
    name, options = config
    return name + "-" + "-".join(f"{k}={v}" for k, v in options.items())


def starts_in(function_id: str, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = get_function(function_id).domain
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def numpy_batch(function_id, starts, name, settings, steps, tol, record):
    optimizer = inject_hyperparams(name, settings if len(settings) > 1 else settings * len(starts))
    return run_batch(get_function(function_id), starts, optimizer, steps, tol, record=record)


def assert_same_outcome(ours, theirs, rtol=1e-12, atol=1e-12):
    assert_array_equal(ours.status, theirs.status)
    assert_array_equal(ours.steps_taken, theirs.steps_taken)
    assert_array_equal(ours.n_points, theirs.n_points)
    assert_allclose(ours.final_points, theirs.final_points, rtol=rtol, atol=atol)
    assert_allclose(ours.final_losses, theirs.final_losses, rtol=rtol, atol=atol)


def test_the_compiled_catalog_is_the_catalog():
    assert FUNCTION_IDS == (
        "bowl", "elongated-bowl", "saddle", "rosenbrock", "himmelblau", "rastrigin", "ackley",
        "beale", "booth", "matyas", "goldstein-price", "three-hump-camel", "six-hump-camel",
        "styblinski-tang", "levi",
    )  # fmt: skip


@pytest.mark.parametrize("function_id", FUNCTION_IDS)
def test_value_and_gradient_equal_the_catalogs(function_id):
    f = get_function(function_id)
    points = np.vstack([starts_in(function_id, 500, seed=1), [[0.0, 0.0], [1.0, 1.0]]])
    values = f.value(points)
    grads = f.gradient(points)
    for (x, y), value, grad in zip(points, values, grads):
        got = value_and_gradient(FUNCTION_IDS.index(function_id), x, y)
        # numba computes x**3 by multiplication where numpy calls pow, and glibc's exp
        # where numpy uses its AVX-512 loop: a few ulps of the largest term, no more.
        scale = 1e-13 * max(1.0, abs(value), *np.abs(grad))
        assert_allclose(got[0], value, rtol=1e-13, atol=scale)
        assert_allclose(got[1:], grad, rtol=1e-13, atol=scale)


def test_ackleys_cone_tip_has_gradient_zero():
    code = FUNCTION_IDS.index("ackley")
    value, gx, gy = value_and_gradient(code, 0.0, 0.0)
    assert (gx, gy) == (0.0, 0.0)
    assert value == get_function("ackley").value(np.zeros(2))


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[c["id"] for c in GOLDEN_CASES])
def test_golden_trajectory_matches_torch(case):
    result = compiled_run_batch(
        case["function"], [case["start"]], case["optimizer"], [case["kwargs"]], case["steps"]
    )
    traj = result.trajectory(0)
    assert traj.status == "max_steps"
    assert traj.steps_taken == case["steps"]
    for key in ("points", "losses", "grad_norms", "gradients"):
        assert_allclose(getattr(traj, key), case[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_the_goldens_cover_every_optimizer():
    assert {c["optimizer"] for c in GOLDEN_CASES} == {"sgd", "adam", "adamw", "rmsprop", "adagrad"}


@pytest.mark.parametrize("function_id", BIT_EXACT)
@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_equals_the_numpy_runner_bit_for_bit(config, function_id):
    # Where numba evaluates the function exactly as numpy does (products, sin, cos), the
    # optimizer arithmetic in the same order gives the same bits, step after step.
    name, options = config
    starts = starts_in(function_id, 24)
    ours = compiled_run_batch(function_id, starts, name, [options], 150, 1e-3, record=True)
    theirs = numpy_batch(function_id, starts, name, [options], 150, 1e-3, record=True)
    assert_same_outcome(ours, theirs, rtol=0, atol=0)
    for i in range(len(starts)):
        a, b = ours.trajectory(i), theirs.trajectory(i)
        for key in ("points", "losses", "grad_norms", "gradients"):
            assert_array_equal(getattr(a, key), getattr(b, key))
    final = compiled_run_batch(function_id, starts, name, [options], 150, 1e-3, record=False)
    assert_same_outcome(final, theirs, rtol=0, atol=0)


@pytest.mark.parametrize("function_id", ROUNDED)
@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_equals_the_numpy_runner_to_rounding(config, function_id):
    # x**3 (numba multiplies, numpy calls its pow) and exp differ in the last bit; along
    # a run that grows by about an order of magnitude per 10 steps on these functions with
    # large steps, so runs are compared over 20 steps at the goldens' tolerance.
    name, options = config
    starts = starts_in(function_id, 24)
    ours = compiled_run_batch(function_id, starts, name, [options], 20, 1e-3, record=True)
    theirs = numpy_batch(function_id, starts, name, [options], 20, 1e-3, record=True)
    assert_same_outcome(ours, theirs, rtol=1e-10, atol=1e-12)
    for i in range(len(starts)):
        a, b = ours.trajectory(i), theirs.trajectory(i)
        for key in ("points", "losses", "grad_norms", "gradients"):
            assert_allclose(getattr(a, key), getattr(b, key), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "name, settings",
    [
        ("sgd", [{"lr": 1e-3}, {"lr": 2e-3, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.5,
                                                             "dampening": 0.5}]),
        ("adam", [{"lr": 0.05}, {"lr": 0.01, "betas": (0.5, 0.9)}, {"lr": 0.1, "eps": 1e-3,
                                                                  "weight_decay": 0.1}]),
        ("adamw", [{"lr": 0.05}, {"lr": 0.02, "weight_decay": 0.3, "betas": (0.8, 0.99)}]),
        ("rmsprop", [{"lr": 0.01}, {"lr": 0.02, "momentum": 0.9}, {"alpha": 0.5}]),
        ("adagrad", [{"lr": 0.5}, {"lr": 0.1, "lr_decay": 0.1}, {"initial_accumulator_value": 1}]),
    ],
)  # fmt: skip
def test_mixed_hyperparameters_equal_single_runs(name, settings):
    starts = starts_in("rosenbrock", len(settings), seed=3)
    batch = compiled_run_batch("rosenbrock", starts, name, settings, 300, 1e-6)
    theirs = numpy_batch("rosenbrock", starts, name, settings, 300, 1e-6, record=True)
    assert_same_outcome(batch, theirs)
    for i, options in enumerate(settings):
        alone = compiled_run_batch("rosenbrock", starts[i : i + 1], name, [options], 300, 1e-6)
        a, b = batch.trajectory(i), alone.trajectory(0)
        assert (a.status, a.steps_taken) == (b.status, b.steps_taken)
        for key in ("points", "losses", "grad_norms", "gradients"):
            assert_array_equal(getattr(a, key), getattr(b, key))


def test_divergence_ends_a_run_at_its_last_finite_point_as_the_numpy_runner_does():
    starts = np.array([[-1.5, 2.0], [1.0, 1.0], [np.nan, 0.0], [np.inf, 1.0], [0.5, 0.5]])
    ours = compiled_run_batch("rosenbrock", starts, "sgd", [{"lr": 0.01}], 200, 0.0)
    theirs = numpy_batch("rosenbrock", starts, "sgd", [{"lr": 0.01}], 200, 0.0, record=True)
    assert ours.status_names() == ["diverged", "max_steps", "diverged", "diverged", "diverged"]
    assert_same_outcome(ours, theirs, rtol=0, atol=0)
    assert ours.n_points[2] == ours.steps_taken[2] == 0
    assert np.isnan(ours.final_losses[2])
    assert np.isfinite(ours.final_points[[0, 4]]).all()
    for i in range(len(starts)):
        traj = ours.trajectory(i)
        assert len(traj.points) == ours.n_points[i]
        assert np.isfinite(traj.points).all() and np.isfinite(traj.losses).all()


def test_convergence_stops_before_the_update_as_the_numpy_runner_does():
    starts = starts_in("bowl", 50, seed=5)
    ours = compiled_run_batch("bowl", starts, "sgd", [{"lr": 0.1}], 1000, 1e-6)
    theirs = numpy_batch("bowl", starts, "sgd", [{"lr": 0.1}], 1000, 1e-6, record=True)
    assert set(ours.status_names()) == {"converged"}
    assert_same_outcome(ours, theirs, rtol=0, atol=0)
    for i in range(len(starts)):
        norms = ours.trajectory(i).grad_norms
        assert norms[-1] <= 1e-6 < norms[:-1].min()


def test_a_start_within_tol_takes_no_step_and_the_last_point_within_tol_converges():
    ours = compiled_run_batch("bowl", [[0.0, 0.0], [0.5, 0.5]], "sgd", [{"lr": 0.5}], 1, 1e-9)
    assert ours.status_names() == ["converged", "converged"]  # (0.5, 0.5) → (0, 0) in 1 step
    assert list(ours.steps_taken) == [0, 1]


def test_validation():
    assert supports("rosenbrock", "adam")
    assert not supports("parabola", "adam") and not supports("rosenbrock", "lbfgs")
    with pytest.raises(ValueError, match="nesterov must be the same"):
        compiled_run_batch("bowl", [[1.0, 1.0]] * 2, "sgd",
                           [{"momentum": 0.9, "nesterov": True}, {"momentum": 0.9}])  # fmt: skip
    with pytest.raises(ValueError, match="Invalid learning rate"):
        compiled_run_batch("bowl", [[1.0, 1.0]], "sgd", [{"lr": -1.0}])
    with pytest.raises(ValueError, match="does not support"):
        compiled_run_batch("parabola", [[1.0]], "sgd", [{}])
