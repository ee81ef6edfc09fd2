"""Every request's work is bounded: a 422 that names the limit, before any work is done.

CPU is charged by the operations a request performs, estimated before it runs, in
nanoseconds of CPU on the reference machine (``bench/README.md`` checks the estimates
against measured CPU time). A numpy call costs ``CALL_NS`` whatever its size, plus so much
per element: a formula's value and gradient programs say how many calls they make and
what a point costs (``extra["cost"]``, from ``app.engine.expressions.eval``), a fit to data
likewise (``app.engine.data.models``), so a 28-term formula is charged about 40 times a
bowl, and a 10,000-point logistic fit about 100 times.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace

import numpy as np

from app.api.function_specs import unprocessable
from app.config import settings
from app.engine import Cancelled
from app.engine.data.models import CHUNK_ELEMENTS, LeastSquares, Logistic
from app.engine.functions import LossFunction
from app.engine.optim.specs import CLOSURE, WRAPPERS
from app.engine.run.dispatch import choose_driver

CALL_NS = 600  # one numpy call on a small array, with the Python around it (measured)
# Catalog functions are hand-written numpy: a value or gradient is ~10 calls; rastrigin,
# the dearest, costs ~85 ns a point for both (bench/README.md).
CATALOG_COST = {"value": (10, 70), "gradient": (14, 90)}
# The runner's own work per step and run: the optimizer's update (Adam with amsgrad is the
# longest, ~20 calls), noise, bookkeeping; per point and dimension of the state.
RUNNER_CALLS, RUNNER_NS_PER_POINT = 25, 60
COMPILED_NS_PER_STEP = 40  # the catalog kernel, per run and step (bench/README.md)
RUNNER_CHUNK = 16  # the runner evaluates losses once per chunk of steps, for all of them
# Rendering one returned number, per response format (bench/README.md, "Limits"): JSON
# through orjson (the array, its text in slices, the joined body); CSV and HTML parse that
# JSON back into Python objects and write text (HTML also runs the batch again in-process).
NS_PER_VALUE = {"json": 50, "csv": 1_200, "html": 1_400}
BYTES_PER_VALUE = {"json": 70, "csv": 130, "html": 150}
BASE_BYTES = 48 << 20  # a request's thread, its arena and numpy's first buffers (measured)
# The format a route was asked for: set by ``app.api.exports.formats`` before planning.
response_format: ContextVar[str] = ContextVar("response_format", default="json")


def _cost(f: LossFunction, kind: str) -> tuple[int, int]:
    cost = f.extra.get("cost") or CATALOG_COST
    return cost.get(kind, (0, 0))


def evaluation_ns(f: LossFunction, points: int, kind: str = "value") -> int:
    """Estimated CPU ns of one ``kind`` evaluation ("value" or "gradient") at ``points``."""
    calls, per_point = _cost(f, kind)
    return calls * CALL_NS + per_point * points


def step_ns(f: LossFunction, runs: int, batch_size: int | None = None) -> int:
    """One step of ``runs`` runs in lockstep on the numpy runner: a gradient, a loss
    (evaluated once per chunk of steps, for all of them), the update, and with mini-batches
    the gradient over ``batch_size`` samples."""
    value_calls, value_per_point = _cost(f, "value")
    ns = evaluation_ns(f, runs, "gradient")
    ns += value_calls * CALL_NS // RUNNER_CHUNK + value_per_point * runs
    ns += RUNNER_CALLS * CALL_NS + RUNNER_NS_PER_POINT * f.dims * runs
    if batch_size:
        calls, per_sample = _cost(f, "sample")
        ns += calls * CALL_NS + per_sample * min(batch_size, f.n_samples) * runs
    return ns


# L-BFGS (its own driver): a Python loop around a compiled step per step and run, and for
# functions numpy evaluates, each evaluation and the step's arithmetic in Python
# (bench/README.md).
LBFGS_STEP_NS, LBFGS_PYTHON_EVALUATION_NS = 30_000, 40_000


def lbfgs_ns(f: LossFunction, runs: int, steps: int, evaluations: int) -> int:
    """``runs`` L-BFGS runs of ``steps`` steps of at most ``evaluations`` evaluations each."""
    per_step = LBFGS_STEP_NS
    if choose_driver(f) != "catalog":
        per_evaluation = evaluation_ns(f, 1, "gradient") + evaluation_ns(f, 1, "value")
        per_step += evaluations * (per_evaluation + LBFGS_PYTHON_EVALUATION_NS)
    return runs * (steps + 1) * per_step


def runs_ns(f: LossFunction, runs: int, steps: int, optimizer: str, *, noise: float = 0.0,
            batch_size: int | None = None, include_state: bool = False,
            feedback: bool = False, options: dict | None = None) -> int:  # fmt: skip
    """``runs`` runs of ``steps`` steps as one batched call, on whichever runner takes them
    (``feedback``: a ReduceLROnPlateau, compiled like any schedule since issue 13;
    ``options``: the optimizer's resolved kwargs, for L-BFGS's evaluations per step)."""
    if optimizer in CLOSURE:
        options = options or {}
        evaluations = options.get("max_eval") or options.get("max_iter", 20) * 5 // 4
        return lbfgs_ns(f, runs, steps, evaluations + 1)
    evaluations = 2 if optimizer in WRAPPERS else 1  # SAM: at w and at w + e
    # a minibatch schedule iff batch_size; a ReduceLROnPlateau runs compiled too
    if choose_driver(f, noise, batch_size) == "catalog":
        return evaluations * runs * (steps + 1) * COMPILED_NS_PER_STEP + CALL_NS * 10
    return evaluations * (steps + 1) * step_ns(f, runs, batch_size)


# A computation graph (POST /graph): parsing, the DAG, each node's derivative and LaTeX.
# Measured 23-54 µs of CPU per token on expressions of the largest allowed size, of several
# shapes (long sums, nested calls, towers of powers, deep parentheses); a token takes at
# least one character, so charging per character bounds it.
GRAPH_NS_PER_CHARACTER = 60_000


def graph_ns(expression: str) -> int:
    return CALL_NS * 10 + GRAPH_NS_PER_CHARACTER * len(expression)


# A network lesson's data set (GET /networks/datasets): drawing and rendering its samples,
# measured 22-98 ns per returned number at the largest n of each data set (≤ 2.5 ms).
DATASET_NS_PER_VALUE = 100


def dataset_ns(values: int) -> int:
    return CALL_NS * 10 + DATASET_NS_PER_VALUE * values


STOP_CHECK_NS = 50_000_000  # CPU between two checks of a request's stop signal


def block_points(f: LossFunction, most: int) -> int:
    """Points to evaluate at once so that one block takes at most ``STOP_CHECK_NS`` of
    CPU: an abandoned surface of a 10,000-point fit stops within ~50 ms of CPU, not one
    16,384-point block (0.6 s)."""
    _, per_point = _cost(f, "value")
    return max(1, min(most, STOP_CHECK_NS // max(per_point, 1)))


def _evaluation_unit(f: LossFunction) -> int | None:
    """Points a block must be a multiple of for blocked evaluation to give the very same
    numbers: the logistic kernel evaluates chunks of ``CHUNK_ELEMENTS`` products with BLAS
    (whose sums depend on the chunk's shape); least squares is closed-form per point. None
    for everything else (not split)."""
    kernel = getattr(f.value, "__self__", None)
    if isinstance(kernel, Logistic):
        return max(1, CHUNK_ELEMENTS // max(int(kernel.xs.size), 1))
    return 1 if isinstance(kernel, LeastSquares) else None


def stoppable(f: LossFunction, points: int, should_stop: Callable[[], bool]) -> LossFunction:
    """``f``, evaluated a block at a time with ``should_stop()`` asked between blocks, when
    one evaluation at ``points`` points takes more than ``STOP_CHECK_NS`` of CPU (basins and
    sweeps on a 10,000-point fit: one step of the most allowed, ~150² runs, is ~2 CPU-s,
    and the engine asks only between steps). Blocks follow the kernel's own chunks, so the
    numbers are the same."""
    unit = _evaluation_unit(f)
    cost = max(evaluation_ns(f, points, kind) for kind in ("value", "gradient"))
    if unit is None or cost <= STOP_CHECK_NS:
        return f

    def blocked(evaluate: Callable, kind: str) -> Callable:
        block = max(1, STOP_CHECK_NS // max(_cost(f, kind)[1], 1) // unit) * unit

        def in_blocks(p: np.ndarray) -> np.ndarray:
            if len(p) <= block:
                return evaluate(p)
            parts = []
            for start in range(0, len(p), block):
                if should_stop():
                    raise Cancelled("stopped between blocks of points")
                parts.append(evaluate(p[start : start + block]))
            return np.concatenate(parts)

        return in_blocks

    return replace(f, value=blocked(f.value, "value"), gradient=blocked(f.gradient, "gradient"))


def surface_ns(f: LossFunction, points: int) -> int:
    return evaluation_ns(f, points, "value") + 10 * points  # the grid, min/max, encoding


# Floats returned per point: coordinates, loss, gradient norm, epoch; with the optimizer
# state also the gradient and up to five state vectors (Adam with amsgrad).
def values_per_point(dims: int, include_state: bool) -> int:
    return dims + 3 + (dims * 6 if include_state else 0)


def check_work(field: str, work: int, limit_name: str, what: str) -> int:
    limit = getattr(settings, limit_name)
    if work > limit:
        raise unprocessable(
            ["body", field],
            f"{what} is {work:,}, over the limit of {limit:,} "
            f"(DESCENT_{limit_name.upper()}); ask for fewer steps, runs or points",
        )
    return work


def state_bytes(runs: int, dims: int, include_state: bool = False) -> int:
    """What the engine records per step of ``runs`` runs: parameters and gradients, and
    with ``include_state`` up to five state vectors (Adam with amsgrad)."""
    return runs * dims * (2 + (5 if include_state else 0)) * 8


def check_operations(field: str, ns: int, what: str = "steps", where: str = "body", *,
                     values: int = 0, held: int = 0) -> int:  # fmt: skip
    """The CPU and memory caps every request shares. ``ns``: estimated CPU of the work;
    ``values``: numbers in the response; ``held``: bytes the work keeps while it runs.
    Returns the CPU estimate with rendering included (what admission charges)."""
    fmt = response_format.get()
    ns = ns * (2 if fmt == "html" else 1) + values * NS_PER_VALUE[fmt]
    check_memory(field, BASE_BYTES + held + values * BYTES_PER_VALUE[fmt], what, where, fmt)
    limit = settings.max_request_operations
    if ns > limit:
        raise unprocessable(
            [where, field],
            f"this request would take about {ns / 1e9:.1f} CPU-seconds ({ns:,} operations), "
            f"over the limit of {limit:,} (DESCENT_MAX_REQUEST_OPERATIONS); ask for fewer "
            f"{what}, or a simpler function",
        )
    return ns


def check_memory(field: str, estimate: int, what: str, where: str, fmt: str = "json") -> None:
    limit = settings.max_request_memory_mb << 20
    if estimate > limit:
        other = f" or format=json (this is {fmt})" if fmt != "json" else ""
        raise unprocessable(
            [where, field],
            f"this request would take about {estimate / 2**20:,.0f} MB of memory, over the "
            f"limit of {settings.max_request_memory_mb:,} MB (DESCENT_MAX_REQUEST_MEMORY_MB); "
            f"ask for fewer {what}{other}",
        )
