"""Heavy requests answered by worker processes (app/api/processes.py), against a real
server: the same bytes as computing them in the server's threads (the in-process test
client runs no lifespan, so it has no workers), the work done in a worker and not in the
server, and a worker that dies replaced."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import httpx
import pytest
from starlette.requests import Request

from app.api.processes import job_of
from app.config import from_env
from bench.load import serve
from bench.process import cpu_seconds, wait_until_idle
from bench.process import workers as workers_of

WORKERS = 2
TRIG = {"expression": "+".join(f"sin({k}*x*y)*cos(x-{k}*y)" for k in range(1, 15)),
        "domain": [[0, 1], [0, 1]]}  # fmt: skip
NOISY = {"function": TRIG, "start": [0.7, 0.7], "optimizer": {"name": "sgd", "lr": 1e-4},
         "steps": 4_000, "tol": 0, "gradient_noise": 0.1, "seed": 3}  # fmt: skip
HEAVY = {  # each well over heavy_operations (50 ms)
    "a noisy formula run": ("POST", "/api/v1/trajectories", NOISY),
    "a batch as CSV": ("POST", "/api/v1/trajectories/batch?format=csv", {"runs": [
        {"function": "rastrigin", "start": [x / 4, 1.5], "optimizer": {"name": "adam"},
         "steps": 20_000, "tol": 0} for x in range(-6, 6)]}),
    "basins": ("POST", "/api/v1/basins", {"function": "rastrigin", "resolution": 150,
                                          "steps": 500, "optimizer": {"name": "adam"}}),
    "a surface of a formula": ("POST", "/api/v1/surface", {"function": TRIG,
                                                           "resolution": 700}),
    "a catalog surface GET": ("GET", "/api/v1/functions/rastrigin/surface?resolution=1000",
                              None),
    "a sweep": ("POST", "/api/v1/sweeps", {"function": TRIG, "start": [0.7, 0.7],
                                           "optimizer": {"name": "sgd"}, "steps": 1_000,
                                           "lr": {"min": 1e-5, "max": 1e-3, "count": 20},
                                           "second": {"param": "momentum",
                                                      "values": [0, 0.5, 0.9]}}),
}  # fmt: skip
SAME_HEADERS = ("content-type", "content-length", "etag", "cache-control")


@pytest.fixture(scope="module")
def server():
    env = {"DESCENT_MAX_HEAVY_REQUESTS": str(WORKERS), "DESCENT_LOG_LEVEL": "warning"}
    with serve(env=env) as (url, pid):  # once /healthz counts its workers ready
        yield url, int(url.rsplit(":", 1)[1]), pid


def worker_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in workers_of(pid))


@pytest.mark.parametrize("kind", HEAVY)
def test_a_heavy_request_is_answered_by_a_worker_with_the_same_bytes(server, client, kind):
    url, _, pid = server
    method, path, body = HEAVY[kind]
    wait_until_idle(pid)
    server_before, workers_before = cpu_seconds(pid), worker_cpu(pid)
    answered = httpx.request(method, url + path, json=body, timeout=120)
    worked = worker_cpu(pid) - workers_before
    assert worked > 0.03 and worked > (cpu_seconds(pid) - server_before - worked)
    in_threads = client.request(method, path, json=body)
    assert answered.status_code == in_threads.status_code == 200
    assert answered.content == in_threads.content
    for name in SAME_HEADERS:
        assert answered.headers.get(name) == in_threads.headers.get(name), name


def test_the_server_middleware_wraps_a_workers_answer(server):
    url, _, _ = server
    path = HEAVY["a catalog surface GET"][1]
    got = httpx.get(url + path, timeout=60)
    assert got.headers["x-content-type-options"] == "nosniff"  # security headers, once
    assert len(got.headers.get_list("content-security-policy")) == 1
    again = httpx.get(url + path, headers={"if-none-match": got.headers["etag"]}, timeout=60)
    assert again.status_code == 304 and again.content == b""
    head = httpx.head(url + path, timeout=60)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]


def test_bad_input_is_refused_by_the_server_without_a_worker(server):
    url, _, pid = server
    before = worker_cpu(pid)
    refused = httpx.post(url + "/api/v1/basins", json={**HEAVY["basins"][2], "resolution": 10**6})
    assert refused.status_code == 422 and "resolution" in str(refused.json()["detail"])
    assert worker_cpu(pid) - before < 0.02


def test_a_worker_that_dies_gets_503_and_is_replaced(server):
    url, _, pid = server
    wait_until_idle(pid)
    answers: list[httpx.Response] = []
    long_run = {**NOISY, "steps": 20_000}  # ~5 s
    sender = threading.Thread(target=lambda: answers.append(
        httpx.post(url + "/api/v1/trajectories", json=long_run, timeout=60)))  # fmt: skip
    before = {p: cpu_seconds(p) for p in workers_of(pid)}
    sender.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the worker computing it: the one gaining CPU
        time.sleep(0.2)
        gained = {p: cpu_seconds(p) - c for p, c in before.items()}
        busy = max(gained, key=gained.get)
        if gained[busy] > 0.2:
            break
    os.kill(busy, signal.SIGKILL)
    sender.join(60)
    assert answers[0].status_code == 503 and int(answers[0].headers["retry-after"]) >= 1
    assert "stopped" in answers[0].json()["detail"]
    deadline = time.monotonic() + 60
    while httpx.get(url + "/healthz").json()["workers"] < WORKERS:
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.2)
    assert busy not in workers_of(pid) and len(workers_of(pid)) == WORKERS
    assert httpx.post(url + "/api/v1/trajectories", json=NOISY, timeout=60).status_code == 200


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("0", False),
                                               ("false", False), ("no", False)])  # fmt: skip
def test_heavy_in_processes_is_read_from_the_environment(raw, expected):
    assert from_env({"DESCENT_HEAVY_IN_PROCESSES": raw}).heavy_in_processes is expected


def test_a_get_is_handed_over_without_waiting_for_a_body():
    """The request's receive() belongs to its disconnect watcher: reading a GET's (absent)
    body there would wait for the client to leave (seen: a surface GET hung)."""

    async def receive_nothing_until_the_client_leaves() -> dict:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "path": "/api/v1/functions/bowl/surface",
             "raw_path": b"/api/v1/functions/bowl/surface", "query_string": b"",
             "headers": [], "root_path": ""}  # fmt: skip
    request = Request(scope, receive_nothing_until_the_client_leaves)
    job = asyncio.run(asyncio.wait_for(job_of(request, deadline=1.0), timeout=5))
    assert job.body == b"" and job.scope["path"] == scope["path"]
