"""Class mode under load: simulated students (WebSocket clients) clicking in one room.

Starts the app on free loopback ports, either one process holding rooms in memory
(``--replicas 1``) or two processes sharing a real ``redis-server`` (``--replicas 2``,
students spread over both, the projector on the second, so every run crosses Redis
pub/sub). Opens a room, connects a projector and ``--students`` students, and has each
start a run every ``1/--rate`` seconds for ``--seconds``. Prints the clicks sent, runs
that reached the projector, errors, click-to-projector latency (p50/p99/max) and the
servers' RSS (app processes and Redis) every 10 s; writes ``bench/results/rooms-N.json``.
Bounded in time; every process it started is stopped.

    python -m bench.bench_rooms [--replicas 1|2] [--students 200] [--seconds 60] [--rate 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from bench.cluster import RedisServer, replicas

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


async def run(args) -> dict:
    env = {
        "DESCENT_ROOM_RUNS_PER_MINUTE": str(int(args.rate * 60) + 10),
        "DESCENT_ROOM_JOINS_PER_MINUTE": str(args.students + 10),
        "DESCENT_ROOM_MESSAGES_PER_MINUTE": str(int(args.rate * 60) + 60),
    }
    with tempfile.TemporaryDirectory() as folder:
        redis_server = None
        if args.replicas > 1:
            redis_server = RedisServer(Path(folder)).start()
            env["DESCENT_REDIS_URL"] = redis_server.url
        try:
            # cluster.py starts uvicorn as `make run` does: without permessage-deflate.
            extra = ("--ws-per-message-deflate", "true") if args.deflate else ()
            apps = replicas(args.replicas, env, extra)
            try:
                return await drive(args, apps, redis_server)
            finally:
                for app in apps:
                    app.stop()
        finally:
            if redis_server is not None:
                redis_server.stop()


async def projector(url: str, token: str, ready, done, out) -> None:
    """The teacher's page: when each run arrived (its own process, so that the students'
    clients do not delay its reading)."""
    arrived: dict[str, float] = {}
    batches = 0
    async with connect(url, max_size=2**26) as ws:
        await ws.send(json.dumps({"type": "hello", "role": "teacher", "token": token}))
        ready.set()
        while not done.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), 1.0)
            except TimeoutError:
                continue
            now = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
            message = json.loads(text)
            if message["type"] == "runs":
                batches += 1
                for r in message["runs"]:
                    arrived[f"{r['participant']} {r['start'][0]} {r['start'][1]}"] = now
    out.put({"arrived": arrived, "batches": batches})


async def students(urls: list[str], first: int, count: int, args, go, stop, out) -> None:
    """``count`` students, each clicking every ``1/rate`` s until ``stop``."""
    sent: dict[str, float] = {}
    errors: list[str] = []

    async def student(i: int):
        rng = random.Random(i)
        async with connect(urls[i % len(urls)]) as ws:
            await ws.send(json.dumps({"type": "hello", "role": "student"}))
            me = json.loads(await ws.recv())["you"]["id"]

            async def drain():  # a page parses its own answers only; errors are counted
                async for text in ws:
                    if '"type":"error"' in text:
                        errors.append(json.loads(text)["detail"])

            reader = asyncio.create_task(drain())
            while not go.is_set():
                await asyncio.sleep(0.05)
            await asyncio.sleep(rng.random() / args.rate)  # spread the clicks
            next_click = time.monotonic()
            while not stop.is_set():
                start = [round(rng.uniform(-5, 5), 6), round(rng.uniform(-5, 5), 6)]
                sent[f"{me} {start[0]} {start[1]}"] = time.monotonic()
                await ws.send(json.dumps({"type": "run", "start": start, "optimizer": ADAM}))
                next_click += 1 / args.rate
                await asyncio.sleep(max(0.0, next_click - time.monotonic()))
            await asyncio.sleep(15)  # answers still on their way (late is not lost)
            reader.cancel()

    outcomes = await asyncio.gather(*(student(first + i) for i in range(count)),
                                    return_exceptions=True)  # fmt: skip
    errors += [repr(o) for o in outcomes if isinstance(o, BaseException)]
    out.put({"sent": sent, "errors": errors})


def in_process(coroutine, *args) -> None:
    asyncio.run(coroutine(*args))


async def drive(args, apps, redis_server) -> dict:
    pids = [app.process.pid for app in apps]
    room = httpx.post(f"{apps[0].url}/api/v1/rooms", json={"steps": args.steps}).json()
    path = f"/api/v1/rooms/{room['code']}/ws"
    context = multiprocessing.get_context("spawn")
    ready, go, stop, done = (context.Event() for _ in range(4))
    out = context.Queue()
    workers = [context.Process(target=in_process, args=(
        projector, apps[-1].ws + path, room["teacher_token"], ready, done, out))]  # fmt: skip
    share = -(-args.students // args.clients)
    for first in range(0, args.students, share):
        count = min(share, args.students - first)
        urls = [app.ws + path for app in apps]
        workers.append(context.Process(target=in_process, args=(
            students, urls, first, count, args, go, stop, out)))  # fmt: skip
    workers[0].start()
    ready.wait(60)
    for worker in workers[1:]:
        worker.start()
    await asyncio.sleep(5)  # every student connected
    memory: list[dict] = []

    def sample(at: float) -> None:
        entry = {"s": round(at), "apps_mb": round(sum(rss_mb(pid) for pid in pids), 1)}
        if redis_server is not None:
            entry["redis_mb"] = round(rss_mb(redis_server.process.pid), 1)
        memory.append(entry)

    go.set()
    cpu_before = [cpu_seconds(pid) for pid in pids]
    began = time.monotonic()
    sample(0)
    while (elapsed := time.monotonic() - began) < args.seconds:
        await asyncio.sleep(min(10.0, args.seconds - elapsed))
        sample(time.monotonic() - began)
    server_cpu = sum(cpu_seconds(pid) - b for pid, b in zip(pids, cpu_before))
    stop.set()  # students stop clicking, wait 15 s for their last answers and report
    results = [out.get(timeout=120) for _ in workers[1:]]
    done.set()  # then the projector, which kept reading meanwhile
    results.append(out.get(timeout=60))
    for worker in workers:
        worker.join(timeout=10)
    arrived = next(r for r in results if "arrived" in r)
    sent = {k: v for r in results if "sent" in r for k, v in r["sent"].items()}
    errors = [e for r in results if "errors" in r for e in r["errors"]]
    latencies = sorted(
        arrived["arrived"][k] - t for k, t in sent.items() if k in arrived["arrived"]
    )

    def pct(p):
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "replicas": len(apps), "store": "redis" if redis_server else "memory",
        "deflate": args.deflate,
        "students": args.students, "client_processes": len(workers) - 1,
        "seconds": args.seconds, "rate": args.rate, "steps": args.steps,
        "clicks": len(sent), "reached_projector": len(latencies),
        "missing": len(sent) - len(latencies), "errors": len(errors),
        "error_samples": sorted(set(errors))[:5], "messages_to_projector": arrived["batches"],
        "p50_ms": pct(0.5) if latencies else None, "p99_ms": pct(0.99) if latencies else None,
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "memory": memory, "server_cpu_share": round(server_cpu / args.seconds, 2),
        "load_average": os.getloadavg()[0],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=1, choices=(1, 2))
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=1.0, help="clicks per student per second")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--clients", type=int, default=2, help="processes of students")
    parser.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="uvicorn's permessage-deflate on the sockets (off in make run and the image)",
    )
    args = parser.parse_args()
    result = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"rooms-{args.replicas}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
