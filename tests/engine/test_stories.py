"""Every function's story is true: its default race does what each run says it shows, and
its map is drawn so its features can be seen (colour bands spread, ripples resolved)."""

import numpy as np
import pytest

from app.engine import make_optimizer, run
from app.engine.catalog import CATALOG
from app.engine.functions import OUTCOMES
from app.engine.stories import STORIES

RUNS = [
    pytest.param(f, i, id=f"{f.id}-{i}-{s.optimizer['name']}")
    for f in CATALOG.values()
    for i, s in enumerate(f.story.runs)
]
PLANAR = [pytest.param(f, id=f.id) for f in CATALOG.values() if f.dims == 2]
ZIGZAG = 0.3  # a coordinate reverses direction on at least this share of the steps
NEAR = 0.01  # "at" a point: within 1% of the domain's diagonal


def outcomes(f, traj) -> set[str]:
    """What a run visibly did, in the words of ``OUTCOMES``."""
    p, losses = np.asarray(traj.points), np.asarray(traj.losses)
    diagonal = float(np.hypot.reduce([hi - lo for lo, hi in f.domain]))
    end = p[-1]
    inside = all(lo <= v <= hi for v, (lo, hi) in zip(end, f.domain))
    found = set()
    if traj.status == "diverged" or (not inside and losses[-1] > losses[0]):
        found.add("diverges")
    elif not inside:
        found.add("escapes")
    else:
        at_global = any(
            np.linalg.norm(end - m.point) <= NEAR * diagonal for m in f.minima if m.is_global
        )
        tail = p[-max(2, len(p) // 10) :]
        settled = np.linalg.norm(tail[-1] - tail[0]) <= 1e-3 * diagonal
        if at_global:
            found.add("minimum")
        elif traj.status == "converged" or settled:
            found.add("stuck")
        elif losses[-1] < losses[0]:
            found.add("slow")
    steps = np.diff(p, axis=0)
    if len(steps) >= 10:  # three steps of a blow-up are not a zig-zag
        reversals = (steps[1:] * steps[:-1] < 0).mean(axis=0)
        if reversals.max() >= ZIGZAG:
            found.add("zigzag")
    return found


def test_every_function_and_lesson_has_a_story():
    assert set(STORIES) == set(CATALOG)
    for f in CATALOG.values():
        assert f.story is STORIES[f.id]
        assert f.story.prompt.startswith("Try this: ") and "\n" not in f.story.prompt
        assert 1 <= len(f.story.runs) <= 6  # the page races at most six
        for r in f.story.runs:
            assert r.expect and set(r.expect) <= set(OUTCOMES), r


@pytest.mark.parametrize(("f", "index"), RUNS)
def test_each_default_run_does_what_its_story_says(f, index):
    spec = f.story.runs[index]
    params = {k: v for k, v in spec.optimizer.items() if k != "name"}
    traj = run(f, list(f.start), make_optimizer(spec.optimizer["name"], **params),
               steps=f.story.steps, tol=1e-8)  # fmt: skip
    assert outcomes(f, traj) == set(spec.expect), (traj.status, traj.points[-1], traj.losses[-1])


def test_each_story_shows_a_contrast():
    """A race of identical outcomes teaches nothing unless that is the point (traps, saddle)."""
    for f in CATALOG.values():
        kinds = {r.expect for r in f.story.runs}
        alike = {"stuck"} if f.id == "rastrigin" else {"escapes"} if f.id == "saddle" else None
        assert len(kinds) > 1 or {*next(iter(kinds))} == alike, f.id


def shown_surface(f, resolution):
    """The grid as the page colours it (plot.js prepareSurface): log10(z − min + eps)."""
    (x0, x1), (y0, y1) = f.domain
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    z = f.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    lo, hi = z.min(), z.max()
    eps = max((hi - lo) * 1e-5, 1e-12)
    shown = (lambda v: np.log10(np.maximum(v - lo, 0) + eps)) if f.log_scale else (lambda v: v)
    return xs, ys, shown


@pytest.mark.parametrize("f", PLANAR)
def test_no_colour_band_covers_half_the_map(f):
    xs, ys, shown = shown_surface(f, f.story.resolution)
    z = shown(f.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
    counts, _ = np.histogram(z, bins=f.story.levels)  # the page's equal bands, min to max
    assert counts.max() / z.size <= 0.5, counts.max() / z.size


@pytest.mark.parametrize("f", PLANAR)
def test_the_grid_resolves_every_ripple(f):
    """Between grid nodes the function may not stray from what the plot interpolates by
    more than half a colour band (99% of cells): aliasing (moiré) fails this."""
    xs, ys, shown = shown_surface(f, f.story.resolution)
    z = shown(f.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
    mid = np.stack(np.meshgrid((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2), axis=-1)
    between = (z[:-1, :-1] + z[1:, :-1] + z[:-1, 1:] + z[1:, 1:]) / 4
    band = (z.max() - z.min()) / f.story.levels
    assert np.percentile(np.abs(shown(f.value(mid)) - between), 99) <= band / 2
