"""Learning-rate sweeps: one start, one optimizer, a grid of settings, run as one batch.

Each setting is a run with its own hyper-parameters (``hyper.inject_hyperparams``), so a
1-D sweep over learning rates, or a 2-D one over learning rate × momentum (or a β), costs
one batched run rather than one run per cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.functions import LossFunction
from app.engine.optim import inject_hyperparams, with_scheduler
from app.engine.run import run_batch


@dataclass
class Sweep:
    lrs: np.ndarray  # (n_lr,)
    values: np.ndarray | None  # (n_values,) of the second parameter, if any
    final_losses: np.ndarray  # (n_values or 1, n_lr)
    status: np.ndarray  # codes into runner.STATUS_NAMES, same shape
    steps_taken: np.ndarray


def _set(options: dict[str, Any], param: str, value: float) -> dict[str, Any]:
    """``options`` with ``param`` set; ``betas[0]``/``betas[1]`` name one of the pair."""
    options = dict(options)
    if param.startswith("betas["):
        index = int(param[6])
        betas = list(options.get("betas", (0.9, 0.999)))
        betas[index] = value
        options["betas"] = tuple(betas)
    else:
        options[param] = value
    return options


def sweep(
    function: LossFunction,
    start: list[float],
    name: str,
    options: dict[str, Any],
    lrs: np.ndarray,
    steps: int,
    tol: float,
    param: str | None = None,
    values: np.ndarray | None = None,
    should_stop=None,
    schedule=None,
) -> Sweep:
    """Run every (value, lr) pair from ``start``; rows follow ``values``, columns ``lrs``."""
    rows = values if param is not None else np.array([np.nan])
    settings = [
        _set(_set(options, param, float(v)) if param else options, "lr", float(lr))
        for v in rows
        for lr in lrs
    ]
    optimizer = with_scheduler(inject_hyperparams(name, settings), schedule)
    starts = np.tile(np.asarray(start, dtype=np.float64), (len(settings), 1))
    result = run_batch(function, starts, optimizer, steps, tol, record=False,
                       should_stop=should_stop)  # fmt: skip
    shape = (len(rows), len(lrs))
    return Sweep(
        np.asarray(lrs), values if param else None, result.final_losses.reshape(shape),
        result.status.reshape(shape), result.steps_taken.reshape(shape),
    )  # fmt: skip
