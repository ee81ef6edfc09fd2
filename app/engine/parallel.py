"""Large batches in cache-sized blocks on a few threads.

numpy releases the GIL inside its loops, so blocks of a few thousand runs progress on
several cores at once, and each block's temporaries stay in cache (one 40,000-run array
would not). Results are the same as one run_batch over all rows: runs are independent. Catalog
functions go through the compiled kernel when ``fast_path`` allows (it releases the GIL).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.engine import fast_path

try:
    from app.engine import compiled_vector
except ImportError:  # numba is missing
    compiled_vector = None
from app.engine.functions import LossFunction
from app.engine.optimizers import Optimizer
from app.engine.runner import BatchResult, run_batch

BLOCK = 4096
THREADS = max(1, min(4, os.cpu_count() or 1))
_pool = ThreadPoolExecutor(THREADS, thread_name_prefix="descent-block")


def _scalar_settings(optimizer: Optimizer) -> dict | None:
    """The optimizer's torch kwargs when every run shares them (the compiled runner's input)."""
    values = [v for value in optimizer.hyperparams.values()
              for v in (value if isinstance(value, tuple) else (value,))]  # fmt: skip
    if any(isinstance(v, np.ndarray) for v in values):
        return None
    return dict(optimizer.hyperparams)


def run_many(
    function: LossFunction, starts: np.ndarray, optimizer: Optimizer, steps: int, tol: float
) -> BatchResult:
    """Final points, losses, statuses and steps of many noise-free runs (no trajectories)."""
    starts = np.asarray(starts, dtype=np.float64)
    settings = _scalar_settings(optimizer)
    compiled = settings is not None and fast_path.usable(function, optimizer.name)

    if compiled and compiled_vector is not None:
        # Many starts of one setting: the kernel vectorised across runs (AVX, own sincos).
        return compiled_vector.vector_run_many(
            function.id, starts, optimizer.name, settings, steps, tol
        )

    def run_block(block: np.ndarray) -> BatchResult:
        if compiled:
            return fast_path.run(function, block, optimizer.name, [settings], steps, tol, False)
        return run_batch(function, block, optimizer, steps, tol, record=False)

    if len(starts) <= BLOCK:
        return run_block(starts)
    blocks = list(
        _pool.map(run_block, [starts[i : i + BLOCK] for i in range(0, len(starts), BLOCK)])
    )
    return BatchResult.concatenate(blocks)
