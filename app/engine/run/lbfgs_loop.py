"""The catalog L-BFGS driver's step loop, compiled: ``lbfgs_driver.py``'s per-step Python
(stop rule, norm, history rows, probe buffers) cost ~16 µs a step around one compiled
``lbfgs_step``. ``run/codegen.py`` compiles ``lbfgs_run`` into the same generated module as
``optim/lbfgs.py``'s functions, so it calls their compiled ``lbfgs_step`` and the catalog's
``evaluate``. It runs the points ``start`` .. ``stop - 1`` of one run and returns, so the
driver can check for cancellation between chunks. The arithmetic is the Python loop's
(``lbfgs_driver.run_lbfgs``, kept for the array driver and ReduceLROnPlateau), and a test
checks that both give the same bits.
"""

from __future__ import annotations

import math

from app.engine.optim.lbfgs import evaluate, lbfgs_step
from app.engine.run.advance import DIVERGED, RUNNING, stop_rule

FUNCTIONS = ("lbfgs_run",)


def lbfgs_run(code, x, loss, grad, d, prev_flat_grad, old_dirs, old_stps, ro, al, sc, lrs,
              start, stop, steps, tol, keep, max_iter, max_eval, tolerance_grad,
              tolerance_change, history_size, line_search, points, losses, norms, gradients,
              final, evaluations, probes, nprobes):  # fmt: skip
    """Points ``start`` .. ``stop - 1`` of a run at ``x`` (updated in place; ``loss``,
    ``grad`` its closure's value there). Step ``k`` writes ``evaluations[k - start]``, its
    probes in ``probes[k - start]`` (NaN-filled by the caller) and their count in
    ``nprobes``; ``keep`` writes point ``k`` in the history rows. Returns (status, the point
    it ended at or ``stop``, loss, grad)."""
    dims = x.shape[0]
    for k in range(start, stop):
        total = 0.0
        for j in range(dims):
            total = total + grad[j] * grad[j]  # Python's sum(g * g for g in grad)
        norm = math.sqrt(total)
        finite = True
        for j in range(dims):
            if not math.isfinite(x[j]):
                finite = False
        ended = stop_rule(k, steps, tol, loss, norm, finite)
        if ended != DIVERGED:  # a diverged point is not kept
            if keep:
                points[k, :] = x
                losses[k], norms[k] = loss, norm
                gradients[k, :] = grad
            final[:dims] = x
            final[dims] = loss
        if ended != RUNNING:
            return ended, k, loss, grad
        row = k - start
        used, seen = lbfgs_step(code, x, loss, grad, d, prev_flat_grad, old_dirs, old_stps, ro,
                                al, sc, lrs[k], max_iter, max_eval, tolerance_grad,
                                tolerance_change, history_size, line_search,
                                probes[row])  # fmt: skip
        evaluations[row] = used
        nprobes[row] = min(seen, probes.shape[1])
        loss, grad = evaluate(code, x)
    return RUNNING, stop, loss, grad
