"""Every limit and setting in one place. Each can be overridden by an environment variable
named ``DESCENT_<NAME>`` (e.g. ``DESCENT_MAX_STEPS=20000``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    max_steps: int = 100_000  # steps of one trajectory
    max_coordinate: float = 1e6  # |start| and surface windows
    max_resolution: int = 1000  # surface points per axis
    default_resolution: int = 200
    max_gradient_noise: float = 1e3
    max_tol: float = 1e6
    templates_dir: str = str(ROOT / "templates")
    static_dir: str = str(ROOT / "static")


def _from_env() -> Settings:
    values = {}
    for field in fields(Settings):
        raw = os.environ.get(f"DESCENT_{field.name.upper()}")
        if raw is not None:
            values[field.name] = type(field.default)(raw)
    return Settings(**values)


settings = _from_env()
