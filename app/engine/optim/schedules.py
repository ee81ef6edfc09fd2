"""Learning-rate schedules: ``torch.optim.lr_scheduler`` semantics, one definition each.

A schedule is simulated in Python floats exactly as torch's scheduler computes it
(``schedule_sims.py``: the chainable ``get_lr``, not the closed form, because the two round
differently). torch's loop is::

    scheduler = Scheduler(optimizer, **kwargs)   # sets lr for update 1 (the initial step)
    for k in range(steps):
        optimizer.step()                         # update k + 1 uses group["lr"]
        scheduler.step()                         # ReduceLROnPlateau: scheduler.step(loss_k)

so ``Schedule.tables(base_lr, momentum, n, steps)[0][k]`` is the learning rate of update
``k + 1``, and ``[1][k]`` its momentum (``momentum`` or β1), which ``CyclicLR`` and
``OneCycleLR`` cycle. Every driver reads these tables (``run/codegen.py``), so a schedule is
written once. ``ReduceLROnPlateau`` reads the loss, so its lr is known one step at a time
(``plateau.py``; the array driver). Specs and messages: ``schedule_specs.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from app.engine.optim import schedule_cycles as cycles
from app.engine.optim import schedule_sims as sims
from app.engine.optim.schedule_specs import (
    CHILDREN,
    REQUIRED,
    SCHEDULERS,
    SchedulerParam,
    SchedulerSpec,
    UnknownSchedulerError,
    get_scheduler_spec,
)

__all__ = ["REQUIRED", "SCHEDULERS", "Schedule", "ScheduleError", "UnknownSchedulerError",
           "lr_table", "make_schedule"]  # fmt: skip


CLASSES = {**sims.CLASSES, "CyclicLR": cycles.CyclicLR, "OneCycleLR": cycles.OneCycleLR}


class ScheduleError(ValueError):
    """A scheduler kwarg torch (or our bounds) refuses: ``field`` names it."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


def _check(p: SchedulerParam, value: Any) -> Any:
    if p.kind == "int_list":
        if not isinstance(value, list | tuple):
            raise ScheduleError(p.name, f"{p.name} must be a list of integers, got {value!r}")
        return tuple(_check(SchedulerParam(p.name, "int", 0, p.low, p.high), v) for v in value)
    if p.kind == "bool":
        if not isinstance(value, bool):
            raise ScheduleError(p.name, f"{p.name} must be true or false, got {value!r}")
        return value
    if p.kind == "choice":
        if value not in p.choices:
            raise ScheduleError(p.name, f"{p.name} must be one of {', '.join(p.choices)}, "
                                        f"got {value!r}")  # fmt: skip
        return value
    if p.kind == "opt_int" and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScheduleError(p.name, f"{p.name} must be a number, got {value!r}")
    if p.kind in ("int", "opt_int"):
        if isinstance(value, float) and not value.is_integer():
            raise ScheduleError(p.name, f"{p.name} must be an integer, got {value!r}")
        value = int(value)
    elif not math.isfinite(value):
        raise ScheduleError(p.name, f"{p.name} must be finite, got {value}")
    else:
        value = float(value)
    if p.low is not None and value < p.low:
        raise ScheduleError(p.name, f"{p.name} must be at least {p.low:g}, got {value:g}")
    if p.high is not None and value > p.high:
        raise ScheduleError(p.name, f"{p.name} must be at most {p.high:g}, got {value:g}")
    return value


