"""One hyper-parameter value per run: sweeps and mixed races in a single batch.

As optax's ``inject_hyperparams``, the per-run values live in the optimizer state, so the
runner's compaction of finished runs keeps each run's own learning rate. The update rules
are the ordinary ones, evaluated with arrays of shape (n, 1) in place of scalars.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from app.engine.optimizer_specs import resolve
from app.engine.optimizers import FACTORIES, Optimizer


class InjectedState(NamedTuple):
    inner: Any
    hyper: dict[str, np.ndarray]  # name -> (n, 1), or a pair of them for betas


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def inject_hyperparams(name: str, settings: list[dict[str, Any]]) -> Optimizer:
    """An optimizer whose n runs use ``settings[i]`` (torch kwargs, validated as torch does).

    Parameters that differ between settings must be numbers (or the betas pair); flags
    such as ``nesterov`` or ``amsgrad`` must agree across all settings.
    """
    resolved = [resolve(name, s) for s in settings]
    fixed, varying = {}, {}
    for key, first in resolved[0].items():
        values = [r[key] for r in resolved]
        if all(v == first for v in values):
            fixed[key] = first
        elif isinstance(first, bool):
            raise ValueError(f"{key} must be the same for every run of one batch")
        elif isinstance(first, tuple):
            varying[key] = tuple(_column([v[i] for v in values]) for i in range(len(first)))
        else:
            varying[key] = _column(values)
    factory = FACTORIES[name]
    if not varying:  # every run alike: the plain optimizer, with no per-step rebuilding
        return factory(**fixed)

    def build(hyper: dict) -> Optimizer:
        return factory(**fixed, **hyper)

    def init(params: np.ndarray) -> InjectedState:
        if len(params) != len(settings):
            raise ValueError(f"{len(settings)} settings for {len(params)} runs")
        return InjectedState(build(varying).init(params), varying)

    def update(grad, state: InjectedState, params):
        step, inner = build(state.hyper).update(grad, state.inner, params)
        return step, InjectedState(inner, state.hyper)

    def describe(state: InjectedState) -> dict[str, np.ndarray]:
        return build(state.hyper).describe(state.inner)

    return Optimizer(name, {**fixed, **varying}, init, update, describe)
