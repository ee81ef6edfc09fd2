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


@contextlib.contextmanager
def serve(workers: int = 1, extra: tuple[str, ...] = (), cwd: str | None = None) -> Iterator[str]:
    """The app of this checkout (or of the source tree at `cwd`) on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log", "--http", "app.middleware.protocol:Guarded", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a cold kernel cache compiles first (~30 s)
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
