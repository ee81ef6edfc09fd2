"""`make worst-case`: 30 of the dearest allowed requests, of mixed kinds, at once.

Starts uvicorn as `make run` does (one worker), then sends ``--requests`` requests at the
same instant, cycling through the heavy cases of ``bench.cases`` (the largest each
endpoint accepts, by CPU or by memory), while one client polls ``/healthz`` every 10 ms and
another runs a 100-step catalog trajectory (Adam on Rosenbrock) every 100 ms. Goals
(issue 11): /healthz p99 < 100 ms, every catalog trajectory < 1 s, no 5xx other than 503,
and the requests the server cannot take get 503 with a Retry-After. Also prints the
server's CPU time and peak RSS over the run, and the machine's load average before and
after (other processes on the cores change every latency figure: compare runs made back to
back). The two pollers run in a process of their own and the 30 bodies are encoded before
the burst: otherwise the senders' JSON encoding and the reading of their tens-of-MB answers
hold the benchmark's own GIL, and the pollers time the client instead of the server.

Heavy requests are computed in the server's worker processes (app/api/processes.py), or
with ``--threads`` in its own threads (``DESCENT_HEAVY_IN_PROCESSES=0``), for comparison;
the server's CPU time and RSS include its worker processes.

    python -m bench.worst_case [--requests 30] [--threads]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import threading
import time
from collections import Counter

import httpx

from bench.cases import cases
from bench.health_under_load import percentile
from bench.load import RESULTS, serve
from bench.process import cpu_seconds, peak_mb, reset_peak, rss_mb, wait_until_idle

SHORT = {"function": "rosenbrock", "start": [-1.5, 2], "optimizer": {"name": "adam", "lr": 0.05},
         "steps": 100}  # fmt: skip
HEAVY_WORDS = ("max steps", "most steps", "largest grid", "lists")


def poll(url: str, path: str, body: dict | None, every: float, stop: threading.Event,
         times: list[float], codes: Counter) -> None:  # fmt: skip
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            start = time.perf_counter()
            response = client.request("POST" if body else "GET", path, json=body)
            times.append((time.perf_counter() - start) * 1e3)
            codes[response.status_code] += 1
            time.sleep(every)


def pollers(url: str, stop, out) -> None:
    """Both pollers, in this (separate) process; their times go back through ``out``."""
    health, health_codes, short, short_codes = [], Counter(), [], Counter()
    threads = [
        threading.Thread(target=poll, args=(url, "/healthz", None, 0.01, stop, health,
                                            health_codes)),
        threading.Thread(target=poll, args=(url, "/api/v1/trajectories", SHORT, 0.1, stop,
                                            short, short_codes)),
    ]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((health, dict(health_codes), short, dict(short_codes)))


def send(url: str, case, body: bytes | None, results: list) -> None:
    start = time.perf_counter()
    try:
        response = httpx.request(
            case.method,
            url + case.url,
            content=body,
            timeout=300,
            headers={"content-type": "application/json"} if body else None,
        )
        outcome = (response.status_code, response.headers.get("retry-after"))
    except httpx.HTTPError as error:
        outcome = (type(error).__name__, None)
    results.append((case.name, *outcome, time.perf_counter() - start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--threads", action="store_true",
                        help="heavy requests in the server's own threads")  # fmt: skip
    args = parser.parse_args()
    heavy = [c for c in cases() if any(word in c.name for word in HEAVY_WORDS)]
    chosen = [heavy[i % len(heavy)] for i in range(args.requests)]
    bodies = [None if c.body is None else json.dumps(c.body).encode() for c in chosen]
    spawn = multiprocessing.get_context("spawn")
    stop, out, results = spawn.Event(), spawn.Queue(), []
    env = {"DESCENT_HEAVY_IN_PROCESSES": "0"} if args.threads else {}
    with serve(env=env) as (url, pid):
        wait_until_idle(pid)
        httpx.post(url + "/api/v1/trajectories", json=SHORT)  # warm
        load_before = os.getloadavg()
        before, cpu = rss_mb(pid), cpu_seconds(pid)
        reset_peak(pid)
        watcher = spawn.Process(target=pollers, args=(url, stop, out))
        senders = [threading.Thread(target=send, args=(url, c, b, results))
                   for c, b in zip(chosen, bodies)]  # fmt: skip
        watcher.start()
        time.sleep(2.0)  # the spawned process imports httpx and starts polling
        began = time.perf_counter()
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        elapsed = time.perf_counter() - began
        time.sleep(1.0)
        stop.set()
        health, health_codes, short, short_codes = out.get(timeout=60)
        watcher.join()
        used, peak = cpu_seconds(pid) - cpu, peak_mb(pid) - before
    codes = Counter(code for _, code, _, _ in results)
    refused = [r for r in results if r[1] == 503]
    result = {
        "requests": args.requests, "kinds": len(heavy), "seconds": round(elapsed, 1),
        "heavy_in": "threads" if args.threads else "processes",
        "outcomes": {str(k): v for k, v in codes.items()},
        "503_with_retry_after": sum(1 for r in refused if r[2]), "503": len(refused),
        "server_errors": sum(1 for r in results if not isinstance(r[1], int) or
                             (r[1] >= 500 and r[1] != 503)),
        "healthz": {"count": len(health), "p50_ms": round(percentile(health, 50), 1),
                    "p99_ms": round(percentile(health, 99), 1),
                    "max_ms": round(max(health), 1), "codes": dict(health_codes)},
        "catalog_100_steps": {"count": len(short), "p50_ms": round(percentile(short, 50), 1),
                              "p99_ms": round(percentile(short, 99), 1),
                              "max_ms": round(max(short), 1), "codes": dict(short_codes)},
        "server_cpu_s": round(used, 1), "server_peak_rss_growth_mb": round(peak, 1),
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "each": sorted((name, code, round(s, 2)) for name, code, _, s in results),
    }  # fmt: skip
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "worst_case.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
