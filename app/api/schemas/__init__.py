"""Pydantic models of API v1. Every number is bounded and finite; unknown fields are errors.

The optimizer option models are generated from ``app.engine.optim.specs`` so that the
defaults, bounds and OpenAPI text are written once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    create_model,
    model_validator,
)

from app.api.schemas.networks import InitStart, NetworkSpec
from app.config import settings
from app.engine.optim.schedule_specs import CHILDREN, REQUIRED, SCHEDULERS, SchedulerSpec
from app.engine.optim.schedules import Schedule, ScheduleError, make_schedule
from app.engine.optim.specs import SPECS, WRAPPERS, OptimizerSpec, ParamSpec, resolve

STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

Coordinate = Annotated[
    float, Field(ge=-settings.max_coordinate, le=settings.max_coordinate, allow_inf_nan=False)
]
FunctionId = Annotated[str, Field(min_length=1, max_length=64, examples=["rosenbrock"])]
Bounds = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class ExpressionSpec(BaseModel):
    """A typed formula in x (1-D) or x and y (2-D), parsed safely and differentiated exactly."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"expression": "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
                                         "domain": [[-5, 5], [-5, 5]]}]},
    )  # fmt: skip
    expression: str = Field(min_length=1, max_length=500)
    domain: list[Bounds] | None = Field(None, min_length=1, max_length=2)


class DataPoints(BaseModel):
    model_config = STRICT
    x: list[Coordinate] = Field(min_length=1, max_length=10_000)
    y: list[Coordinate] = Field(min_length=1, max_length=10_000)


class DataSpec(BaseModel):
    """A model fitted to data: the mean loss over the points, as torch.nn's losses compute it."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"model": "linear", "loss": "mse",
                                         "data": {"x": [1, 2, 3], "y": [2, 4, 6]}}]},
    )  # fmt: skip
    model: Literal["line-through-origin", "linear", "logistic"]
    loss: Literal["mse", "bce"] = "mse"
    data: DataPoints
    domain: list[Bounds] | None = Field(None, min_length=1, max_length=2)


def _spec_kind(value: Any) -> str | None:
    """Which kind of function spec a value is, so errors speak of that kind alone."""
    if isinstance(value, str):
        return "id"
    if isinstance(value, ExpressionSpec) or (isinstance(value, dict) and "expression" in value):
        return "expression"
    if isinstance(value, NetworkSpec) or (isinstance(value, dict) and "network" in value):
        return "network"
    if isinstance(value, DataSpec) or isinstance(value, dict):
        return "data"
    return None


FunctionSpec = Annotated[
    Annotated[FunctionId, Tag("id")]
    | Annotated[ExpressionSpec, Tag("expression")]
    | Annotated[DataSpec, Tag("data")]
    | Annotated[NetworkSpec, Tag("network")],
    Discriminator(
        _spec_kind,
        custom_error_type="function_spec",
        custom_error_message="function must be a catalog id, {expression, domain}, "
        "{model, loss, data, domain} or {network, data}",
    ),
    Field(
        description="a catalog id, {expression, domain}, {model, loss, data, domain} or "
        "{network, data}"
    ),
]


class Minimum(BaseModel):
    point: list[float]
    value: float
    global_: bool = Field(alias="global", serialization_alias="global")


class StoryRunInfo(BaseModel):
    optimizer: dict[str, Any] = Field(description="an optimizer object, as trajectories take")
    expect: list[str] = Field(description="what the run shows: minimum, stuck, slow, zigzag, …")


class StoryInfo(BaseModel):
    runs: list[StoryRunInfo] = Field(description="the race the page opens with, from `start`")
    prompt: str = Field(description='a one-line "Try this: …"')
    steps: int
    resolution: int = Field(description="the surface's default points per axis")
    levels: int = Field(description="equal colour bands from the lowest to the highest value")


class FunctionInfo(BaseModel):
    id: str
    title: str
    dims: int
    formula: str = Field(description="LaTeX")
    domain: list[list[float]]
    minima: list[Minimum]
    start: list[float]
    log_scale: bool
    description: str
    story: StoryInfo | None = Field(None, description="default race, map and prompt")
    data: dict[str, Any] | None = Field(None, description="model, loss and points of a data fit")


class FunctionList(BaseModel):
    functions: list[FunctionInfo]


class Surface(BaseModel):
    formula: str | None = None
    gradient_latex: list[str] | None = None
    domain: list[list[float]] | None = None
    x: list[float]
    y: list[float] | None = None
    z: Any = Field(description="nested lists (null where undefined) or a Plotly typed array")
    z_min: float | None
    z_max: float | None


def _number_field(p: ParamSpec) -> Any:
    bounds: dict[str, Any] = {"gt" if p.low_exclusive else "ge": p.low}
    bounds["lt" if p.high_exclusive else "le"] = p.high
    return Annotated[float, Field(allow_inf_nan=False, **bounds)]


class OptionsBase(BaseModel):
    """An optimizer's options, validated once (``resolve``: torch's rules) when parsed."""

    model_config = STRICT
    _resolved: dict[str, Any] = PrivateAttr(default_factory=dict)

    def resolved(self) -> dict[str, Any]:
        """The torch kwargs with defaults filled in, as the engine takes them."""
        return self._resolved


class WrapperOptionsBase(OptionsBase):
    """SAM's options: its own, and its base optimizer's kwargs beside them (the reference's
    ``**kwargs``), which ``resolve`` validates as the base's class does."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)


