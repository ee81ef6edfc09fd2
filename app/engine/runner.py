"""The batched runner: advance n runs of one optimizer on one function, in lockstep.

One code path serves a single click (n = 1) and a grid of forty thousand starts. Runs that
converge or diverge are dropped from the working arrays, so they stop costing time and
never disturb the others. Semantics per run (``k`` counts updates):

* ``points[0]`` is the start, ``points[k]`` the parameters after k updates,
  ``losses[k] = f(points[k])`` and ``grad_norms[k] = ||∇f(points[k])||``.
* The first point whose coordinates, loss or gradient norm is not finite ends the run as
  ``diverged`` and is not included.
* Before update k, if ``tol > 0`` and ``grad_norms[k] <= tol`` the run is ``converged``.
* Otherwise it is ``max_steps`` after ``steps`` updates.
* ``gradient_noise`` σ adds σ·N(0, I) to every gradient the optimizer sees, drawn from
  ``numpy.random.default_rng(seed)`` with shape (n, dims) each step, so a run's noise does
  not depend on which other runs have finished.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.functions import LossFunction
from app.engine.optimizers import Optimizer, select_runs

MAX_STEPS, CONVERGED, DIVERGED = 0, 1, 2
STATUS_NAMES = ("max_steps", "converged", "diverged")


@dataclass
class Trajectory:
    points: np.ndarray  # (k + 1, dims)
    losses: np.ndarray  # (k + 1,)
    grad_norms: np.ndarray  # (k + 1,)
    gradients: np.ndarray  # (k + 1, dims): the exact gradient, before any noise
    status: str
    steps_taken: int
    states: dict[str, np.ndarray] | None = None  # name -> (k + 1, dims), state after k steps


@dataclass
class BatchResult:
    status: np.ndarray  # (n,) codes into STATUS_NAMES
    steps_taken: np.ndarray  # (n,)
    n_points: np.ndarray  # (n,) finite points recorded: steps_taken + 1, or 0 for a bad start
    final_points: np.ndarray  # (n, dims) the last finite point
    final_losses: np.ndarray  # (n,)
    history: dict[str, np.ndarray] | None = None  # name -> (steps + 1, n, ...)
    state_names: tuple[str, ...] = ()

    def status_names(self) -> list[str]:
        return [STATUS_NAMES[s] for s in self.status]

    def trajectory(self, i: int) -> Trajectory:
        if self.history is None:
            raise ValueError("run_batch(record=False) keeps no trajectories")
        m = int(self.n_points[i])
        h = self.history
        states = {name: h["state:" + name][:m, i] for name in self.state_names} or None
        return Trajectory(
            points=h["points"][:m, i],
            losses=h["losses"][:m, i],
            grad_norms=h["grad_norms"][:m, i],
            gradients=h["gradients"][:m, i],
            status=STATUS_NAMES[self.status[i]],
            steps_taken=int(self.steps_taken[i]),
            states=states if self.state_names else None,
        )


def run_batch(
    function: LossFunction,
    starts: np.ndarray,
    optimizer: Optimizer,
    steps: int = 500,
    tol: float = 0.0,
    gradient_noise: float = 0.0,
    seed: int = 0,
    record: bool = True,
    include_state: bool = False,
) -> BatchResult:
    """Run ``optimizer`` from each row of ``starts`` (shape (n, dims)) for up to ``steps``."""
    params = np.array(starts, dtype=np.float64, ndmin=2)
    n, dims = params.shape
    if dims != function.dims:
        raise ValueError(f"start has {dims} coordinates; {function.id} takes {function.dims}")
    rng = np.random.default_rng(seed) if gradient_noise > 0 else None
    state = optimizer.init(params)
    state_names = tuple(optimizer.describe(state)) if include_state else ()
    history = _allocate(steps, n, dims, state_names) if record else None

    idx = np.arange(n)
    status = np.full(n, MAX_STEPS)
    steps_taken = np.zeros(n, dtype=np.int64)
    n_points = np.zeros(n, dtype=np.int64)
    final_points = params.copy()
    final_losses = np.full(n, np.nan)
    prev_params, prev_loss = params, np.full(n, np.nan)

    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            loss = function.value(params)
            grad = function.gradient(params)
            grad_norm = np.sqrt(np.sum(grad * grad, axis=-1))
            ok = np.isfinite(loss) & np.isfinite(grad_norm) & np.isfinite(params).all(axis=-1)
            if history is not None:
                rows = slice(None) if idx.size == n else idx
                history["points"][k, rows] = params
                history["losses"][k, rows] = loss
                history["grad_norms"][k, rows] = grad_norm
                history["gradients"][k, rows] = grad
                for name, value in optimizer.describe(state).items() if state_names else ():
                    history["state:" + name][k, rows] = value

            converged = ok & (grad_norm <= tol) if tol > 0 else np.zeros_like(ok)
            done = ~ok | converged | (k == steps)
            if done.any():
                which = idx[done]
                good = ok[done]
                status[which] = np.where(
                    good, np.where(converged[done], CONVERGED, MAX_STEPS), DIVERGED
                )
                n_points[which] = np.where(good, k + 1, k)
                steps_taken[which] = np.maximum(n_points[which] - 1, 0)
                final_points[which] = np.where(good[:, None], params[done], prev_params[done])
                final_losses[which] = np.where(good, loss[done], prev_loss[done])
                keep = ~done
                if not keep.any():
                    break
                idx, params, grad, loss = idx[keep], params[keep], grad[keep], loss[keep]
                state = select_runs(state, keep)
            if rng is not None:
                grad = grad + gradient_noise * rng.standard_normal((n, dims))[idx]
            step, state = optimizer.update(grad, state, params)
            prev_params, prev_loss = params, loss
            params = params + step

    return BatchResult(status, steps_taken, n_points, final_points, final_losses, history,
                       state_names)  # fmt: skip


def run(
    function: LossFunction,
    start,
    optimizer: Optimizer,
    steps: int = 500,
    tol: float = 0.0,
    gradient_noise: float = 0.0,
    seed: int = 0,
    include_state: bool = False,
) -> Trajectory:
    """One run from ``start``: a batch of one."""
    result = run_batch(
        function, np.asarray(start, dtype=np.float64)[None, :], optimizer, steps, tol,
        gradient_noise, seed, record=True, include_state=include_state,
    )  # fmt: skip
    return result.trajectory(0)


def _allocate(steps: int, n: int, dims: int, state_names: tuple[str, ...]) -> dict:
    history = {
        "points": np.full((steps + 1, n, dims), np.nan),
        "losses": np.full((steps + 1, n), np.nan),
        "grad_norms": np.full((steps + 1, n), np.nan),
        "gradients": np.full((steps + 1, n, dims), np.nan),
    }
    for name in state_names:
        history["state:" + name] = np.full((steps + 1, n, dims), np.nan)
    return history
