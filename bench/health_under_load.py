"""`make health-bench`: /healthz latency while the heaviest allowed requests run.

Starts ``uvicorn app.main:app`` on 127.0.0.1 (one worker, as ``make run``), then for each
scenario keeps ``--heavy`` clients (default: ``settings.max_heavy_requests``, one per core) sending
the same heavy request back to back while one client polls ``/healthz`` every 10 ms, for
``--seconds`` per scenario. Prints p50/p99/max of /healthz and what the heavy clients got
(2xx, 503 busy, other). Bounded in time; the server is stopped at the end.

    python -m bench.health_under_load [--seconds 20] [--heavy 4] [--scenario NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections import Counter

import httpx

from app.config import settings
from bench.load import RESULTS, serve

HEAVY_TRAJECTORY = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "adam", "lr": 0.001},
    "steps": settings.max_steps,
    "tol": 0,  # never converges early: every step is computed and returned
}
SCENARIOS = {
    "idle": None,
    f"trajectory, {settings.max_steps} steps": ("POST", "/api/v1/trajectories", HEAVY_TRAJECTORY),
    f"trajectory, {settings.max_steps} steps + include_state": (
        "POST",
        "/api/v1/trajectories",
        {**HEAVY_TRAJECTORY, "include_state": True},
    ),
    f"surface, {settings.max_resolution}x{settings.max_resolution} list": (
        "GET",
        f"/api/v1/functions/rastrigin/surface?resolution={settings.max_resolution}",
        None,
    ),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def heavy_client(url: str, request: tuple, stop: threading.Event, outcomes: Counter) -> None:
    method, path, body = request
    with httpx.Client(base_url=url, timeout=300) as client:
        while not stop.is_set():
            start = time.perf_counter()
            response = client.request(method, path, json=body)
            seconds = time.perf_counter() - start
            kind = "2xx" if response.is_success else str(response.status_code)
            outcomes[kind] += 1
            outcomes[f"{kind} seconds"] += seconds
            outcomes["bytes"] += len(response.content)
            if response.status_code == 503:
                time.sleep(float(response.headers.get("retry-after", 1)))


def poll_health(url: str, seconds: float, interval: float = 0.01) -> tuple[list[float], int]:
    latencies, failures = [], 0
    with httpx.Client(base_url=url, timeout=10) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - start) * 1e3)
            failures += not ok
            time.sleep(interval)
    return latencies, failures


def run_scenario(url: str, request: tuple | None, heavy: int, seconds: float) -> dict:
    stop = threading.Event()
    outcomes: Counter = Counter()
    threads = [
        threading.Thread(target=heavy_client, args=(url, request, stop, outcomes), daemon=True)
        for _ in range(heavy if request else 0)
    ]
    for t in threads:
        t.start()
    if threads:
        time.sleep(2)  # let the heavy requests get going
    latencies, failures = poll_health(url, seconds)
    stop.set()
    for t in threads:
        t.join(timeout=300)
    done = outcomes["2xx"]
    return {
        "healthz_polls": len(latencies),
        "healthz_failures": failures,
        "healthz_p50_ms": round(statistics.median(latencies), 2),
        "healthz_p99_ms": round(percentile(latencies, 99), 2),
        "healthz_max_ms": round(max(latencies), 2),
        "heavy_ok": done,
        "heavy_busy_503": outcomes["503"],
        "heavy_other": sum(v for k, v in outcomes.items() if k.isdigit() and k != "503"),
        "heavy_mean_s": round(outcomes["2xx seconds"] / done, 2) if done else None,
        "heavy_response_mb": round(outcomes["bytes"] / max(1, done) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="of polling per scenario")
    parser.add_argument("--heavy", type=int, default=settings.max_heavy_requests)
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--app", default="app.main:app", help="ASGI app to serve (experiments)")
    args = parser.parse_args()

    results = {}
    with serve(args.workers, app=args.app) as (url, _):
        for name in args.scenario or SCENARIOS:
            results[name] = result = run_scenario(url, SCENARIOS[name], args.heavy, args.seconds)
            print(
                f"{name:<48} /healthz p50 {result['healthz_p50_ms']:7.1f} ms  "
                f"p99 {result['healthz_p99_ms']:7.1f} ms  max {result['healthz_max_ms']:7.1f} ms"
                f"  ({result['healthz_polls']} polls, {result['healthz_failures']} failed) | "
                f"heavy: {result['heavy_ok']} ok, {result['heavy_busy_503']} busy, "
                f"{result['heavy_other']} other, {result['heavy_mean_s']} s each, "
                f"{result['heavy_response_mb']} MB",
                flush=True,
            )
    RESULTS.mkdir(exist_ok=True)
    out = {
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "app": args.app,
        "heavy_clients": args.heavy,
        "scenarios": results,
    }
    (RESULTS / "health_under_load.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
