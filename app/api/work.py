"""Every request's work is bounded: a 422 that names the limit, before any work is done."""

from __future__ import annotations

from app.api.function_specs import unprocessable
from app.config import settings
from app.engine.functions import LossFunction


def evaluation_cost(f: LossFunction) -> int:
    """Relative cost of one evaluation: 1 for formulas, the data size for logistic fits."""
    return int(f.extra.get("evaluation_cost", 1))


def step_cost(f: LossFunction, batch_size: int | None) -> int:
    """Cost of one step: the full-data gradient and loss, plus the mini-batch gradient."""
    minibatch = min(batch_size, f.n_samples) if batch_size and f.n_samples else 0
    return evaluation_cost(f) + minibatch


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


def is_heavy(work: int) -> bool:
    return work > settings.heavy_work_threshold
