"""Pure-numpy engine: loss functions, torch-exact optimizers and the batched runner.

Usable from a notebook without the web app::

    from app.engine import get_function, make_optimizer, run
    traj = run(get_function("rosenbrock"), [-1.5, 2.0], make_optimizer("adam", lr=0.05))
"""

from app.engine.catalog import CATALOG, get_function
from app.engine.functions import LossFunction, Minimum
from app.engine.optimizers import OPTIMIZERS, make_optimizer
from app.engine.runner import Trajectory, run, run_batch

__all__ = [
    "CATALOG",
    "OPTIMIZERS",
    "LossFunction",
    "Minimum",
    "Trajectory",
    "get_function",
    "make_optimizer",
    "run",
    "run_batch",
]
