"""Compile every kernel into the disk cache ahead of serving: ``python -m app.engine.run.warm``.

``make run`` (after installing) and the Docker image (at build) call it, so a server loads
compiled kernels in well under a second instead of compiling them (~30 s on 2 cores) before
its first request. Prints what it does and how long it took.
"""

from __future__ import annotations

import time

from app.engine.run import codegen
from app.engine.run.dispatch import warm_up


def main() -> None:
    started = time.perf_counter()
    directory = codegen.cache_dir()
    cached = directory.exists() and any(directory.glob("__pycache__/*.nbc"))
    if not cached:
        print(f"descent: compiling the engine's kernels into {directory} (first run: ~30 s)…",
              flush=True)  # fmt: skip
    warm_up()
    print(f"descent: kernels ready in {time.perf_counter() - started:.1f} s ({directory})")


if __name__ == "__main__":
    main()
