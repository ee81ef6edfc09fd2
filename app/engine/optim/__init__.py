"""Optimizers: torch.optim's specs (defaults, ranges, messages) and one update rule each.

``make_optimizer(name, **kwargs)`` validates kwargs as torch does and returns an
``Optimizer``: the name and resolved settings. ``inject_hyperparams(name, settings)`` gives
each run of a batch its own settings (optax's ``inject_hyperparams``), any parameter flags
included. Drivers read both through one per-run hyper-parameter table
(``registry.hyper_table``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.engine.optim import rules as _rules  # noqa: F401 (fills the registry)
from app.engine.optim.registry import RULES, Rule, get_rule, hyper_table
from app.engine.optim.schedule_sims import NO_MOMENTUM
from app.engine.optim.schedules import (
    SCHEDULERS,
    Schedule,
    ScheduleError,
    UnknownSchedulerError,
    make_schedule,
)
from app.engine.optim.specs import (
    CLOSURE,
    SPECS,
    WRAPPERS,
    OptimizerSpec,
    UnknownOptimizerError,
    get_spec,
    resolve,
)

OPTIMIZERS: dict[str, OptimizerSpec] = SPECS


@dataclass(frozen=True)
class Optimizer:
    name: str
    settings: tuple[dict[str, Any], ...]  # resolved torch kwargs: one for all runs, or one each
    schedule: Schedule | None = None  # an lr scheduler stepped after every update

    @property
    def hyperparams(self) -> dict[str, Any]:
        """The settings of the first run (of every run, for ``make_optimizer``)."""
        return self.settings[0]

    @property
    def rule(self) -> Rule:
        """The update rule: SAM's is its base's (all runs of a batch share one base)."""
        return get_rule(self.base)

    @property
    def base(self) -> str:
        """The optimizer whose rule steps: itself, or the one SAM wraps."""
        if self.name not in WRAPPERS:
            return self.name
        bases = {s["base"] for s in self.settings}
        if len(bases) > 1:
            raise ValueError(f"one base optimizer per batch, got {', '.join(sorted(bases))}")
        return bases.pop()

    @property
    def sam(self) -> bool:
        return self.name in WRAPPERS

    def settings_for(self, n: int) -> list[dict[str, Any]]:
        if len(self.settings) not in (1, n):
            raise ValueError(f"{len(self.settings)} settings for {n} runs")
        return list(self.settings) * (n if len(self.settings) == 1 else 1)


def make_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Validate ``kwargs`` as torch does (plus upper bounds torch lacks)."""
    return Optimizer(name, (resolve(name, kwargs),))


def inject_hyperparams(name: str, settings: list[dict[str, Any]]) -> Optimizer:
    """An optimizer whose run i uses ``settings[i]`` (torch kwargs, validated as torch does)."""
    if not settings:
        raise ValueError("inject_hyperparams needs at least one setting")
    return Optimizer(name, tuple(resolve(name, s) for s in settings))


def with_scheduler(optimizer: Optimizer, scheduler: dict[str, Any] | Schedule | None) -> Optimizer:
    """The optimizer with an lr scheduler: ``{"name": "<torch class>", **kwargs}``, validated as
    torch validates it (``schedules.py``)."""
    if scheduler is not None and not isinstance(scheduler, Schedule):
        scheduler = make_schedule(scheduler)
    if scheduler is not None and scheduler.cycles_momentum and not momentum_column(optimizer):
        raise ScheduleError("cycle_momentum", NO_MOMENTUM)
    return replace(optimizer, schedule=scheduler)


def momentum_column(optimizer: Optimizer) -> str | None:
    return None if optimizer.name in CLOSURE else optimizer.rule.momentum_column


def check_schedule(name: str, schedule: Schedule | None, steps: int,
                   options: dict[str, Any] | None = None) -> None:  # fmt: skip
    """What torch refuses only once the optimizer and the run are known: cycling the momentum
    of an optimizer without one, ``OneCycleLR`` stepped past ``total_steps``, a division by
    zero. Raises ``ScheduleError`` naming the field. ``options``: SAM's, naming its base."""
    if schedule is None:
        return
    if name in WRAPPERS:
        name = (options or {}).get("base", get_spec(name).param("base").default)
    column = None if name in CLOSURE else get_rule(name).momentum_column
    if schedule.cycles_momentum and column is None:
        raise ScheduleError("cycle_momentum", NO_MOMENTUM)
    if not schedule.feedback:  # with the run's lr and momentum: the run reuses the tables
        options = options or {}
        momentum = None
        if column == "momentum":
            momentum = options.get("momentum", 0.9)
        elif column == "beta1":
            momentum = options.get("betas", (0.9,))[0]
        schedule.tables(options.get("lr", 1e-3), momentum, steps + 1, steps)


def describe(name: str) -> dict[str, tuple[str, ...]]:
    """An optimizer's named state and the LaTeX lines of its update (for listings, docs)."""
    get_spec(name)
    if name in CLOSURE:
        from app.engine.optim import lbfgs

        return {"state": lbfgs.STATE, "equations": lbfgs.EQUATIONS}
    if name in WRAPPERS:
        from app.engine.optim import sam

        return {"state": sam.STATE, "equations": sam.EQUATIONS}
    return {"state": RULES[name].slots, "equations": RULES[name].equations}


def from_resolved(name: str, settings: list[dict[str, Any]]) -> Optimizer:
    """An optimizer from settings already validated by ``resolve`` (validated once per request)."""
    get_spec(name)
    return Optimizer(name, tuple(settings))


__all__ = [
    "OPTIMIZERS",
    "RULES",
    "SCHEDULERS",
    "Schedule",
    "ScheduleError",
    "UnknownSchedulerError",
    "check_schedule",
    "describe",
    "Optimizer",
    "OptimizerSpec",
    "UnknownOptimizerError",
    "from_resolved",
    "get_rule",
    "get_spec",
    "hyper_table",
    "inject_hyperparams",
    "make_optimizer",
    "make_schedule",
    "resolve",
    "with_scheduler",
]
