"""torch 2.13's ``CyclicLR`` and ``OneCycleLR`` (which also cycle momentum or β1) and
``SequentialLR``, simulated on one param group as ``schedule_sims.py`` simulates the others.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from app.engine.optim.schedule_sims import NO_MOMENTUM, Simulation


def _start_momentum(sim: Simulation) -> None:
    """CyclicLR's and OneCycleLR's constructors: momentum (β1) starts at max_momentum."""
    sim.cycling = sim.cycle_momentum
    if sim.cycling:
        if sim.group.get("momentum") is None:
            raise ValueError(NO_MOMENTUM)
        sim.group["momentum"] = sim.max_momentum
        sim.group["max_momentum"] = sim.max_momentum
        sim.group["base_momentum"] = sim.base_momentum


class CyclicLR(Simulation):
    def setup(self) -> None:
        self.cyclic_base_lr = self.__dict__.pop("base_lr")
        self.group["lr"] = self.cyclic_base_lr
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"
        _start_momentum(self)

    def after_base(self) -> None:
        # torch sets base_lrs = [base_lr] after LRScheduler.__init__; its first step reads the
        # group's initial_lr, which differs only if another scheduler set it first.
        self.first_base = self.base_lr

    def scale_fn(self, x: float) -> float:
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> float:
        base_lr = self.cyclic_base_lr if getattr(self, "built", False) else self.first_base
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        base_height = (self.max_lr - base_lr) * scale_factor
        lr = base_lr + base_height * self.scale_fn(at)
        if self.cycling:
            height = (self.max_momentum - self.base_momentum) * scale_factor
            self.group["momentum"] = self.max_momentum - height * self.scale_fn(at)
        return lr


class OneCycleLR(Simulation):
    def setup(self) -> None:
        if self.total_steps is None:
            self.total_steps = self.epochs * self.steps_per_epoch
        pct, total = self.pct_start, self.total_steps
        if self.three_phase:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct * total) - 2, "max_lr", "initial_lr", "base_momentum",
                 "max_momentum"),
                (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]  # fmt: skip
        else:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        self.group["initial_lr"] = self.max_lr / self.div_factor
        self.group["max_lr"] = self.max_lr
        self.group["min_lr"] = self.group["initial_lr"] / self.final_div_factor
        _start_momentum(self)

    def anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start

    def get_lr(self) -> float:
        step_num = self.last_epoch
        if step_num > self.total_steps:  # torch raises; the run never uses this lr (see tables)
            return self.lr
        group, start_step = self.group, 0.0
        for i, (end_step, lr0, lr1, m0, m1) in enumerate(self.phases):
            if step_num <= end_step or i == len(self.phases) - 1:
                pct = (step_num - start_step) / (end_step - start_step)
                lr = self.anneal(group[lr0], group[lr1], pct)
                if self.cycling:
                    group["momentum"] = self.anneal(group[m0], group[m1], pct)
                return lr
            start_step = end_step
        raise AssertionError("unreachable: the last phase always matches")


class SequentialLR:
    """torch's ``SequentialLR``: its children are built first (each stepping once), then the
    lr is reset, their steps undone, and the first child started again."""

    def __init__(self, group: dict, schedulers: tuple, milestones: tuple, build) -> None:
        self.group = group
        self.children = [build(child, group) for child in schedulers]
        self.milestones = list(milestones)
        self.last_epoch = 0
        group["lr"] = group["initial_lr"]
        for child in self.children:
            child.last_epoch -= 1
        self.children[bisect_right(self.milestones, 0)].initial_step()

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self.milestones, self.last_epoch)
        child = self.children[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            child.update_lr(0)
        else:
            child.step()