def _options_model(spec: OptimizerSpec) -> type[BaseModel]:
    fields: dict[str, Any] = {"name": (Literal[spec.name], ...)}
    for p in spec.params:
        if p.kind == "bool":
            fields[p.name] = (bool, Field(p.default, description=p.description))
        elif p.kind == "pair":
            number = _number_field(p)
            if p.none_value is not None:  # Adafactor's eps: (None, ε2), None for the dtype's eps
                number = number | None
            pair = Annotated[list[number], Field(min_length=2, max_length=2)]
            fields[p.name] = (pair, Field(list(p.default), description=p.description))
        elif p.kind == "choice":
            fields[p.name] = (Literal[p.choices], Field(p.default, description=p.description))
        elif p.kind == "int":
            whole = Annotated[int, Field(ge=p.low, le=p.high)]
            kind = whole | None if p.default is None else whole
            fields[p.name] = (kind, Field(p.default, description=p.description))
        else:
            fields[p.name] = (_number_field(p), Field(p.default, description=p.description))

    def torch_rules(model: OptionsBase) -> OptionsBase:
        # The invalid combinations torch itself rejects (e.g. nesterov without momentum).
        model._resolved = resolve(spec.name, model.model_dump(exclude={"name"}))
        return model

    return create_model(
        f"{spec.title.replace(' ', '')}Options",
        __base__=WrapperOptionsBase if spec.name in WRAPPERS else OptionsBase,
        __doc__=f"Keyword arguments of {spec.torch_class}; omitted ones take torch's defaults.",
        __validators__={"torch_rules": model_validator(mode="after")(torch_rules)},
        **fields,
    )


OPTION_MODELS = {name: _options_model(spec) for name, spec in SPECS.items()}


class SchedulerBase(BaseModel):
    """An lr scheduler's kwargs, validated once (``make_schedule``: torch's rules) when parsed."""

    model_config = STRICT
    _schedule: Any = PrivateAttr(default=None)

    def schedule(self) -> Schedule:
        return self._schedule


def _scheduler_model(spec: SchedulerSpec, children: Any = None) -> type[BaseModel]:
    fields: dict[str, Any] = {"name": (Literal[spec.name], ...)}
    for p in spec.params:
        bounds = {"ge": p.low, "le": p.high}
        if p.kind == "int_list":
            kind: Any = Annotated[list[Annotated[int, Field(**bounds)]],
                                  Field(max_length=100)]  # fmt: skip
        elif p.kind == "int":
            kind = Annotated[int, Field(**bounds)]
        elif p.kind == "opt_int":
            kind = Annotated[int, Field(**bounds)] | None
        elif p.kind == "bool":
            kind = bool
        elif p.kind == "choice":
            kind = Literal[p.choices]
        elif p.kind == "schedulers":  # SequentialLR's children (torch: at least one)
            kind = Annotated[list[children], Field(max_length=20)]
        else:
            kind = Annotated[float, Field(allow_inf_nan=False, **bounds)]
        required = p.default is REQUIRED
        fields[p.name] = (kind, Field(... if required else p.default, description=p.description))

    def torch_rules(model: SchedulerBase) -> SchedulerBase:
        try:
            model._schedule = make_schedule(model.model_dump())
        except ScheduleError as error:  # torch's message, prefixed by the field it is about
            raise ValueError(f"{error.field}: {error}" if error.field else str(error)) from None
        return model

    return create_model(
        f"{spec.name}Options",
        __base__=SchedulerBase,
        __doc__=f"Keyword arguments of torch.optim.lr_scheduler.{spec.name}: {spec.description}.",
        __validators__={"torch_rules": model_validator(mode="after")(torch_rules)},
        **fields,
    )


_CHILD_MODELS = {name: _scheduler_model(SCHEDULERS[name]) for name in CHILDREN}
ChildSchedulerOptions = Annotated[
    Union[tuple(_CHILD_MODELS.values())],  # noqa: UP007 (built at runtime from the specs)
    Field(discriminator="name"),
]
SCHEDULER_MODELS = {
    name: _CHILD_MODELS.get(name) or _scheduler_model(spec, ChildSchedulerOptions)
    for name, spec in SCHEDULERS.items()
}
SchedulerOptions = Annotated[
    Union[tuple(SCHEDULER_MODELS.values())],  # noqa: UP007 (built at runtime from the specs)
    Field(discriminator="name"),
]
# A tagged union: `name` picks the model, so errors name the right parameters.
OptimizerOptions = Annotated[
    Union[tuple(OPTION_MODELS.values())],  # noqa: UP007 (built at runtime from the specs)
    Field(discriminator="name"),
]


class TrajectoryRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {
                    "function": "rosenbrock",
                    "start": [-1.5, 2.0],
                    "optimizer": {"name": "adam", "lr": 0.05},
                    "steps": 500,
                    "tol": 1e-8,
                    "gradient_noise": 0,
                    "seed": 0,
                }
            ]
        },
    )

    function: FunctionSpec
    start: (
        Annotated[list[Coordinate], Field(min_length=1, max_length=settings.max_network_parameters)]
        | InitStart
    ) = Field(description="the parameters (one per dimension), or {init: torch, seed} (networks)")
    optimizer: OptimizerOptions
    scheduler: SchedulerOptions | None = Field(
        None, description="a torch.optim.lr_scheduler stepped after every update"
    )
    steps: int = Field(500, ge=1, le=settings.max_steps)
    tol: float = Field(
        1e-8,
        ge=0,
        le=settings.max_tol,
        allow_inf_nan=False,
        description="stop when the gradient norm is at most tol (0: never)",
    )
    gradient_noise: float = Field(
        0.0,
        ge=0,
        le=settings.max_gradient_noise,
        allow_inf_nan=False,
        description="σ of Gaussian noise added to every gradient",
    )
    seed: int = Field(0, ge=0, le=2**32 - 1)
    include_state: bool = Field(False, description="add per-step gradients and optimizer state")
    batch_size: int | None = Field(
        None, ge=1, le=10_000, description="mini-batch size for losses on data (default: all)"
    )
    shuffle: bool = Field(True, description="reshuffle the data each epoch (seeded by seed)")
    record_every: int = Field(
        1, ge=1, le=settings.max_steps,
        description="return the parameters every k steps (and the last); losses every step",
    )  # fmt: skip


class TrajectoryResponse(BaseModel):
    points: list[list[float]]
    losses: list[float]
    grad_norms: list[float]
    status: Literal["converged", "diverged", "max_steps"]
    steps_taken: int
    function: str
    optimizer: dict[str, Any]
    scheduler: dict[str, Any] | None = None
    lrs: list[float] | None = Field(None, description="the lr of each update (with a scheduler)")
    evaluations: list[int] | None = Field(
        None, description="L-BFGS: function evaluations of each step (the closure's calls)"
    )
    probes: list[list[list[float]]] | None = Field(
        None, description="L-BFGS: per step, the points (and losses) its line search evaluated"
    )
    gradients: list[list[float]] | None = None
    states: dict[str, list[list[float]]] | None = None
    epoch: list[int] | None = Field(None, description="full epochs done at each point (data)")
    formula: str | None = Field(None, description="LaTeX of a typed expression")
    gradient_latex: list[str] | None = None
    point_steps: list[int] | None = Field(None, description="the step of each point (record_every)")


class SurfaceRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False,
        json_schema_extra={"examples": [{"function": {"expression": "x^2 - y^2"},
                                         "resolution": 100, "encoding": "base64"}]},
    )  # fmt: skip
    function: FunctionSpec
    resolution: int = Field(settings.default_resolution, ge=2, le=settings.max_resolution)
    window: list[Bounds] | None = Field(
        None, min_length=1, max_length=2, description="default: the function's domain"
    )
    encoding: Literal["list", "base64"] = "list"


class ParamInfo(BaseModel):
    name: str
    default: Any
    kind: Literal["float", "bool", "pair", "int", "choice"]
    min: float | None
    max: float | None
    max_exclusive: bool
    min_exclusive: bool
    log_scale: bool
    description: str
    choices: list[str | None] | None = Field(None, description="a choice's values")


class OptimizerInfo(BaseModel):
    name: str
    title: str
    torch_class: str
    description: str
    state: list[str] = Field(description="the optimizer's named state, as torch names it")
    equations: list[str] = Field(description="LaTeX lines of the update rule (its docstring)")
    symbols: dict[str, str] = Field(
        {},
        description="symbol of the equations -> its source: a parameter (betas.0), "
        "state:<slot>, grad (g_t), point (θ_{t-1}) or t",
    )
    params: list[ParamInfo]


class OptimizerList(BaseModel):
    optimizers: list[OptimizerInfo]


class Health(BaseModel):
    status: Literal["ok"]
    workers: int = Field(
        description="worker processes ready for heavy requests (app/api/"
        "processes.py); 0 while they start, or when heavy requests are "
        "computed in the server's own threads (DESCENT_HEAVY_IN_PROCESSES=0)"
    )
