"""`make abandon-bench`: how soon an abandoned request's CPU stops after the disconnect.

Starts uvicorn as `make run` does (one worker); for each kind of long request (a
trajectory of a typed formula with noise, a batch, basins, a sweep, a surface of a fit),
opens a socket, sends the request, waits until the server is busy with it, closes the
socket, and samples the server's CPU time (/proc, 10 ms tick) every 20 ms: the time from
the close to the last sample in which the server still used CPU is when its work stopped.
Goal (issue 11): within 1 s.

    python -m bench.abandon [--busy 1.5]
"""

from __future__ import annotations

import argparse
import json
import socket
import time

import httpx

from bench.cases import FIT, HOSTILE, START
from bench.load import RESULTS, serve
from bench.process import cpu_seconds, wait_until_idle

SGD = {"name": "sgd", "lr": 1e-6}
KINDS = {
    "trajectory, hostile formula with noise": ("/api/v1/trajectories", {
        "function": HOSTILE, "start": START, "optimizer": SGD, "steps": 20_000, "tol": 0,
        "gradient_noise": 0.01}),
    "batch, 8 runs of the hostile formula": ("/api/v1/trajectories/batch", {"runs": [
        {"function": HOSTILE, "start": START, "optimizer": {**SGD, "lr": 1e-6 * (i + 1)},
         "steps": 2_500, "tol": 0} for i in range(8)]}),
    "basins, hostile formula 400² × 25 steps": ("/api/v1/basins", {
        "function": HOSTILE, "optimizer": SGD, "resolution": 400, "steps": 25, "tol": 0}),
    "sweep, hostile formula 2,500 settings": ("/api/v1/sweeps", {
        "function": HOSTILE, "start": START, "optimizer": {"name": "sgd"}, "steps": 1_500,
        "lr": {"min": 1e-7, "max": 1e-6, "count": 100}, "tol": 0,
        "second": {"param": "momentum", "values": [i / 26 for i in range(25)]}}),
    "surface, 10,000-point fit 300²": ("/api/v1/surface", {"function": FIT, "resolution": 300}),
}  # fmt: skip


def abandon(port: int, pid: int, path: str, body: dict, busy: float) -> dict:
    content = httpx.Request("POST", "http://x" + path, json=body).content
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(content)}\r\n\r\n").encode()  # fmt: skip
    start_cpu = cpu_seconds(pid)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(head + content)
        time.sleep(busy)
        closed, cpu_at_close = time.perf_counter(), cpu_seconds(pid)
    last_busy, previous = 0.0, cpu_at_close
    while time.perf_counter() - closed < 5:
        time.sleep(0.02)
        now = cpu_seconds(pid)
        if now > previous:
            last_busy = time.perf_counter() - closed
        previous = now
    return {"cpu_before_close_s": round(cpu_at_close - start_cpu, 2),
            "cpu_after_close_s": round(previous - cpu_at_close, 2),
            "stopped_after_s": round(last_busy, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=float, default=1.5, help="seconds before the close")
    args = parser.parse_args()
    results = {}
    with serve() as (url, pid):
        port = int(url.rsplit(":", 1)[1])
        for name, (path, body) in KINDS.items():
            wait_until_idle(pid)
            results[name] = abandon(port, pid, path, body, args.busy)
            print(f"{name:<45} {results[name]}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "abandon.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
