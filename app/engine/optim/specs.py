"""What each optimizer accepts: names, torch's defaults, allowed ranges and validation.

The API's request models and the page's controls are both generated from these specs, so a
default or a bound is written once. Lower bounds and error messages are torch's; upper
bounds are ours (torch has none) and keep every run's cost and output finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


class UnknownOptimizerError(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: Any
    kind: Literal["float", "bool", "pair", "int", "choice"]
    low: float | None = None
    high: float | None = None
    high_exclusive: bool = False
    low_exclusive: bool = False  # torch checks `not low < value` (Lion's lr > 0)
    log_scale: bool = False
    description: str = ""
    torch_message: str = ""  # torch's ValueError text for a value below `low`
    high_message: str = ""  # torch's ValueError text for a value above `high`, if torch has one
    none_value: float | None = None  # a pair whose first value may be None (torch's default)
    choices: tuple = ()  # a "choice": the values torch accepts (None among them)

    def too_low(self, value: float) -> bool:
        return self.low is not None and (value <= self.low if self.low_exclusive
                                         else value < self.low)  # fmt: skip

    def too_high(self, value: float) -> bool:
        return self.high is not None and (value >= self.high if self.high_exclusive
                                          else value > self.high)  # fmt: skip


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    title: str
    torch_class: str
    params: tuple[ParamSpec, ...]
    description: str = ""

    def param(self, name: str) -> ParamSpec:
        return next(p for p in self.params if p.name == name)


def _lr(default: float, message: str = "Invalid learning rate: {}",
        positive: bool = False) -> ParamSpec:  # fmt: skip
    return ParamSpec(
        "lr",
        default,
        "float",
        0.0,
        1000.0,
        log_scale=True,
        low_exclusive=positive,
        description="learning rate γ",
        torch_message=message,
    )


def _weight_decay(default: float = 0.0, message: str = "Invalid weight_decay value: {}"):
    return ParamSpec(
        "weight_decay",
        default,
        "float",
        0.0,
        100.0,
        description="weight decay λ",
        torch_message=message,
    )


def _eps(default: float) -> ParamSpec:
    return ParamSpec(
        "eps",
        default,
        "float",
        0.0,
        1.0,
        log_scale=True,
        description="term added to the denominator",
        torch_message="Invalid epsilon value: {}",
    )


_BETAS = ParamSpec(
    "betas",
    (0.9, 0.999),
    "pair",
    0.0,
    1.0,
    high_exclusive=True,
    description="decay rates (β1, β2) of the running averages of g and g²",
    torch_message="Invalid beta parameter at index {index}: {}",
)
_AMSGRAD = ParamSpec("amsgrad", False, "bool", description="use the running maximum of v")
_MOMENTUM = ParamSpec(
    "momentum",
    0.0,
    "float",
    0.0,
    1.0,
    description="momentum factor μ",
    torch_message="Invalid momentum value: {}",
)

_MAXIMIZE = ParamSpec("maximize", False, "bool", description="climb: step along +∇f")
_DECOUPLED = ParamSpec("decoupled_weight_decay", False, "bool",
                       description="shrink θ by (1 − γλ) instead of adding λθ to g")  # fmt: skip

SPECS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec(
            "sgd", "SGD", "torch.optim.SGD",
            (
                _lr(1e-3),
                _MOMENTUM,
                ParamSpec("dampening", 0.0, "float", 0.0, 1.0,
                          description="dampening τ for momentum"),
                _weight_decay(),
                ParamSpec("nesterov", False, "bool", description="Nesterov momentum"),
                _MAXIMIZE,
            ),
            "Gradient descent; with momentum, a heavy ball.",
        ),
        OptimizerSpec(
            "adam", "Adam", "torch.optim.Adam",
            (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(), _AMSGRAD, _MAXIMIZE),
            "Adaptive moments with bias correction.",
        ),
        OptimizerSpec(
            "adamw", "AdamW", "torch.optim.AdamW",
            (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(1e-2), _AMSGRAD, _MAXIMIZE),
            "Adam with decoupled weight decay.",
        ),
        OptimizerSpec(
            "rmsprop", "RMSprop", "torch.optim.RMSprop",
            (
                _lr(1e-2),
                ParamSpec("alpha", 0.99, "float", 0.0, 1.0,
                          description="smoothing constant α",
                          torch_message="Invalid alpha value: {}"),
                _eps(1e-8),
                _weight_decay(),
                _MOMENTUM,
                ParamSpec("centered", False, "bool",
                          description="normalise by the estimated variance"),
                _MAXIMIZE,
            ),
            "Divides by a running RMS of the gradient.",
        ),
        OptimizerSpec(
            "adagrad", "Adagrad", "torch.optim.Adagrad",
            (
                _lr(1e-2),
                ParamSpec("lr_decay", 0.0, "float", 0.0, 1000.0,
                          description="learning-rate decay η",
                          torch_message="Invalid lr_decay value: {}"),
                _weight_decay(),
                ParamSpec("initial_accumulator_value", 0.0, "float", 0.0, 1e6,
                          description="starting value of the sum of squares",
                          torch_message="Invalid initial_accumulator_value value: {}"),
                _eps(1e-10),
                _MAXIMIZE,
            ),
            "Divides by the root of the sum of all past squared gradients.",
        ),
        OptimizerSpec(
            "adamax", "Adamax", "torch.optim.Adamax",
            (_lr(2e-3), _BETAS, _eps(1e-8), _weight_decay(), _MAXIMIZE),
            "Adam with the infinity norm: divides by a decaying maximum of |g|.",
        ),
        OptimizerSpec(
            "nadam", "NAdam", "torch.optim.NAdam",
            (
                _lr(2e-3), _BETAS, _eps(1e-8), _weight_decay(),
                ParamSpec("momentum_decay", 4e-3, "float", 0.0, 1.0,
                          description="momentum decay ψ of the schedule μ_t",
                          torch_message="Invalid momentum_decay value: {}"),
                _DECOUPLED, _MAXIMIZE,
            ),
            "Adam with Nesterov momentum (Dozat).",
        ),
        OptimizerSpec(
            "radam", "RAdam", "torch.optim.RAdam",
            (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(), _DECOUPLED, _MAXIMIZE),
            "Adam whose adaptive step is switched on once the variance of v is tractable.",
        ),
        OptimizerSpec(
            "adadelta", "Adadelta", "torch.optim.Adadelta",
            (
                _lr(1.0),
                ParamSpec("rho", 0.9, "float", 0.0, 1.0,
                          description="decay ρ of the running averages",
                          torch_message="Invalid rho value: {}",
                          high_message="Invalid rho value: {}"),
                _eps(1e-6), _weight_decay(), _MAXIMIZE,
            ),
            "Step sizes from the ratio of running RMS of updates and gradients.",
        ),
        OptimizerSpec(
            "asgd", "ASGD", "torch.optim.ASGD",
            (
                _lr(1e-2),
                ParamSpec("lambd", 1e-4, "float", 0.0, 1000.0, log_scale=True,
                          description="decay term λ"),
                ParamSpec("alpha", 0.75, "float", 0.0, 100.0,
                          description="power α of the step-size decay"),
                ParamSpec("t0", 1e6, "float", 0.0, 1e12,
                          description="step at which averaging starts"),
                _weight_decay(), _MAXIMIZE,
            ),
            "Averaged SGD: SGD with a decaying step and the running average ax of θ.",
        ),
        OptimizerSpec(
            "rprop", "Rprop", "torch.optim.Rprop",
            (
                _lr(1e-2),
                ParamSpec("etas", (0.5, 1.2), "pair", None, 1000.0,
                          description="(η−, η+): step-size factors when g changes sign or not"),
                ParamSpec("step_sizes", (1e-6, 50.0), "pair", 0.0, 1e6, log_scale=True,
                          description="(smallest, largest) step size"),
                _MAXIMIZE,
            ),
            "Resilient backprop: per-coordinate steps grow while the sign of g holds.",
        ),
        OptimizerSpec(
            "adafactor", "Adafactor", "torch.optim.Adafactor",
            (
                _lr(1e-2, "Learning rate should be >= 0 but is: {}"),
                ParamSpec("beta2_decay", -0.8, "float", -100.0, 0.0,
                          description="exponent of the decay 1 − β2,t = t^c",
                          high_message="beta2_decay should be <= 0 but is: {}"),
                ParamSpec("eps", (None, 1e-3), "pair", 0.0, 1.0, none_value=2.220446049250313e-16,
                          description="(ε1, ε2): floor of v (None: the dtype's eps) and of RMS(θ)",
                          torch_message="epsilon{number} should be >= 0 but is: {}"),
                ParamSpec("d", 1.0, "float", 1.0, 1000.0,
                          description="clipping threshold of RMS(update)",
                          torch_message="Clipping threshold d should be >= 1 but is: {}"),
                _weight_decay(0.0, "weight_decay should be >= 0 but is: {}"),
                _MAXIMIZE,
            ),
            "Relative step sizes and a second moment (factored for matrices; a vector here).",
        ),
        OptimizerSpec(
            "lbfgs", "L-BFGS", "torch.optim.LBFGS",
            (
                _lr(1.0),
                ParamSpec("max_iter", 20, "int", 1, 100,
                          description="iterations (and at most as many directions) per step"),
                ParamSpec("max_eval", None, "int", 1, 250,
                          description="function evaluations per step (None: max_iter·5/4)"),
                ParamSpec("tolerance_grad", 1e-7, "float", 0.0, 1e6, log_scale=True,
                          description="stop a step when max |g| is at most this"),
                ParamSpec("tolerance_change", 1e-9, "float", 0.0, 1e6, log_scale=True,
                          description="stop when a step or the loss changes less"),
                ParamSpec("history_size", 100, "int", 1, 1000,
                          description="(s, y) pairs kept for the inverse-Hessian estimate"),
                ParamSpec("line_search_fn", None, "choice", choices=(None, "strong_wolfe"),
                          description="None: fixed step lr; strong_wolfe: a line search"),
            ),
            "Quasi-Newton: a direction from the last history_size steps, several "
            "evaluations per step (the closure).",
        ),
        # Beyond torch.optim: the reference is the author's package (torch_class names it).
        OptimizerSpec(
            "lion", "Lion", "lion_pytorch.Lion",
            (
                _lr(1e-4, positive=True),  # the package asserts lr > 0.
                ParamSpec("betas", (0.9, 0.99), "pair", 0.0, 1.0,
                          description="(β1, β2): interpolation of the step's sign, decay of m"),
                _weight_decay(),
            ),
            "Sign of an interpolated momentum (Chen et al. 2023): every coordinate moves ±γ.",
        ),
        OptimizerSpec(
            "adamwschedulefree", "AdamW Schedule-Free", "schedulefree.AdamWScheduleFree",
            (
                _lr(2.5e-3),
                _BETAS,
                _eps(1e-8),
                _weight_decay(),
                ParamSpec("warmup_steps", 0, "int", 0, 100000,
                          description="steps of linear lr warm-up"),
                ParamSpec("r", 0.0, "float", 0.0, 100.0,
                          description="power r of the polynomial weighting t^r of the average"),
                ParamSpec("weight_lr_power", 2.0, "float", 0.0, 100.0,
                          description="the average's weights grow as max lr to this power"),
            ),
            "No schedule (Defazio et al. 2024): steps from y, between the average x and z.",
        ),
    )
}  # fmt: skip

CLOSURE = ("lbfgs",)  # optimizers whose step calls the closure (their own driver)
# SAM wraps any other optimizer (``sam.py``): its own kwargs, then its base's beside them
SPECS["sam"] = OptimizerSpec(
    "sam", "SAM", "sam.SAM",
    (
        ParamSpec("base", "sgd", "choice", choices=tuple(n for n in SPECS if n not in CLOSURE),
                  description="the optimizer that steps with the gradient at w + e"),
        ParamSpec("rho", 0.05, "float", 0.0, 10.0,
                  description="radius ρ of the ascent step e",
                  torch_message="Invalid rho, should be non-negative: {}"),
        ParamSpec("adaptive", False, "bool",
                  description="ASAM: scale e by |w| per coordinate (Kwon et al. 2021)"),
    ),
    "Sharpness-aware (Foret et al. 2021): the base steps with the gradient at the worst "
    "point within ρ.",
)  # fmt: skip
WRAPPERS = ("sam",)
# optimizers torch.optim has (golden fixtures from torch); the others name their package
TORCH_OPTIMIZERS = tuple(n for n, s in SPECS.items() if s.torch_class.startswith("torch.optim."))


def get_spec(name: str) -> OptimizerSpec:
    try:
        return SPECS[name]
    except KeyError:
        valid = ", ".join(SPECS)
        raise UnknownOptimizerError(f"unknown optimizer '{name}'; valid: {valid}") from None


def _check_number(spec: ParamSpec, value: Any, index: int | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{spec.name} must be a number, got {value!r}")
    value = float(value)
    label = spec.name if index is None else f"{spec.name}[{index}]"
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{label} must be finite, got {value}")
    if spec.too_low(value):
        message = spec.torch_message or f"Invalid {spec.name} value: {{}}"
        raise ValueError(message.format(value, index=index, number=(index or 0) + 1))
    if spec.too_high(value):
        message = spec.high_message or (spec.torch_message if spec.high_exclusive else "")
        if message:
            raise ValueError(message.format(value, index=index, number=(index or 0) + 1))
        raise ValueError(f"{label} must be at most {spec.high:g}, got {value:g}")
    return value


def resolve(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Torch's defaults filled in and every value validated; raises ValueError/KeyError."""
    spec = get_spec(name)
    if name in WRAPPERS:  # its own kwargs, then the base's (the reference's **kwargs)
        own = _resolve(spec, {k: v for k, v in kwargs.items() if k in ("base", "rho",
                                                                         "adaptive")})
        rest = {k: v for k, v in kwargs.items() if k not in own}
        if any(p.name == "rho" for p in get_spec(own["base"]).params):
            # the reference's param groups hold one "rho": Adadelta's is SAM's
            rest["rho"] = own["rho"]
        return own | resolve(own["base"], rest)
    return _resolve(spec, kwargs)


