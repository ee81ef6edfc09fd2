"""Basins of attraction: run a grid of starts and label where each one ends.

End points within ``radius`` of each other (transitively) share a label, found by hashing
points into cells of side ``radius`` and joining neighbouring occupied cells — linear in
the number of starts, so Rastrigin's dozens of local minima each get a basin of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.functions import LossFunction
from app.engine.optim import Optimizer
from app.engine.run import run_many
from app.engine.run.advance import DIVERGED

MAX_LABELS = 1000  # distinct end points reported; the rest share the label -1


@dataclass
class EndPoint:
    point: np.ndarray
    loss: float
    count: int
    minimum: int | None  # index into function.minima, if it is a known one


@dataclass
class Basins:
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray  # (ny, nx); -1 for runs that diverged or beyond MAX_LABELS
    final_losses: np.ndarray  # (ny, nx)
    status: np.ndarray  # (ny, nx) codes into runner.STATUS_NAMES
    steps_taken: np.ndarray  # (ny, nx)
    end_points: list[EndPoint]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _unique_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(cells, axis=0, return_inverse=True)``; for planar cells that fit in 31
    bits, through one int64 key per point (a 1-D sort, several times faster)."""
    small = cells.shape[1] == 2 and np.abs(cells).max(initial=0) < 2**30
    if not small:
        return np.unique(cells, axis=0, return_inverse=True)
    keys = (cells[:, 0] << 32) + (cells[:, 1] + 2**31)
    unique_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return cells[first], inverse


def cluster(points: np.ndarray, radius: float) -> np.ndarray:
    """Labels 0..k-1 for ``points`` (m, dims), joining points closer than ~``radius``."""
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64)
    with np.errstate(all="ignore"):  # far-flung end points: clip rather than overflow
        cells = np.clip(np.floor(points / radius), -(2.0**62), 2.0**62).astype(np.int64)
    unique, cell_of_point = _unique_cells(cells)
    index = {tuple(c): i for i, c in enumerate(unique.tolist())}
    parent = list(range(len(unique)))
    offsets = np.stack(np.meshgrid(*[[-1, 0, 1]] * points.shape[1]), -1).reshape(-1, 2)
    for i, cell in enumerate(unique.tolist()):
        for offset in offsets.tolist():
            j = index.get(tuple(c + o for c, o in zip(cell, offset)))
            if j is not None and j != i:
                a, b = _find(parent, i), _find(parent, j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    roots = np.array([_find(parent, i) for i in range(len(unique))])
    _, labels = np.unique(roots[cell_of_point.ravel()], return_inverse=True)
    return labels.ravel()


def basins(
    function: LossFunction,
    optimizer: Optimizer,
    window: list[tuple[float, float]],
    resolution: int,
    steps: int,
    tol: float,
    radius: float | None = None,
    should_stop=None,
) -> Basins:
    """Run ``optimizer`` from a resolution × resolution grid over ``window`` and label ends."""
    x, y = (np.linspace(lo, hi, resolution) for lo, hi in window)
    starts = np.stack(np.meshgrid(x, y, indexing="xy"), -1).reshape(-1, 2)
    result = run_many(function, starts, optimizer, steps, tol, should_stop)
    if radius is None:
        radius = 0.01 * float(np.hypot(*(hi - lo for lo, hi in window)))
    labels = np.full(len(starts), -1, dtype=np.int64)
    alive = np.flatnonzero(result.status != DIVERGED)
    found = cluster(result.final_points[alive], radius)
    # Biggest basins first, so labels are stable and the cap drops the smallest.
    counts = np.bincount(found) if found.size else np.zeros(0, dtype=np.int64)
    order = np.argsort(-counts, kind="stable")[:MAX_LABELS]
    relabel = np.full(len(counts), -1)
    relabel[order] = np.arange(len(order))
    labels[alive] = relabel[found]
    end_points = []
    for label in range(len(order)):
        members = alive[relabel[found] == label]
        best = members[np.argmin(result.final_losses[members])]
        point = result.final_points[best]
        end_points.append(
            EndPoint(
                point,
                float(result.final_losses[best]),
                len(members),
                _known_minimum(function, point, radius),
            )  # fmt: skip
        )
    shape = (resolution, resolution)
    return Basins(
        x, y, labels.reshape(shape), result.final_losses.reshape(shape),
        result.status.reshape(shape), result.steps_taken.reshape(shape), end_points,
    )  # fmt: skip


def _known_minimum(function: LossFunction, point: np.ndarray, radius: float) -> int | None:
    for i, minimum in enumerate(function.minima):
        if np.linalg.norm(point - np.asarray(minimum.point)) <= 2 * radius:
            return i
    return None
