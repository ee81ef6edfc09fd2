"""`make soak`: 16 clients of random valid requests (hostile formulas included) for 10 min.

Starts ``uvicorn app.main:app`` as `make run` does, then each client sends random requests
from every endpoint back to back: catalog runs, typed formulas (the 28-term hostile one
among them), fits to data with mini-batches and noise, surfaces, basins, sweeps, batches.
Prints every 30 s and at the end: requests by outcome (2xx, 422 refused as too costly,
503 busy, errors = any other status or a failed connection), /healthz latency, and the
server's RSS (its worker processes included); the goal is 0 errors and an RSS at the end
within 20 % of its value after the first minute.

    python -m bench.soak [--seconds 600] [--clients 16]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from collections import Counter

import httpx

from bench.load import RESULTS, serve
from bench.process import rss_mb  # the server's and its worker processes' together

HOSTILE = {"expression": "+".join(f"sinh(x^y^{k})" for k in range(1, 29)),
           "domain": [[0.5, 1], [0.5, 1]]}  # fmt: skip
TRIG = {"expression": "+".join(f"sin({k}*x*y)*cos(x-{k}*y)" for k in range(1, 15)),
        "domain": [[0, 1], [0, 1]]}  # fmt: skip
CATALOG = ["rosenbrock", "himmelblau", "rastrigin", "bowl", "beale"]
OPTIMIZERS = ["sgd", "adam", "rmsprop", "adagrad", "adamw"]


def fit(rng: random.Random) -> dict:
    n = rng.choice([10, 1000, 10_000])
    x = [rng.uniform(-3, 3) for _ in range(n)]
    model = rng.choice(["logistic", "linear"])
    y = [int(v + rng.gauss(0, 1) > 0) for v in x] if model == "logistic" else \
        [2 * v + rng.gauss(0, 1) for v in x]  # fmt: skip
    return {"model": model, "loss": "mse", "data": {"x": x, "y": y}}


def function(rng: random.Random):
    return rng.choice([rng.choice(CATALOG), HOSTILE, TRIG, fit(rng) if rng.random() < 0.3
                       else {"expression": "sin(x)*cos(y) + 0.1*(x^2 + y^2)"}])  # fmt: skip


def request(rng: random.Random) -> tuple[str, str, dict | None]:
    kind = rng.choice(["run", "run", "run", "surface", "get", "basins", "sweep", "batch"])
    f = function(rng)
    opt = {"name": rng.choice(OPTIMIZERS), "lr": 10 ** rng.uniform(-4, -1)}
    start = [0.7, 0.7]
    if kind == "run":
        body = {"function": f, "start": start, "optimizer": opt, "tol": 0,
                "steps": rng.choice([100, 1000, 10_000, 100_000]),
                "gradient_noise": rng.choice([0, 0, 0.1])}  # fmt: skip
        if isinstance(f, dict) and "model" in f and rng.random() < 0.5:
            body["batch_size"] = rng.choice([1, 32])
        return "POST", "/api/v1/trajectories", body
    if kind == "surface":
        return "POST", "/api/v1/surface", {"function": f, "encoding": "base64",
                                           "resolution": rng.choice([100, 400, 1000])}  # fmt: skip
    if kind == "get":
        name = rng.choice(CATALOG)
        return "GET", f"/api/v1/functions/{name}/surface?resolution=200&encoding=base64", None
    if kind == "basins":
        body = {"function": f, "optimizer": opt, "encoding": "base64", "steps": 200,
                "resolution": rng.choice([50, 200])}  # fmt: skip
        return "POST", "/api/v1/basins", body
    if kind == "sweep":
        return "POST", "/api/v1/sweeps", {"function": f, "start": start, "optimizer": opt,
                                          "lr": {"count": 50}, "steps": 500}  # fmt: skip
    if isinstance(f, dict) and "model" in f:
        f = rng.choice(CATALOG)  # eight copies of a big dataset would pass the body limit
    runs = [{"function": f, "start": start, "optimizer": {**opt, "lr": opt["lr"] * (i + 1)},
             "steps": 2000} for i in range(8)]  # fmt: skip
    return "POST", "/api/v1/trajectories/batch", {"runs": runs}


def client(url: str, seed: int, stop: threading.Event, outcomes: Counter) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=120) as http:
        while not stop.is_set():
            method, path, body = request(rng)
            try:
                response = http.request(method, path, json=body)
                code = response.status_code
                kind = "2xx" if code < 300 else "422" if code == 422 else \
                    "503" if code == 503 else f"error {code}"  # fmt: skip
                if code == 503:
                    time.sleep(float(response.headers.get("retry-after", 1)))
            except httpx.HTTPError as error:
                kind = f"error {type(error).__name__}"
            outcomes[kind] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    outcomes: Counter = Counter()
    stop = threading.Event()
    health: list[float] = []
    samples = []
    with serve() as (url, pid):
        threads = [threading.Thread(target=client, args=(url, i, stop, outcomes), daemon=True)
                   for i in range(args.clients)]  # fmt: skip
        for t in threads:
            t.start()
        began = time.monotonic()
        with httpx.Client(base_url=url, timeout=30) as http:
            while (elapsed := time.monotonic() - began) < args.seconds:
                start = time.perf_counter()
                ok = http.get("/healthz").status_code == 200
                health.append((time.perf_counter() - start) * 1e3 if ok else float("inf"))
                if not samples or elapsed - samples[-1][0] >= 30:
                    samples.append((elapsed, rss_mb(pid)))
                    print(f"{elapsed:5.0f} s  RSS {samples[-1][1]:7.1f} MB  {dict(outcomes)}",
                          flush=True)  # fmt: skip
                time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(150)
        end_rss = rss_mb(pid)
    after_first_minute = next((rss for t, rss in samples if t >= 60), samples[-1][1])
    ordered = sorted(health)
    result = {
        "seconds": args.seconds, "clients": args.clients, "outcomes": dict(outcomes),
        "errors": sum(v for k, v in outcomes.items() if k.startswith("error")),
        "rss_after_first_minute_mb": round(after_first_minute, 1),
        "rss_end_mb": round(end_rss, 1),
        "rss_change_pct": round(100 * (end_rss / after_first_minute - 1), 1),
        "healthz_p50_ms": round(statistics.median(ordered), 1),
        "healthz_p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
        "healthz_max_ms": round(ordered[-1], 1),
        "rss_samples": [(round(t), round(r, 1)) for t, r in samples],
    }  # fmt: skip
    print(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
