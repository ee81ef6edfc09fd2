"""Issue 11 against a real server (uvicorn on loopback, started as `make run` starts it):
admission for every compute path, /healthz and short runs answered while long ones run,
abandoned work stopped, slow clients cut off.

Latency checks here use generous bounds (seconds where the goal is milliseconds) because
the machine is shared; bench/README.md has the measured figures. Work that stopped is
checked by the server's own CPU time and its worker processes' (/proc), not by wall-clock
speed. Each test runs against both ways of computing heavy requests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import pytest

from bench.load import ROOT, protocol_flag, serve
from bench.process import cpu_seconds, wait_until_idle

TRIG = {"expression": "+".join(f"sin({k}*x*y)*cos(x-{k}*y)" for k in range(1, 15)),
        "domain": [[0, 1], [0, 1]]}  # fmt: skip
ENV = {"DESCENT_MAX_HEAVY_REQUESTS": "1", "DESCENT_MAX_QUEUE_SECONDS": "1",
       "DESCENT_REQUEST_DEADLINE_SECONDS": "3", "DESCENT_HEADER_TIMEOUT_SECONDS": "1",
       "DESCENT_LOG_LEVEL": "warning"}  # fmt: skip


def noisy_run(steps: int, seed: int = 0) -> dict:
    return {"function": TRIG, "start": [0.7, 0.7], "optimizer": {"name": "sgd", "lr": 1e-4},
            "steps": steps, "tol": 0, "gradient_noise": 0.1, "seed": seed}  # fmt: skip


# Heavy requests in worker processes (the default), and in the server's own threads.
@pytest.fixture(scope="module", params=["processes", "threads"])
def server(request):
    in_processes = request.param == "processes"
    env = {**ENV, "DESCENT_HEAVY_IN_PROCESSES": "1" if in_processes else "0"}
    with serve(env=env) as (url, pid):  # once /healthz counts its workers ready
        yield url, int(url.rsplit(":", 1)[1]), pid


def test_the_dockerfile_starts_uvicorn_with_the_same_protocol():
    assert " ".join(protocol_flag()) in (ROOT / "Dockerfile").read_text()


def test_noisy_runs_are_admitted_and_the_rest_answered_meanwhile(server):
    url, _, _ = server
    responses: list[httpx.Response] = []

    def post(seed: int) -> None:
        with contextlib.suppress(httpx.HTTPError):
            responses.append(httpx.post(url + "/api/v1/trajectories",
                                        json=noisy_run(1500, seed), timeout=60))  # fmt: skip

    threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(3):
            start = time.monotonic()
            assert client.get("/healthz").status_code == 200
            short = {"function": "rosenbrock", "start": [-1.5, 2], "steps": 100,
                     "optimizer": {"name": "adam"}}  # fmt: skip
            assert client.post("/api/v1/trajectories", json=short).status_code == 200
            assert time.monotonic() - start < 5  # generous: the goal is < 1 s
    for t in threads:
        t.join(60)
    codes = sorted(r.status_code for r in responses)
    assert set(codes) == {200, 503}, codes  # one slot, a 1-second queue: some are refused
    busy = next(r for r in responses if r.status_code == 503)
    assert int(busy.headers["retry-after"]) >= 1 and "busy" in busy.json()["detail"]


def test_a_request_past_its_deadline_is_stopped_with_503(server):
    url, _, _ = server
    start = time.monotonic()
    response = httpx.post(url + "/api/v1/trajectories", json=noisy_run(20_000), timeout=60)
    assert response.status_code == 503 and "deadline" in response.json()["detail"]
    assert time.monotonic() - start < 10  # 3 s deadline; the run alone takes longer


FIT = {"model": "logistic", "loss": "bce",
       "data": {"x": [i / 10_000 for i in range(10_000)],
                "y": [int(i % 3 == 0) for i in range(10_000)]}}  # fmt: skip
ABANDONED = {
    "noisy run": ("/api/v1/trajectories", noisy_run(20_000)),
    "batch": ("/api/v1/trajectories/batch", {"runs": [
        {**noisy_run(3_000, seed), "gradient_noise": 0} for seed in range(8)]}),
    # each 16,384-point block of this fit took 0.6 CPU-s: blocks are now ~50 ms
    "surface of a fit": ("/api/v1/surface", {"function": FIT, "resolution": 250}),
}  # fmt: skip


@pytest.mark.parametrize("kind", ABANDONED)
def test_an_abandoned_request_stops_computing(server, kind):
    url, port, pid = server
    wait_until_idle(pid)
    path, json = ABANDONED[kind]
    body = httpx.Request("POST", url + path, json=json)
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body.content)}\r\n\r\n").encode()  # fmt: skip
    idle = cpu_seconds(pid)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(head + body.content)
        time.sleep(1.0)
        busy = cpu_seconds(pid)
    assert busy - idle > 0.1  # it was computing when the client left
    time.sleep(1.0)
    assert cpu_seconds(pid) - busy < 0.5  # within 1 s; the run would take ~4 CPU-s more
    before = cpu_seconds(pid)
    time.sleep(1.0)
    assert cpu_seconds(pid) - before < 0.1


def test_a_client_trickling_its_headers_is_cut_off(server):
    _, port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        assert s.recv(100) == b""  # closed by the server
        assert time.monotonic() - start < 5  # the timeout is 1 s
