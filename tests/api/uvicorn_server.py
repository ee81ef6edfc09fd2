"""A real server for tests: uvicorn on loopback, started as `make run` starts it, with
its worker processes ready (app/api/processes.py), and what it and they use from /proc."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def protocol_flag() -> list[str]:
    """The --http flag `make run` starts uvicorn with (the Dockerfile's is checked equal)."""
    recipe = re.search(r"^run:.*\n\t(.*)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    words = recipe.group(1).split()
    return words[words.index("--http") : words.index("--http") + 2]


@contextlib.contextmanager
def serve(env: dict[str, str], workers: int) -> Iterator[tuple[str, int, int]]:
    """(base URL, port, pid) of a server started with ``env`` once /healthz answers with
    ``workers`` worker processes ready."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", *protocol_flag()]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                               stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(url + "/healthz", timeout=1)
                if health.status_code == 200 and health.json()["workers"] == workers:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.1)
        yield url, port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server's worker processes)."""
    found, i = [pid], 0
    while i < len(found):
        with contextlib.suppress(OSError):
            path = Path(f"/proc/{found[i]}/task/{found[i]}/children")
            found += [int(c) for c in path.read_text().split()]
        i += 1
    return found


def workers_of(pid: int) -> list[int]:
    """The worker processes (not multiprocessing's resource tracker)."""
    return [p for p in tree(pid)[1:]
            if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """CPU time of the server and its worker processes."""
    total = 0.0
    for p in tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wait_until_idle(pid: int, seconds: float = 60) -> None:
    """The server loads its kernels in the background after start: wait for quiet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.05:
            return
    raise AssertionError("the server never went idle")
