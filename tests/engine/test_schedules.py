"""Learning-rate schedules: torch's validation, and schedules every driver reads from one table.

That each schedule's learning rates are torch's to the bit, and that scheduled runs give
torch's points, is in ``test_golden_bits.py`` (the fixture's ``scheduled`` cases); that every
driver gives the same bits with a schedule is in ``test_conformance.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run, run_batch, with_scheduler
from app.engine.optim import RULES, SCHEDULERS, make_schedule
from app.engine.optim.schedules import REQUIRED, UnknownSchedulerError
from app.engine.run.dispatch import choose_driver

ROSENBROCK = get_function("rosenbrock")


def minimal(name: str) -> dict:
    """The scheduler with its required kwargs only, at a valid value."""
    if name == "SequentialLR":
        return {"name": name, "milestones": [10], "schedulers": [
            {"name": "LinearLR"}, {"name": "ExponentialLR", "gamma": 0.9}]}  # fmt: skip
    values = {"int": 10, "float": 0.09, "int_list": [5, 10]}
    return {"name": name} | {
        p.name: values[p.kind] for p in SCHEDULERS[name].params if p.default is REQUIRED
    }


TABLED = sorted(name for name in SCHEDULERS if name != "ReduceLROnPlateau")


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


@pytest.mark.parametrize("name", TABLED)
@pytest.mark.parametrize("driver", ["catalog", "array"])
def test_a_run_reports_the_lr_of_every_update_from_its_schedule(name, driver):
    schedule = make_schedule(minimal(name))
    optimizer = with_scheduler(make_optimizer("adam", lr=0.02), schedule)
    trajectory = run(ROSENBROCK, [-1.5, 2.0], optimizer, steps=60, driver=driver)
    assert trajectory.lrs.tolist() == schedule.lrs(0.02, 60).tolist()
    assert len(trajectory.lrs) == trajectory.steps_taken


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "SequentialLR", "milestones": [5], "schedulers": [
            {"name": "ReduceLROnPlateau"}, {"name": "StepLR", "step_size": 2}]},
         "SequentialLR does not support `ReduceLROnPlateau`"),
        ({"name": "SequentialLR", "milestones": [5, 6], "schedulers": [{"name": "LinearLR"}]},
         "number of schedulers 1 and the number of milestones to be equal to 2"),
        ({"name": "SequentialLR", "milestones": [], "schedulers": []},
         "SequentialLR expects at least one scheduler, but got no scheduler."),
        ({"name": "OneCycleLR", "max_lr": 0.1, "pct_start": 1.5},
         "Expected float between 0 and 1 pct_start, but got 1.5"),
        ({"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 0},
         "Expected positive integer total_steps, but got 0"),
        ({"name": "ReduceLROnPlateau", "factor": 1.0}, "Factor should be < 1.0."),
        ({"name": "CyclicLR", "base_lr": 0.1, "max_lr": 0.2, "mode": "sawtooth"},
         "mode must be one of triangular, triangular2, exp_range"),
    ],
)  # fmt: skip
def test_new_schedulers_get_torchs_messages(spec, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("`", ".")):
        make_schedule(spec)


def test_cycling_momentum_needs_an_optimizer_with_momentum_or_betas():
    cyclic = {"name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1}
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        with_scheduler(make_optimizer("adagrad"), cyclic)
    with_scheduler(make_optimizer("adagrad"), cyclic | {"cycle_momentum": False})


def test_one_cycle_defaults_to_the_runs_steps_and_refuses_a_shorter_cycle():
    schedule = make_schedule({"name": "OneCycleLR", "max_lr": 0.1})
    explicit = make_schedule({"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 50})
    optimizer = with_scheduler(make_optimizer("adam"), schedule)
    trajectory = run(ROSENBROCK, [-1.5, 2.0], optimizer, steps=50, tol=0)
    assert trajectory.lrs.tolist() == explicit.lrs(1e-3, 50).tolist()
    assert trajectory.lrs[-1] < trajectory.lrs[0] < trajectory.lrs.max() == pytest.approx(0.1)
    with pytest.raises(ValueError, match="Tried to step 60 times"):
        explicit.lrs(1e-3, 60)


def test_a_plateau_gives_each_run_of_a_batch_its_own_lrs():
    optimizer = with_scheduler(make_optimizer("adam", lr=0.1),
                               {"name": "ReduceLROnPlateau", "patience": 2})  # fmt: skip
    f = get_function("rastrigin")
    starts = [[3.3, 2.7], [0.1, -0.2]]
    batch = run_batch(f, starts, optimizer, steps=80, tol=0)
    alone = [run(f, s, optimizer, steps=80, tol=0) for s in starts]
    for i, single in enumerate(alone):
        np.testing.assert_array_equal(batch.trajectory(i).lrs, single.lrs)
        np.testing.assert_array_equal(batch.trajectory(i).points, single.points)
    assert alone[0].lrs.tolist() != alone[1].lrs.tolist()
    assert min(alone[0].lrs) < 0.1  # it reduced


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


PLATEAUS = [
    {"name": "ReduceLROnPlateau", "patience": 1, "factor": 0.5, "cooldown": 2, "threshold": 0.3},
    {"name": "ReduceLROnPlateau", "mode": "max", "threshold_mode": "abs", "patience": 0,
     "factor": 0.7, "min_lr": 0.01, "eps": 1e-3},
]  # fmt: skip


@pytest.mark.parametrize("plateau", PLATEAUS, ids=["min-rel-cooldown", "max-abs-min_lr-eps"])
@pytest.mark.parametrize("name", sorted(RULES))
def test_a_plateau_runs_compiled_with_the_array_drivers_bits(name, plateau):
    """ReduceLROnPlateau's state machine inside the catalog kernel (``plateau_step``) gives
    the array driver's lrs and points, every rule (ASGD's per-step values read the lr before)."""
    optimizer = with_scheduler(make_optimizer(name, lr=0.05), plateau)
    f = get_function("rastrigin")
    assert choose_driver(f, optimizer=optimizer) == "catalog"
    compiled, array = (run(f, [2.2, -1.7], optimizer, steps=60, driver=d)
                       for d in ("catalog", "array"))  # fmt: skip
    assert compiled.lrs.tolist() == array.lrs.tolist()
    assert compiled.points.tolist() == array.points.tolist()
    assert len(set(compiled.lrs.tolist())) > 1  # it changed the lr


def test_a_plateau_in_unrecorded_batches_matches_each_recorded_run():
    optimizer = with_scheduler(make_optimizer("adam", lr=0.1), PLATEAUS[0])
    f = get_function("rastrigin")
    starts = np.array([[3.3, 2.7], [0.1, -0.2], [2.2, -1.7]])
    many = run_batch(f, starts, optimizer, steps=80, record=False)
    for i, start in enumerate(starts):
        alone = run(f, start, optimizer, steps=80)
        assert many.final_points[i].tolist() == alone.points[-1].tolist()
