"""Issue 6's benchmarks, side by side in one run, through HTTP on loopback.

    .venv/bin/python -m bench.bench_many [--quick]

1. one 1000-step Adam run on Rosenbrock vs a torch.optim loop;
2. a 6-run race through /trajectories/batch vs six torch loops;
3. basins 200 × 200 × 500 Adam steps on Rastrigin vs the same batched torch.optim loop;
4. a 512 × 512 surface in base64 vs building it and encoding lists with the json module;
5. throughput of 500-step trajectory requests from 32 concurrent clients.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import threading
import time

import httpx
import numpy as np

from app.engine import get_function
from bench.common import best_of, report, torch_or_none
from bench.server import serve

RACE = [("sgd", {"lr": 1e-3}), ("sgd", {"lr": 1e-3, "momentum": 0.9}), ("adam", {"lr": 0.05}),
        ("rmsprop", {"lr": 0.01}), ("adagrad", {"lr": 0.5}), ("adamw", {"lr": 0.05})]  # fmt: skip


def run_body(name="adam", steps=1000, **options) -> dict:
    options = options or {"lr": 0.05}
    return {"function": "rosenbrock", "start": [-1.5, 2.0], "optimizer": {"name": name, **options},
            "steps": steps, "tol": 0}  # fmt: skip


def torch_loop(torch, name: str, options: dict, steps: int = 1000) -> None:
    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = getattr(
        torch.optim,
        {
            "sgd": "SGD",
            "adam": "Adam",
            "rmsprop": "RMSprop",
            "adagrad": "Adagrad",
            "adamw": "AdamW",
        }[name],
    )([p], **options)
    points = []
    for _ in range(steps):
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        opt.step()
        points.append(p.detach().clone())


def torch_basins(torch) -> None:
    xs = torch.linspace(-5.12, 5.12, 200, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, xs, indexing="xy")
    p = torch.stack([gx.reshape(-1), gy.reshape(-1)], -1).clone().requires_grad_(True)
    opt = torch.optim.Adam([p], lr=0.05)
    for _ in range(500):
        opt.zero_grad()
        loss = (20 + (p**2 - 10 * torch.cos(2 * math.pi * p)).sum(-1)).sum()
        loss.backward()
        opt.step()


def json_surface() -> bytes:
    f = get_function("rosenbrock")
    axes = [np.linspace(lo, hi, 512) for lo, hi in f.domain]
    z = f.value(np.stack(np.meshgrid(*axes, indexing="xy"), -1))
    body = {"x": axes[0].tolist(), "y": axes[1].tolist(), "z": z.tolist()}
    return json.dumps(body).encode()


def throughput(url: str, clients: int = 32, seconds: float = 10.0) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        # Like a class: each request its own start, optimizer and learning rate.
        nonlocal errors
        rng = np.random.default_rng(seed)
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < stop_at:
                name, options = RACE[rng.integers(len(RACE))]
                options = {**options, "lr": options["lr"] * float(rng.uniform(0.5, 2))}
                body = run_body(name, steps=500, **options)
                body["start"] = [float(rng.uniform(-2, 2)), float(rng.uniform(-1, 3))]
                start = time.perf_counter()
                ok = http.post("/api/v1/trajectories", json=body).status_code == 200
                with lock:
                    latencies.append(time.perf_counter() - start)
                    errors += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1e3 * statistics.median(latencies),
        "p99_ms": 1e3 * latencies[int(0.99 * (len(latencies) - 1))],
        "errors": errors,
    }


def main(quick: bool = False) -> None:
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(2)
    with serve(workers=1) as url, httpx.Client(base_url=url, timeout=60) as http:

        def post(path, body):
            response = http.post(path, json=body)
            assert response.status_code == 200, response.text

        race = {"runs": [run_body(name, **options) for name, options in RACE]}
        basins = {"function": "rastrigin", "optimizer": {"name": "adam", "lr": 0.05},
                  "steps": 500, "tol": 0, "resolution": 200, "encoding": "base64"}  # fmt: skip
        surface = "/api/v1/functions/rosenbrock/surface?resolution=512&encoding=base64"
        sections = {
            "single run": [("HTTP 1 run", best_of(lambda: post("/api/v1/trajectories",
                                                               run_body())))],
            "race of 6": [("HTTP batch of 6", best_of(lambda: post(
                "/api/v1/trajectories/batch", race)))],
            "basins 200x200x500": [("HTTP basins", best_of(lambda: post("/api/v1/basins",
                                                                        basins), repeat=3))],
            "surface 512x512": [
                ("HTTP base64", best_of(lambda: http.get(surface).raise_for_status())),
                ("json lists", best_of(json_surface, repeat=3)),
            ],
        }  # fmt: skip
        if torch is not None:
            sections["single run"].append(
                ("torch loop", best_of(lambda: torch_loop(torch, "adam", {"lr": 0.05}), repeat=3))
            )
            sections["race of 6"].append(
                (
                    "six torch loops",
                    best_of(lambda: [torch_loop(torch, n, o) for n, o in RACE], repeat=2),
                )
            )
            sections["basins 200x200x500"].append(("torch batched", best_of(
                lambda: torch_basins(torch), repeat=2, warmup=1)))  # fmt: skip
        for title, rows in sections.items():
            print(title)
            report(rows, rows[-1][0])
        print("throughput, 500-step trajectories (random starts, optimizers, lrs), 32 clients:")
        print("  ", throughput(url, seconds=5 if quick else 15))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
