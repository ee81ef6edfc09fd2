"""A compiled runner (numba): ``run_batch`` in one kernel, used through ``fast_path``.

One kernel advances n runs of one catalog function with one optimizer kind, each run with
its own hyper-parameters (a row of a table; the flags ``nesterov``, ``amsgrad`` and
``centered`` are shared, as in ``hyper.inject_hyperparams``). The function and the
optimizer are integer codes tested inside the kernel, so the whole catalog and all five
optimizers compile once per process (about 3 s, in the background at start-up:
``fast_path.warm_up``; no on-disk cache, which could outlive a change to the catalog). The small
helpers are inlined (``inline="always"``): called, they cost 3× on cheap functions.

Semantics are those of ``runner.run_batch`` (module docstring there), run by run: the first
point with a non-finite coordinate, loss or gradient norm ends the run as ``diverged`` and
is not recorded; before update k, ``tol > 0`` and ``grad_norm <= tol`` is ``converged``;
otherwise ``max_steps`` after ``steps`` updates. Each element follows the numpy path's
operation order (``optimizers.py``: torch's order, both forms of ``lerp``, ε outside the
square root, AdamW's ``θ + (step + (θ(1 − γλ) − θ))``) without fastmath, so results equal
the numpy runner to rounding of the functions (see ``compiled_functions``). Two choices:

* Adam's bias corrections are tabulated once per distinct pair of betas (``pow`` would
  otherwise be the costliest part of a step). ``(1 − β2^t) ** 0.5`` uses ``pow`` as torch
  and the numpy path with scalar hyper-parameters do (with per-run betas numpy takes
  ``sqrt``, 1 ulp apart now and then); LLVM would turn a constant exponent 0.5 into
  ``sqrt``, so the exponent is passed in as an argument it cannot fold.
* Rows of the history past a run's end stay NaN (``run_batch`` leaves there whatever its
  chunk computed); ``BatchResult.trajectory`` reads neither.

No gradient noise, mini-batches or optimizer state in the history: ``supports`` says which
requests it can take.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from app.engine.compiled_functions import CODES, value_and_gradient
from app.engine.optimizer_specs import resolve
from app.engine.runner import CONVERGED, DIVERGED, MAX_STEPS, BatchResult

SGD, ADAM, ADAMW, RMSPROP, ADAGRAD = range(5)
KINDS = {"sgd": SGD, "adam": ADAM, "adamw": ADAMW, "rmsprop": RMSPROP, "adagrad": ADAGRAD}
# Columns of the per-run hyper-parameter table.
COLUMNS = ("lr", "momentum", "dampening", "weight_decay", "beta1", "beta2", "eps", "alpha",
           "lr_decay", "initial_accumulator_value")  # fmt: skip
LR, MOMENTUM, DAMPENING, WD, BETA1, BETA2, EPS, ALPHA, LR_DECAY, INITIAL = range(len(COLUMNS))
FLAGS = ("nesterov", "amsgrad", "centered")

_JIT = {"error_model": "numpy", "nogil": True}  # IEEE inf/nan on x/0, as numpy; no fastmath


def supports(function_id: str, name: str) -> bool:
    return function_id in CODES and name in KINDS


@njit(**_JIT)
def _lerp(start, end, weight):
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@njit(**_JIT)
def _maximum(a, b):  # np.maximum: NaN wins
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@njit(inline="always", **_JIT)
def _update(kind, nesterov, amsgrad, centered, hp, count, g, p, s1, s2, s3, bc1, bc2s, clr):
    """One coordinate's step and new state (s1, s2, s3); ``count`` updates so far."""
    lr, momentum, dampening, wd, beta1, beta2, eps, alpha = hp
    if kind == SGD:
        if wd != 0:
            g = g + wd * p
        if momentum != 0:
            s1 = g if count == 0 else s1 * momentum + (1 - dampening) * g
            g = g + momentum * s1 if nesterov else s1
        return -lr * g, s1, s2, s3
    if kind == ADAM or kind == ADAMW:
        if kind == ADAM and wd != 0:
            g = g + wd * p
        s1 = _lerp(s1, g, 1 - beta1)
        s2 = s2 * beta2 + (1 - beta2) * g * g
        step_size = lr / bc1
        if amsgrad:
            s3 = _maximum(s3, s2)
            denom = np.sqrt(s3) / bc2s + eps
        else:
            denom = np.sqrt(s2) / bc2s + eps
        step = -step_size * s1 / denom
        if kind == ADAMW:
            step = step + (p * (1 - lr * wd) - p)
        return step, s1, s2, s3
    if kind == RMSPROP:
        if wd != 0:
            g = g + wd * p
        s1 = s1 * alpha + (1 - alpha) * g * g
        if centered:
            s2 = _lerp(s2, g, 1 - alpha)
            avg = np.sqrt(s1 + (-1.0 * s2) * s2) + eps
        else:
            avg = np.sqrt(s1) + eps
        step = -lr * g / avg
        if momentum > 0:
            s3 = s3 * momentum + g / avg
            step = -lr * s3
        return step, s1, s2, s3
    # Adagrad
    if wd != 0:
        g = g + wd * p
    s1 = s1 + g * g
    return -clr * g / (np.sqrt(s1) + eps), s1, s2, s3


@njit(**_JIT)
def _run_one(code, kind, flags, h, bc, x, y, steps, tol, record, hist, i, out, final):
    """Run i from (x, y): writes its history rows and (status, steps, n_points, ...)."""
    points, losses, norms, grads = hist
    nesterov, amsgrad, centered = flags
    # Scalars only in the loop: arrays passed to calls there cost reference counting.
    hp = (h[LR], h[MOMENTUM], h[DAMPENING], h[WD], h[BETA1], h[BETA2], h[EPS], h[ALPHA])
    lr, lr_decay = h[LR], h[LR_DECAY]
    sx = sy = ax = ay = mx = my = 0.0
    if kind == ADAGRAD:
        sx = sy = h[INITIAL]
    last_x, last_y, last_loss = x, y, np.nan
    k = 0
    while True:
        loss, gx, gy = value_and_gradient(code, x, y)
        norm = np.sqrt(gx * gx + gy * gy)
        if not (np.isfinite(loss) and np.isfinite(norm) and np.isfinite(x) and np.isfinite(y)):
            status, n_points = DIVERGED, k
            break
        if record:
            points[k, i, 0], points[k, i, 1] = x, y
            grads[k, i, 0], grads[k, i, 1] = gx, gy
            losses[k, i], norms[k, i] = loss, norm
        last_x, last_y, last_loss = x, y, loss
        if tol > 0 and norm <= tol:
            status, n_points = CONVERGED, k + 1
            break
        if k == steps:
            status, n_points = MAX_STEPS, k + 1
            break
        bc1 = bc2s = clr = 1.0
        if kind == ADAM or kind == ADAMW:
            bc1, bc2s = bc[k, 0], bc[k, 1]
        elif kind == ADAGRAD:
            clr = lr / (1 + k * lr_decay)
        step, sx, ax, mx = _update(
            kind, nesterov, amsgrad, centered, hp, k, gx, x, sx, ax, mx, bc1, bc2s, clr
        )
        x = x + step
        step, sy, ay, my = _update(
            kind, nesterov, amsgrad, centered, hp, k, gy, y, sy, ay, my, bc1, bc2s, clr
        )
        y = y + step
        k += 1
    out[0, i], out[1, i], out[2, i] = status, max(n_points - 1, 0), n_points
    final[i, 0], final[i, 1], final[i, 2] = last_x, last_y, last_loss


