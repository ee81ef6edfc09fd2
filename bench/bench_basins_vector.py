"""EXPERIMENT: basins 200 × 200 × 500 Adam steps (lr 0.05, tol 0) on Rastrigin, side by side.

    .venv/bin/python -m bench.bench_basins_vector

1. ``compiled_vector.vector_run_many`` (steps outer, runs inner, SIMD across runs);
2. ``parallel.run_many`` as it is (the compiled kernel, one run at a time, glibc sincos);
3. the batched ``torch.optim.Adam`` loop of ``bench_many``.
Also prints how far the vector kernel's final points are from run_many's.
"""

from __future__ import annotations

import numpy as np

from app.engine import fast_path, get_function
from app.engine.compiled_vector import THREADS, vector_run_many
from app.engine.hyper import inject_hyperparams
from app.engine.parallel import run_many
from bench.bench_many import torch_basins
from bench.common import best_of, report, torch_or_none


def main() -> None:
    xs = np.linspace(-5.12, 5.12, 200)
    gx, gy = np.meshgrid(xs, xs, indexing="xy")
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    f = get_function("rastrigin")
    optimizer = inject_hyperparams("adam", [{"lr": 0.05}] * len(starts))
    fast_path.warm_up(block=True)

    def vector():
        return vector_run_many("rastrigin", starts, "adam", {"lr": 0.05}, 500, 0.0)

    def current():
        return run_many(f, starts, optimizer, 500, 0.0)

    ours, theirs = vector(), current()  # also compiles the vector kernel
    same = np.mean((ours.final_points == theirs.final_points).all(1))
    rel = np.abs(ours.final_points - theirs.final_points) / np.abs(theirs.final_points)
    print(f"threads {THREADS}; statuses equal {np.array_equal(ours.status, theirs.status)}, "
          f"steps equal {np.array_equal(ours.steps_taken, theirs.steps_taken)}, "
          f"max rel diff {np.nanmax(rel):.2e}, "
          f"bit-equal points {same:.1%}")  # fmt: skip
    rows = [("vector kernel", best_of(vector)), ("run_many", best_of(current))]
    torch = torch_or_none()
    if torch is not None:
        rows.append(("torch batched", best_of(lambda: torch_basins(torch), repeat=5)))
    print("basins 200 x 200 x 500 Adam steps on Rastrigin:")
    report(rows, rows[-1][0])


if __name__ == "__main__":
    main()
