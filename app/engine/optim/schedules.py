"""Learning-rate schedules: ``torch.optim.lr_scheduler`` semantics, one definition each.

A schedule is simulated in Python floats exactly as torch's scheduler computes it: the
*chainable* ``get_lr`` (each lr from the previous one, as ``scheduler.step()`` does), not the
closed form, because the two round differently. torch's loop is::

    scheduler = Scheduler(optimizer, **kwargs)   # sets lr for update 1 (the initial step)
    for k in range(steps):
        optimizer.step()                         # update k + 1 uses group["lr"]
        scheduler.step()

so ``Schedule.lrs(base_lr, steps)[k]`` is the learning rate of update ``k + 1``. Every driver
reads these tables (``run/codegen.py``: the kernels take ``lr`` for step k from the table, and
per-step values such as Adam's step size are computed from it), so a schedule is written
once. ``LambdaLR`` and ``MultiplicativeLR`` take Python callables and cannot come over an
API; ``CyclicLR``, ``OneCycleLR``, ``SequentialLR`` and ``ReduceLROnPlateau`` are not here
yet (README).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

REQUIRED = object()


class UnknownSchedulerError(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class SchedulerParam:
    name: str
    kind: Literal["int", "float", "int_list"]
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    description: str = ""


class _Simulation:
    """torch's ``LRScheduler`` bookkeeping for one param group: ``lr``, ``last_epoch``,
    ``_step_count``, ``_is_initial``; subclasses give torch's ``get_lr``."""

    def __init__(self, base_lr: float, **kwargs: Any) -> None:
        self.base_lr = self.lr = base_lr
        self.last_epoch = -1
        self.step_count = 0
        self.is_initial = False
        self.__dict__.update(kwargs)

    def initial_step(self) -> None:
        self.step_count = 0
        self.is_initial = True
        self.step()
        self.is_initial = False

    def step(self) -> None:
        self.step_count += 1
        self.last_epoch += 1
        self.lr = self.get_lr()

    def get_lr(self) -> float:
        raise NotImplementedError


class StepLR(_Simulation):
    def get_lr(self) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.lr
        return self.lr * self.gamma


class MultiStepLR(_Simulation):
    def get_lr(self) -> float:
        counts = Counter(self.milestones)
        if self.last_epoch not in counts:
            return self.lr
        return self.lr * self.gamma ** counts[self.last_epoch]


class ConstantLR(_Simulation):
    def get_lr(self) -> float:
        if self.last_epoch == 0:
            return self.lr * self.factor
        if self.last_epoch != self.total_iters:
            return self.lr
        return self.lr * (1.0 / self.factor)


class LinearLR(_Simulation):
    def get_lr(self) -> float:
        if self.last_epoch == 0:
            return self.lr * self.start_factor
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.lr
        return self.lr * (
            1.0
            + (self.end_factor - self.start_factor)
            / (
                self.total_iters * self.start_factor
                + (self.last_epoch - 1) * (self.end_factor - self.start_factor)
            )
        )


class ExponentialLR(_Simulation):
    def get_lr(self) -> float:
        if self.is_initial:
            return self.lr
        return self.lr * self.gamma


class PolynomialLR(_Simulation):
    def get_lr(self) -> float:
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.lr
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return self.lr * decay_factor


