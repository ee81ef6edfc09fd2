"""Every request's work is bounded: a 422 that names the limit, before any work is done."""

from __future__ import annotations

from app.api.function_specs import unprocessable
from app.config import settings
from app.engine.functions import LossFunction


def evaluation_cost(f: LossFunction) -> int:
    """Relative cost of one evaluation: 1 for formulas, the data size for logistic fits."""
    return int(f.extra.get("evaluation_cost", 1))


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
