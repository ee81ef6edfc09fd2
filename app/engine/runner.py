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

from app.engine.data.sampling import MinibatchSchedule
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


CHUNK = 16  # steps between checks for convergence and divergence


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
    minibatches: MinibatchSchedule | None = None,
) -> BatchResult:
    """Run ``optimizer`` from each row of ``starts`` (shape (n, dims)) for up to ``steps``.

    Per-step numpy calls dominate the cost of small batches, so the inner loop only takes
    gradients and steps; losses, gradient norms and the stop tests are evaluated for a
    chunk of steps at once. Non-finite values absorb (they never turn finite again), and
    each run is cut at its first stopping point, so the result is the same as testing
    every step; at most CHUNK − 1 steps past a stop are computed and discarded.

    With ``minibatches`` (losses on data) each update uses the gradient of the next
    mini-batch; recorded losses, gradients and the stop tests use the whole dataset.
    """
    params = np.array(starts, dtype=np.float64, ndmin=2)
    n, dims = params.shape
    if dims != function.dims:
        raise ValueError(f"start has {dims} coordinates; {function.id} takes {function.dims}")
    rng = np.random.default_rng(seed) if gradient_noise > 0 else None
    state = optimizer.init(params)
    state_names = tuple(optimizer.describe(state)) if include_state else ()
    history = _allocate(steps, n, dims, state_names) if record else None
    out = BatchResult(
        status=np.full(n, MAX_STEPS), steps_taken=np.zeros(n, dtype=np.int64),
        n_points=np.zeros(n, dtype=np.int64), final_points=params.copy(),
        final_losses=np.full(n, np.nan), history=history, state_names=state_names,
    )  # fmt: skip

    idx = np.arange(n)  # the original index of each active run
    last_point, last_loss = params.copy(), np.full(n, np.nan)  # last point that passed
    points = np.empty((CHUNK + 1, n, dims))
    grads = np.empty((CHUNK, n, dims))
    state_rows = {name: np.empty((CHUNK, n, dims)) for name in state_names}
    points[0] = params
    k0 = 0
    with np.errstate(all="ignore"):
        while True:
            length = min(CHUNK, steps - k0 + 1)  # points k0 .. k0 + length - 1 get checked
            for j in range(length):
                grad = function.gradient(params)
                grads[j] = grad
                for name, value in optimizer.describe(state).items() if state_names else ():
                    state_rows[name][j] = value
                if k0 + j == steps:
                    break
                if minibatches is not None:
                    grad = function.sample_gradient(params, minibatches.indices(k0 + j))
                if rng is not None:
                    grad = grad + gradient_noise * rng.standard_normal((n, dims))[idx]
                step, state = optimizer.update(grad, state, params)
                params = params + step
                points[j + 1] = params
            span = slice(k0, k0 + length)
            chunk_points, chunk_grads = points[:length], grads[:length]
            norms = np.sqrt((chunk_grads * chunk_grads).sum(axis=-1))
            losses = function.value(chunk_points)
            ok = np.isfinite(losses) & np.isfinite(norms) & np.isfinite(chunk_points).all(-1)
            stop = ~ok | (norms <= tol) if tol > 0 else ~ok
            if k0 + length > steps:
                stop[-1] = True
            if history is not None:
                rows = slice(None) if idx.size == n else idx
                history["points"][span, rows] = chunk_points
                history["gradients"][span, rows] = chunk_grads
                history["losses"][span, rows] = losses
                history["grad_norms"][span, rows] = norms
                for name in state_names:
                    history["state:" + name][span, rows] = state_rows[name][:length]
            finished = stop.any(axis=0)
            if finished.any():
                first = stop.argmax(axis=0)[finished]
                runs = np.flatnonzero(finished)
                passed = ok[first, runs]
                which = idx[runs]
                out.status[which] = np.where(
                    passed, np.where(k0 + first == steps, MAX_STEPS, CONVERGED), DIVERGED
                )
                if tol > 0:  # a last point within tol has converged, not run out of steps
                    within = passed & (norms[first, runs] <= tol)
                    out.status[which[within]] = CONVERGED
                out.n_points[which] = k0 + first + passed
                out.steps_taken[which] = np.maximum(out.n_points[which] - 1, 0)
                # A run that diverged at index 0 of the chunk falls back on the last point
                # of the previous chunk.
                good = np.maximum(first - ~passed, 0)
                from_chunk = passed | (first > 0)
                out.final_points[which] = np.where(
                    from_chunk[:, None], chunk_points[good, runs], last_point[runs]
                )
                out.final_losses[which] = np.where(from_chunk, losses[good, runs], last_loss[runs])
                keep = ~finished
                if not keep.any():
                    break
                idx, params = idx[keep], params[keep]
                state = select_runs(state, keep)
                points = points[:, keep]
                grads = grads[:, keep]
                state_rows = {name: rows_[:, keep] for name, rows_ in state_rows.items()}
                last_point, last_loss = last_point[keep], last_loss[keep]
                losses, chunk_points = losses[:, keep], points[:length]
            last_point, last_loss = chunk_points[-1].copy(), losses[-1].copy()
            points[0] = points[length]
            k0 += length

    return out


def run(
    function: LossFunction,
    start,
    optimizer: Optimizer,
    steps: int = 500,
    tol: float = 0.0,
    gradient_noise: float = 0.0,
    seed: int = 0,
    include_state: bool = False,
    minibatches: MinibatchSchedule | None = None,
) -> Trajectory:
    """One run from ``start``: a batch of one."""
    result = run_batch(
        function, np.asarray(start, dtype=np.float64)[None, :], optimizer, steps, tol,
        gradient_noise, seed, record=True, include_state=include_state,
        minibatches=minibatches,
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
