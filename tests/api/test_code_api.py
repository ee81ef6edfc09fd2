"""``POST /api/v1/code``: the generated PyTorch scripts run under torch 2.13 and reproduce the
API's trajectory.

Every optimizer, every scheduler, a typed formula, a fit to data (each model), the 1-D
lessons, gradient noise, mini-batches and networks (a toy set, the digits, typed points) are
exported; the noise and the mini-batches are the engine's seeded draws, so the comparison
is exact. Each group's scripts run in one subprocess with the test environment's Python (torch is in
the ``test`` extra, not a runtime dependency) and their printed trajectories are compared
with ``POST /api/v1/trajectories`` for the same body. Tolerances: on the bowl the engine's
gradient (2x, 2y) is autograd's to the bit, so points differ only where torch's vectorised
``sqrt`` is not correctly rounded (a last bit, ``ops.py``): relative 1e-12. A typed formula
is differentiated by the engine's own differentiator and a line fit is evaluated around its
least-squares solution, where torch sums over the data: relative 1e-9 over these short runs.
Learning rates are the scheduler's to the bit; L-BFGS's evaluations per step are torch's
(SAM's: two).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from app.engine.optim import SCHEDULERS, SPECS

BOWL = {"function": "bowl", "start": [1.5, -1.2], "steps": 25, "tol": 0}
SCHEDULES = {
    "StepLR": {"step_size": 5, "gamma": 0.5},
    "MultiStepLR": {"milestones": [3, 10, 10]},
    "ConstantLR": {"factor": 0.5, "total_iters": 6},
    "LinearLR": {"start_factor": 0.2, "total_iters": 10},
    "ExponentialLR": {"gamma": 0.9},
    "PolynomialLR": {"total_iters": 12, "power": 2.0},
    "CosineAnnealingLR": {"T_max": 10, "eta_min": 0.001},
    "CosineAnnealingWarmRestarts": {"T_0": 4, "T_mult": 2},
    "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular2"},
    "OneCycleLR": {"max_lr": 0.2, "three_phase": True},
    "ReduceLROnPlateau": {"patience": 1, "factor": 0.5, "threshold": 0.5},
    "SequentialLR": {"milestones": [8], "schedulers": [
        {"name": "LinearLR", "start_factor": 0.5}, {"name": "CosineAnnealingLR", "T_max": 10}]},
}  # fmt: skip
EXACT = [BOWL | {"optimizer": {"name": name, "lr": 0.05}} for name in SPECS] + [
    BOWL | {"optimizer": {"name": "lbfgs", "line_search_fn": "strong_wolfe"}},
    BOWL | {"optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}},
    # SAM: two backward passes a step, around torch's classes and the inlined ones
    BOWL | {"optimizer": {"name": "sam", "base": "adam", "lr": 0.05, "adaptive": True}},
    BOWL | {"optimizer": {"name": "sam", "base": "adadelta", "rho": 0.5}},  # one shared rho
    BOWL | {"optimizer": {"name": "sam", "base": "lion", "lr": 0.05, "rho": 0.2}},
    BOWL | {"optimizer": {"name": "sam", "base": "adamwschedulefree", "lr": 0.05}},
    BOWL | {"optimizer": {"name": "sam", "base": "sgd", "lr": 0.05, "momentum": 0.9},
            "scheduler": {"name": "OneCycleLR", "max_lr": 0.1}},
    BOWL | {"optimizer": {"name": "adamwschedulefree", "lr": 0.05, "warmup_steps": 5},
            "scheduler": {"name": "ReduceLROnPlateau", "patience": 1, "factor": 0.5}},
] + [
    BOWL | {"optimizer": {"name": "adam" if name != "CyclicLR" else "sgd", "lr": 0.05},
            "scheduler": {"name": name, **kwargs}}
    for name, kwargs in SCHEDULES.items()
]  # fmt: skip
CLOSE = [
    {"function": {"expression": "(1 - x)^2 + 10*(y - x^2)^2 + 0.1*sin(3*x)"},
     "start": [-1.0, 1.5], "steps": 40, "tol": 0, "optimizer": {"name": "adam", "lr": 0.05}},
    {"function": {"expression": "x^4 - 3*x^2 + x"}, "start": [2.0], "steps": 30, "tol": 0,
     "optimizer": {"name": "lbfgs", "lr": 0.1, "max_iter": 3}},
    {"function": {"model": "linear", "loss": "mse", "data": {"x": [1, 2, 3, 4],
                                                             "y": [2.1, 3.9, 6.2, 7.8]}},
     "start": [0.0, 0.0], "steps": 40, "tol": 0, "optimizer": {"name": "sgd", "lr": 0.02}},
    {"function": {"model": "line-through-origin", "loss": "mse",
                  "data": {"x": [1, 2, 3], "y": [2, 4.5, 5.5]}},
     "start": [0.0], "steps": 20, "tol": 0, "optimizer": {"name": "rmsprop", "lr": 0.05}},
    {"function": {"model": "logistic", "loss": "bce", "data": {"x": [-2, -1, 0.5, 1, 2, 3],
                                                               "y": [0, 0, 1, 0, 1, 1]}},
     "start": [0.0, 0.0], "steps": 30, "tol": 0, "optimizer": {"name": "adam", "lr": 0.1},
     "scheduler": {"name": "ExponentialLR", "gamma": 0.95}},
    {"function": {"model": "logistic", "loss": "mse", "data": {"x": [-1, 0, 1, 2],
                                                               "y": [0, 1, 0, 1]}},
     "start": [0.5, -0.5], "steps": 20, "tol": 0, "optimizer": {"name": "nadam", "lr": 0.1}},
]  # fmt: skip
DATA = {"model": "linear", "loss": "mse", "data": {"x": [1, 2, 3, 4, 5, 6, 7],
                                                   "y": [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8]}}
NETWORKS = [
    {"function": {"network": {"layers": [2, 6, 6, 1], "activation": "tanh", "loss": "bce"},
                  "data": {"dataset": "circle", "n": 60, "noise": 0.1, "seed": 3}},
     "start": {"init": "torch", "seed": 1}, "steps": 30, "tol": 0,
     "optimizer": {"name": "adam", "lr": 0.05}},
    {"function": {"network": {"layers": [64, 16, 10], "activation": "relu", "loss": "ce"},
                  "data": {"dataset": "digits", "n": 40}},
     "start": {"init": "torch", "seed": 2}, "steps": 20, "tol": 0, "seed": 4,
     "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "batch_size": 16,
     "gradient_noise": 0.01, "record_every": 3},
    {"function": {"network": {"layers": [1, 3, 2], "activation": "sigmoid", "loss": "mse"},
                  "data": {"x": [[-1.0], [0.0], [0.5], [2.0]],
                           "y": [[0.0, 1.0], [1.0, 0.5], [0.2, 0.2], [1.0, -1.0]]}},
     "start": [0.1 * i - 0.6 for i in range(14)], "steps": 6, "tol": 0,
     "optimizer": {"name": "lbfgs", "max_iter": 4, "line_search_fn": "strong_wolfe"}},
    {"function": {"network": {"layers": [2, 4, 1], "activation": "tanh", "loss": "bce"},
                  "data": {"dataset": "xor", "n": 30}},
     "start": {"init": "torch", "seed": 0}, "steps": 20, "tol": 0,
     "optimizer": {"name": "adafactor", "lr": 0.05},
     "scheduler": {"name": "StepLR", "step_size": 5, "gamma": 0.5}},
]  # fmt: skip
# (kind, runs, relative tolerance): exact where the gradient is autograd's to the bit (the
# bowl, the parabola), else the engine's own differentiation (a typed formula, a fit's
# closed-form gradient, a network's compiled backpropagation, 1e-12 of autograd per
# evaluation) summed in another order: 1e-9 over these short runs. Short: a line search
# turns a last-bit difference into another branch, so L-BFGS's 20 iterations a step on a
# network part ways after ~100 iterations (Adam's runs stay within 1e-15).
STOCHASTIC = [
    ("noise", [BOWL | {"optimizer": {"name": name, "lr": 0.05}, "gradient_noise": 0.5,
                       "seed": 11} for name in ("sgd", "adam", "rprop", "lion")]
     + [BOWL | {"optimizer": {"name": "adam", "lr": 0.05}, "gradient_noise": 2.0,
                "scheduler": {"name": "ReduceLROnPlateau", "patience": 1}}], 1e-12),
    ("1-D lessons", [
        {"function": "parabola", "start": [-4.0], "steps": 20, "tol": 0,
         "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.5}},
        {"function": "parabola", "start": [-4.0], "steps": 20, "tol": 0,
         "optimizer": {"name": "lbfgs"}},
        {"function": "double-well", "start": [2.0], "steps": 30, "tol": 0,
         "optimizer": {"name": "adam", "lr": 0.1}, "gradient_noise": 3.0},
        {"function": "double-well", "start": [0.5], "steps": 30, "tol": 1e-6,
         "optimizer": {"name": "sgd", "lr": 0.02}}], 1e-9),
    ("minibatches", [
        {"function": DATA, "start": [0.0, 0.0], "steps": 30, "tol": 0, "batch_size": 2,
         "seed": 5, "optimizer": {"name": "sgd", "lr": 0.01}},
        {"function": DATA, "start": [0.0, 0.0], "steps": 30, "tol": 0, "batch_size": 1,
         "shuffle": False, "optimizer": {"name": "adam", "lr": 0.1}},
        {"function": "logistic-berries", "start": [0.0, 0.0], "steps": 40, "tol": 0,
         "batch_size": 5, "gradient_noise": 0.2, "seed": 9,
         "optimizer": {"name": "rmsprop", "lr": 0.05}}], 1e-9),
    ("networks", NETWORKS, 1e-9),
]  # fmt: skip
RUNNER = """
import contextlib, io, json, sys
results = []
for text in json.load(sys.stdin):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(text, "<generated>", "exec"), {"__name__": "__main__"})
    results.append(json.loads(out.getvalue()))
