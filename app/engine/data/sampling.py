"""Mini-batch schedules: which samples each step's gradient sees, as a DataLoader would.

An epoch visits every sample once in mini-batches of ``batch_size`` (the last one smaller
when the size does not divide N, as ``drop_last=False``). With ``shuffle`` each epoch has a
fresh permutation; without it, ``batch_size=1`` walks the samples in order — the classic
per-sample SGD loop. Shuffling draws from its own generator (spawned from ``seed``), so
turning it on does not change the gradient-noise sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MinibatchSchedule:
    n_samples: int
    batch_size: int
    shuffle: bool = True
    seed: int = 0
    _orders: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _rng: np.random.Generator | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        self.batch_size = min(self.batch_size, self.n_samples)
        self._rng = np.random.default_rng(np.random.SeedSequence(self.seed).spawn(1)[0])

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.n_samples // self.batch_size)

    def epoch_of_point(self, k: np.ndarray | int) -> np.ndarray | int:
        """Full epochs completed after k updates."""
        return np.asarray(k) // self.batches_per_epoch

    def _order(self, epoch: int) -> np.ndarray:
        # Epochs are asked for in order; each permutation is drawn once, when first needed.
        while epoch not in self._orders:
            next_epoch = len(self._orders)
            self._orders[next_epoch] = (
                self._rng.permutation(self.n_samples) if self.shuffle else np.arange(self.n_samples)
            )
        return self._orders[epoch]

    def indices(self, step: int) -> np.ndarray:
        """The samples of update ``step`` (0-based)."""
        epoch, position = divmod(step, self.batches_per_epoch)
        start = position * self.batch_size
        return self._order(epoch)[start : start + self.batch_size]
