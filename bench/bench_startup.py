"""Start-up: from process start to serving at full speed, with the kernel cache warm (as
after `make run`'s install step or in the Docker image) and cold (an empty cache).

    .venv/bin/python -m bench.bench_startup
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import httpx

from bench.server import free_port

BODY = {"function": "rastrigin", "start": [3.3, 2.7], "optimizer": {"name": "adam", "lr": 0.05},
        "steps": 1000, "tol": 0}  # fmt: skip


def start_to_full_speed(cache: str) -> tuple[float, float, float, list]:
    """Seconds to the first /healthz, to the first trajectory, its time, and its points."""
    port = free_port()
    env = {**os.environ, "DESCENT_KERNEL_CACHE": cache}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port),
         "--log-level", "warning"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.02)
        healthy = time.perf_counter() - started
        times = []
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(5):
                t = time.perf_counter()
                points = http.post("/api/v1/trajectories", json=BODY).json()["points"]
                times.append(time.perf_counter() - t)
        return healthy, time.perf_counter() - started, times, points
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as empty:
        cold = start_to_full_speed(empty)
        print(
            f"cold cache: /healthz after {cold[0]:.2f} s; five 1000-step runs answered "
            f"after {cold[1]:.2f} s, each in {[round(t * 1e3, 1) for t in cold[2]]} ms"
        )
        warm = [start_to_full_speed(empty) for _ in range(3)]
    best = min(warm, key=lambda r: r[1])
    print(
        f"warm cache (best of 3): /healthz after {best[0]:.2f} s; five 1000-step runs "
        f"answered after {best[1]:.2f} s, each in {[round(t * 1e3, 1) for t in best[2]]} ms"
    )
    same = all(r[3] == cold[3] for r in warm)
    print(f"the same bits from the cold and the warm server: {same}")


if __name__ == "__main__":
    main()
