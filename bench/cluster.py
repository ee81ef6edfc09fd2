"""A class-mode cluster on loopback: a real ``redis-server`` and app replicas sharing it.

Used by the load bench (``bench_rooms``) and the replica tests (``tests/api/
test_rooms_replicas.py``). Redis runs from the Debian package (``.ci/run`` installs it)
in a temporary folder, on a free loopback port, with ``--save '' --appendonly no``: it
writes nothing unless asked (``stop(save=True)`` models a Redis that keeps its data
across a restart, as the compose file's does with its append-only file).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:  # the tests must fail, not skip: CI installs it (.ci/run)
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    return found


def ask(port: int, *words: str, timeout: float = 1.0) -> bytes:
    """One command in Redis's inline protocol (no client library needed to probe)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall((" ".join(words) + "\r\n").encode())
        return s.recv(4096)


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder),
             "--dbfilename", "dump.rdb", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if ask(self.port, "PING").startswith(b"+PONG"):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, save: bool = False) -> None:
        if self.process is None:
            return
        if save:  # as a Redis with persistence does when it is restarted
            try:
                ask(self.port, "SHUTDOWN", "SAVE", timeout=10)
            except OSError:
                pass
        else:
            self.process.kill()  # a crash: nothing is saved
        self.process.wait(timeout=20)
        self.process = None


class Replica:
    """``uvicorn app.main:app`` on a free loopback port, with the given settings."""

    def __init__(self, env: dict[str, str], extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log",
             "--ws-max-size", "65536", "--ws-per-message-deflate", "false", *extra],
            env={**os.environ, **env}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def wait(self) -> Replica:
        deadline = time.monotonic() + 120  # a cold kernel cache compiles first
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the replica exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the replica did not start")

    def kill(self) -> None:
        """As a crashed container: no goodbye to its sockets."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def replicas(count: int, env: dict[str, str], extra: tuple[str, ...] = ()) -> list[Replica]:
    started = [Replica(env, extra) for _ in range(count)]
    try:
        return [r.wait() for r in started]
    except Exception:
        for r in started:
            r.stop()
        raise
