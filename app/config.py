"""Every limit and setting in one place. Each can be overridden by an environment variable
named ``DESCENT_<NAME>`` (e.g. ``DESCENT_MAX_STEPS=20000``); README lists them all."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may really use: its affinity mask, capped by a cgroup CPU quota
    (a container's ``--cpus``), which ``os.cpu_count()`` ignores."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    v1 = ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us")
    for quota_file, period_file in (("cpu.max", None), v1):
        try:
            parts = (cgroup / quota_file).read_text().split()
            quota = parts[0]
            period = parts[1] if period_file is None else (cgroup / period_file).read_text()
            if quota not in ("max", "-1"):
                count = min(count, math.ceil(int(quota) / int(period)))
                break
        except (OSError, ValueError, IndexError):
            continue
    return max(1, count)


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
    max_response_values: int = 5_000_000  # numbers in one trajectory or batch response
    # Many runs at once (sizes; their CPU is bounded by max_request_operations)
    max_batch_runs: int = 64  # runs in one /trajectories/batch request
    max_batch_work: int = 2_000_000  # sum of steps over a batch request
    max_basin_resolution: int = 400  # starts per axis
    max_basin_work: int = 40_000_000  # starts × steps of one basins request
    max_sweep_settings: int = 2_500  # learning rates × second-parameter values
    max_sweep_work: int = 5_000_000  # settings × steps of one sweep request
    # Neural networks (function specs with "network") and their slices
    max_network_layers: int = 8  # sizes in "layers", inputs and outputs included
    max_network_width: int = 256  # units of any layer
    max_network_parameters: int = 5_000
    max_network_samples: int = 2_000
    max_network_record_values: int = 10_000_000  # steps × parameters the engine records
    max_slice_resolution: int = 201  # slice points per axis
    # CPU of one request, estimated from the operations it performs (app/api/work.py):
    # 1e9 operations are about one CPU-second on the reference machine (bench/README.md).
    max_request_operations: int = 5_000_000_000
    # Measured: the thread computing a request stops after this much CPU (the estimates
    # assume ordinary inputs; app/api/admission.py, StopSignal).
    max_request_cpu_seconds: float = 8.0
    # Peak memory of one request, estimated from what it holds and returns (app/api/work.py);
    # the dearest request allowed stays under it (bench/README.md, "Limits").
    max_request_memory_mb: int = 450
    # Admission (app/api/admission.py): requests computed at once, per lane. Heavy ones
    # take one core each; light ones (under heavy_operations) have their own lane so that
    # a short run never waits behind long ones.
    max_heavy_requests: int = usable_cpus()
    max_light_requests: int = usable_cpus()
    # Heavy requests are computed in as many worker processes (app/api/processes.py), so
    # that /healthz and short runs never wait for a computation's hold on the GIL.
    heavy_in_processes: bool = True
    heavy_operations: int = 50_000_000  # about 50 ms of CPU
    max_queue_seconds: float = 5.0  # expected wait in a lane beyond which a request gets 503
    retry_after_seconds: int = 1  # the least Retry-After of a 503
    request_deadline_seconds: float = 30.0  # queueing + computing; then the work is stopped
    # Serving
    max_body_bytes: int = 1_000_000  # larger request bodies get 413
    header_timeout_seconds: float = 10.0  # to receive a request's head and body
    keep_alive_seconds: int = 5  # an idle keep-alive connection is closed after this
    frame_ancestors: str = "'self'"  # CSP frame-ancestors: who may embed the page
    cors_origins: str = ""  # comma-separated origins allowed to call the API; empty: none
    templates_dir: str = str(ROOT / "templates")
    static_dir: str = str(ROOT / "static")
    # Serving (issue 7): logs and HTTP caching
    log_level: str = "info"  # of the descent.* loggers; "warning" silences the access log
    cache_max_age: int = 600  # seconds browsers may reuse catalog and surface GETs
    # Class mode (app/rooms/): rooms live in memory, nothing is written to disk; with a
    # Redis URL (redis://host:6379/0) they live in Redis, shared by every replica
    redis_url: str = ""
    max_rooms: int = 200  # rooms open at once (in one process, or in the one Redis)
    room_capacity: int = 200  # participants of one room (the teacher's setting may be lower)
    room_runs_per_minute: int = 20  # runs one student may start per minute
    room_joins_per_minute: int = 30  # joins (and reconnections) from one address per minute
    room_creations_per_minute: int = 10  # rooms one address may open per minute
    room_message_bytes: int = 8_192  # largest message a client may send on a room's socket
    room_messages_per_minute: int = 240  # messages one socket may send per minute
    room_idle_seconds: float = 7_200.0  # a room nobody used for this long is closed
    room_max_steps: int = 5_000  # steps of one student's run
    room_max_runs: int = 1_000  # runs a room keeps (the oldest go first)
    room_student_runs: int = 100  # a student's own runs sent back when they reconnect
    room_trail_points: int = 200  # points of each trail sent to the pages
    room_nickname_chars: int = 24


def from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """The settings ``DESCENT_*`` variables in ``environ`` give (a server's, or one a
    benchmark is about to start)."""
    values = {}
    for field in fields(Settings):
        raw = environ.get(f"DESCENT_{field.name.upper()}")
        if raw is not None:
            kind = type(field.default)
            if kind is bool:
                values[field.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[field.name] = kind(float(raw)) if kind is int else kind(raw)
    return Settings(**values)


settings = from_env()
