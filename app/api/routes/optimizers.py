"""The optimizers and their parameters, for building controls."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.responses import StrictJSONResponse
from app.api.schemas import OptimizerList
from app.engine.optim import describe
from app.engine.optim.schedule_specs import REQUIRED, SCHEDULERS
from app.engine.optim.specs import SPECS, OptimizerSpec
from app.engine.optim.symbols import SYMBOLS

router = APIRouter(prefix="/api/v1/optimizers", tags=["optimizers"])


def optimizer_info(spec: OptimizerSpec) -> dict:
    return {
        "name": spec.name,
        "title": spec.title,
        "torch_class": spec.torch_class,
        "description": spec.description,
        "state": list(describe(spec.name)["state"]),
        "equations": list(describe(spec.name)["equations"]),
        "symbols": SYMBOLS.get(spec.name, {}),
        "params": [
            {
                "name": p.name,
                "default": list(p.default) if isinstance(p.default, tuple) else p.default,
                "kind": p.kind,
                "min": p.low,
                "max": p.high,
                "max_exclusive": p.high_exclusive,
                "min_exclusive": p.low_exclusive,
                "log_scale": p.log_scale,
                "description": p.description,
                **({"choices": list(p.choices)} if p.kind == "choice" else {}),
            }
            for p in spec.params
        ],
    }


@router.get("", response_model=OptimizerList)
def list_optimizers() -> StrictJSONResponse:
    """List every optimizer with each parameter's default, range and scale."""
    return StrictJSONResponse({"optimizers": [optimizer_info(s) for s in SPECS.values()]})


@router.get("/schedulers")
def list_schedulers() -> StrictJSONResponse:
    """Every ``torch.optim.lr_scheduler`` the API takes, with each kwarg's default (null and
    ``required`` when torch has none), bounds and choices: the page's schedule picker."""
    return StrictJSONResponse({"schedulers": [
        {"name": spec.name, "description": spec.description, "params": [
            {"name": p.name, "kind": p.kind, "required": p.default is REQUIRED,
             "default": None if p.default is REQUIRED else p.default, "min": p.low,
             "max": p.high, "choices": list(p.choices) or None, "description": p.description}
            for p in spec.params]}
        for spec in SCHEDULERS.values()]})  # fmt: skip
