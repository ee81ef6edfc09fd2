import numpy as np
import pytest

from app.engine import STATUS_NAMES, get_function, make_optimizer, run
from app.engine.sweeps import sweep


def test_each_sweep_cell_equals_its_single_run():
    f = get_function("rosenbrock")
    lrs = np.geomspace(1e-4, 1e-2, 4)
    momenta = np.array([0.0, 0.9])
    result = sweep(f, [-1.5, 2.0], "sgd", {}, lrs, 200, 1e-8, "momentum", momenta)
    assert result.final_losses.shape == (2, 4)
    for row, momentum in enumerate(momenta):
        for col, lr in enumerate(lrs):
            alone = run(f, [-1.5, 2.0], make_optimizer("sgd", lr=lr, momentum=momentum), 200,
                        1e-8)  # fmt: skip
            assert STATUS_NAMES[result.status[row, col]] == alone.status
            if alone.status != "diverged":
                assert result.final_losses[row, col] == alone.losses[-1]


def test_a_learning_rate_too_large_diverges_in_the_sweep():
    result = sweep(get_function("bowl"), [1.0, 1.0], "sgd", {}, np.array([0.1, 1.5]), 2000, 0)
    assert [STATUS_NAMES[s] for s in result.status[0]] == ["max_steps", "diverged"]


def test_sweeping_a_beta_sets_one_of_the_pair():
    f = get_function("bowl")
    result = sweep(f, [1.0, 1.0], "adam", {}, np.array([0.1]), 50, 0, "betas[0]",
                   np.array([0.5, 0.9]))  # fmt: skip
    alone = run(f, [1.0, 1.0], make_optimizer("adam", lr=0.1, betas=(0.5, 0.999)), 50)
    # Equal to rounding: numpy's power of an array of β may differ from Python's by an ulp.
    assert result.final_losses[0, 0] == pytest.approx(alone.losses[-1], rel=1e-9)
