"""Heavy requests computed in worker processes, so that no computation shares the event
loop's GIL.

In one process, every compute thread takes the GIL from the event loop: a numpy call or a
JSON piece holds it for milliseconds, and with 30 heavy requests at once /healthz waited
up to a second (bench/README.md, issue 11). Here the server keeps one worker process per
heavy slot (``max_heavy_requests``). A request admitted to the heavy lane is planned and
charged as before, then sent whole (method, path, query, headers, body) to an idle
worker (``app.api.worker``), which answers it with the same application
(``create_app(middleware=False)``: the routes and their error handlers) and sends back
status, headers and body; the server's middleware (ETags, security headers, access log)
then passes it on as usual.
The bytes are those the server would have computed itself (tests/api/test_processes.py).

A client leaving is passed on through a shared flag, which the worker's ``receive``
turns into ``http.disconnect``: the request stops as in-process work does (between
chunks). The deadline is passed with the request (``CLOCK_MONOTONIC`` is system-wide).
A worker that dies answers 503 and is replaced. Until the workers have started (about
2 s after start-up) and while one is being replaced, heavy work runs in a thread as
before. Light work (a 100-step run) stays in threads of the server: handing it over
would cost more than it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from app.api.worker import CLIENT_LEFT, Job, serve


class WorkerDied(Exception):
    """The worker computing a request died (killed, out of memory): the request gets 503."""


SPAWN = multiprocessing.get_context("spawn")  # never fork a process that has threads


async def job_of(http: Request, deadline: float) -> Job:
    keys = ("method", "path", "raw_path", "root_path", "query_string", "headers", "scheme",
            "http_version", "client", "server")  # fmt: skip
    # A GET has no body, and must not wait for one: the request's receive() is its
    # disconnect watcher's (admission.watching). A POST's body was read by FastAPI (cached).
    body = b"" if http.method in ("GET", "HEAD") else await http.body()
    return Job({k: http.scope[k] for k in keys if k in http.scope}, body, deadline)


class Worker:
    def __init__(self, index: int) -> None:
        self.index = index
        self.connection, child = SPAWN.Pipe()
        self.flag = SPAWN.RawValue("b", 0)
        self.process = SPAWN.Process(
            target=serve,
            args=(child, self.flag),
            name=f"descent-worker-{index}",
            daemon=True,
        )
        self.process.start()
        child.close()

    async def readable(self) -> None:
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        fd = self.connection.fileno()
        loop.add_reader(fd, ready.set)
        try:
            await ready.wait()
        finally:
            with contextlib.suppress(OSError, ValueError):  # closed meanwhile (shutting down)
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop makes it non-blocking; read in a thread

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1)
        self.connection.close()


class Pool:
    """``size`` workers; ``answer`` takes an idle one (admission guarantees there is one
    per heavy slot) or returns None when none is ready, for the caller to compute."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[Worker] = []
        self.alive: set[Worker] = set()
        self.spawned: list[Worker] = []
        self.starting: set[asyncio.Task] = set()
        self.closed = False

    def ready(self) -> int:
        """Workers started and alive (idle or computing)."""
        return len(self.alive)

    def start(self) -> None:
        for index in range(self.size):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        if self.closed:
            return
        worker = Worker(index)
        self.spawned = [w for w in self.spawned if w.process.is_alive()] + [worker]
        task = asyncio.get_running_loop().create_task(self._ready(worker))
        self.starting.add(task)
        task.add_done_callback(self.starting.discard)

    async def _ready(self, worker: Worker) -> None:
        await worker.readable()  # its app is built and its kernels loaded
        try:
            assert worker.connection.recv_bytes() == b"ready"
        except (EOFError, OSError, AssertionError):  # not replaced: it would fail again
            logging.getLogger("descent.errors").error(
                "worker process %d did not start; heavy requests run in threads", worker.index
            )
            worker.close()
            return
        self.alive.add(worker)
        self.idle.append(worker)

    async def answer(self, job: Job, left) -> Response | None:
        """The worker's response to ``job``; ``left()`` says whether the client left."""
        if not self.idle:
            return None
        worker = self.idle.pop()
        try:
            status, headers, body = await self._exchange(worker, job, left)
        except BaseException as error:  # died, or this request was cancelled: replace it
            self.alive.discard(worker)
            worker.close()
            self._spawn(worker.index)
            if isinstance(error, (EOFError, OSError)):
                raise WorkerDied from None
            raise
        self.idle.append(worker)
        response = Response(body, status_code=status)
        response.raw_headers = [(k, v) for k, v in headers if k != b"content-length"]
        response.raw_headers.append((b"content-length", str(len(body)).encode()))
        return response

    @staticmethod
    async def _exchange(worker: Worker, job: Job, left) -> tuple[int, list, bytes]:
        worker.flag.value = 0
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        await anyio.to_thread.run_sync(worker.connection.send_bytes, data)
        waiting = asyncio.ensure_future(worker.readable())
        try:
            while not waiting.done():
                await asyncio.wait([waiting], timeout=0.05)
                if left():
                    worker.flag.value = CLIENT_LEFT
        finally:
            waiting.cancel()
        status, headers = pickle.loads(await anyio.to_thread.run_sync(worker.connection.recv_bytes))
        return status, headers, await anyio.to_thread.run_sync(worker.connection.recv_bytes)

    def close(self) -> None:
        self.closed = True
        for task in self.starting:
            task.cancel()
        for worker in self.spawned:
            worker.close()
        self.idle.clear()
        self.alive.clear()
        self.spawned.clear()


_pool: Pool | None = None


def pool() -> Pool | None:
    return _pool


def start(size: int) -> None:
    global _pool
    _pool = Pool(size)
    _pool.start()


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.close()
    _pool = None