print(json.dumps(results))
"""


def run_scripts(client, bodies: list[dict]) -> list[dict]:
    scripts = []
    for body in bodies:
        response = client.post("/api/v1/code", json=body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/x-python")
        scripts.append(response.text)
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(scripts),
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def compare(client, bodies: list[dict], rtol: float) -> None:
    for body, ran in zip(bodies, run_scripts(client, bodies), strict=True):
        api = client.post("/api/v1/trajectories", json=body).json()
        assert api["steps_taken"] == len(ran["losses"]) - 1, body
        ours, theirs = np.array(api["points"]), np.array(ran["points"])
        assert ours.shape == theirs.shape, body
        scale = np.maximum(np.abs(theirs), 1.0)
        assert (np.abs(ours - theirs) / scale).max() <= rtol, body
        np.testing.assert_allclose(api["losses"], ran["losses"], rtol=rtol * 100, atol=1e-300)
        if "scheduler" in body:
            assert api["lrs"] == ran["lrs"], body
        if body["optimizer"]["name"] in ("lbfgs", "sam"):
            assert api["evaluations"] == ran["evaluations"], body


def test_every_optimizer_and_scheduler_runs_as_pytorch_and_gives_the_apis_trajectory(client):
    assert {b["optimizer"]["name"] for b in EXACT} == set(SPECS)
    assert {b["scheduler"]["name"] for b in EXACT if "scheduler" in b} == set(SCHEDULERS)
    compare(client, EXACT, 1e-12)


def test_typed_formulas_and_fits_to_data_run_as_pytorch_within_1e_9(client):
    compare(client, CLOSE, 1e-9)


@pytest.mark.parametrize(("kind", "bodies", "rtol"), STOCHASTIC, ids=[k for k, _, _ in STOCHASTIC])
def test_noise_minibatches_networks_and_1d_lessons_run_as_pytorch(client, kind, bodies, rtol):
    """The script draws the engine's noise and mini-batches itself (numpy's seeded PCG64)."""
    compare(client, bodies, rtol)


def test_a_network_script_writes_the_module_its_loss_and_its_data(client):
    text = client.post("/api/v1/code", json=NETWORKS[1]).text
    assert "torch.nn.Linear(64, 16)," in text and "torch.nn.ReLU()," in text
    assert "loss_fn = torch.nn.CrossEntropyLoss()" in text
    assert text.count("\n", text.index('DIGITS = """'), text.index('rows = ')) == 40 + 2
    assert "sampler = np.random.default_rng(np.random.SeedSequence(4).spawn(1)[0])" in text


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [(BOWL | {"optimizer": {"name": "lbfgs"}, "gradient_noise": 0.1}, 422,
      ["body", "gradient_noise"]),
     (BOWL | {"optimizer": {"name": "sgd"}, "batch_size": 2}, 422, ["body", "batch_size"]),
     (BOWL | {"optimizer": {"name": "sgd"}, "start": {"init": "torch"}}, 422, ["body", "start"]),
     (BOWL | {"optimizer": {"name": "sgd"}, "gradient_noise": -1}, 422,
      ["body", "gradient_noise"]),
     (NETWORKS[0] | {"function": {"network": {"layers": [2, 3]}, "data": {"dataset": "xor"}}},
      422, ["body", "function", "network", "layers"]),
     (NETWORKS[0] | {"start": [0.0, 1.0]}, 422, ["body", "start"]),
     (BOWL | {"optimizer": {"name": "adam"}, "function": "no-such"}, 404, None)],
)  # fmt: skip
def test_bad_input_is_refused_as_the_trajectory_refuses_it(client, body, status, loc):
    response = client.post("/api/v1/code", json=body)
    assert response.status_code == status, response.text
    assert client.post("/api/v1/trajectories", json=body).status_code == status
    if loc:
        assert response.json()["detail"][0]["loc"][: len(loc)] == loc


def test_a_script_is_short_and_names_torchs_classes(client):
    body = BOWL | {"optimizer": {"name": "lbfgs", "line_search_fn": "strong_wolfe"},
                   "scheduler": {"name": "ExponentialLR", "gamma": 0.9}}  # fmt: skip
    text = client.post("/api/v1/code", json=body).text
    assert "torch.optim.LBFGS([p], lr=1.0, line_search_fn='strong_wolfe')" in text
    assert "torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)" in text
    assert "def closure():" in text and "optimizer.step(closure)" in text
    assert len(text.splitlines()) < 60
