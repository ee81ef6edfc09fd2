"""Every limit and setting in one place. Each can be overridden by an environment variable
named ``DESCENT_<NAME>`` (e.g. ``DESCENT_MAX_STEPS=20000``); README lists them all."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    # One trajectory
    max_steps: int = 100_000
    max_coordinate: float = 1e6  # |start| and surface windows
    max_gradient_noise: float = 1e3
    max_tol: float = 1e6
    # Surfaces
    max_resolution: int = 1000  # points per axis
    default_resolution: int = 200
    max_surface_work: int = 400_000_000  # grid points × evaluation cost (data size)
    max_run_work: int = 500_000_000  # steps × evaluation cost of one trajectory
    max_response_values: int = 5_000_000  # numbers in one trajectory or batch response
    # Many runs at once
    max_batch_runs: int = 64  # runs in one /trajectories/batch request
    max_batch_work: int = 2_000_000  # sum of steps over a batch request
    max_basin_resolution: int = 400  # starts per axis
    max_basin_work: int = 40_000_000  # starts × steps of one basins request
    max_sweep_settings: int = 2_500  # learning rates × second-parameter values
    max_sweep_work: int = 5_000_000  # settings × steps of one sweep request
    # Serving
    max_body_bytes: int = 1_000_000  # larger request bodies get 413
    # Heavy requests computed at once (more get 503): one per core, since each keeps a core
    # busy and more would only slow them all and the event loop (/healthz) with them.
    max_heavy_requests: int = max(1, os.cpu_count() or 1)
    heavy_work_threshold: int = 50_000  # runs × steps (or grid points) above which it is heavy
    retry_after_seconds: int = 1
    frame_ancestors: str = "'self'"  # CSP frame-ancestors: who may embed the page
    cors_origins: str = ""  # comma-separated origins allowed to call the API; empty: none
    templates_dir: str = str(ROOT / "templates")
    static_dir: str = str(ROOT / "static")
    # Serving (issue 7): logs and HTTP caching
    log_level: str = "info"  # of the descent.* loggers; "warning" silences the access log
    cache_max_age: int = 600  # seconds browsers may reuse catalog and surface GETs


def _from_env() -> Settings:
    values = {}
    for field in fields(Settings):
        raw = os.environ.get(f"DESCENT_{field.name.upper()}")
        if raw is not None:
            kind = type(field.default)
            values[field.name] = kind(float(raw)) if kind is int else kind(raw)
    return Settings(**values)


settings = _from_env()
