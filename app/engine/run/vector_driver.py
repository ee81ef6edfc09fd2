"""The basins' driver: many unrecorded runs of one setting on a catalog function, vectorised
across runs (``codegen``'s ``run_vector``: steps outside, runs inside, SIMD lanes); the
``Batch`` of ``drivers.py`` gives it the setting's tables."""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction
from app.engine.optim import Optimizer
from app.engine.run import codegen
from app.engine.run.cancel import ShouldStop, check, chunk_steps
from app.engine.run.catalog_kernels import kernel_code
from app.engine.run.drivers import Batch
from app.engine.run.result import BatchResult


def run_vector(f: LossFunction, starts: np.ndarray, optimizer: Optimizer, steps: int,
               tol: float, should_stop: ShouldStop) -> BatchResult:  # fmt: skip
    """Many runs of one setting on a catalog function, final outcomes only (basins): blocks
    of ``NB`` runs, steps outside and runs inside, vectorised across runs."""
    module = codegen.rule_module(optimizer.rule)
    rule, code, nb = optimizer.rule, kernel_code(f), module.NB
    n = len(starts)
    batch = Batch.start(optimizer, starts[:1], steps, False, False)  # the one setting's tables
    status, npts, final = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty((n, 3))
    field = {name: j for j, name in enumerate(codegen.vector_fields(rule))}
    chunk = chunk_steps(nb)
    for b0 in range(0, n, nb):
        m = min(nb, n - b0)
        W = np.zeros((module.NF, nb))
        W[field["X"], :m], W[field["Y"], :m] = starts[b0 : b0 + m].T
        W[field["LX"]], W[field["LY"]] = W[field["X"]], W[field["Y"]]
        W[field["LL"]], W[field["ST"]], W[field["ACT"], :m] = np.nan, -1.0, 1.0
        for slot, start in rule.initial.items():  # batch.S: the start of the first run
            j = rule.slots.index(slot)
            value = batch.S[j, 0, 0]
            x, y = starts[b0 : b0 + m].T if start == "param" else (value, value)
            W[field[f"S{j}X"], :m], W[field[f"S{j}Y"], :m] = x, y
        flat = W.reshape(-1)
        for k0 in range(0, steps + 1, chunk):
            k1 = min(k0 + chunk, steps + 1)
            module.run_vector(code, k0, k1, steps, tol, flat, batch.H,
                              batch.per_step_table(module, k0, k1))  # fmt: skip
            if not W[field["ACT"]].any():
                break
            check(should_stop)
        status[b0 : b0 + m] = W[field["ST"], :m]
        npts[b0 : b0 + m] = W[field["NP"], :m]
        final[b0 : b0 + m] = W[[field["LX"], field["LY"], field["LL"]], :m].T
    return BatchResult(
        status=status, steps_taken=np.maximum(npts - 1, 0), n_points=npts,
        final_points=final[:, :2].copy(), final_losses=final[:, 2].copy(),
    )  # fmt: skip
