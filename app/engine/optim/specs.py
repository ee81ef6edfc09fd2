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
    kind: Literal["float", "bool", "pair"]
    low: float | None = None
    high: float | None = None
    high_exclusive: bool = False
    log_scale: bool = False
    description: str = ""
    torch_message: str = ""  # torch's ValueError text for a value below `low`


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    title: str
    torch_class: str
    params: tuple[ParamSpec, ...]
    description: str = ""

    def param(self, name: str) -> ParamSpec:
        return next(p for p in self.params if p.name == name)


def _lr(default: float) -> ParamSpec:
    return ParamSpec(
        "lr",
        default,
        "float",
        0.0,
        1000.0,
        log_scale=True,
        description="learning rate γ",
        torch_message="Invalid learning rate: {}",
    )


def _weight_decay(default: float = 0.0) -> ParamSpec:
    return ParamSpec(
        "weight_decay",
        default,
        "float",
        0.0,
        100.0,
        description="weight decay λ",
        torch_message="Invalid weight_decay value: {}",
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
            ),
            "Gradient descent; with momentum, a heavy ball.",
        ),
        OptimizerSpec(
            "adam", "Adam", "torch.optim.Adam",
            (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(), _AMSGRAD),
            "Adaptive moments with bias correction.",
        ),
        OptimizerSpec(
            "adamw", "AdamW", "torch.optim.AdamW",
            (_lr(1e-3), _BETAS, _eps(1e-8), _weight_decay(1e-2), _AMSGRAD),
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
            ),
            "Divides by the root of the sum of all past squared gradients.",
        ),
    )
}  # fmt: skip


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
    if spec.low is not None and value < spec.low:
        message = spec.torch_message or f"Invalid {spec.name} value: {{}}"
        raise ValueError(message.format(value, index=index))
    too_high = value >= spec.high if spec.high_exclusive else value > spec.high
    if spec.high is not None and too_high:
        message = spec.torch_message if spec.high_exclusive else ""
        if message:
            raise ValueError(message.format(value, index=index))
        raise ValueError(f"{label} must be at most {spec.high:g}, got {value:g}")
    return value


def resolve(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Torch's defaults filled in and every value validated; raises ValueError/KeyError."""
    spec = get_spec(name)
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
        elif p.kind == "pair":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValueError(f"{p.name} must be a pair of numbers, got {value!r}")
            value = tuple(_check_number(p, v, i) for i, v in enumerate(value))
        else:
            value = _check_number(p, value)
        resolved[p.name] = value
    if (
        name == "sgd"
        and resolved["nesterov"]
        and (resolved["momentum"] <= 0 or resolved["dampening"] != 0)
    ):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    return resolved
