"""When to use the compiled runner (``compiled.py``) instead of the numpy one.

The compiled kernel takes catalog functions of two parameters with any of the five
optimizers, without gradient noise, mini-batches or recorded optimizer state; the numpy
runner stays the reference and takes everything else (typed expressions, losses on data,
noise, the inspector's state), and everything while the kernel is still compiling: it
compiles in the background at start-up (``warm_up``), so no request waits for it. Without
numba installed, the numpy runner does all the work.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from app.engine.functions import LossFunction
from app.engine.runner import BatchResult

try:
    from app.engine import compiled
except ImportError:  # numba is missing: the numpy runner serves every request
    compiled = None

_ready = threading.Event()
_started = threading.Lock()


def warm_up(block: bool = False) -> None:
    """Compile the kernel (a few seconds) once per process, in a daemon thread."""

    def compile_kernel() -> None:
        compiled.compiled_run_batch("bowl", [[1.0, 1.0]], "sgd", [{}], steps=2)
        _ready.set()

    if compiled is None:
        return
    if _started.acquire(blocking=False):
        threading.Thread(target=compile_kernel, name="descent-compile", daemon=True).start()
    if block:
        _ready.wait()


def usable(f: LossFunction, name: str, noise: float = 0.0, minibatches: Any = None,
           include_state: bool = False) -> bool:  # fmt: skip
    return (
        compiled is not None
        and _ready.is_set()
        and noise == 0
        and minibatches is None
        and not include_state
        and compiled.supports(f.id, name)
    )


def run(
    f: LossFunction,
    starts: np.ndarray,
    name: str,
    settings: list[dict[str, Any]],
    steps: int,
    tol: float,
    record: bool,
) -> BatchResult:
    return compiled.compiled_run_batch(f.id, starts, name, settings, steps, tol, record)
