"""What a run returns: one trajectory, or the outcome of a batch of runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.run.advance import CONVERGED, DIVERGED, MAX_STEPS, STATUS_NAMES

__all__ = ["CONVERGED", "DIVERGED", "MAX_STEPS", "STATUS_NAMES", "BatchResult", "Trajectory"]


@dataclass
class Trajectory:
    points: np.ndarray  # (k + 1, dims)
    losses: np.ndarray  # (k + 1,)
    grad_norms: np.ndarray  # (k + 1,)
    gradients: np.ndarray  # (k + 1, dims): the exact gradient, before any noise
    status: str
    steps_taken: int
    states: dict[str, np.ndarray] | None = None  # name -> (k + 1, dims), state after k steps
    lrs: np.ndarray | None = None  # (k,) the learning rate of each update
    evaluations: np.ndarray | None = None  # (k,) L-BFGS: function evaluations of each step
    # per step, the (point, loss) rows it evaluated: L-BFGS's list, SAM's (k, 1, dims + 1) array
    probes: list[np.ndarray] | np.ndarray | None = None


@dataclass
class BatchResult:
    status: np.ndarray  # (n,) codes into STATUS_NAMES
    steps_taken: np.ndarray  # (n,)
    n_points: np.ndarray  # (n,) finite points kept: steps_taken + 1, or 0 for a bad start
    final_points: np.ndarray  # (n, dims) the last finite point
    final_losses: np.ndarray  # (n,)
    history: dict[str, np.ndarray] | None = None  # name -> (steps + 1, n, ...)
    lrs: np.ndarray | None = None  # (n, steps + 1) the lr of update k + 1 of each run
    extras: list[dict] | None = None  # per run: L-BFGS's evaluations and probes
    # Per run: the optimizer state to show (name -> (points, dims)), given its history.
    states_of: Callable[[int, dict[str, np.ndarray]], dict[str, np.ndarray]] | None = field(
        default=None, repr=False
    )

    @classmethod
    def concatenate(cls, blocks: list[BatchResult]) -> BatchResult:
        """Unrecorded results of consecutive blocks of runs, as one result."""
        names = ("status", "steps_taken", "n_points", "final_points", "final_losses")
        return cls(*(np.concatenate([getattr(b, name) for b in blocks]) for name in names))

    def status_names(self) -> list[str]:
        return [STATUS_NAMES[s] for s in self.status]

    def trajectory(self, i: int) -> Trajectory:
        if self.history is None:
            raise ValueError("run_batch(record=False) keeps no trajectories")
        m = int(self.n_points[i])
        h = self.history
        states = None
        if self.states_of is not None:
            slots = {k[6:]: v[:m, i] for k, v in h.items() if k.startswith("state:")}
            states = self.states_of(i, slots)
        return Trajectory(
            points=h["points"][:m, i],
            losses=h["losses"][:m, i],
            grad_norms=h["grad_norms"][:m, i],
            gradients=h["gradients"][:m, i],
            status=STATUS_NAMES[self.status[i]],
            steps_taken=int(self.steps_taken[i]),
            states=states,
            lrs=None if self.lrs is None else self.lrs[i, : int(self.steps_taken[i])],
            **({} if self.extras is None else {
                "evaluations": self.extras[i]["evaluations"][: int(self.steps_taken[i])],
                "probes": self.extras[i]["probes"][: int(self.steps_taken[i])]}),
        )  # fmt: skip
