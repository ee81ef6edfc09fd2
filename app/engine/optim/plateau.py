"""``ReduceLROnPlateau`` over many runs at once: torch 2.13's ``step(metrics)`` per run.

Its metric here is the loss at the point the update starts from (torch's loop:
``loss = closure(); optimizer.step(); scheduler.step(loss)``), so the lr of update k + 2
depends on the losses at points 0..k and is known one step at a time. ``plateau_step`` is
the one definition of the state machine, in Python floats' arithmetic (numba's float64
gives the same bits): the compiled catalog kernels call it inside their loop, the array
and L-BFGS drivers through ``Plateau.step``.

A run's state is one row of ``state``: ``LR`` (the lr of the next update), ``BEST``,
``NUM_BAD`` (num_bad_epochs), ``COOLDOWN`` (cooldown_counter) and ``PREV_LR`` (the lr of the
update before, which ASGD's per-step values read). ``params`` holds the kwargs as numbers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from app.engine.optim.ops import INLINE, py_max
from app.engine.optim.schedules import Schedule

LR, BEST, NUM_BAD, COOLDOWN, PREV_LR = range(5)
# params: ON (1: a plateau schedules these runs), MIN, REL, FACTOR, PATIENCE, COOLDOWN_STEPS,
# THRESHOLD, MIN_LR, EPS
ON, MIN, REL, FACTOR, PATIENCE, COOLDOWN_STEPS, THRESHOLD, MIN_LR, EPS = range(9)
OFF = np.zeros(9)  # no plateau: the kernels skip it
NONE = np.zeros((0, 5))


@njit(**INLINE)
def is_better(a, best, params):
    """torch's ``is_better`` for the mode and threshold mode."""
    if params[MIN] != 0.0 and params[REL] != 0.0:
        return a < best * (1.0 - params[THRESHOLD])
    if params[MIN] != 0.0:
        return a < best - params[THRESHOLD]
    if params[REL] != 0.0:
        return a > best * (params[THRESHOLD] + 1.0)
    return a > best + params[THRESHOLD]


@njit(**INLINE)
def plateau_step(state, i, metric, params):
    """``scheduler.step(metric)`` for run i; ``state[i, LR]`` becomes the next update's lr."""
    state[i, PREV_LR] = state[i, LR]
    if is_better(metric, state[i, BEST], params):
        state[i, BEST] = metric
        state[i, NUM_BAD] = 0.0
    else:
        state[i, NUM_BAD] += 1.0
    if state[i, COOLDOWN] > 0:
        state[i, COOLDOWN] -= 1.0
        state[i, NUM_BAD] = 0.0
    if state[i, NUM_BAD] > params[PATIENCE]:
        old = state[i, LR]
        new = py_max(old * params[FACTOR], params[MIN_LR])
        if old - new > params[EPS]:
            state[i, LR] = new
        state[i, COOLDOWN] = params[COOLDOWN_STEPS]
        state[i, NUM_BAD] = 0.0


@njit(cache=True, nogil=True)
def _step_rows(state, rows, metrics, params):
    for j in range(rows.shape[0]):
        plateau_step(state, rows[j], metrics[j], params)


def parameters(schedule: Schedule) -> np.ndarray:
    kw = schedule.options
    return np.array([1.0, kw["mode"] == "min", kw["threshold_mode"] == "rel", kw["factor"],
                     kw["patience"], kw["cooldown"], kw["threshold"], kw["min_lr"], kw["eps"]],
                    dtype=np.float64)  # fmt: skip


class Plateau:
    def __init__(self, schedule: Schedule, base_lrs: np.ndarray) -> None:
        self.params = parameters(schedule)
        n = len(base_lrs)
        self.state = np.zeros((n, 5))
        self.state[:, LR] = self.state[:, PREV_LR] = base_lrs
        self.state[:, BEST] = np.inf if schedule.options["mode"] == "min" else -np.inf

    @property
    def lr(self) -> np.ndarray:
        return self.state[:, LR]

    def step(self, rows: np.ndarray, metrics: np.ndarray) -> None:
        """``scheduler.step(metrics[j])`` for run ``rows[j]``."""
        _step_rows(self.state, np.asarray(rows, dtype=np.int64),
                   np.asarray(metrics, dtype=np.float64), self.params)  # fmt: skip
