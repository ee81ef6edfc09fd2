"""Learning-rate schedules: torch's validation, and schedules every driver reads from one table.

That each schedule's learning rates are torch's to the bit, and that scheduled runs give
torch's points, is in ``test_golden_bits.py`` (the fixture's ``scheduled`` cases); that every
driver gives the same bits with a schedule is in ``test_conformance.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run, with_scheduler
from app.engine.optim import RULES, SCHEDULERS, make_schedule
from app.engine.optim.schedules import REQUIRED, UnknownSchedulerError

ROSENBROCK = get_function("rosenbrock")


def minimal(name: str) -> dict:
    """The scheduler with its required kwargs only, at a valid value."""
    values = {"int": 10, "float": 0.9, "int_list": [5, 10]}
    return {"name": name} | {
        p.name: values[p.kind] for p in SCHEDULERS[name].params if p.default is REQUIRED
    }


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_a_scheduler_without_a_required_argument_is_refused_naming_it(name):
    required = [p.name for p in SCHEDULERS[name].params if p.default is REQUIRED]
    for missing in required:
        spec = {k: v for k, v in minimal(name).items() if k != missing}
        with pytest.raises(ValueError, match=f"{name} requires {missing}"):
            make_schedule(spec)


def test_an_unknown_scheduler_lists_the_valid_ones():
    with pytest.raises(UnknownSchedulerError) as raised:
        make_schedule({"name": "LambdaLR"})
    assert all(name in str(raised.value) for name in SCHEDULERS)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "ConstantLR", "factor": 1.5},
         "Constant multiplicative factor expected to be between 0 and 1."),
        ({"name": "LinearLR", "start_factor": 0.0},
         "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
        ({"name": "LinearLR", "end_factor": 1.5},
         "Ending multiplicative factor expected to be between 0 and 1."),
        ({"name": "CosineAnnealingWarmRestarts", "T_0": 0},
         "Expected positive integer T_0, but got 0"),
        ({"name": "CosineAnnealingWarmRestarts", "T_0": 5, "T_mult": 0},
         "Expected integer T_mult >= 1, but got 0"),
        ({"name": "StepLR", "step_size": 2, "momentum": 0.9}, "unexpected parameter"),
        ({"name": "ConstantLR", "factor": 0.0}, "ZeroDivisionError"),
    ],
)  # fmt: skip
def test_invalid_kwargs_get_torchs_message(spec, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make_schedule(spec)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
@pytest.mark.parametrize("driver", ["catalog", "array"])
def test_a_run_reports_the_lr_of_every_update_from_its_schedule(name, driver):
    schedule = make_schedule(minimal(name))
    optimizer = with_scheduler(make_optimizer("adam", lr=0.02), schedule)
    trajectory = run(ROSENBROCK, [-1.5, 2.0], optimizer, steps=60, driver=driver)
    assert trajectory.lrs.tolist() == schedule.lrs(0.02, 60).tolist()
    assert len(trajectory.lrs) == trajectory.steps_taken


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_schedule_that_keeps_lr_constant_changes_no_bit(name):
    constant = with_scheduler(make_optimizer(name, lr=0.01), {"name": "StepLR", "step_size": 1,
                                                              "gamma": 1.0})  # fmt: skip
    plain = make_optimizer(name, lr=0.01)
    a = run(ROSENBROCK, [-1.5, 2.0], constant, steps=80)
    b = run(ROSENBROCK, [-1.5, 2.0], plain, steps=80)
    np.testing.assert_array_equal(a.points, b.points)


@pytest.mark.parametrize("name", sorted(n for n in RULES if n != "rprop"))
def test_a_schedule_changes_the_path_of_every_optimizer_that_reads_lr_each_step(name):
    decayed = with_scheduler(make_optimizer(name, lr=0.01), {"name": "ExponentialLR",
                                                             "gamma": 0.5})  # fmt: skip
    a = run(ROSENBROCK, [-1.5, 2.0], decayed, steps=30)
    b = run(ROSENBROCK, [-1.5, 2.0], make_optimizer(name, lr=0.01), steps=30)
    assert not np.array_equal(a.points, b.points)


def test_rprop_takes_the_first_steps_lr_as_its_initial_step_size():
    # torch's Rprop reads lr once, when its state is created at the first update.
    scheduled = with_scheduler(make_optimizer("rprop", lr=0.1), {"name": "ConstantLR",
                                                                 "factor": 0.5})  # fmt: skip
    trajectory = run(ROSENBROCK, [-1.5, 2.0], scheduled, steps=3, include_state=True)
    assert trajectory.states["step_size"][0].tolist() == [0.05, 0.05]
