"""torch 2.13's ``lr_scheduler`` classes, simulated in Python floats on one param group.

Each class is torch's ``get_lr`` (chainable: each lr from the previous one, as
``scheduler.step()`` computes it) and, where torch has one, ``_get_closed_form_lr`` (used
when ``SequentialLR`` restarts a scheduler at a milestone). Schedulers share a ``group``
dict as torch's share ``optimizer.param_groups[0]``: ``lr``, ``initial_lr`` and, for an
optimizer with momentum or betas, ``momentum`` (``momentum`` or ``betas[0]``, which
``CyclicLR`` and ``OneCycleLR`` cycle). Constructors have torch's side effects on the group
in torch's order, so a ``SequentialLR`` of them is torch's too.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any

NO_MOMENTUM = "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"


class Simulation:
    """``LRScheduler``'s bookkeeping: ``last_epoch``, ``_step_count``, ``_is_initial``."""

    def __init__(self, group: dict, **kwargs: Any) -> None:
        self.group = group
        self.__dict__.update(kwargs)
        self.setup()
        group.setdefault("initial_lr", group["lr"])
        self.base_lr = group["initial_lr"]
        self.last_epoch = -1
        self.is_initial = False
        self.after_base()
        self.initial_step()
        self.built = True

    def setup(self) -> None:
        """What torch's constructor does before ``LRScheduler.__init__``."""

    def after_base(self) -> None:
        """What it does after ``LRScheduler.__init__`` sets ``base_lrs`` (before the first
        step in this simulation; the same numbers, since the first step reads only these)."""

    @property
    def lr(self) -> float:
        return self.group["lr"]

    def initial_step(self) -> None:
        self.step_count = 0
        self.is_initial = True
        self.step()
        self.is_initial = False

    def step(self) -> None:
        self.step_count += 1
        self.update_lr(None)

    def update_lr(self, epoch: int | None) -> None:
        if epoch is None:
            self.last_epoch += 1
            self.group["lr"] = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "closed_form", None)
            self.group["lr"] = closed() if closed else self.get_lr()

    def get_lr(self) -> float:
        raise NotImplementedError


class StepLR(Simulation):
    def get_lr(self) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.lr
        return self.lr * self.gamma

    def closed_form(self) -> float:
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class MultiStepLR(Simulation):
    def setup(self) -> None:
        self.counts = Counter(self.milestones)

    def get_lr(self) -> float:
        if self.last_epoch not in self.counts:
            return self.lr
        return self.lr * self.gamma ** self.counts[self.last_epoch]

    def closed_form(self) -> float:
        milestones = sorted(self.counts.elements())
        return self.base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)


class ConstantLR(Simulation):
    def get_lr(self) -> float:
        if self.last_epoch == 0:
            return self.lr * self.factor
        if self.last_epoch != self.total_iters:
            return self.lr
        return self.lr * (1.0 / self.factor)

    def closed_form(self) -> float:
        return self.base_lr * (
            self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        )


class LinearLR(Simulation):
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

    def closed_form(self) -> float:
        return self.base_lr * (
            self.start_factor
            + (self.end_factor - self.start_factor)
            * min(self.total_iters, self.last_epoch)
            / self.total_iters
        )


class ExponentialLR(Simulation):
    def get_lr(self) -> float:
        if self.is_initial:
            return self.lr
        return self.lr * self.gamma

    def closed_form(self) -> float:
        return self.base_lr * self.gamma**self.last_epoch


class PolynomialLR(Simulation):
    def get_lr(self) -> float:
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.lr
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return self.lr * decay_factor

    def closed_form(self) -> float:
        return (
            self.base_lr
            * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        )


class CosineAnnealingLR(Simulation):
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

    def closed_form(self) -> float:
        return (
            self.eta_min
            + (self.base_lr - self.eta_min)
            * (1 + math.cos(math.pi * self.last_epoch / self.T_max))
            / 2
        )


class CosineAnnealingWarmRestarts(Simulation):
    def setup(self) -> None:
        self.T_i = self.T_0
        self.T_cur = -1

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
        self.group["lr"] = self.get_lr()

    def get_lr(self) -> float:
        return (
            self.eta_min
            + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        )


CLASSES = {
    cls.__name__: cls
    for cls in (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
                CosineAnnealingLR, CosineAnnealingWarmRestarts)
}  # fmt: skip  (CyclicLR, OneCycleLR and SequentialLR: schedule_cycles.py)
