"""Per-run hyper-parameters equal the same runs made one by one."""

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run, run_batch
from app.engine.hyper import inject_hyperparams

SETTINGS = {
    "sgd": [{"lr": 1e-3}, {"lr": 2e-3, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.5,
                                                          "dampening": 0.1}],
    "adam": [{"lr": 0.05}, {"lr": 0.01, "betas": (0.3, 0.99)}, {"lr": 0.02, "eps": 1e-3}],
    "adamw": [{"lr": 0.05}, {"lr": 0.01, "weight_decay": 0.1}],
    "rmsprop": [{"lr": 0.01}, {"lr": 0.001, "momentum": 0.9}, {"lr": 0.01, "alpha": 0.3}],
    "adagrad": [{"lr": 0.5}, {"lr": 0.1, "lr_decay": 0.01}, {"lr": 0.3,
                                                             "initial_accumulator_value": 1.0}],
}  # fmt: skip


@pytest.mark.parametrize("name", SETTINGS)
def test_injected_runs_equal_their_single_runs(name):
    f = get_function("rosenbrock")
    settings = SETTINGS[name]
    starts = np.tile([-1.5, 2.0], (len(settings), 1))
    batch = run_batch(f, starts, inject_hyperparams(name, settings), steps=300, tol=1e-9)
    for i, options in enumerate(settings):
        alone = run(f, starts[i], make_optimizer(name, **options), steps=300, tol=1e-9)
        # Runs whose branch differs (momentum 0 beside momentum > 0) may differ by an ulp.
        np.testing.assert_allclose(batch.trajectory(i).points, alone.points, rtol=1e-12)
        assert batch.trajectory(i).status == alone.status


def test_each_run_keeps_its_own_learning_rate_after_others_finish():
    f = get_function("bowl")
    settings = [{"lr": 0.5}, {"lr": 0.01}, {"lr": 2000.0 / 1000}]  # stops at once, slow, wild
    batch = run_batch(f, np.ones((3, 2)), inject_hyperparams("sgd", settings), 200, 1e-8)
    for i, options in enumerate(settings):
        alone = run(f, [1.0, 1.0], make_optimizer("sgd", **options), steps=200, tol=1e-8)
        np.testing.assert_array_equal(batch.trajectory(i).points, alone.points)


def test_invalid_setting_is_rejected_with_torchs_message():
    with pytest.raises(ValueError, match="Invalid learning rate"):
        inject_hyperparams("adam", [{"lr": 0.1}, {"lr": -1.0}])


def test_flags_must_agree_within_one_batch():
    with pytest.raises(ValueError, match="amsgrad"):
        inject_hyperparams("adam", [{"amsgrad": True}, {"amsgrad": False}])


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("sgd", [{"lr": 1e-3, "dampening": 0.5}, {"lr": 1e-3, "momentum": 0.9},
                 {"lr": 2e-3, "momentum": 0.5, "dampening": 0.3}]),
        ("rmsprop", [{"lr": 0.01}, {"lr": 0.01, "momentum": 0.9}]),
    ],
)  # fmt: skip
def test_runs_without_momentum_are_exact_beside_runs_with_it(name, settings):
    # Torch ignores dampening without momentum, and RMSprop without momentum steps by
    # addcdiv: a batched run must not take the momentum path of its neighbours.
    f = get_function("rosenbrock")
    starts = np.tile([-1.5, 2.0], (len(settings), 1))
    batch = run_batch(f, starts, inject_hyperparams(name, settings), steps=200)
    for i, options in enumerate(settings):
        alone = run(f, starts[i], make_optimizer(name, **options), steps=200)
        np.testing.assert_array_equal(batch.trajectory(i).points, alone.points)


def test_adam_runs_with_their_own_betas_are_bit_exact_beside_each_other():
    f = get_function("rosenbrock")
    settings = [{"lr": 0.05, "betas": (0.9, b2)} for b2 in np.linspace(0.9, 0.9999, 12)]
    starts = np.tile([-1.5, 2.0], (len(settings), 1))
    batch = run_batch(f, starts, inject_hyperparams("adam", settings), steps=300)
    for i, options in enumerate(settings):
        alone = run(f, starts[i], make_optimizer("adam", **options), steps=300)
        np.testing.assert_array_equal(batch.trajectory(i).points, alone.points)
