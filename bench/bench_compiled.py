"""The compiled runner (numba prototype) vs the numpy runner vs torch, side by side.

    .venv/bin/python -m bench.bench_compiled

1. one 1000-step Adam run on Rosenbrock (trajectory recorded);
2. the race of six (bench_many.RACE), one batched call per optimizer kind;
3. basins 200 × 200 starts × 500 Adam steps on Rastrigin (final points only);
4. first-call compile time and cached load time, each in a fresh process.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.engine import get_function, make_optimizer, run
from app.engine.compiled import compiled_run_batch
from app.engine.hyper import inject_hyperparams
from app.engine.parallel import run_many
from app.engine.runner import BatchResult, run_batch
from bench.bench_many import RACE, torch_basins, torch_loop
from bench.common import best_of, report, torch_or_none

START = [[-1.5, 2.0]]


def race_groups() -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for name, options in RACE:
        groups.setdefault(name, []).append(options)
    return groups


def compiled_race() -> None:
    for name, settings in race_groups().items():
        compiled_run_batch("rosenbrock", START * len(settings), name, settings, 1000)


def numpy_race() -> None:
    f = get_function("rosenbrock")
    for name, settings in race_groups().items():
        run_batch(f, np.array(START * len(settings)), inject_hyperparams(name, settings), 1000)


def grid() -> np.ndarray:
    xs = np.linspace(-5.12, 5.12, 200)
    gx, gy = np.meshgrid(xs, xs, indexing="xy")
    return np.column_stack([gx.ravel(), gy.ravel()])


_pool = ThreadPoolExecutor(2)


def compiled_blocks(starts: np.ndarray, block: int = 4096) -> BatchResult:
    """The serial kernel (it releases the GIL) on the app's own block threads."""
    parts = list(
        _pool.map(
            lambda i: compiled_run_batch(
                "rastrigin",
                starts[i : i + block],
                "adam",
                [{"lr": 0.05}],
                500,
                0.0,
                False,
            ),  # fmt: skip
            range(0, len(starts), block),
        )
    )
    keys = ("status", "steps_taken", "n_points", "final_points", "final_losses")
    return BatchResult(*(np.concatenate([getattr(p, k) for p in parts]) for k in keys))


COLD = """
import time
t0 = time.perf_counter()
from app.engine.compiled import compiled_run_batch
t1 = time.perf_counter()
compiled_run_batch("rosenbrock", [[-1.5, 2.0]], "adam", [{}], 5)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def compile_times() -> list[float]:
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True)
    return [float(t) for t in out.stdout.split()]


def main() -> None:
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(2)
    f = get_function("rosenbrock")
    adam = make_optimizer("adam", lr=0.05)
    starts = grid()
    ours = compiled_blocks(starts)
    theirs = run_many(get_function("rastrigin"), starts, make_optimizer("adam", lr=0.05), 500, 0.0)
    assert np.array_equal(ours.final_points, theirs.final_points), "basins differ"
    sections = {
        "single run (1000 Adam steps, Rosenbrock, trajectory)": [
            ("compiled", best_of(lambda: compiled_run_batch("rosenbrock", START, "adam",
                                                            [{"lr": 0.05}], 1000))),
            ("numpy run()", best_of(lambda: run(f, START[0], adam, steps=1000))),
        ],
        "race of 6 (one call per optimizer kind)": [
            ("compiled", best_of(compiled_race)),
            ("numpy run_batch", best_of(numpy_race)),
        ],
        "basins 200x200x500 Adam, Rastrigin (final points)": [
            ("compiled serial, 2 block threads", best_of(lambda: compiled_blocks(starts),
                                                         repeat=3, warmup=1)),
            ("numpy run_many", best_of(lambda: run_many(
                get_function("rastrigin"), starts, make_optimizer("adam", lr=0.05), 500, 0.0),
                repeat=2, warmup=1)),
        ],
    }  # fmt: skip
    if torch is not None:
        sections["single run (1000 Adam steps, Rosenbrock, trajectory)"].append(
            ("torch loop", best_of(lambda: torch_loop(torch, "adam", {"lr": 0.05}), repeat=3))
        )
        sections["race of 6 (one call per optimizer kind)"].append(
            ("six torch loops", best_of(lambda: [torch_loop(torch, n, o) for n, o in RACE],
                                        repeat=2))
        )  # fmt: skip
        sections["basins 200x200x500 Adam, Rastrigin (final points)"].append(
            ("torch batched", best_of(lambda: torch_basins(torch), repeat=2, warmup=1))
        )
    for title, rows in sections.items():
        print(title)
        report(rows, rows[-1][0])
    imported, compiled = compile_times()
    print(f"fresh process: import {imported:.2f} s, first call (compiles) {compiled:.2f} s")


if __name__ == "__main__":
    main()
