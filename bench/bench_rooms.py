"""Class mode under load: simulated students (WebSocket clients) clicking in one room.

Starts ``uvicorn app.main:app`` (one process) on a free loopback port, opens a room,
connects a projector and ``--students`` students, and has each student start a run every
``1/--rate`` seconds for ``--seconds``. Prints the clicks sent, runs that reached the
projector, errors, click-to-projector latency (p50/p99) and the server's RSS before and
after; also writes ``bench/results/rooms.json``. Bounded in time; the server is stopped.

    python -m bench.bench_rooms [--students 200] [--seconds 60] [--rate 1] [--steps 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from bench.server import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADAM = {"name": "adam", "lr": 0.05}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not start")


async def run(args) -> dict:
    env = {
        "DESCENT_ROOM_RUNS_PER_MINUTE": str(int(args.rate * 60) + 10),
        "DESCENT_ROOM_JOINS_PER_MINUTE": str(args.students + 10),
        "DESCENT_ROOM_MESSAGES_PER_MINUTE": str(int(args.rate * 60) + 60),
    }
    process, url = start_server(env)
    try:
        room = httpx.post(f"{url}/api/v1/rooms", json={"steps": args.steps}).json()
        ws_url = url.replace("http", "ws") + f"/api/v1/rooms/{room['code']}/ws"
        sent: dict[tuple, float] = {}
        latencies: list[float] = []
        errors: list[str] = []
        stop = asyncio.Event()

        async with connect(ws_url, max_size=2**24) as projector:
            await projector.send(json.dumps({"type": "hello", "role": "teacher",
                                             "token": room["teacher_token"]}))  # fmt: skip

            async def watch():
                async for text in projector:
                    message = json.loads(text)
                    if message["type"] == "run":
                        r = message["run"]
                        key = (r["participant"], *r["start"])
                        if key in sent:
                            latencies.append(time.monotonic() - sent.pop(key))

            watcher = asyncio.create_task(watch())
            rss_before = None

            async def student(i: int):
                rng = random.Random(i)
                async with connect(ws_url) as ws:
                    await ws.send(json.dumps({"type": "hello", "role": "student"}))
                    me = json.loads(await ws.recv())["you"]["id"]

                    async def drain():
                        async for text in ws:
                            message = json.loads(text)
                            if message["type"] == "error":
                                errors.append(message["detail"])

                    reader = asyncio.create_task(drain())
                    await asyncio.sleep(rng.random() / args.rate)  # spread the clicks
                    while not stop.is_set():
                        start = [round(rng.uniform(-5, 5), 6), round(rng.uniform(-5, 5), 6)]
                        sent[(me, *start)] = time.monotonic()
                        click = {"type": "run", "start": start, "optimizer": ADAM}
                        await ws.send(json.dumps(click))
                        await asyncio.sleep(1 / args.rate)
                    await asyncio.sleep(5)  # answers still on their way
                    reader.cancel()

            students = [asyncio.create_task(student(i)) for i in range(args.students)]
            await asyncio.sleep(2)
            rss_before = rss_mb(process.pid)
            cpu_before = cpu_seconds(process.pid)
            clicks_at_start = len(sent) + len(latencies)
            await asyncio.sleep(args.seconds)
            stop.set()
            server_cpu = cpu_seconds(process.pid) - cpu_before
            await asyncio.gather(*students, return_exceptions=True)
            watcher.cancel()
        rss_after = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    latencies.sort()

    def pct(p):
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "students": args.students, "seconds": args.seconds, "rate": args.rate,
        "steps": args.steps, "clicks": len(latencies) + len(sent),
        "reached_projector": len(latencies), "missing": len(sent), "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_ms": pct(0.5) if latencies else None, "p99_ms": pct(0.99) if latencies else None,
        "rss_mb_after_2s": round(rss_before, 1), "rss_mb_end": round(rss_after, 1),
        "clicks_in_first_2s": clicks_at_start,
        "server_cpu_share": round(server_cpu / args.seconds, 2),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=1.0, help="clicks per student per second")
    parser.add_argument("--steps", type=int, default=300)
    result = asyncio.run(run(parser.parse_args()))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "rooms.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
