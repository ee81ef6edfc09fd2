"""The engine's runs against torch.optim with autograd, from trajectories recorded with torch.

``tests/fixtures/golden_optimizers.json`` is written by ``tests/fixtures/make_golden.py``
(torch 2.x, float64, CPU single-tensor path, gradients by autograd); torch is not needed
to run these tests. The optimizer arithmetic itself is compared bit for bit in
``test_golden_bits.py`` (torch fed the engine's gradient); here the gradient differs:

* torch differentiates each formula by autograd and evaluates ``cos``/``exp`` with its own
  vector kernels; the engine uses the catalog's closed-form gradient, compiled (glibc's
  ``cos``, ``x**3`` as repeated multiplication). They differ in the last bit or two.

On the recorded cases whole runs of up to 200 steps agree to about 5e-15 (absolute, on
coordinates of order 1), so ``rtol=1e-10`` leaves five orders of magnitude for amplification
along a trajectory while still catching any real difference of formula (an ε inside instead
of outside a square root, a missing bias correction, a dampened first momentum step: all
are 1e-8 or larger). ``atol=1e-12`` only matters for values near zero (a gradient at a
minimum, a coordinate crossing zero), where a relative tolerance means nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from app.engine import get_function, make_optimizer, run
from app.engine.optim.specs import SPECS, TORCH_OPTIMIZERS

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_optimizers.json").read_text())
CASES = GOLDEN["cases"]
INVALID = GOLDEN["invalid"]
RTOL, ATOL = 1e-10, 1e-12

# Keyword arguments torch takes that the engine deliberately leaves out: how torch executes
# (foreach, fused, capturable, differentiable), and Adam's ``decoupled_weight_decay``
# (offered as the separate optimizer AdamW; NAdam and RAdam take it).
TORCH_ONLY = {"foreach", "fused", "capturable", "differentiable", "decoupled_weight_decay"}


def by_id(items, key=lambda item: item["id"]):
    return pytest.mark.parametrize("case", items, ids=[key(item) for item in items])


def invalid_id(case: dict) -> str:
    detail = "-".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['optimizer']}-{detail}".replace(" ", "")


def engine_run(case: dict):
    return run(
        get_function(case["function"]),
        case["start"],
        make_optimizer(case["optimizer"], **case["kwargs"]),
        steps=case["steps"],
        tol=0.0,
        include_state=True,
    )


def test_the_fixture_covers_every_optimizer_with_at_least_four_cases():
    # optimizers beyond torch.optim are checked against their own packages (test_golden_lion.py)
    counts = {name: sum(c["optimizer"] == name for c in CASES) for name in TORCH_OPTIMIZERS}
    assert all(count >= 4 for count in counts.values()), counts


def test_every_option_of_every_optimizer_is_exercised_away_from_its_default():
    missing = []
    for name in TORCH_OPTIMIZERS:
        for param in SPECS[name].params:
            varied = [
                c for c in CASES
                if c["optimizer"] == name and param.name in c["kwargs"]
                and c["kwargs"][param.name] != (list(param.default) if param.kind == "pair"
                                                else param.default)
            ]  # fmt: skip
            if not varied:
                missing.append(f"{name}.{param.name}")
    assert not missing


def test_the_fixture_was_recorded_with_torch_2():
    assert GOLDEN["torch_version"].startswith("2.")


@by_id(CASES)
def test_trajectory_matches_torch(case):
    traj = engine_run(case)
    assert traj.status == "max_steps"
    assert traj.steps_taken == case["steps"]
    assert_allclose(traj.points, case["points"], rtol=RTOL, atol=ATOL)
    assert_allclose(traj.losses, case["losses"], rtol=RTOL, atol=ATOL)
    assert_allclose(traj.grad_norms, case["grad_norms"], rtol=RTOL, atol=ATOL)
    assert_allclose(traj.gradients, case["gradients"], rtol=RTOL, atol=ATOL)


@by_id(CASES)
def test_optimizer_state_after_every_update_matches_torch(case):
    traj = engine_run(case)
    states = traj.states or {}
    assert set(states) == set(case["states"])
    for name, expected in case["states"].items():
        # The fixture's row k is torch's state after k + 1 updates; the engine's states[0]
        # is the state before any update, which torch has not allocated yet.
        assert_allclose(states[name][1:], expected, rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_defaults_equal_torchs(name):
    torch_defaults = GOLDEN["defaults"][name]
    for param in SPECS[name].params:
        expected = torch_defaults[param.name]
        actual = list(param.default) if param.kind == "pair" else param.default
        assert actual == expected, param.name
        # torch writes float defaults as ints (momentum=0); a flag must be a flag in both.
        assert (param.kind == "bool") == isinstance(expected, bool), param.name


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_make_optimizer_without_arguments_uses_torchs_defaults(name):
    hyper = make_optimizer(name).hyperparams
    torch_defaults = GOLDEN["defaults"][name]
    assert {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()} == {
        k: torch_defaults[k] for k in hyper
    }


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_the_engine_leaves_out_only_torchs_execution_flags(name):
    ours = {param.name for param in SPECS[name].params}
    theirs = set(GOLDEN["defaults"][name])
    assert ours <= theirs
    assert theirs - ours <= TORCH_ONLY
    if name not in ("adam", "adamw"):
        assert "decoupled_weight_decay" not in theirs - ours


@by_id(INVALID, key=invalid_id)
def test_invalid_hyperparameters_raise_torchs_exact_message(case):
    # The fixture's values are floats, as torch would see them from a JSON request with a
    # decimal point; torch formats what it was given (an int -1 reads "-1"), the engine
    # converts to float first (always "-1.0").
    with pytest.raises(ValueError) as raised:
        make_optimizer(case["optimizer"], **case["kwargs"])
    assert str(raised.value) == case["message"]
