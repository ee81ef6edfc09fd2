"""`make load`: 60 s of mixed classroom traffic from 32 locust users against a local uvicorn.

Starts ``uvicorn app.main:app`` on a free 127.0.0.1 port (as ``make run`` does), warms it up
(one request of each kind, then 10 s of the same traffic), reads the server's RSS, runs
locust headless (``bench/locustfile.py``), reads the RSS again, and prints requests/s,
p50/p99, errors and the RSS growth. Everything is bounded in time; the server is stopped at
the end. Results also go to ``bench/results/load.json``.

    python -m bench.load [--users 32] [--spawn-rate 8] [--run-time 60] [--workers 1]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from app.config import from_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TRAJECTORY = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "adam", "lr": 0.05},
    "steps": 500,
    "include_state": True,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    workers: int = 1, env: dict[str, str] | None = None, app: str = "app.main:app"
) -> Iterator[tuple[str, int]]:
    """uvicorn on 127.0.0.1 as `make run` starts it; yields (base URL, server pid) once
    /healthz answers with the worker processes of heavy requests ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log",
         *protocol_flag()],
        cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wanted = expected_workers({**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 60  # an empty kernel cache compiles first (~35 s)
        while True:
            try:
                health = httpx.get(url + "/healthz", timeout=1)
                # and its worker processes ready (a server before them says nothing)
                if health.status_code == 200 and health.json().get("workers", wanted) >= wanted:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def expected_workers(env: dict[str, str]) -> int:
    """The worker processes a server started with ``env`` has (app/api/processes.py)."""
    started = from_env(env)
    return started.max_heavy_requests if started.heavy_in_processes else 0


def protocol_flag() -> list[str]:
    """The --http flag `make run` starts uvicorn with (the Dockerfile's is checked equal)."""
    recipe = re.search(r"^run:.*\n\t(.*)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    words = recipe.group(1).split()
    return words[words.index("--http") : words.index("--http") + 2]


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the workers), in KiB."""
    total = 0
    for p in [pid, *children(pid)]:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def warm_up(url: str) -> None:
    """One request of each kind the locust users send, so lazy imports and first-call
    allocations are in the 'before' RSS."""
    with httpx.Client(base_url=url, timeout=60) as client:
        page = ("/", "/vendor/plotly-cartesian.min.js")  # what a first visit loads (2-D)
        for path in (*page, "/api/v1/functions", "/api/v1/optimizers"):
            client.get(path).raise_for_status()
        client.get("/api/v1/functions/rosenbrock/surface").raise_for_status()
        client.get("/api/v1/functions/himmelblau/surface?encoding=base64").raise_for_status()
        client.post("/api/v1/trajectories", json=TRAJECTORY).raise_for_status()


def run_locust(url: str, users: int, spawn_rate: int, run_time: int, workdir: Path) -> dict:
    workdir.mkdir(exist_ok=True)
    prefix = workdir / "locust"
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--users", str(users), "--spawn-rate", str(spawn_rate),
        "--run-time", f"{run_time}s", "--stop-timeout", "10", "--host", url,
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, timeout=run_time + 120, check=False)
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = list(csv.DictReader(f))
    return {"rows": rows, "failures": failures}


def summarize(stats: dict) -> dict:
    def row(r: dict) -> dict:
        return {
            "name": f"{r['Type']} {r['Name']}".strip(),
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "rps": float(r["Requests/s"]),
            "p50_ms": float(r["50%"]),
            "p99_ms": float(r["99%"]),
            "max_ms": float(r["Max Response Time"]),
        }

    rows = [row(r) for r in stats["rows"]]
    total = next(r for r in rows if r["name"] == "Aggregated")
    return {"total": total, "endpoints": [r for r in rows if r["name"] != "Aggregated"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--spawn-rate", type=int, default=8)
    parser.add_argument("--run-time", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--warm-up", type=int, default=10, help="seconds of the same traffic before 'before'"
    )
    args = parser.parse_args()

    with serve(args.workers) as (url, pid), tempfile.TemporaryDirectory() as tmp:
        rss_started = rss_kib(pid)
        warm_up(url)
        if args.warm_up:
            # Thread-pool threads, their malloc arenas and numpy's buffers are allocated
            # under concurrency; only growth after that would be a leak.
            run_locust(url, args.users, args.spawn_rate, args.warm_up, Path(tmp) / "warm")
        rss_before = rss_kib(pid)
        stats = run_locust(url, args.users, args.spawn_rate, args.run_time, Path(tmp))
        time.sleep(1)
        rss_after = rss_kib(pid)
        healthy = httpx.get(url + "/healthz", timeout=5).status_code == 200

    summary = summarize(stats)
    growth = (rss_after - rss_before) / rss_before * 100
    result = {
        "users": args.users,
        "run_time_s": args.run_time,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        **summary,
        "failures": stats["failures"],
        "warm_up_s": args.warm_up,
        "rss_kib": {"started": rss_started, "before": rss_before, "after": rss_after},
        "rss_growth_percent": round(growth, 1),
        "healthy_after": healthy,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2))

    total = summary["total"]
    print(f"\n{args.users} users, {args.run_time} s, {args.workers} worker(s), "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'endpoint':<48} {'reqs':>7} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for r in [*summary["endpoints"], total]:
        print(f"{r['name'][:48]:<48} {r['requests']:>7} {r['failures']:>5} {r['rps']:>7.1f} "
              f"{r['p50_ms']:>7.0f} {r['p99_ms']:>7.0f}")  # fmt: skip
    for failure in stats["failures"]:
        print("failure:", failure)
    print(f"server RSS: {rss_started / 1024:.1f} MiB at start, {rss_before / 1024:.1f} MiB "
          f"after {args.warm_up} s of warm-up, {rss_after / 1024:.1f} MiB after the run "
          f"({growth:+.1f}%)")  # fmt: skip
    print(f"errors: {total['failures']}; healthy after the run: {healthy}")
    print(f"written to {RESULTS / 'load.json'}")
    if total["failures"] or not healthy:
        sys.exit(1)


if __name__ == "__main__":
    main()