class CosineAnnealingLR(_Simulation):
    def get_lr(self) -> float:
        if self.is_initial:
            return self.lr
        if self.step_count == 1 and self.last_epoch > 0:  # torch's resume branch
            return (
                self.eta_min
                + (self.base_lr - self.eta_min)
                * (1 + math.cos((self.last_epoch) * math.pi / self.T_max))
                / 2
            )
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return (
                self.lr + (self.base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
            )
        return (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / (
            1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max)
        ) * (self.lr - self.eta_min) + self.eta_min


class CosineAnnealingWarmRestarts(_Simulation):
    def __init__(self, base_lr: float, **kwargs: Any) -> None:
        super().__init__(base_lr, **kwargs)
        self.T_i = self.T_0
        self.T_cur = self.last_epoch

    def step(self) -> None:  # torch's own step(epoch=None)
        self.step_count += 1
        if self.last_epoch < 0:
            epoch = 0
            self.T_i = self.T_0
            self.T_cur = epoch
        else:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.last_epoch = math.floor(epoch)
        self.lr = self.get_lr()

    def get_lr(self) -> float:
        return (
            self.eta_min
            + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        )


def _p(name, kind, default=REQUIRED, low=None, high=None, description=""):
    return SchedulerParam(name, kind, default, low, high, description)


_STEPS = 1e6  # our bound on any count of steps (the engine's runs are shorter)


@dataclass(frozen=True)
class SchedulerSpec:
    name: str
    simulation: type[_Simulation]
    params: tuple[SchedulerParam, ...]
    description: str = ""
    checks: tuple = field(default=())  # (predicate(kwargs), torch's message)


SCHEDULERS: dict[str, SchedulerSpec] = {
    spec.name: spec
    for spec in (
        SchedulerSpec("StepLR", StepLR, (
            _p("step_size", "int", REQUIRED, 1, _STEPS, "multiply by γ every step_size steps"),
            _p("gamma", "float", 0.1, 0.0, 10.0, "factor γ"),
        ), "γ every step_size steps"),
        SchedulerSpec("MultiStepLR", MultiStepLR, (
            _p("milestones", "int_list", REQUIRED, 0, _STEPS, "steps at which lr is multiplied"),
            _p("gamma", "float", 0.1, 0.0, 10.0, "factor γ"),
        ), "γ at each milestone"),
        SchedulerSpec("ConstantLR", ConstantLR, (
            _p("factor", "float", 1.0 / 3, None, None, "factor until total_iters"),
            _p("total_iters", "int", 5, 0, _STEPS, "steps at the reduced lr"),
        ), "a constant factor for the first total_iters steps",
            ((lambda kw: kw["factor"] > 1.0 or kw["factor"] < 0,
              "Constant multiplicative factor expected to be between 0 and 1."),
             # torch accepts it, then raises ZeroDivisionError at step total_iters (1 / factor)
             (lambda kw: kw["factor"] == 0 and kw["total_iters"] >= 1,
              "factor 0 with total_iters >= 1: torch divides by the factor at step total_iters "
              "(ZeroDivisionError)"))),
        SchedulerSpec("LinearLR", LinearLR, (
            _p("start_factor", "float", 1.0 / 3, None, None, "factor at the first step"),
            _p("end_factor", "float", 1.0, None, None, "factor after total_iters steps"),
            _p("total_iters", "int", 5, 0, _STEPS, "steps of the linear ramp"),
        ), "a linear ramp of the factor",
            ((lambda kw: kw["start_factor"] > 1.0 or kw["start_factor"] <= 0,
              "Starting multiplicative factor expected to be greater than 0 and less or equal "
              "to 1."),
             (lambda kw: kw["end_factor"] > 1.0 or kw["end_factor"] < 0,
              "Ending multiplicative factor expected to be between 0 and 1."))),
        SchedulerSpec("ExponentialLR", ExponentialLR, (
            _p("gamma", "float", REQUIRED, 0.0, 10.0, "factor γ every step"),
        ), "γ every step"),
        SchedulerSpec("PolynomialLR", PolynomialLR, (
            _p("total_iters", "int", 5, 0, _STEPS, "steps until lr reaches 0"),
            _p("power", "float", 1.0, 0.0, 100.0, "power of the decay"),
        ), "(1 − t/T)^power"),
        SchedulerSpec("CosineAnnealingLR", CosineAnnealingLR, (
            _p("T_max", "int", REQUIRED, 1, _STEPS, "half period, in steps"),
            _p("eta_min", "float", 0.0, 0.0, 1000.0, "smallest lr"),
        ), "half a cosine from lr to eta_min over T_max steps"),
        SchedulerSpec("CosineAnnealingWarmRestarts", CosineAnnealingWarmRestarts, (
            _p("T_0", "int", REQUIRED, None, _STEPS, "steps until the first restart"),
            _p("T_mult", "int", 1, None, 100, "period growth factor after a restart"),
            _p("eta_min", "float", 0.0, 0.0, 1000.0, "smallest lr"),
        ), "cosine annealing restarted every T_i steps",
            ((lambda kw: kw["T_0"] <= 0, "Expected positive integer T_0, but got {T_0}"),
             (lambda kw: kw["T_mult"] < 1, "Expected integer T_mult >= 1, but got {T_mult}"))),
    )
}  # fmt: skip


def get_scheduler_spec(name: str) -> SchedulerSpec:
    try:
        return SCHEDULERS[name]
    except KeyError:
        valid = ", ".join(SCHEDULERS)
        raise UnknownSchedulerError(f"unknown scheduler '{name}'; valid: {valid}") from None


def _check(p: SchedulerParam, value: Any) -> Any:
    if p.kind == "int_list":
        if not isinstance(value, list | tuple) or not value:
            raise ValueError(f"{p.name} must be a non-empty list of integers, got {value!r}")
        return [_check(SchedulerParam(p.name, "int", 0, p.low, p.high), v) for v in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{p.name} must be a number, got {value!r}")
    if p.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{p.name} must be an integer, got {value!r}")
        value = int(value)
    elif not math.isfinite(value):
        raise ValueError(f"{p.name} must be finite, got {value}")
    else:
        value = float(value)
    if p.low is not None and value < p.low:
        raise ValueError(f"{p.name} must be at least {p.low:g}, got {value:g}")
    if p.high is not None and value > p.high:
        raise ValueError(f"{p.name} must be at most {p.high:g}, got {value:g}")
    return value


@dataclass(frozen=True)
class Schedule:
    """A validated scheduler: its torch class name and kwargs (defaults filled in)."""

    name: str
    kwargs: tuple[tuple[str, Any], ...]

    @property
    def spec(self) -> SchedulerSpec:
        return SCHEDULERS[self.name]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{k: v for k, v in self.kwargs}}

    def lrs(self, base_lr: float, steps: int) -> np.ndarray:
        """The learning rate of updates 1..steps, as torch's scheduler sets them."""
        simulation = self.spec.simulation(base_lr, **dict(self.kwargs))
        simulation.initial_step()
        out = np.empty(steps)
        for k in range(steps):
            out[k] = simulation.lr
            simulation.step()
        return out


def make_schedule(spec: dict[str, Any]) -> Schedule:
    """``{"name": "<torch class>", **kwargs}`` validated as torch does; ValueError/KeyError."""
    spec = dict(spec)
    name = spec.pop("name", None)
    scheduler = get_scheduler_spec(name)
    known = [p.name for p in scheduler.params]
    unknown = sorted(set(spec) - set(known))
    if unknown:
        raise ValueError(
            f"{name} got unexpected parameter(s) {', '.join(unknown)}; valid: {', '.join(known)}"
        )
    resolved = {}
    for p in scheduler.params:
        if p.name not in spec and p.default is REQUIRED:
            raise ValueError(f"{name} requires {p.name}")
        resolved[p.name] = _check(p, spec.get(p.name, p.default))
    for invalid, message in scheduler.checks:
        if invalid(resolved):
            raise ValueError(message.format(**resolved))
    return Schedule(name, tuple((k, tuple(v) if isinstance(v, list) else v)
                                for k, v in resolved.items()))  # fmt: skip


def lr_table(schedule: Schedule | None, base_lrs: np.ndarray, steps: int) -> np.ndarray:
    """(len(base_lrs), steps) learning rates: each row's schedule, or its constant lr."""
    if schedule is None:
        return np.repeat(np.asarray(base_lrs, dtype=np.float64)[:, None], steps, axis=1)
    return np.array([schedule.lrs(float(lr), steps) for lr in base_lrs]).reshape(-1, steps)
