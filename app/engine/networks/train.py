"""The compiled network's evaluation and training driver, around ``compiled``'s kernels.

``Compiled`` holds a network's arrays as the kernels take them (inputs transposed, targets
as rows, layer offsets). ``train`` is the driver ``run_batch`` hands noise-free runs on a
network to: chunks of steps inside one kernel call, the optimizer's per-step table and its
``advance`` (the rule's one definition) inside, cancellation checked between chunks.
"""

from __future__ import annotations

import numpy as np

from app.engine.data.sampling import MinibatchSchedule
from app.engine.networks import compiled
from app.engine.networks.kernels import ACTIVATION_CODES, LOSS_CODES
from app.engine.optim import Optimizer
from app.engine.run import codegen
from app.engine.run.advance import RUNNING
from app.engine.run.cancel import ShouldStop, check
from app.engine.run.drivers import Batch

CHUNK_OPS = 20_000_000  # multiply-adds between two cancellation checks (~10 ms)


class Compiled:
    def __init__(self, net, X: np.ndarray, Y: np.ndarray):
        self.net = net
        self.XT = np.ascontiguousarray(X.T)
        n = len(X)
        self.Yi = np.zeros(n, dtype=np.int64)
        if net.loss == "ce":
            self.Yi = Y.astype(np.int64)
            self.Yf = np.zeros((1, n))
        elif net.loss == "bce":
            self.Yf = np.ascontiguousarray(Y.reshape(1, n), dtype=np.float64)
        else:
            self.Yf = np.ascontiguousarray(Y.reshape(n, -1).T, dtype=np.float64)
        self.sizes = np.array(net.layers, dtype=np.int64)
        self.woff = np.array([a for a, _, _ in net.offsets], dtype=np.int64)
        self.aoff = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.codes = (ACTIVATION_CODES[net.activation], LOSS_CODES[net.loss])

    def arrays(self, idx=None) -> tuple:
        if idx is None:
            return (self.XT, self.Yf, self.Yi, self.sizes, self.woff, self.aoff, *self.codes)
        idx = np.asarray(idx, dtype=np.int64)
        return (np.ascontiguousarray(self.XT[:, idx]), np.ascontiguousarray(self.Yf[:, idx]),
                self.Yi[idx], self.sizes, self.woff, self.aoff, *self.codes)  # fmt: skip

    def values(self, P: np.ndarray) -> np.ndarray:
        out = np.empty(len(P))
        compiled.evaluate_module().values(np.ascontiguousarray(P), *self.arrays(), out)
        return out

    def gradients(self, P: np.ndarray, idx=None) -> tuple[np.ndarray, np.ndarray]:
        L, G = np.empty(len(P)), np.empty(P.shape)
        compiled.evaluate_module().gradients(np.ascontiguousarray(P), *self.arrays(idx), L, G)
        return L, G

    def train(self, batch: Batch, optimizer: Optimizer, steps: int, tol: float,
              minibatches: MinibatchSchedule | None, should_stop: ShouldStop) -> None:  # fmt: skip
        """Advance ``batch`` as the array driver would, each chunk of steps in one call."""
        kernel = compiled.train_module(optimizer.rule).train
        rule = codegen.rule_module(optimizer.rule)
        n, dims = batch.P.shape
        L, G, GU = np.zeros(n), np.zeros((n, dims)), np.zeros((n, dims))
        per_step = 3 * self.net.macs * (self.XT.shape[1] + (minibatches.batch_size
                                                            if minibatches else 0))  # fmt: skip
        chunk = max(1, CHUNK_OPS // max(1, per_step * n))
        for k0 in range(0, steps + 1, chunk):
            k1 = min(k0 + chunk, steps + 1)
            batches, counts = _batches(minibatches, k0, min(k1, steps))
            C = batch.per_step_table(rule, k0, k1)
            kernel(k0, k1, steps, tol, *self.arrays(), batches, counts, batch.P, batch.S,
                   batch.H, C, batch.grp, L, G, GU, *batch.tail())  # fmt: skip
            if not (batch.status == RUNNING).any():
                break
            check(should_stop)


def _batches(schedule: MinibatchSchedule | None, k0: int, k1: int):
    """The mini-batches of steps k0..k1-1 as rows (the last of an epoch may be shorter)."""
    if schedule is None or k1 <= k0:
        width = 0 if schedule is None else schedule.batch_size
        return np.zeros((max(k1 - k0, 1), width), dtype=np.int64), np.zeros(
            max(k1 - k0, 1), dtype=np.int64
        )
    rows = [schedule.indices(k) for k in range(k0, k1)]
    table = np.zeros((len(rows), schedule.batch_size), dtype=np.int64)
    for r, idx in enumerate(rows):
        table[r, : len(idx)] = idx
    return table, np.array([len(idx) for idx in rows], dtype=np.int64)
