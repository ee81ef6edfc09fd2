"""Run requests that differ only in start and hyper-parameters as one batched engine call.

One batched call costs about as much as one run (per-step overhead dominates), so a race
of runs, or concurrent requests from a classroom, share it. Results equal separate runs:
each run keeps its own hyper-parameters, flags included (the engine's per-run table). Runs
with gradient noise or mini-batches stay alone, since their random draws depend on the
batch they are in. Each request's options were validated once, when parsed.
"""

from __future__ import annotations

import json

import numpy as np

from app.api.schemas import TrajectoryRequest
from app.engine import Trajectory, run_batch
from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.engine.optim import from_resolved, with_scheduler


class ResolvedOptimizer:
    """What a response reports of a run's optimizer: its name and resolved kwargs."""

    def __init__(self, name: str, hyperparams: dict, schedule=None) -> None:
        self.name, self.hyperparams, self.schedule = name, hyperparams, schedule


def group_key(run: TrajectoryRequest) -> str:
    shared = run.model_dump(exclude={"start", "optimizer"})
    if run.gradient_noise > 0 or run.batch_size is not None:
        shared["alone"] = id(run)
    # SAM's runs share one base rule per batch: the base is part of the key
    base = run.optimizer.resolved().get("base")
    return json.dumps([run.optimizer.name, base, shared], sort_keys=True, default=str)


def run_group(
    f: LossFunction,
    runs: list[TrajectoryRequest],
    minibatches: MinibatchSchedule | None = None,
    should_stop=None,
) -> list[tuple[Trajectory, ResolvedOptimizer]]:
    """Run requests that share a group key in one engine call."""
    first = runs[0]
    name = first.optimizer.name
    settings = [run.optimizer.resolved() for run in runs]
    starts = np.array([run.start for run in runs], dtype=np.float64)
    schedule = first.scheduler.schedule() if first.scheduler else None
    optimizer = with_scheduler(from_resolved(name, settings), schedule)
    batch = run_batch(
        f, starts, optimizer, first.steps, first.tol, first.gradient_noise,
        first.seed, include_state=first.include_state, minibatches=minibatches,
        should_stop=should_stop,
    )  # fmt: skip
    return [
        (batch.trajectory(row), ResolvedOptimizer(name, options, schedule))
        for row, options in enumerate(settings)
    ]
