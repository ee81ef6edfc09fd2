"""What each ``torch.optim.lr_scheduler`` class accepts: torch's defaults, our bounds, torch's
messages. The API's scheduler models, the README table and validation all read these.

``LambdaLR`` and ``MultiplicativeLR`` take Python callables and cannot come over an API;
``ChainedScheduler`` is not offered (``SequentialLR`` covers sequences).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

REQUIRED = object()
_STEPS = 1e6  # our bound on any count of steps (the engine's runs are shorter)


class UnknownSchedulerError(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class SchedulerParam:
    name: str
    kind: Literal["int", "float", "int_list", "bool", "choice", "opt_int", "schedulers"]
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    description: str = ""
    choices: tuple[str, ...] = ()


def _p(name, kind, default=REQUIRED, low=None, high=None, description="", choices=()):
    return SchedulerParam(name, kind, default, low, high, description, choices)


@dataclass(frozen=True)
class SchedulerSpec:
    name: str
    params: tuple[SchedulerParam, ...]
    description: str = ""
    checks: tuple = field(default=())  # (predicate(kwargs), field, torch's message)


_MOMENTUM = (
    _p("cycle_momentum", "bool", True, description="cycle momentum (β1) inversely to lr"),
)


def _momenta(base: float, high: float) -> tuple[SchedulerParam, ...]:
    return (*_MOMENTUM,
            _p("base_momentum", "float", base, 0.0, 1.0, "momentum (β1) at the lr's peak"),
            _p("max_momentum", "float", high, 0.0, 1.0,
               "momentum (β1) at the lr's low"))  # fmt: skip


def _positive(name: str) -> tuple:
    return (lambda kw: kw[name] is not None and kw[name] <= 0, name,
            f"Expected positive integer {name}, but got {{{name}}}")  # fmt: skip


SCHEDULERS: dict[str, SchedulerSpec] = {
    spec.name: spec
    for spec in (
        SchedulerSpec("StepLR", (
            _p("step_size", "int", REQUIRED, 1, _STEPS, "multiply by γ every step_size steps"),
            _p("gamma", "float", 0.1, 0.0, 10.0, "factor γ"),
        ), "γ every step_size steps"),
        SchedulerSpec("MultiStepLR", (
            _p("milestones", "int_list", REQUIRED, 0, _STEPS, "steps at which lr is multiplied"),
            _p("gamma", "float", 0.1, 0.0, 10.0, "factor γ"),
        ), "γ at each milestone"),
        SchedulerSpec("ConstantLR", (
            _p("factor", "float", 1.0 / 3, None, None, "factor until total_iters"),
            _p("total_iters", "int", 5, 0, _STEPS, "steps at the reduced lr"),
        ), "a constant factor for the first total_iters steps",
            ((lambda kw: kw["factor"] > 1.0 or kw["factor"] < 0, "factor",
              "Constant multiplicative factor expected to be between 0 and 1."),
             # torch accepts it, then raises ZeroDivisionError at step total_iters (1 / factor)
             (lambda kw: kw["factor"] == 0 and kw["total_iters"] >= 1, "factor",
              "factor 0 with total_iters >= 1: torch divides by the factor at step total_iters "
              "(ZeroDivisionError)"))),
        SchedulerSpec("LinearLR", (
            _p("start_factor", "float", 1.0 / 3, None, None, "factor at the first step"),
            _p("end_factor", "float", 1.0, None, None, "factor after total_iters steps"),
            _p("total_iters", "int", 5, 0, _STEPS, "steps of the linear ramp"),
        ), "a linear ramp of the factor",
            ((lambda kw: kw["start_factor"] > 1.0 or kw["start_factor"] <= 0, "start_factor",
              "Starting multiplicative factor expected to be greater than 0 and less or equal "
              "to 1."),
             (lambda kw: kw["end_factor"] > 1.0 or kw["end_factor"] < 0, "end_factor",
              "Ending multiplicative factor expected to be between 0 and 1."))),
        SchedulerSpec("ExponentialLR", (
            _p("gamma", "float", REQUIRED, 0.0, 10.0, "factor γ every step"),
        ), "γ every step"),
        SchedulerSpec("PolynomialLR", (
            _p("total_iters", "int", 5, 0, _STEPS, "steps until lr reaches 0"),
            _p("power", "float", 1.0, 0.0, 100.0, "power of the decay"),
        ), "(1 − t/T)^power"),
        SchedulerSpec("CosineAnnealingLR", (
            _p("T_max", "int", REQUIRED, 1, _STEPS, "half period, in steps"),
            _p("eta_min", "float", 0.0, 0.0, 1000.0, "smallest lr"),
        ), "half a cosine from lr to eta_min over T_max steps"),
        SchedulerSpec("CosineAnnealingWarmRestarts", (
            _p("T_0", "int", REQUIRED, None, _STEPS, "steps until the first restart"),
            _p("T_mult", "int", 1, None, 100, "period growth factor after a restart"),
            _p("eta_min", "float", 0.0, 0.0, 1000.0, "smallest lr"),
        ), "cosine annealing restarted every T_i steps",
            ((lambda kw: kw["T_0"] <= 0, "T_0", "Expected positive integer T_0, but got {T_0}"),
             (lambda kw: kw["T_mult"] < 1, "T_mult",
              "Expected integer T_mult >= 1, but got {T_mult}"))),
        SchedulerSpec("CyclicLR", (
            _p("base_lr", "float", REQUIRED, 0.0, 1000.0, "lowest lr (replaces the optimizer's)"),
            _p("max_lr", "float", REQUIRED, 0.0, 1000.0, "highest lr of the first cycle"),
            _p("step_size_up", "int", 2000, 1, _STEPS, "steps of the rising half cycle"),
            _p("step_size_down", "opt_int", None, 1, _STEPS,
               "steps of the falling half (None: step_size_up)"),
            _p("mode", "choice", "triangular", description="amplitude policy",
               choices=("triangular", "triangular2", "exp_range")),
            _p("gamma", "float", 1.0, 0.0, 10.0, "exp_range's factor γ per step"),
            *_momenta(0.8, 0.9),
        ), "lr cycles between base_lr and max_lr (momentum inversely)"),
        SchedulerSpec("OneCycleLR", (
            _p("max_lr", "float", REQUIRED, 0.0, 1000.0, "peak lr"),
            _p("total_steps", "opt_int", None, None, _STEPS,
               "steps of the cycle (None: epochs × steps_per_epoch, else the run's steps)"),
            _p("epochs", "opt_int", None, None, _STEPS, "epochs (with steps_per_epoch)"),
            _p("steps_per_epoch", "opt_int", None, None, _STEPS, "steps per epoch"),
            _p("pct_start", "float", 0.3, None, None, "fraction of the cycle spent rising"),
            _p("anneal_strategy", "choice", "cos", description="annealing shape",
               choices=("cos", "linear")),
            *_momenta(0.85, 0.95),
            _p("div_factor", "float", 25.0, 1e-6, 1e12, "initial lr = max_lr / div_factor"),
            _p("final_div_factor", "float", 1e4, 1e-6, 1e12,
               "final lr = initial lr / final_div_factor"),
            _p("three_phase", "bool", False, description="rise, fall back, then annihilate"),
        ), "one rise to max_lr and a long anneal (super-convergence)",
            (_positive("total_steps"), _positive("epochs"), _positive("steps_per_epoch"),
             (lambda kw: kw["pct_start"] < 0 or kw["pct_start"] > 1, "pct_start",
              "Expected float between 0 and 1 pct_start, but got {pct_start}"))),
        SchedulerSpec("ReduceLROnPlateau", (
            _p("mode", "choice", "min", description="the loss should fall (min) or rise (max)",
               choices=("min", "max")),
            _p("factor", "float", 0.1, 0.0, None, "lr ← lr · factor on a plateau"),
            _p("patience", "int", 10, 0, _STEPS, "steps without improvement tolerated"),
            _p("threshold", "float", 1e-4, 0.0, 1e6, "smallest improvement that counts"),
            _p("threshold_mode", "choice", "rel", description="threshold relative or absolute",
               choices=("rel", "abs")),
            _p("cooldown", "int", 0, 0, _STEPS, "steps to wait after a reduction"),
            _p("min_lr", "float", 0.0, 0.0, 1000.0, "lowest lr"),
            _p("eps", "float", 1e-8, 0.0, 1.0, "smaller reductions are ignored"),
        ), "lr · factor when the loss stops improving (the metric is the loss)",
            ((lambda kw: kw["factor"] >= 1.0, "factor", "Factor should be < 1.0."),)),
        SchedulerSpec("SequentialLR", (
            _p("schedulers", "schedulers", REQUIRED, description="the schedulers, in turn"),
            _p("milestones", "int_list", REQUIRED, 0, _STEPS,
               "steps at which the next scheduler takes over"),
        ), "one scheduler after another, switching at milestones",
            ((lambda kw: len(kw["milestones"]) != len(kw["schedulers"]) - 1, "milestones",
              "Sequential Schedulers expects number of schedulers provided to be one more than "
              "the number of milestone points, but got number of schedulers {n_schedulers} and "
              "the number of milestones to be equal to {n_milestones}"),)),
    )
}  # fmt: skip

# SequentialLR's children: torch refuses ReduceLROnPlateau (it needs a metric); a nested
# SequentialLR is not offered here.
CHILDREN = tuple(name for name in SCHEDULERS if name not in ("ReduceLROnPlateau",
                                                              "SequentialLR"))  # fmt: skip


def get_scheduler_spec(name: str) -> SchedulerSpec:
    try:
        return SCHEDULERS[name]
    except (KeyError, TypeError):
        valid = ", ".join(SCHEDULERS)
        raise UnknownSchedulerError(f"unknown scheduler '{name}'; valid: {valid}") from None