def _resolve(spec: OptimizerSpec, kwargs: dict[str, Any]) -> dict[str, Any]:
    name = spec.name
    known = {p.name for p in spec.params}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(
            f"{spec.torch_class} got unexpected parameter(s) {', '.join(unknown)}; "
            f"valid: {', '.join(p.name for p in spec.params)}"
        )
    resolved: dict[str, Any] = {}
    for p in spec.params:
        value = kwargs.get(p.name, p.default)
        if p.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{p.name} must be true or false, got {value!r}")
        elif p.kind == "choice":
            if value not in p.choices:
                valid = ", ".join("None" if c is None else repr(c) for c in p.choices)
                raise ValueError(f"{p.name} must be one of {valid}, got {value!r}")
        elif p.kind == "int":
            if value is not None or p.default is not None:
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{p.name} must be an integer, got {value!r}")
                value = int(_check_number(p, value))
        elif p.kind == "pair":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValueError(f"{p.name} must be a pair of numbers, got {value!r}")
            value = tuple(
                None if v is None and i == 0 and p.none_value is not None
                else _check_number(p, v, i)
                for i, v in enumerate(value)
            )  # fmt: skip
        else:
            value = _check_number(p, value)
        resolved[p.name] = value
    if (
        name == "sgd"
        and resolved["nesterov"]
        and (resolved["momentum"] <= 0 or resolved["dampening"] != 0)
    ):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    if name == "rprop" and not 0.0 < resolved["etas"][0] < 1.0 < resolved["etas"][1]:
        raise ValueError(f"Invalid eta values: {resolved['etas'][0]}, {resolved['etas'][1]}")
    return resolved