@dataclass(frozen=True)
class Schedule:
    """A validated scheduler: its torch class name and kwargs (defaults filled in; a
    ``SequentialLR``'s children are Schedules)."""

    name: str
    kwargs: tuple[tuple[str, Any], ...]

    @property
    def spec(self) -> SchedulerSpec:
        return SCHEDULERS[self.name]

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.kwargs)

    @property
    def feedback(self) -> bool:
        """The lr depends on the run's losses (ReduceLROnPlateau)."""
        return self.name == "ReduceLROnPlateau"

    @property
    def cycles_momentum(self) -> bool:
        if self.name == "SequentialLR":
            return any(child.cycles_momentum for child in self.options["schedulers"])
        return bool(self.options.get("cycle_momentum", False))

    def as_dict(self) -> dict[str, Any]:
        out = {"name": self.name}
        for k, v in self.kwargs:
            if k == "schedulers":
                v = [child.as_dict() for child in v]
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def for_run(self, steps: int) -> Schedule:
        """``OneCycleLR``'s ``total_steps`` defaults to the run's steps (when neither it nor
        epochs × steps_per_epoch is given)."""
        kw = self.options
        if self.name == "OneCycleLR" and kw["total_steps"] is None:
            if kw["epochs"] is None or kw["steps_per_epoch"] is None:
                return replace(self, kwargs=tuple((kw | {"total_steps": steps}).items()))
        if self.name == "SequentialLR":
            children = tuple(child.for_run(steps) for child in kw["schedulers"])
            return replace(self, kwargs=tuple((kw | {"schedulers": children}).items()))
        return self

    def simulation(self, group: dict):
        kw = self.options
        if self.name == "SequentialLR":
            return cycles.SequentialLR(group, kw["schedulers"], kw["milestones"],
                                       lambda child, g: child.simulation(g))  # fmt: skip
        return CLASSES[self.name](group, **kw)

    def tables(self, base_lr: float, momentum: float | None, n: int,
               steps: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """The lr and momentum of updates 1..n of a run of ``steps`` steps, as torch sets
        them. ``momentum``: the optimizer's momentum or β1 (None if it has neither)."""
        momentum = None if momentum is None else float(momentum)
        if n > CACHED_STEPS:
            return self.simulate(float(base_lr), momentum, n, steps)
        lrs, moms = _simulated(self, float(base_lr), momentum, n, steps)
        return lrs.copy(), moms.copy()

    def simulate(self, base_lr: float, momentum: float | None, n: int,
                 steps: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """``tables``, computed: the Python-float simulation (~0.4–0.8 µs a step)."""
        if self.feedback:
            raise ValueError("ReduceLROnPlateau's lr depends on the losses: plateau.py")
        group = {"lr": base_lr, "momentum": momentum}
        schedule = self.for_run(steps)
        total = schedule.options.get("total_steps")
        if total is not None and steps > total:
            raise ScheduleError("total_steps", f"Tried to step {steps} times. The specified "
                                               f"number of total steps is {total}")  # fmt: skip
        lrs, moms = np.empty(n), np.empty(n)
        try:
            simulation = schedule.simulation(group)
            for k in range(n):
                lrs[k] = group["lr"]
                moms[k] = np.nan if group["momentum"] is None else group["momentum"]
                simulation.step()
        except ZeroDivisionError as error:  # torch raises it too (e.g. pct_start · total = 1)
            raise ScheduleError(None, f"{self.name}: torch divides by zero with these "
                                      f"settings ({error})") from None  # fmt: skip
        return lrs, moms

    def lrs(self, base_lr: float, steps: int, momentum: float | None = 0.9) -> np.ndarray:
        """The learning rate of updates 1..steps."""
        return self.tables(base_lr, momentum, steps, steps)[0]


# A request's schedule is simulated when it is validated (``check_schedule``) and again when
# its run starts: the second is a cache hit. Pure in its arguments; small tables only.
CACHED_STEPS = 20_001


@lru_cache(maxsize=16)
def _simulated(schedule: Schedule, base_lr: float, momentum: float | None, n: int,
               steps: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    return schedule.simulate(base_lr, momentum, n, steps)


def make_schedule(spec: dict[str, Any]) -> Schedule:
    """``{"name": "<torch class>", **kwargs}`` validated as torch does; raises
    ``ScheduleError`` (naming the field) or ``UnknownSchedulerError``."""
    spec = dict(spec)
    name = spec.pop("name", None)
    scheduler = get_scheduler_spec(name)
    known = [p.name for p in scheduler.params]
    unknown = sorted(set(spec) - set(known))
    if unknown:
        message = f"{name} got unexpected parameter(s) {', '.join(unknown)}; valid: "
        raise ScheduleError(unknown[0], message + ", ".join(known))
    resolved: dict[str, Any] = {}
    for p in scheduler.params:
        if p.name not in spec and p.default is REQUIRED:
            raise ScheduleError(p.name, f"{name} requires {p.name}")
        value = spec.get(p.name, p.default)
        resolved[p.name] = _children(value) if p.kind == "schedulers" else _check(p, value)
    extra = {}
    if name == "SequentialLR":
        extra = {"n_schedulers": len(resolved["schedulers"]),
                 "n_milestones": len(resolved["milestones"])}  # fmt: skip
    for invalid, field, message in scheduler.checks:
        if invalid(resolved):
            raise ScheduleError(field, message.format(**resolved, **extra))
    return Schedule(name, tuple(resolved.items()))


def _children(value: Any) -> tuple[Schedule, ...]:
    """SequentialLR's ``schedulers``, with torch's messages."""
    if not isinstance(value, list | tuple) or not value:
        raise ScheduleError("schedulers", "SequentialLR expects at least one scheduler, but got "
                                          "no scheduler.")  # fmt: skip
    children = []
    for i, child in enumerate(value):
        if isinstance(child, Schedule):
            child = child.as_dict()
        name = child.get("name") if isinstance(child, dict) else None
        if name == "ReduceLROnPlateau":
            raise ScheduleError("schedulers", "SequentialLR does not support `ReduceLROnPlateau` "
                                "scheduler as it requires additional kwargs to be specified when "
                                "calling `step`, but got one at index "
                                f"{i} in the given schedulers sequence.")  # fmt: skip
        if name not in CHILDREN:
            raise ScheduleError("schedulers", f"schedulers[{i}]: a child of SequentialLR is one "
                                              f"of {', '.join(CHILDREN)}")  # fmt: skip
        children.append(make_schedule(child))
    return tuple(children)


def tables(schedule: Schedule | None, base_lrs: np.ndarray, momenta: np.ndarray | None,
           n: int, steps: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(rows, n) learning rates and momenta: each row's schedule, or its constant values.
    ``momenta``: each row's momentum or β1 (None: the optimizer has neither)."""
    rows = len(base_lrs)
    moms = np.zeros(rows) if momenta is None else np.asarray(momenta, dtype=np.float64)
    if schedule is None or schedule.feedback:
        return (np.repeat(np.asarray(base_lrs, dtype=np.float64)[:, None], n, axis=1),
                np.repeat(moms[:, None], n, axis=1))  # fmt: skip
    pairs = [schedule.tables(float(lr), None if momenta is None else float(m), n, steps)
             for lr, m in zip(base_lrs, moms, strict=True)]  # fmt: skip
    lrs = np.array([p[0] for p in pairs]).reshape(rows, n)
    cycled = np.array([p[1] for p in pairs]).reshape(rows, n)
    return lrs, np.where(np.isnan(cycled), moms[:, None], cycled)


def lr_table(schedule: Schedule | None, base_lrs: np.ndarray, steps: int) -> np.ndarray:
    """(len(base_lrs), steps) learning rates of a schedule that cycles no momentum."""
    return tables(schedule, base_lrs, None, steps, steps)[0]
