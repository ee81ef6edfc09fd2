"""The engine: loss functions, torch-exact optimizers, and runs of them (no web imports).

Usable from a notebook without the web app::

    from app.engine import get_function, make_optimizer, run
    traj = run(get_function("rosenbrock"), [-1.5, 2.0], make_optimizer("adam", lr=0.05))

    f = compile_expression("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    fit = data_function("linear", "mse", [0, 1, 2, 3], [1.9, 1.3, 0.6, 0.3])
    valleys = basins(get_function("himmelblau"), make_optimizer("adam", lr=0.05),
                     [(-5, 5), (-5, 5)], resolution=100, steps=500, tol=1e-6)
"""

from app.engine.basins import basins
from app.engine.catalog import CATALOG, get_function
from app.engine.data import data_function
from app.engine.data.sampling import MinibatchSchedule
from app.engine.expressions import ExpressionError, compile_expression
from app.engine.functions import LossFunction, Minimum
from app.engine.optim import (
    OPTIMIZERS,
    Optimizer,
    inject_hyperparams,
    make_optimizer,
    with_scheduler,
)
from app.engine.run import (
    STATUS_NAMES,
    BatchResult,
    Cancelled,
    Trajectory,
    run,
    run_batch,
    run_many,
    warm_up,
)
from app.engine.sweeps import sweep

__all__ = [
    "with_scheduler",
    "CATALOG",
    "STATUS_NAMES",
    "BatchResult",
    "Cancelled",
    "Optimizer",
    "run_many",
    "warm_up",
    "OPTIMIZERS",
    "ExpressionError",
    "LossFunction",
    "MinibatchSchedule",
    "Minimum",
    "Trajectory",
    "basins",
    "compile_expression",
    "data_function",
    "get_function",
    "inject_hyperparams",
    "make_optimizer",
    "run",
    "run_batch",
    "sweep",
]
