"""Timing helpers shared by the benchmarks: best-of-N wall time, side by side in one run."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 7, warmup: int = 2) -> float:
    """The fastest of ``repeat`` calls, in seconds (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(rows: list[tuple[str, float]], baseline: str) -> None:
    base = dict(rows)[baseline]
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds * 1e3:9.2f} ms   x{base / seconds:7.1f} vs {baseline}")


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch
