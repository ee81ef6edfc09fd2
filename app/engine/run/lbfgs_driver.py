"""The L-BFGS driver: runs of ``torch.optim.LBFGS``, one ``step(closure)`` per step.

A step evaluates the function several times, so L-BFGS does not fit the per-coordinate
kernels; ``dispatch.run_batch`` sends it here. The loop is the other drivers' (the same stop
rules, ``advance.stop_rule``, at every point; the schedule's lr for each step, or a
``ReduceLROnPlateau`` fed the loss), and each step is ``optim/lbfgs.py``'s: compiled with
the catalog's function inside (``catalog`` driver) or run as Python calling numpy's
(``array`` driver, typed formulas and data fits). Both give the same bits (a test checks).
The catalog driver without a plateau runs the loop itself compiled too (``lbfgs_loop.py``,
in chunks of ``CHUNK`` steps): its per-step Python cost dominated a run's time.
Each step's function evaluations and the points the step evaluated (its line-search probes)
are kept.
"""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction
from app.engine.optim import Optimizer, lbfgs
from app.engine.optim.plateau import Plateau
from app.engine.optim.schedules import tables
from app.engine.run import codegen
from app.engine.run.advance import DIVERGED, RUNNING, points_kept, stop_rule
from app.engine.run.cancel import ShouldStop, check
from app.engine.run.catalog_kernels import kernel_code
from app.engine.run.result import BatchResult

CHUNK = 64  # steps per call of the compiled loop: the cancellation check's period


def _python_evaluate(f: LossFunction):
    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray]:
        from app.engine.run.drivers import evaluate as batch_evaluate

        loss, grad = batch_evaluate(f, x[None, :])
        return float(loss[0]), grad[0].copy()

    return evaluate


def _compiled(module, closure, x, loss, grad, state, lrs, s, max_eval, steps, tol, record,
              should_stop, out, evaluations, probes):  # fmt: skip
    """One run through the generated ``lbfgs_run`` (``run/lbfgs_loop.py``), in chunks of
    ``CHUNK`` steps with a cancellation check between them. Returns (status, points kept)."""
    points, losses, norms, gradients, final, i = out
    dims, rows = x.shape[0], points.shape[0]
    mine = (np.full((rows, dims), np.nan), np.full(rows, np.nan), np.full(rows, np.nan),
            np.full((rows, dims), np.nan))  # fmt: skip
    lrs = np.ascontiguousarray(lrs, dtype=np.float64)
    start = 0
    while True:
        stop = min(start + CHUNK, steps + 1)
        used = np.zeros(stop - start, dtype=np.int64)
        seen = np.zeros(stop - start, dtype=np.int64)
        buffers = np.full((stop - start, max_eval + 2, dims + 1), np.nan)
        ended, k, loss, grad = module.lbfgs_run(
            closure, x, loss, grad, *state, lrs, start, stop, steps, tol, record, s["max_iter"],
            max_eval, s["tolerance_grad"], s["tolerance_change"], s["history_size"],
            s["line_search_fn"] == "strong_wolfe", *mine, final[i], used, buffers, seen,
        )  # fmt: skip
        taken = (k if ended != RUNNING else stop) - start
        evaluations.extend(used[:taken].tolist())
        if record:
            probes.extend(buffers[j, : seen[j]] for j in range(taken))
        if ended != RUNNING:
            break
        check(should_stop)
        start = stop
    if record:
        points[:, i], losses[:, i], norms[:, i], gradients[:, i] = mine
    return ended, points_kept(ended, k)


def run_lbfgs(f: LossFunction, starts: np.ndarray, optimizer: Optimizer, steps: int, tol: float,
              record: bool, should_stop: ShouldStop, driver: str) -> BatchResult:  # fmt: skip
    n, dims = starts.shape
    settings = optimizer.settings_for(n)
    schedule = optimizer.schedule
    base = np.array([s["lr"] for s in settings])
    lrs = tables(schedule, base, None, steps + 1, steps)[0]
    plateau = Plateau(schedule, base) if schedule is not None and schedule.feedback else None
    if driver == "catalog":
        module, closure = codegen.lbfgs_module(), kernel_code(f)
        step = module.lbfgs_step
        evaluate = lambda x: module.evaluate(closure, x)  # noqa: E731
    else:
        step, closure = lbfgs.lbfgs_step, _python_evaluate(f)
        evaluate = closure
    compiled = driver == "catalog" and plateau is None
    rows = steps + 1 if record else 0
    points = np.full((rows, n, dims), np.nan)
    losses, norms = np.full((rows, n), np.nan), np.full((rows, n), np.nan)
    gradients = np.full((rows, n, dims), np.nan)
    status, npts = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    final = np.concatenate([starts, np.full((n, 1), np.nan)], axis=1)
    extras = []
    with np.errstate(all="ignore"):
        for i in range(n):
            s = settings[i]
            max_eval = s["max_eval"] if s["max_eval"] is not None else s["max_iter"] * 5 // 4
            history = s["history_size"]
            state = (np.zeros(dims), np.zeros(dims), np.zeros((history, dims)),
                     np.zeros((history, dims)), np.zeros(history), np.zeros(history),
                     np.zeros(5))  # fmt: skip
            x = starts[i].copy()
            evaluations, probes = [], []
            loss, grad = evaluate(x)
            if compiled:
                status[i], npts[i] = _compiled(module, closure, x, loss, grad, state, lrs[i], s,
                                               max_eval, steps, tol, record, should_stop,
                                               (points, losses, norms, gradients, final, i),
                                               evaluations, probes)  # fmt: skip
                extras.append({"evaluations": np.array(evaluations, dtype=np.int64),
                               "probes": probes})  # fmt: skip
                continue
            for k in range(steps + 1):
                norm = float(np.sqrt(sum(g * g for g in grad)))
                ended = stop_rule(k, steps, tol, loss, norm, bool(np.isfinite(x).all()))
                if ended != DIVERGED and record:  # a diverged point is not kept
                    points[k, i], losses[k, i], norms[k, i], gradients[k, i] = x, loss, norm, grad
                if ended != DIVERGED:
                    final[i, :dims], final[i, dims] = x, loss
                if ended != RUNNING:
                    status[i], npts[i] = ended, points_kept(ended, k)
                    break
                lr = plateau.lr[i] if plateau is not None else lrs[i, k]
                if plateau is not None:
                    lrs[i, k] = lr
                buffer = np.full((max_eval + 2, dims + 1), np.nan)
                used, seen = step(closure, x, loss, grad, *state, lr, s["max_iter"], max_eval,
                                  s["tolerance_grad"], s["tolerance_change"], history,
                                  s["line_search_fn"] == "strong_wolfe", buffer)  # fmt: skip
                evaluations.append(used)
                probes.append(buffer[: min(seen, len(buffer))])
                if plateau is not None:
                    plateau.step(np.array([i]), np.array([loss]))
                loss, grad = evaluate(x)
                if k % 64 == 63:
                    check(should_stop)
            extras.append({"evaluations": np.array(evaluations, dtype=np.int64),
                           "probes": probes})  # fmt: skip
    history = None
    if record:
        history = {"points": points, "losses": losses, "grad_norms": norms,
                   "gradients": gradients}  # fmt: skip
    return BatchResult(
        status=status, steps_taken=np.maximum(npts - 1, 0), n_points=npts,
        final_points=final[:, :dims].copy(), final_losses=final[:, dims].copy(),
        history=history, lrs=lrs if record else None, extras=extras if record else None,
    )  # fmt: skip
