"""The optimizer registry: each optimizer's spec (``specs.py``) joined to its rule (``rules.py``).

A rule's hyper-parameter columns are derived from its spec, in the spec's order (a pair such
as ``betas`` becomes two columns, ``beta1`` and ``beta2``; flags become 0.0/1.0), followed by
the rule's fixed ``constants`` (AdamW is Adam with ``decoupled`` = 1). The per-run
hyper-parameter table (``hyper_table``) is the one form every driver reads.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from app.engine.optim.specs import SPECS, OptimizerSpec, get_spec, resolve

PAIR_COLUMNS = {
    "betas": ("beta1", "beta2"),
    "etas": ("etaminus", "etaplus"),
    "step_sizes": ("step_size_min", "step_size_max"),
    "eps": ("eps1", "eps2"),  # Adafactor's (ε1, ε2); elsewhere eps is one number
}
LEADING = ("t", "param", "grad")  # every rule's first arguments


@dataclass(frozen=True)
class Rule:
    name: str
    update: Any  # numba dispatcher: update(t, param, grad, *slots, *per_step, *hyper)
    slots: tuple[str, ...]
    per_step: Any = None  # numba dispatcher: per_step(t, *hyper) -> tuple
    constants: dict[str, float] = field(default_factory=dict)
    # slot -> its start: a column, a value, or "param" (the starting point)
    initial: dict[str, str | float] = field(default_factory=dict)
    shown: Callable[[dict], tuple[str, ...]] = lambda hyper: ()  # slots the inspector shows
    derived: Callable | None = None  # (history, t, hyper) -> more named values to show
    vector: bool = False  # update takes the run's arrays (norms over coordinates), not numbers
    # per_step reads the lr of the previous update (ASGD's η_t was set by step t − 1)
    per_step_previous_lr: bool = False

    def initial_values(self, H: np.ndarray, P: np.ndarray) -> dict[int, np.ndarray]:
        """Each slot that does not start at 0: its index and start value per run and
        coordinate (H: the runs' hyper rows, P: their starting points)."""
        return {
            self.slots.index(slot): (
                P.copy() if start == "param"
                else H[:, self.columns.index(start), None] * np.ones_like(P)
                if isinstance(start, str) else np.full(P.shape, float(start))
            )
            for slot, start in self.initial.items()
        }  # fmt: skip

    @property
    def spec(self) -> OptimizerSpec:
        return SPECS[self.name]

    @cached_property
    def columns(self) -> tuple[str, ...]:
        names: list[str] = []
        for p in self.spec.params:
            names.extend(PAIR_COLUMNS.get(p.name, (p.name,)) if p.kind == "pair" else (p.name,))
        return (*names, *self.constants)

    @cached_property
    def momentum_column(self) -> str | None:
        """The column ``CyclicLR``/``OneCycleLR`` cycle: ``momentum``, or β1 of ``betas``
        (torch's ``"momentum" in defaults`` / ``"betas" in defaults``); None if neither."""
        names = [p.name for p in self.spec.params]
        if "momentum" in names:
            return "momentum"
        return "beta1" if "betas" in names else None

    @cached_property
    def scheduled(self) -> tuple[str, ...]:
        """Columns read per step from the schedule's tables, not from the hyper table."""
        return ("lr",) + ((self.momentum_column,) if self.momentum_column else ())

    @cached_property
    def per_step_names(self) -> tuple[str, ...]:
        """What ``per_step`` returns: the update's arguments between the slots and the hyper."""
        args = self.update_args
        return args[len(LEADING) + len(self.slots) : len(args) - len(self.columns)]

    @cached_property
    def update_args(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.update.py_func).parameters)

    @cached_property
    def equations(self) -> tuple[str, ...]:
        """The LaTeX lines of the rule's ``.. math::`` box (its docstring: one source)."""
        doc = inspect.getdoc(self.update.py_func) or ""
        block = doc.split(".. math::", 1)[1] if ".. math::" in doc else ""
        text = " ".join(line.strip() for line in block.strip().splitlines())
        return tuple(part.strip().replace("&", "") for part in re.split(r"\\\\", text) if part)

    def check(self) -> None:
        """The rule's signature matches its spec: a wrong name fails at import, not later."""
        args = self.update_args
        expected_tail = self.columns
        if (
            args[: len(LEADING)] != LEADING
            or args[len(args) - len(expected_tail) :] != expected_tail
        ):
            raise TypeError(f"rule {self.name}: arguments {args} do not end in {expected_tail}")
        if args[len(LEADING) : len(LEADING) + len(self.slots)] != self.slots:
            raise TypeError(f"rule {self.name}: state slots {self.slots} not in {args}")
        if self.per_step is not None:
            step_args = tuple(inspect.signature(self.per_step.py_func).parameters)
            if step_args != ("t", *self.columns):
                raise TypeError(f"rule {self.name}: per_step takes {step_args}")


RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    for rule in rules:
        rule.check()
        RULES[rule.name] = rule


def get_rule(name: str) -> Rule:
    get_spec(name)  # an unknown name gets the message that lists the valid ones
    return RULES[name]


def row(rule: Rule, resolved: dict[str, Any]) -> list[float]:
    """One run's hyper-parameter columns from its resolved torch kwargs."""
    values: list[float] = []
    for p in rule.spec.params:
        value = resolved[p.name]
        if p.kind == "pair":
            values.extend(p.none_value if v is None else float(v) for v in value)
        else:
            values.append(float(value))
    return [*values, *rule.constants.values()]


def hyper_table(rule: Rule, settings: list[dict[str, Any]]) -> np.ndarray:
    """(runs, columns) float64: one row per run's resolved settings (SAM's: its base's
    columns, then ``rho`` and ``adaptive``)."""
    table = np.array([row(rule, s) for s in settings], dtype=np.float64).reshape(
        len(settings), len(rule.columns)
    )
    if settings and "rho" in settings[0] and "base" in settings[0]:
        from app.engine.optim import sam

        table = np.concatenate([table, sam.columns(settings)], axis=1)
    return table


def resolve_all(name: str, settings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [resolve(name, s) for s in settings]
