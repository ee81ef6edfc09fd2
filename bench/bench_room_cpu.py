"""Event-loop CPU per class-mode run, without sockets: what a replica spends on one click.

For each store (memory; Redis, on a real ``redis-server`` started on loopback) opens a
room with 200 students and has all of them click at once, ``--rounds`` times: the path of
a socket's run message (room lookup, checks, the coalesced engine call, recording in a
batch, the message to the teacher, the student's answer as JSON). Prints the process CPU
time per run of each round (CPU time, so less sensitive than latency to a busy machine;
the first round includes warm-up). Bounded; the Redis server is stopped.

    python -m bench.bench_room_cpu [--rounds 6] [--students 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import tempfile
import time
from pathlib import Path

from app.rooms.control import for_student
from app.rooms.hub import dumps
from app.rooms.model import RateLimit, RoomSettings
from app.rooms.runs import Recorder, compute_run, landscapes, plan_function
from app.rooms.store import MemoryRooms
from bench.cluster import RedisServer


async def rounds(store, args) -> list[float]:
    store.student_runs = RateLimit(10**9)
    await store.start()
    recorder = Recorder(store)
    config = RoomSettings.model_validate({"steps": 300})
    f, info = plan_function(config)
    room = await store.create(config, info)
    landscapes.keep(room, f)
    people = [await store.join(room.code, "") for _ in range(args.students)]
    gc.collect()
    gc.freeze()  # as app.main does after start-up
    rng = random.Random(0)

    async def click(who):
        current = await store.get(room.code)
        await store.touch(room.code)
        start = [rng.uniform(-5, 5), rng.uniform(-5, 5)]
        message = {"type": "run", "start": start, "optimizer": {"name": "adam", "lr": 0.05}}
        run = await recorder.add(current, await compute_run(store, current, who, message))
        dumps({"type": "run", "run": for_student(run, current)})

    per_run = []
    for _ in range(args.rounds):
        began = time.process_time()
        await asyncio.gather(*(click(who) for who in people))
        per_run.append(round(1000 * (time.process_time() - began) / len(people), 3))
    await store.stop()
    return per_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--students", type=int, default=200)
    args = parser.parse_args()
    print("memory: ms of CPU per run, by round", asyncio.run(rounds(MemoryRooms(), args)))
    with tempfile.TemporaryDirectory() as folder:
        redis_server = RedisServer(Path(folder)).start()
        try:
            from app.rooms.redis_store import RedisRooms  # noqa: PLC0415

            store = RedisRooms(redis_server.url)
            print("redis: ms of CPU per run, by round", asyncio.run(rounds(store, args)))
        finally:
            redis_server.stop()


if __name__ == "__main__":
    main()
