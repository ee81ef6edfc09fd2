"""Rooms in Redis, so that the teacher and the students may be served by different replicas.

One room is three keys, each expiring ``room_idle_seconds`` after the room's last use:
``descent:room:{code}`` (a hash: token, settings, revision, counts, scores), ``…:people``
(a hash: participant id → JSON) and ``…:runs`` (a list of JSON, capped at
``room_max_runs``: a room's memory is bounded whatever its students do). A sorted set
``descent:rooms`` (code → expiry time) bounds the rooms open at once. Every change that
reads before it writes runs in a WATCH/MULTI transaction, so replicas never interleave.
Messages for a room's sockets go through one pub/sub channel; every replica delivers
them to its own sockets (``hub``). After losing Redis a replica closes its sockets with
1012 once it is back: clients reconnect and resume, with the state afresh.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from dataclasses import replace
from typing import Any

import orjson
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from app.config import settings
from app.rooms.hub import Envelope, hub, to_json
from app.rooms.model import Participant, Room, RoomSettings, Scores, new_code, new_participant
from app.rooms.store import Full, RoomStore, Unavailable, check_door, stored_runs

CHANNEL = "descent:rooms:events"
ROOMS = "descent:rooms"
HEADER = ("token", "config", "info", "revision", "active")
TOUCH_SECONDS = 30.0  # a room's keys are refreshed at most this often by activity alone
HEADER_SECONDS = 2.0  # a room's header is read again at least this often
log = logging.getLogger("descent")


def key(code: str, part: str = "") -> str:
    return f"descent:room:{code}" + (f":{part}" if part else "")


def guarded(method):
    """Redis errors become ``Unavailable`` (a 503, or a socket closed to be retried)."""

    @functools.wraps(method)
    async def wrapper(*args, **kwargs):
        try:
            return await method(*args, **kwargs)
        except (RedisError, OSError) as error:
            raise Unavailable(str(error)) from None

    return wrapper


def scores_of(raw: bytes | None) -> Scores:
    return Scores(**orjson.loads(raw)) if raw else Scores()


class RedisRooms(RoomStore):
    def __init__(self, url: str) -> None:
        super().__init__()
        options = {"socket_timeout": 2.0, "socket_connect_timeout": 1.0}
        retry = Retry(ExponentialBackoff(cap=0.2, base=0.02), 2)
        # Two hundred students' messages at once share a few connections, waiting for one
        # (the default pool refuses past its size with "Too many connections").
        pool = BlockingConnectionPool.from_url(url, max_connections=32, timeout=5.0,
                                               retry=retry, **options)  # fmt: skip
        self.redis = Redis(connection_pool=pool)
        # The subscriber never retries on its own: a lost connection must be noticed.
        self.subscriber = Redis.from_url(url, retry=Retry(ExponentialBackoff(), 0), **options)
        self.listener: asyncio.Task | None = None
        self.touched: dict[str, float] = {}
        self.configs: dict[bytes, RoomSettings] = {}  # parsed settings, by their JSON
        # Each room's header as last read, for HEADER_SECONDS at most: every message on a
        # socket needs it, and every change to it is published (``Envelope.changed``),
        # which drops it here on every replica.
        self.headers: dict[str, tuple[float, Room]] = {}

    # --- fan-out ---------------------------------------------------------------------
    async def start(self) -> None:
        if self.listener is None:
            self.listener = asyncio.get_running_loop().create_task(self.listen())

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
            self.listener = None
        await self.redis.aclose()
        await self.subscriber.aclose()

    async def listen(self) -> None:
        lost, delay = False, 0.1
        while True:
            try:
                async with self.subscriber.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    if lost:  # messages may have passed while away: clients fetch afresh
                        self.headers.clear()
                        await hub.drop_all(1012, "the server reconnected; resuming")
                    lost, delay = False, 0.1
                    while True:
                        message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                           timeout=5.0)  # fmt: skip
                        if message is not None:
                            envelope = Envelope.decode(message["data"])
                            if envelope.changed:  # before the pages hear of it
                                self.headers.pop(envelope.code, None)
                            await hub.deliver(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 (Redis gone: retry until it is back)
                if not lost:
                    log.warning("room events: lost Redis (%s); retrying", error)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    @guarded
    async def publish(self, message: Envelope) -> None:
        await self.redis.publish(CHANNEL, message.encode())

    # --- reading ---------------------------------------------------------------------
    def header(self, code: str, values: list) -> Room | None:
        token, config, info, revision, active = values
        if token is None:
            return None
        parsed = self.configs.get(config)
        if parsed is None:
            if len(self.configs) > 1_000:
                self.configs.clear()
            parsed = self.configs[config] = RoomSettings.model_validate_json(config)
        return Room(code, token.decode(), parsed, orjson.loads(info), int(revision), int(active))

    @guarded
    async def get(self, code: str) -> Room | None:
        code = code.upper() if isinstance(code, str) else ""
        if not code.isalnum() or len(code) > 12:
            return None
        now = time.monotonic()
        kept = self.headers.get(code)
        if kept is not None and now - kept[0] < HEADER_SECONDS:
            return replace(kept[1])
        room = self.header(code, await self.redis.hmget(key(code), HEADER))
        if room is not None:
            if len(self.headers) > 10_000:
                self.headers.clear()
            self.headers[code] = (now, room)
        return room and replace(room)

    @guarded
    async def people(self, code: str) -> list[Participant]:
        everyone = [
            Participant(**orjson.loads(v)) for v in await self.redis.hvals(key(code, "people"))
        ]
        return sorted((p for p in everyone if not p.removed), key=lambda p: int(p.id[1:]))

    @guarded
    async def participant(self, code: str, pid: Any) -> Participant | None:
        if not isinstance(pid, str):
            return None
        raw = await self.redis.hget(key(code, "people"), pid)
        return Participant(**orjson.loads(raw)) if raw else None

    @guarded
    async def runs(self, code: str, pid: str | None = None) -> list[dict]:
        return stored_runs(await self.redis.lrange(key(code, "runs"), 0, -1), pid)

    @guarded
    async def scores(self, code: str) -> Scores:
        return scores_of(await self.redis.hget(key(code), "scores"))

    # --- changing --------------------------------------------------------------------
    def expire(self, pipe, code: str, *parts: str) -> None:
        for part in ("", "people", "runs", *parts):
            pipe.expire(key(code, part), int(settings.room_idle_seconds))
        pipe.zadd(ROOMS, {code: time.time() + settings.room_idle_seconds})

    @guarded
    async def create(self, config: RoomSettings, info: dict) -> Room:
        await self.redis.zremrangebyscore(ROOMS, "-inf", time.time())
        if await self.redis.zcard(ROOMS) >= settings.max_rooms:
            raise Full
        room = Room(new_code(), secrets.token_urlsafe(24), config, info)
        fields = {"token": room.teacher_token, "config": config.model_dump_json(),
                  "info": orjson.dumps(info), "revision": 1, "active": 0, "seq": 0}  # fmt: skip
        while not await self.redis.hsetnx(key(room.code), "token", room.teacher_token):
            room.code = new_code()  # taken (one in a billion): draw again
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key(room.code), mapping=fields)
            self.expire(pipe, room.code)
            await pipe.execute()
        return room

    @guarded
    async def join(self, code: str, nickname: str) -> Participant | None:
        async def change(pipe) -> Participant | None:
            room = self.header(code, await pipe.hmget(key(code), HEADER))
            if room is None:
                return None
            check_door(room)
            who = new_participant(int(await pipe.hget(key(code), "seq")) + 1, nickname)
            pipe.multi()
            pipe.hincrby(key(code), "seq", 1)
            pipe.hincrby(key(code), "active", 1)
            pipe.hset(key(code, "people"), who.id, orjson.dumps(who.to_json()))
            self.expire(pipe, code)
            return who

        joined = await self.redis.transaction(change, key(code), value_from_callable=True)
        self.headers.pop(code, None)  # its count changed
        return joined

    @guarded
    async def record(self, code: str, revision: int, function: Any, runs: list[dict]):
        async def change(pipe):
            current, raw = await pipe.hmget(key(code), ("revision", "scores"))
            if current is None or int(current) != revision:
                return None
            pids = sorted({r["participant"] for r in runs})
            people = dict(zip(pids, await pipe.hmget(key(code, "people"), pids)))
            kept = [r for r in runs if people[r["participant"]]
                    and not orjson.loads(people[r["participant"]])["removed"]]  # fmt: skip
            scores = scores_of(raw)
            scores.record(function, kept)
            pipe.multi()
            pipe.hset(key(code), "scores", orjson.dumps(scores.__dict__))
            if kept:
                pipe.rpush(key(code, "runs"), *(to_json(r) for r in kept))
                pipe.ltrim(key(code, "runs"), -settings.room_max_runs, -1)
                pipe.expire(key(code, "runs"), int(settings.room_idle_seconds))  # a new list
            return kept, scores

        return await self.redis.transaction(change, key(code), value_from_callable=True)

    @guarded
    async def configure(self, code: str, config: RoomSettings, info: dict | None) -> Room | None:
        async def change(pipe) -> Room | None:
            room = self.header(code, await pipe.hmget(key(code), HEADER))
            if room is None:
                return None
            next_run = scores_of(await pipe.hget(key(code), "scores")).next_run
            pipe.multi()
            room.config = config
            pipe.hset(key(code), "config", config.model_dump_json())
            if info is not None:  # a new landscape: its runs and basins start afresh
                room.function_info, room.revision = info, room.revision + 1
                fresh = {"info": orjson.dumps(info), "revision": room.revision,
                         "scores": orjson.dumps({"next_run": next_run})}  # fmt: skip
                pipe.hset(key(code), mapping=fresh)
                pipe.delete(key(code, "runs"))
            self.expire(pipe, code)
            return room

        changed = await self.redis.transaction(change, key(code), value_from_callable=True)
        self.headers.pop(code, None)
        return changed

    @guarded
    async def clear(self, code: str) -> None:
        async def change(pipe) -> None:
            next_run = scores_of(await pipe.hget(key(code), "scores")).next_run
            pipe.multi()
            pipe.hset(key(code), "scores", orjson.dumps({"next_run": next_run}))
            pipe.delete(key(code, "runs"))

        await self.redis.transaction(change, key(code))

    @guarded
    async def remove_participant(self, code: str, pid: str) -> bool:
        async def change(pipe) -> bool:
            raw = await pipe.hget(key(code, "people"), pid) if isinstance(pid, str) else None
            who = Participant(**orjson.loads(raw)) if raw else None
            if who is None or who.removed:
                return False
            who.removed = True
            pipe.multi()
            pipe.hset(key(code, "people"), pid, orjson.dumps(who.to_json()))
            pipe.hincrby(key(code), "active", -1)
            return True

        people = key(code, "people")
        removed = await self.redis.transaction(change, people, key(code), value_from_callable=True)
        self.headers.pop(code, None)
        return removed

    @guarded
    async def close(self, code: str) -> None:
        await self.redis.delete(key(code), key(code, "people"), key(code, "runs"))
        self.headers.pop(code, None)
        await self.redis.zrem(ROOMS, code)

    @guarded
    async def touch(self, code: str) -> None:
        now = time.monotonic()
        if now - self.touched.get(code, -TOUCH_SECONDS) < TOUCH_SECONDS:
            return
        if len(self.touched) > 10_000:
            self.touched.clear()
        self.touched[code] = now
        async with self.redis.pipeline(transaction=False) as pipe:
            self.expire(pipe, code)
            await pipe.execute()