@njit(**_JIT)
def _bias_corrections(betas, steps, half):
    """(pairs, steps, 2): Adam's 1 − β1^t and (1 − β2^t) ** 0.5 for t = 1 .. steps, once
    per distinct pair of betas rather than per run and step (``pow`` is the costly part)."""
    bc = np.empty((betas.shape[0], max(steps, 1), 2))
    for j in range(betas.shape[0]):
        for k in range(steps):
            t = float(k + 1)
            bc[j, k, 0] = 1 - betas[j, 0] ** t
            bc[j, k, 1] = (1 - betas[j, 1] ** t) ** half
    return bc


@njit(**_JIT)
def _kernel(code, kind, flags, hyper, betas, pair, starts, steps, tol, half, record, hist, out,
            final):  # fmt: skip
    bc = _bias_corrections(betas, steps, half)
    for i in range(starts.shape[0]):
        _run_one(code, kind, flags, hyper[i], bc[pair[i]], starts[i, 0], starts[i, 1], steps,
                 tol, record, hist, i, out, final)  # fmt: skip


def hyper_table(name: str, settings: list[dict[str, Any]], n: int):
    """(n, len(COLUMNS)) hyper-parameters and the shared flags, validated as torch does."""
    if len(settings) not in (1, n):
        raise ValueError(f"{len(settings)} settings for {n} runs")
    resolved = [resolve(name, s) for s in settings]
    table = np.zeros((len(resolved), len(COLUMNS)))
    for row, options in zip(table, resolved):
        for key, value in options.items():
            if key == "betas":
                row[BETA1], row[BETA2] = value
            elif key not in FLAGS:
                row[COLUMNS.index(key)] = value
    flags = []
    for key in FLAGS:
        values = {bool(r.get(key, False)) for r in resolved}
        if len(values) > 1:
            raise ValueError(f"{key} must be the same for every run of one batch")
        flags.append(values.pop())
    return np.ascontiguousarray(np.broadcast_to(table, (n, len(COLUMNS)))), tuple(flags)


def checked_starts(function_id: str, name: str, starts) -> np.ndarray:
    """``starts`` as an (n, 2) float array, for a function and optimizer a kernel takes."""
    if not supports(function_id, name):
        raise ValueError(f"the compiled runner does not support {function_id} with {name}")
    starts = np.array(starts, dtype=np.float64, ndmin=2)
    if starts.shape[1] != 2:
        raise ValueError(f"start has {starts.shape[1]} coordinates; {function_id} takes 2")
    return starts


def compiled_run_batch(
    function_id: str,
    starts: np.ndarray,
    name: str,
    settings: list[dict[str, Any]],
    steps: int = 500,
    tol: float = 0.0,
    record: bool = True,
) -> BatchResult:
    """``run_batch`` (no noise, no mini-batches, no state) of ``name`` with ``settings[i]``
    (torch kwargs; one dict for every run, or one per run) from each row of ``starts``."""
    starts = checked_starts(function_id, name, starts)
    n = len(starts)
    hyper, flags = hyper_table(name, settings, n)
    rows = steps + 1 if record else 0
    hist = (np.full((rows, n, 2), np.nan), np.full((rows, n), np.nan),
            np.full((rows, n), np.nan), np.full((rows, n, 2), np.nan))  # fmt: skip
    out = np.zeros((3, n), dtype=np.int64)
    final = np.empty((n, 3))
    if name in ("adam", "adamw"):
        betas, pair = np.unique(hyper[:, [BETA1, BETA2]], axis=0, return_inverse=True)
    else:
        betas, pair = np.zeros((1, 2)), np.zeros(n, dtype=np.int64)
    _kernel(CODES[function_id], KINDS[name], flags, hyper, np.ascontiguousarray(betas),
           pair.ravel().astype(np.int64), starts, int(steps), float(tol), 0.5, record, hist,
           out, final)  # fmt: skip
    history = None
    if record:
        history = dict(zip(("points", "losses", "grad_norms", "gradients"), hist))
    return BatchResult(
        status=out[0], steps_taken=out[1], n_points=out[2], final_points=final[:, :2].copy(),
        final_losses=final[:, 2].copy(), history=history,
    )  # fmt: skip
