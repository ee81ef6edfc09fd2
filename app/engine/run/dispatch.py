"""The one place that chooses how a run executes.

A request's result depends only on the request: the choice of driver is a function of the
function and the options (never of timing, warm-up or worker), both drivers give the same
bits (``tests/engine/test_conformance.py``), and kernels are compiled (or loaded from the
disk cache) before a server takes requests (``warm_up``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.engine.optim import RULES, Optimizer
from app.engine.optim.specs import CLOSURE
from app.engine.run import codegen, drivers, vector_driver
from app.engine.run.cancel import ShouldStop
from app.engine.run.catalog_kernels import kernel_code
from app.engine.run.lbfgs_driver import run_lbfgs
from app.engine.run.result import BatchResult, Trajectory

DRIVERS = ("catalog", "array", "vector")
BLOCK = 4096  # runs per block when many runs share the cores
THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))
_pool = ThreadPoolExecutor(THREADS, thread_name_prefix="descent-run")


def _feedback(optimizer: Optimizer) -> bool:
    return optimizer.schedule is not None and optimizer.schedule.feedback


def choose_driver(f: LossFunction, gradient_noise: float = 0.0,
                  minibatches: MinibatchSchedule | None = None, optimizer: Optimizer | None = None,
                  record: bool = True, include_state: bool = False) -> str:  # fmt: skip
    """``catalog`` for catalog functions, ``vector`` for many unrecorded runs of one setting
    on one (basins), ``array`` for everything numpy evaluates or that draws random numbers.
    A ReduceLROnPlateau (its lr follows the losses step by step) and SAM (two evaluations a
    step) run in the catalog kernels, not the vector one."""
    if kernel_code(f) is None or gradient_noise > 0 or minibatches is not None:
        return "array"
    one_setting = optimizer is not None and len(optimizer.settings) == 1
    # a vector rule has no SIMD lanes; L-BFGS has its own loop (run_batch)
    lanes = (one_setting and optimizer.name not in CLOSURE and not optimizer.rule.vector
             and not _feedback(optimizer) and not optimizer.sam)  # fmt: skip
    return "vector" if lanes and not record and not include_state else "catalog"


def _check_driver(driver: str, f: LossFunction, optimizer: Optimizer, record: bool,
                  include_state: bool, noise: float, minibatches) -> None:  # fmt: skip
    usable = {
        "array": True,
        "catalog": kernel_code(f) is not None and noise == 0 and minibatches is None,
        "vector": kernel_code(f) is not None
        and noise == 0
        and minibatches is None
        and len(optimizer.settings) == 1
        and not optimizer.rule.vector
        and not _feedback(optimizer)
        and not optimizer.sam
        and not record
        and not include_state,
    }
    if not usable.get(driver, False):
        raise ValueError(f"driver {driver!r} cannot run this request")


def run_batch(
    function: LossFunction,
    starts,
    optimizer: Optimizer,
    steps: int = 500,
    tol: float = 0.0,
    gradient_noise: float = 0.0,
    seed: int = 0,
    record: bool = True,
    include_state: bool = False,
    minibatches: MinibatchSchedule | None = None,
    should_stop: ShouldStop = None,
    driver: str | None = None,
) -> BatchResult:
    """Run ``optimizer`` from each row of ``starts`` (n, dims) for up to ``steps`` updates.

    ``driver`` is for tests and benchmarks only; by default the engine chooses.
    """
    starts = np.array(starts, dtype=np.float64, ndmin=2)
    if starts.shape[1] != function.dims:
        raise ValueError(
            f"start has {starts.shape[1]} coordinates; {function.id} takes {function.dims}"
        )
    if optimizer.name in CLOSURE:  # a step that calls the closure: its own loop
        if gradient_noise > 0 or minibatches is not None:
            raise ValueError(f"{optimizer.name} needs the exact function (its line search "
                             "compares values): no gradient noise or mini-batches")  # fmt: skip
        usable = kernel_code(function) is not None
        driver = driver or ("catalog" if usable else "array")
        if driver not in ("catalog", "array") or (driver == "catalog" and not usable):
            raise ValueError(f"driver {driver!r} cannot run this request")
        return run_lbfgs(function, starts, optimizer, steps, tol, record, should_stop, driver)
    driver = driver or choose_driver(function, gradient_noise, minibatches, optimizer, record,
                                     include_state)  # fmt: skip
    _check_driver(driver, function, optimizer, record, include_state, gradient_noise, minibatches)
    if driver == "vector":
        return vector_driver.run_vector(function, starts, optimizer, steps, tol, should_stop)
    batch = drivers.Batch.start(optimizer, starts, steps, record, include_state)
    if driver == "catalog":
        drivers.run_catalog(function, batch, optimizer, steps, tol, should_stop)
    elif function.extra.get("train") is not None and gradient_noise == 0 and not optimizer.sam:
        # a network trains in its own compiled kernel around the rule's advance (the same
        # bits as the array driver, which evaluates it through the same kernels; SAM's
        # second gradient is the array driver's)
        function.extra["train"](batch, optimizer, steps, tol, minibatches, should_stop)
    else:
        drivers.run_arrays(function, batch, optimizer, steps, tol, gradient_noise, seed,
                           minibatches, should_stop)  # fmt: skip
    return batch.result(optimizer, include_state)


def run(function: LossFunction, start, optimizer: Optimizer, steps: int = 500, tol: float = 0.0,
        gradient_noise: float = 0.0, seed: int = 0, include_state: bool = False,
        minibatches: MinibatchSchedule | None = None, should_stop: ShouldStop = None,
        driver: str | None = None) -> Trajectory:  # fmt: skip
    """One run from ``start``: a batch of one."""
    start = np.asarray(start, dtype=np.float64)[None, :]
    return run_batch(function, start, optimizer, steps, tol, gradient_noise, seed, True,
                     include_state, minibatches, should_stop, driver).trajectory(0)  # fmt: skip


def run_many(function: LossFunction, starts: np.ndarray, optimizer: Optimizer, steps: int,
             tol: float, should_stop: ShouldStop = None, driver: str | None = None
             ) -> BatchResult:  # fmt: skip
    """Final points, losses, statuses and steps of many noise-free runs (no trajectories),
    in blocks on a few threads (the kernels release the GIL)."""
    starts = np.asarray(starts, dtype=np.float64)
    n = len(starts)
    if n <= BLOCK:
        return run_batch(function, starts, optimizer, steps, tol, record=False,
                         should_stop=should_stop, driver=driver)  # fmt: skip
    block = max(BLOCK, -(-n // THREADS))
    pieces = [slice(i, min(i + block, n)) for i in range(0, n, block)]
    settings = optimizer.settings_for(n) if len(optimizer.settings) > 1 else []

    def run_piece(piece: slice) -> BatchResult:
        if len(optimizer.settings) == 1:
            part = optimizer
        else:
            part = Optimizer(optimizer.name, tuple(settings[piece]), optimizer.schedule)
        return run_batch(function, starts[piece], part, steps, tol, record=False,
                         should_stop=should_stop, driver=driver)  # fmt: skip

    return BatchResult.concatenate(list(_pool.map(run_piece, pieces)))


def warm_up() -> None:
    """Compile every kernel, or load it from the disk cache (``codegen``), before serving."""
    from app.engine.catalog import get_function
    from app.engine.optim import make_optimizer, with_scheduler

    bowl = get_function("bowl")
    for name in RULES:
        codegen.rule_module(RULES[name])
        optimizer = make_optimizer(name)
        for driver in ("catalog", "array"):
            run_batch(bowl, [[1.0, 1.0]], optimizer, steps=2, include_state=True, driver=driver)
        if not RULES[name].vector:
            run_batch(bowl, [[1.0, 1.0]], optimizer, steps=2, record=False, driver="vector")
    # SAM's and ReduceLROnPlateau's array-driver helpers (their catalog paths are above)
    plateau = with_scheduler(make_optimizer("sam"), {"name": "ReduceLROnPlateau"})
    run_batch(bowl, [[1.0, 1.0]], plateau, steps=2, driver="array")
    for name in CLOSURE:
        run_batch(bowl, [[1.0, 1.0]], make_optimizer(name, line_search_fn="strong_wolfe"),
                  steps=2, driver="catalog")  # fmt: skip
    from app.engine.networks.compiled import warm_up as warm_networks

    warm_networks()  # the networks' compiled evaluation and training, per rule
