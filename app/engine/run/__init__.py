"""Running optimizers: results, the stop rules, generated kernels, two drivers, one dispatch."""

from app.engine.run.cancel import Cancelled
from app.engine.run.dispatch import choose_driver, run, run_batch, run_many, warm_up
from app.engine.run.result import STATUS_NAMES, BatchResult, Trajectory

__all__ = ["STATUS_NAMES", "BatchResult", "Cancelled", "Trajectory", "choose_driver", "run",
           "run_batch", "run_many", "warm_up"]  # fmt: skip
