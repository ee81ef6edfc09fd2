"""Each endpoint's most expensive allowed request: server CPU-seconds and peak RSS growth.

Starts uvicorn as `make run` does, then sends each case of ``bench.cases`` (the largest
request the server accepts, by CPU and by memory) alone, with the server otherwise idle,
``--repeat`` times; for each it reads from /proc the CPU time of the server and its worker
processes, and their peak RSS minus their RSS before: the sum of each process's own peak
(VmHWM, reset before the request; an upper bound) and the peak of their sum, sampled every
millisecond. Also prints the request's estimated CPU and memory (``app.api.work``). Goals
(issue 11): ≤ 10 CPU-s and ≤ 500 MB.

    python -m bench.bench_limits [--repeat 2] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import time

import httpx

from app.api import work
from bench.cases import PLANS, Case, cases, describe
from bench.load import RESULTS, serve
from bench.process import (
    SampledPeak,
    cpu_seconds,
    peak_mb,
    reset_peak,
    rss_mb,
    wait_until_idle,
)


def estimates(case: Case) -> tuple[float | None, float | None]:
    """(CPU-s, MB) the server estimates for the case, when it is planned in advance."""
    if case.path not in PLANS:
        return None, None
    seen = []
    check = work.check_memory
    work.check_memory = lambda field, estimate, *rest: seen.append(estimate)
    token = work.response_format.set(case.query.removeprefix("format=") or "json")
    try:
        model, plan = PLANS[case.path]
        planned = plan(model.model_validate(case.body))
    finally:
        work.check_memory = check
        work.response_format.reset(token)
    ns = next(v for v in planned if isinstance(v, int))
    return round(ns / 1e9, 2), round(seen[0] / 2**20)


def measure(url: str, pid: int, case: Case) -> dict:
    wait_until_idle(pid)
    before = rss_mb(pid)
    reset_peak(pid)
    cpu = cpu_seconds(pid)
    start = time.perf_counter()
    with httpx.Client(base_url=url, timeout=300) as client, SampledPeak(pid) as sampled:
        response = client.request(case.method, case.url, json=case.body)
    seconds = time.perf_counter() - start
    time.sleep(0.2)  # the server finishes its bookkeeping (trim, logging)
    return {
        "status": response.status_code,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu_seconds(pid) - cpu, 2),
        "peak_growth_mb": round(peak_mb(pid) - before, 1),  # the sum of the processes' peaks
        "sampled_peak_growth_mb": round(sampled.mb - before, 1),  # the peak of their sum
        "rss_after_growth_mb": round(rss_mb(pid) - before, 1),
        "response_mb": round(len(response.content) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.only in c.name]
    results = []
    with serve() as (url, pid):
        for case in chosen:
            runs = [measure(url, pid, case) for _ in range(args.repeat)]
            worst = max(runs, key=lambda r: (r["peak_growth_mb"], r["cpu_s"]))
            cpu_estimate, memory_estimate = estimates(case)
            row = {"case": case.name, "size": describe(case), **worst,
                   "cpu_s_runs": [r["cpu_s"] for r in runs],
                   "peak_mb_runs": [r["peak_growth_mb"] for r in runs],
                   "sampled_mb_runs": [r["sampled_peak_growth_mb"] for r in runs],
                   "estimated_cpu_s": cpu_estimate, "estimated_mb": memory_estimate}  # fmt: skip
            results.append(row)
            cpus = "/".join(str(c) for c in row["cpu_s_runs"])
            peaks = "/".join(str(m) for m in row["peak_mb_runs"])
            sampled = "/".join(str(m) for m in row["sampled_mb_runs"])
            print(f"{case.name:<62} {row['size']:<28} {worst['status']}  CPU {cpus} s "
                  f"(est {cpu_estimate})  peak +{peaks} MB, sampled +{sampled} MB "
                  f"(est {memory_estimate})  "
                  f"{worst['response_mb']} MB out", flush=True)  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "limits.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
