"""Abandoned work stops: drivers ask ``should_stop()`` between chunks of steps."""

from __future__ import annotations

from collections.abc import Callable

ShouldStop = Callable[[], bool] | None
CHUNK_WORK = 200_000  # run-steps between two checks (a few ms of kernel time)


class Cancelled(Exception):  # noqa: N818 (what happened, not an error of the caller)
    """The caller stopped wanting the result (a client disconnected, a deadline passed)."""


def check(should_stop: ShouldStop) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled("the run was stopped before it finished")


def chunk_steps(n_runs: int) -> int:
    return max(1, CHUNK_WORK // max(n_runs, 1))
