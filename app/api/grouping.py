"""Run requests that differ only in start and numeric hyper-parameters as one batch.

One batched call costs about as much as one run (per-step overhead dominates), so a race
of runs, or concurrent requests from a classroom, share it. Results equal separate runs:
each run keeps its own hyper-parameters (``engine.hyper``). Runs with gradient noise or
mini-batches stay alone, since their random draws depend on the batch they are in.
"""

from __future__ import annotations

import json

import numpy as np

from app.api.schemas import TrajectoryRequest
from app.engine import fast_path
from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.engine.hyper import inject_hyperparams
from app.engine.optimizer_specs import get_spec, resolve
from app.engine.runner import Trajectory, run_batch


class ResolvedOptimizer:
    """What a response reports of a run's optimizer: its name and resolved kwargs."""

    def __init__(self, name: str, hyperparams: dict) -> None:
        self.name, self.hyperparams = name, hyperparams


def group_key(run: TrajectoryRequest) -> str:
    options = run.optimizer.model_dump()
    spec = get_spec(options["name"])
    flags = {p.name: options[p.name] for p in spec.params if p.kind == "bool"}
    shared = run.model_dump(exclude={"start", "optimizer"})
    if run.gradient_noise > 0 or run.batch_size is not None:
        shared["alone"] = id(run)
    if run.include_state:
        # Which state a run reports depends on its own settings (SGD has a momentum
        # buffer only with momentum), so runs with state group only with identical ones.
        flags = options
    return json.dumps([options["name"], flags, shared], sort_keys=True, default=str)


def run_group(
    f: LossFunction,
    runs: list[TrajectoryRequest],
    minibatches: MinibatchSchedule | None = None,
) -> list[tuple[Trajectory, ResolvedOptimizer]]:
    """Run requests that share a group key in one batched call."""
    first = runs[0]
    name = first.optimizer.name
    settings = [run.optimizer.model_dump(exclude={"name"}) for run in runs]
    starts = np.array([run.start for run in runs], dtype=np.float64)
    if fast_path.usable(f, name, first.gradient_noise, minibatches, first.include_state):
        batch = fast_path.run(f, starts, name, settings, first.steps, first.tol, record=True)
    else:
        batch = run_batch(
            f, starts, inject_hyperparams(name, settings), first.steps, first.tol,
            first.gradient_noise, first.seed, include_state=first.include_state,
            minibatches=minibatches,
        )  # fmt: skip
    return [
        (batch.trajectory(row), ResolvedOptimizer(name, resolve(name, options)))
        for row, options in enumerate(settings)
    ]
