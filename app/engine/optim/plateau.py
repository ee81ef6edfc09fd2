"""``ReduceLROnPlateau`` over many runs at once: torch 2.13's ``step(metrics)`` per run.

Its metric here is the loss at the point the update starts from (torch's loop:
``loss = closure(); optimizer.step(); scheduler.step(loss)``), so the lr of update k + 2
depends on the losses at points 0..k and is known one step at a time. numpy's float64
elementwise arithmetic and comparisons give the bits Python floats give.
"""

from __future__ import annotations

import numpy as np

from app.engine.optim.schedules import Schedule


class Plateau:
    def __init__(self, schedule: Schedule, base_lrs: np.ndarray) -> None:
        kw = schedule.options
        self.mode, self.threshold_mode = kw["mode"], kw["threshold_mode"]
        self.factor, self.patience, self.cooldown = kw["factor"], kw["patience"], kw["cooldown"]
        self.threshold, self.min_lr, self.eps = kw["threshold"], kw["min_lr"], kw["eps"]
        n = len(base_lrs)
        self.lr = np.asarray(base_lrs, dtype=np.float64).copy()
        self.best = np.full(n, np.inf if self.mode == "min" else -np.inf)
        self.num_bad = np.zeros(n, dtype=np.int64)
        self.cooldown_counter = np.zeros(n, dtype=np.int64)

    def better(self, a: np.ndarray, best: np.ndarray) -> np.ndarray:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, rows: np.ndarray, metrics: np.ndarray) -> None:
        """``scheduler.step(metrics[j])`` for run ``rows[j]``."""
        better = self.better(metrics, self.best[rows])
        self.best[rows] = np.where(better, metrics, self.best[rows])
        bad = np.where(better, 0, self.num_bad[rows] + 1)
        cooling = self.cooldown_counter[rows] > 0
        self.cooldown_counter[rows] -= cooling
        bad = np.where(cooling, 0, bad)
        reduce = bad > self.patience
        old = self.lr[rows]
        new = np.maximum(old * self.factor, self.min_lr)
        self.lr[rows] = np.where(reduce & (old - new > self.eps), new, old)
        self.cooldown_counter[rows] = np.where(reduce, self.cooldown,
                                               self.cooldown_counter[rows])  # fmt: skip
        self.num_bad[rows] = np.where(reduce, 0, bad)
