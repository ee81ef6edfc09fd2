"""Start the app under uvicorn on a free loopback port for a benchmark, and stop it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_compiled_kernel(url: str, seconds: float = 30.0) -> None:
    """The server compiles its kernel in the background for a few seconds after start;
    measure the server as it runs, not as it starts: wait until 1000 steps answer fast."""
    body = {"function": "rosenbrock", "start": [-1.5, 2.0], "optimizer": {"name": "sgd"},
            "steps": 1000, "tol": 0}  # fmt: skip
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=10) as http:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            http.post("/api/v1/trajectories", json=body)
            if time.perf_counter() - start < 0.005:
                return
            time.sleep(0.2)


@contextlib.contextmanager
def serve(workers: int = 1, extra: tuple[str, ...] = ()) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log", "--http", "app.middleware.protocol:Guarded", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        _wait_for_compiled_kernel(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
