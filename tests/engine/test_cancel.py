"""Abandoned work stops: every driver, basins and sweeps ask ``should_stop`` as they go."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import Cancelled, basins, compile_expression, get_function, make_optimizer, run
from app.engine.run.dispatch import run_many
from app.engine.sweeps import sweep


class After:
    """Says stop after it has been asked ``n`` times; counts the questions."""

    def __init__(self, n: int) -> None:
        self.n, self.asked = n, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.n


def test_a_formula_run_stops_within_a_step_of_being_told():
    f = compile_expression("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    stop = After(5)
    with pytest.raises(Cancelled):
        run(f, [1.0, 1.0], make_optimizer("adam"), steps=100_000, should_stop=stop)
    assert stop.asked == 6


@pytest.mark.parametrize("driver", ["catalog", "vector"])
def test_catalog_kernels_stop_between_chunks(driver):
    starts = np.random.default_rng(0).uniform(-5, 5, (3000, 2))
    stop = After(1)
    with pytest.raises(Cancelled):
        run_many(get_function("rastrigin"), starts, make_optimizer("sgd", lr=1e-4), 100_000,
                 0.0, should_stop=stop, driver=driver)  # fmt: skip
    assert stop.asked == 2


def test_basins_and_sweeps_pass_the_question_on():
    f, stop = get_function("himmelblau"), After(0)
    with pytest.raises(Cancelled):
        basins(f, make_optimizer("adam"), list(f.domain), 100, 50_000, 0.0, should_stop=stop)
    with pytest.raises(Cancelled):
        sweep(f, [0.0, 0.0], "sgd", {}, np.geomspace(1e-4, 1e-2, 30), 100_000, 0.0,
              should_stop=After(0))  # fmt: skip


def test_a_run_that_is_never_told_to_stop_finishes():
    stop = After(10**9)
    trajectory = run(get_function("bowl"), [1.0, 1.0], make_optimizer("sgd", lr=0.1), steps=50,
                     should_stop=stop)  # fmt: skip
    assert trajectory.steps_taken == 50
