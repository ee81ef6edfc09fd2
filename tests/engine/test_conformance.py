"""Every driver gives the same bits for the same request: one scenario list, each driver
chosen explicitly. And a process whose kernels compile from scratch answers as one whose
kernels came from the disk cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.engine import get_function, inject_hyperparams, make_optimizer, run_batch, with_scheduler
from app.engine.optim import RULES
from app.engine.run import codegen
from app.engine.run.dispatch import DRIVERS, choose_driver, run_many

RACE = [  # one batch, each run its own settings (flags included)
    {"lr": 0.01},
    {"lr": 0.003, "momentum": 0.9},
    {"lr": 0.002, "momentum": 0.9, "nesterov": True},
    {"lr": 0.02, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1},
]
SCENARIOS = [
    *[(fid, name, [{"lr": 0.01}], 120, 1e-8) for fid in ("rosenbrock", "rastrigin", "ackley",
      "goldstein-price", "levi") for name in RULES],
    ("himmelblau", "sgd", RACE, 300, 1e-6),
    ("beale", "adam", [{"lr": 0.05}, {"lr": 0.01, "amsgrad": True}, {"betas": [0.3, 0.9]}],
     200, 0.0),
    ("six-hump-camel", "rmsprop", [{"centered": True}, {"momentum": 0.5}, {"alpha": 0.3}],
     150, 1e-9),
    ("bowl", "sgd", [{"lr": 1000.0}, {"lr": 0.5}], 50, 1e-3),  # one diverges, one converges
    ("beale", "nadam", [{"lr": 0.02}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
                        {"maximize": True, "momentum_decay": 0.05}], 150, 0.0),
    ("himmelblau", "rprop", [{"etas": [0.3, 1.5]}, {"step_sizes": [1e-3, 0.5]}], 150, 1e-9),
    ("rosenbrock", "asgd", [{"lr": 1e-3, "t0": 5.0}, {"lr": 1e-3, "lambd": 0.1}], 150, 0.0),
    ("six-hump-camel", "adafactor", [{}, {"eps": [None, 0.01]}, {"maximize": True, "d": 2.0}],
     150, 0.0),
    ("saddle", "radam", [{"lr": 0.05}, {"weight_decay": 0.2, "decoupled_weight_decay": True}],
     100, 0.0),
    # scheduled: per-step values from the scheduled lr, a slot that starts at it, a step size
    # set by the previous step's lr, and a vector rule
    ("rosenbrock", "adam", [{"lr": 0.05}, {"lr": 0.01, "amsgrad": True}], 200, 0.0,
     {"name": "CosineAnnealingWarmRestarts", "T_0": 10, "T_mult": 2}),
    ("himmelblau", "rprop", [{"lr": 0.05}, {"lr": 0.2}], 100, 0.0,
     {"name": "MultiStepLR", "milestones": [0, 30], "gamma": 0.3}),
    ("himmelblau", "asgd", [{"lr": 0.01}, {"lr": 0.02, "t0": 5.0}], 100, 0.0,
     {"name": "LinearLR", "start_factor": 0.2, "total_iters": 40}),
    ("beale", "adafactor", [{"lr": 0.05}, {"lr": 0.02}], 100, 0.0,
     {"name": "ExponentialLR", "gamma": 0.97}),
    # cycled momentum (SGD) and β1 (Adam, NAdam's μ schedule) per step and per setting
    ("rosenbrock", "sgd", [{"lr": 1e-3, "momentum": 0.9}, {"lr": 1e-3}], 150, 0.0,
     {"name": "CyclicLR", "base_lr": 1e-4, "max_lr": 2e-3, "step_size_up": 10}),
    ("beale", "adam", [{"lr": 0.05}, {"betas": [0.5, 0.9]}], 120, 0.0,
     {"name": "OneCycleLR", "max_lr": 0.1}),
    ("himmelblau", "nadam", [{"lr": 0.05}, {"betas": [0.5, 0.9]}], 100, 0.0,
     {"name": "SequentialLR", "milestones": [20], "schedulers": [
         {"name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5},
         {"name": "ExponentialLR", "gamma": 0.97}]}),
]  # fmt: skip
SCALAR_RULES = sorted(name for name, rule in RULES.items() if not rule.vector)


def batch(fid, name, settings, steps, tol, scheduler=None, *, driver):
    starts = np.random.default_rng(len(settings)).uniform(-2, 2, size=(len(settings), 2))
    optimizer = with_scheduler(inject_hyperparams(name, settings), scheduler)
    return run_batch(get_function(fid), starts, optimizer, steps, tol, include_state=True,
                     driver=driver)  # fmt: skip


@pytest.fixture
def fresh_modules(monkeypatch):
    """Each scenario loads its kernels anew (from the disk cache), as a new process would."""
    monkeypatch.setattr(codegen, "_modules", {})


def test_the_scenarios_cover_every_optimizer_and_both_drivers():
    assert {s[1] for s in SCENARIOS} == set(RULES)
    assert set(DRIVERS) == {"catalog", "array", "vector"}


@pytest.mark.parametrize(
    "scenario",
    SCENARIOS,
    ids=lambda s: f"{s[0]}-{s[1]}-{len(s[2])}" + (f"-{s[5]['name']}" if len(s) > 5 else ""),
)
def test_every_driver_gives_the_same_bits(scenario, fresh_modules):
    results = {driver: batch(*scenario, driver=driver) for driver in ("catalog", "array")}
    first, second = results.values()
    np.testing.assert_array_equal(first.status, second.status)
    np.testing.assert_array_equal(first.n_points, second.n_points)
    for i in range(len(scenario[2])):
        a, b = first.trajectory(i), second.trajectory(i)
        for field in ("points", "losses", "grad_norms", "gradients", "lrs"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
        assert a.states.keys() == b.states.keys()
        for name in a.states:
            np.testing.assert_array_equal(a.states[name], b.states[name], err_msg=name)


@pytest.mark.parametrize("scheduler", [None, {"name": "StepLR", "step_size": 7, "gamma": 0.5}])
@pytest.mark.parametrize("name", SCALAR_RULES)
@pytest.mark.parametrize("fid", ["rastrigin", "himmelblau", "ackley", "levi"])
def test_the_vectorised_driver_gives_the_catalog_drivers_bits(fid, name, scheduler, fresh_modules):
    f = get_function(fid)
    rng = np.random.default_rng(7)
    starts = np.concatenate([rng.uniform(-5, 5, (2100, 2)), [[2e5, 1.0], [1e300, 1e300]]])
    optimizer = with_scheduler(make_optimizer(name, lr=0.01), scheduler)
    vector, catalog = (run_many(f, starts, optimizer, 60, 1e-4, driver=d)
                       for d in ("vector", "catalog"))  # fmt: skip
    for field in ("status", "n_points", "final_points", "final_losses"):
        np.testing.assert_array_equal(getattr(vector, field), getattr(catalog, field), field)


@pytest.mark.parametrize("name", [n for n in SCALAR_RULES if RULES[n].momentum_column])
def test_the_vectorised_driver_cycles_momentum_as_the_catalog_driver(name, fresh_modules):
    f = get_function("rastrigin")
    starts = np.random.default_rng(7).uniform(-5, 5, (2100, 2))
    optimizer = with_scheduler(make_optimizer(name, lr=0.01),
                               {"name": "OneCycleLR", "max_lr": 0.05})  # fmt: skip
    vector, catalog = (run_many(f, starts, optimizer, 60, 1e-4, driver=d)
                       for d in ("vector", "catalog"))  # fmt: skip
    for field in ("status", "n_points", "final_points", "final_losses"):
        np.testing.assert_array_equal(getattr(vector, field), getattr(catalog, field), field)


@pytest.mark.parametrize("name", sorted(set(RULES) - set(SCALAR_RULES)))
def test_a_vector_rule_runs_many_runs_on_the_catalog_driver_with_its_bits(name, fresh_modules):
    f = get_function("himmelblau")
    starts = np.random.default_rng(7).uniform(-5, 5, (300, 2))
    optimizer = make_optimizer(name, lr=0.05)
    assert choose_driver(f, optimizer=optimizer, record=False) == "catalog"
    with pytest.raises(ValueError, match="cannot run"):
        run_many(f, starts, optimizer, 60, 1e-4, driver="vector")
    many = run_many(f, starts, optimizer, 60, 1e-4)
    recorded = run_batch(f, starts, optimizer, 60, 1e-4, driver="array")
    for field in ("status", "n_points", "final_points", "final_losses"):
        np.testing.assert_array_equal(getattr(many, field), getattr(recorded, field), field)


def test_the_driver_depends_only_on_the_request():
    rosenbrock = get_function("rosenbrock")
    assert choose_driver(rosenbrock) == "catalog"
    assert choose_driver(rosenbrock, gradient_noise=0.1) == "array"
    one = make_optimizer("adam")
    assert choose_driver(rosenbrock, optimizer=one, record=False) == "vector"


PROBE = """
import json, sys
from app.engine import get_function, make_optimizer, run
t = run(get_function("rastrigin"), [3.3, 2.7], make_optimizer("adam", lr=0.05), steps=300)
print(json.dumps(t.points.tolist()))
"""


def test_a_cold_compile_and_the_disk_cache_give_the_same_bits(tmp_path):
    env = {**os.environ, "DESCENT_KERNEL_CACHE": str(tmp_path)}
    root = Path(__file__).parents[2]
    cold = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=root, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    assert list(tmp_path.glob("kernels-*/__pycache__/*.nbc")), "the kernels were not cached"
    cached = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=root, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    here = run_batch(get_function("rastrigin"), [[3.3, 2.7]], make_optimizer("adam", lr=0.05),
                     300).trajectory(0).points  # fmt: skip
    assert json.loads(cold) == json.loads(cached) == here.tolist()


def test_the_cache_is_keyed_on_every_source_file_of_the_engine(tmp_path, monkeypatch):
    copy = tmp_path / "engine"
    shutil.copytree(codegen.ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(codegen, "ENGINE", copy)
    before = codegen.source_hash()
    rules = copy / "optim" / "rules.py"
    rules.write_text(rules.read_text().replace("1 - beta1", "1.0 - beta1"))
    assert codegen.source_hash() != before


def test_an_unusable_cache_falls_back_to_a_private_one(tmp_path):
    blocker = tmp_path / "a-file"  # a cache "directory" below a file cannot be created
    blocker.write_text("")
    env = {**os.environ, "DESCENT_KERNEL_CACHE": str(blocker / "cache")}
    root = Path(__file__).parents[2]
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=root, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    assert len(json.loads(out)) == 301
