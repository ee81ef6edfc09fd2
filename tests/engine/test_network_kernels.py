"""The compiled networks: the kernels' own tanh and exp against glibc's (through numpy), and
the compiled training driver against the array driver, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from app.engine import make_optimizer, run_batch
from app.engine.data.sampling import MinibatchSchedule
from app.engine.networks import kernels, network_function
from app.engine.run import drivers


@njit(error_model="numpy")
def _apply(which, x, out):
    for j in range(x.shape[0]):
        out[j] = kernels.ktanh(x[j]) if which == 0 else kernels.kexp(x[j])


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.spacing(np.abs(b))


SAMPLES = np.concatenate([
    np.random.default_rng(0).normal(0, 3, 20_000), np.geomspace(1e-300, 700, 2_000),
    -np.geomspace(1e-300, 700, 2_000), [0.0, -0.0, 19.9, 20.0, 20.1, 1e300, -1e300],
])  # fmt: skip


@pytest.mark.parametrize(("which", "reference"), [(0, np.tanh), (1, np.exp)], ids=["tanh", "exp"])
def test_the_kernels_tanh_and_exp_are_within_a_few_ulps_of_glibc(which, reference):
    x = SAMPLES if which == 0 else SAMPLES[SAMPLES < 709]
    out = np.empty_like(x)
    _apply(which, x, out)
    expected = reference(x)
    normal = np.abs(expected) > 1e-300
    assert ulps(out[normal], expected[normal]).max() <= 4
    assert np.array_equal(np.signbit(out[x == 0]), np.signbit(expected[x == 0]) & (which == 0))


@pytest.mark.parametrize("which", [0, 1], ids=["tanh", "exp"])
def test_infinities_and_nan(which):
    x = np.array([np.inf, -np.inf, np.nan])
    out = np.empty(3)
    _apply(which, x, out)
    expected = [1.0, -1.0] if which == 0 else [np.inf, 0.0]
    assert out[:2].tolist() == expected and np.isnan(out[2])


CASES = {
    "tanh-bce": ([2, 8, 8, 1], "tanh", "bce", "circle"),
    "relu-mse": ([2, 6, 1], "relu", "mse", "xor"),
    "sigmoid-bce": ([2, 5, 1], "sigmoid", "bce", "spiral"),
}


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adafactor"])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("batch_size", [None, 7])
def test_the_compiled_training_driver_gives_the_array_drivers_bits(optimizer, case, batch_size):
    layers, activation, loss, dataset = CASES[case]
    f = network_function(layers, activation, loss, dataset=dataset, n=60, noise=0.1, seed=1)
    starts = np.stack([f.extra["init"](s) for s in (0, 1)])
    opt = make_optimizer(optimizer, lr=0.05)

    def schedule():
        return MinibatchSchedule(f.n_samples, batch_size, True, 0) if batch_size else None

    compiled = run_batch(f, starts, opt, steps=40, minibatches=schedule())
    batch = drivers.Batch.start(opt, starts, 40, True, False)
    drivers.run_arrays(f, batch, opt, 40, 0.0, 0.0, 0, schedule(), None)
    arrays = batch.result(opt, False)
    assert np.array_equal(compiled.history["points"], arrays.history["points"], equal_nan=True)
    assert np.array_equal(compiled.history["losses"], arrays.history["losses"], equal_nan=True)
    assert (compiled.history["losses"][-1] < compiled.history["losses"][0]).all()
