"""The optimizers' pure init/update functions: purity, batching and validation.

Agreement with torch is tested against recorded trajectories in test_optimizers_golden.py;
these are the properties the goldens cannot show.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from app.engine.optimizer_specs import SPECS, UnknownOptimizerError
from app.engine.optimizers import make_optimizer, select_runs

# Each optimizer with its defaults, and with every branch of its update switched on.
CONFIGS = {
    "sgd-defaults": ("sgd", {}),
    "sgd-nesterov-weight-decay": (
        "sgd", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True},
    ),
    "sgd-momentum-dampening": ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    "adam-defaults": ("adam", {}),
    "adam-everything": (
        "adam", {"lr": 0.05, "betas": (0.3, 0.9), "eps": 1e-6, "weight_decay": 0.1,
                 "amsgrad": True},
    ),
    "adamw-defaults": ("adamw", {}),
    "adamw-everything": (
        "adamw", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.5, "amsgrad": True},
    ),
    "rmsprop-defaults": ("rmsprop", {}),
    "rmsprop-everything": (
        "rmsprop", {"lr": 0.05, "alpha": 0.3, "weight_decay": 0.1, "momentum": 0.5,
                    "centered": True},
    ),
    "adagrad-defaults": ("adagrad", {}),
    "adagrad-everything": (
        "adagrad", {"lr": 0.5, "lr_decay": 0.1, "weight_decay": 0.1,
                    "initial_accumulator_value": 0.2, "eps": 1e-6},
    ),
}  # fmt: skip
NAMES = sorted(SPECS)


def configs():
    return pytest.mark.parametrize(("name", "kwargs"), CONFIGS.values(), ids=CONFIGS.keys())


def gradients(steps: int, n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=3.0, size=(steps, n, 2))


def advance(optimizer, params: np.ndarray, grads: np.ndarray):
    """Apply one update per row of ``grads``; return the final params and state."""
    state = optimizer.init(params)
    for grad in grads:
        step, state = optimizer.update(grad, state, params)
        params = params + step
    return params, state


def arrays(state) -> list[np.ndarray]:
    return [value for value in state if isinstance(value, np.ndarray)]


@configs()
def test_update_neither_writes_to_nor_replaces_its_inputs(name, kwargs):
    optimizer = make_optimizer(name, **kwargs)
    params, state = advance(optimizer, np.array([[1.5, -0.5], [0.2, 2.0]]), gradients(3, 2))
    grad = gradients(1, 2, seed=1)[0]
    before = [a.copy() for a in (params, grad, *arrays(state))]
    for a in (params, grad, *arrays(state)):
        a.flags.writeable = False  # an in-place write would raise here
    count = state.count

    step, new_state = optimizer.update(grad, state, params)

    for a, b in zip((params, grad, *arrays(state)), before, strict=True):
        assert_array_equal(a, b)
    assert state.count == count
    assert new_state.count == count + 1
    assert np.isfinite(step).all()
    assert not np.shares_memory(step, params) and not np.shares_memory(step, grad)


@configs()
def test_init_neither_writes_to_nor_aliases_the_parameters(name, kwargs):
    params = np.array([[1.5, -0.5]])
    params.flags.writeable = False
    state = make_optimizer(name, **kwargs).init(params)
    assert state.count == 0
    for value in arrays(state):
        assert value.shape == params.shape
        assert not np.shares_memory(value, params)
    assert_array_equal(params, [[1.5, -0.5]])


@configs()
def test_state_starts_at_zero_except_adagrads_initial_accumulator(name, kwargs):
    optimizer = make_optimizer(name, **kwargs)
    described = optimizer.describe(optimizer.init(np.ones((3, 2))))
    for key, value in described.items():
        expected = kwargs.get("initial_accumulator_value", 0.0) if key == "sum" else 0.0
        assert_array_equal(value, np.full((3, 2), expected), err_msg=key)


@configs()
def test_a_batch_of_three_runs_updates_each_row_exactly_as_if_it_ran_alone(name, kwargs):
    optimizer = make_optimizer(name, **kwargs)
    starts = np.array([[1.5, -0.5], [-2.0, 0.25], [0.0, 3.0]])
    grads = gradients(6, 3)
    batch_params, batch_state = advance(optimizer, starts, grads)
    for i in range(3):
        alone_params, alone_state = advance(optimizer, starts[i : i + 1], grads[:, i : i + 1])
        assert_array_equal(batch_params[i : i + 1], alone_params)
        for batched, alone in zip(arrays(batch_state), arrays(alone_state), strict=True):
            assert_array_equal(batched[i : i + 1], alone)


@configs()
def test_select_runs_keeps_the_state_of_the_chosen_rows_only(name, kwargs):
    optimizer = make_optimizer(name, **kwargs)
    starts = np.array([[1.5, -0.5], [-2.0, 0.25], [0.0, 3.0]])
    _, state = advance(optimizer, starts, gradients(4, 3))
    kept = select_runs(state, np.array([True, False, True]))
    assert kept.count == state.count
    for full, subset in zip(arrays(state), arrays(kept), strict=True):
        assert_array_equal(subset, full[[0, 2]])


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_parameter_raises_value_error_naming_the_valid_parameters(name):
    with pytest.raises(ValueError) as raised:
        make_optimizer(name, learning_rate=0.1)
    message = str(raised.value)
    assert "learning_rate" in message
    assert SPECS[name].torch_class in message
    valid = message.split("valid:", 1)[1]
    assert [v.strip() for v in valid.split(",")] == [p.name for p in SPECS[name].params]


def test_a_parameter_of_another_optimizer_is_unknown():
    with pytest.raises(ValueError, match=r"unexpected parameter\(s\) momentum; valid: lr,"):
        make_optimizer("adam", momentum=0.9)


def test_an_unknown_optimizer_raises_an_error_naming_the_valid_optimizers():
    with pytest.raises(UnknownOptimizerError) as raised:
        make_optimizer("nope")
    assert str(raised.value) == "unknown optimizer 'nope'; valid: " + ", ".join(SPECS)


@pytest.mark.parametrize("name", NAMES)
def test_a_learning_rate_above_1000_is_rejected(name):
    with pytest.raises(ValueError, match=r"^lr must be at most 1000, got 1000\.5$"):
        make_optimizer(name, lr=1000.5)


@pytest.mark.parametrize("name", NAMES)
def test_a_learning_rate_of_exactly_1000_is_accepted(name):
    assert make_optimizer(name, lr=1000).hyperparams["lr"] == 1000.0


UPPER_BOUNDS = [
    ("sgd", "momentum", 1.0),
    ("sgd", "dampening", 1.0),
    ("sgd", "weight_decay", 100.0),
    ("adam", "eps", 1.0),
    ("adam", "weight_decay", 100.0),
    ("adamw", "weight_decay", 100.0),
    ("rmsprop", "alpha", 1.0),
    ("rmsprop", "momentum", 1.0),
    ("rmsprop", "eps", 1.0),
    ("adagrad", "lr_decay", 1000.0),
    ("adagrad", "initial_accumulator_value", 1e6),
    ("adagrad", "eps", 1.0),
]


@pytest.mark.parametrize(
    ("name", "param", "high"), UPPER_BOUNDS, ids=[f"{n}-{p}" for n, p, _ in UPPER_BOUNDS]
)
def test_every_other_upper_bound_is_inclusive_and_enforced(name, param, high):
    assert make_optimizer(name, **{param: high}).hyperparams[param] == high
    too_high = high * 1.5
    message = f"{param} must be at most {high:g}, got {too_high:g}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make_optimizer(name, **{param: too_high})


@pytest.mark.parametrize("name", ["adam", "adamw"])
@pytest.mark.parametrize("index", [0, 1])
def test_a_beta_of_one_is_rejected_with_torchs_message(name, index):
    betas = [0.9, 0.999]
    betas[index] = 1.0
    with pytest.raises(ValueError, match=rf"^Invalid beta parameter at index {index}: 1\.0$"):
        make_optimizer(name, betas=betas)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(value):
    with pytest.raises(ValueError, match=r"^lr must be finite"):
        make_optimizer("adam", lr=value)


@pytest.mark.parametrize("value", [True, "0.1", None, [0.1]])
def test_a_number_parameter_rejects_anything_but_an_int_or_float(value):
    with pytest.raises(ValueError, match=r"^lr must be a number"):
        make_optimizer("sgd", lr=value)


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_a_flag_accepts_only_true_or_false(value):
    with pytest.raises(ValueError, match=r"^amsgrad must be true or false"):
        make_optimizer("adam", amsgrad=value)


@pytest.mark.parametrize("value", [0.9, (0.9,), (0.9, 0.99, 0.999), "ab"])
def test_betas_must_be_a_pair(value):
    with pytest.raises(ValueError, match=r"^betas must be a pair of numbers"):
        make_optimizer("adam", betas=value)


def test_hyperparameters_are_stored_as_floats_and_betas_as_a_tuple():
    hyper = make_optimizer("adam", lr=1, betas=[0, 0.5], weight_decay=0).hyperparams
    assert hyper == {"lr": 1.0, "betas": (0.0, 0.5), "eps": 1e-8, "weight_decay": 0.0,
                     "amsgrad": False}  # fmt: skip
    assert all(type(v) is float for v in (hyper["lr"], *hyper["betas"], hyper["weight_decay"]))


def test_an_int_is_reported_as_a_float_where_torch_would_print_it_as_given():
    # torch says "Invalid learning rate: -1" for lr=-1; the engine converts first.
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -1\.0$"):
        make_optimizer("sgd", lr=-1)
