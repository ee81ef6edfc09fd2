"""The stop rules, once, for every driver.

Before update k of a run (``k`` updates done so far), at point k:

* a non-finite coordinate, loss or gradient norm ends the run as ``diverged``; point k is
  not kept (no optimizer can step from a point without a gradient);
* ``tol > 0`` and ``||∇f|| <= tol`` ends it as ``converged``, point k kept;
* ``k == steps`` ends it as ``max_steps``, point k kept;
* otherwise the optimizer updates and the run goes on.
"""

from __future__ import annotations

import math

from numba import njit

from app.engine.optim.ops import INLINE

RUNNING, MAX_STEPS, CONVERGED, DIVERGED = -1, 0, 1, 2
STATUS_NAMES = ("max_steps", "converged", "diverged")


@njit(**INLINE)
def stop_rule(k, steps, tol, loss, norm, finite_point):
    """RUNNING, or how the run ends at point k."""
    if not (finite_point and math.isfinite(loss) and math.isfinite(norm)):
        return DIVERGED
    if tol > 0 and norm <= tol:
        return CONVERGED
    if k >= steps:
        return MAX_STEPS
    return RUNNING


@njit(**INLINE)
def points_kept(status, k):
    """Points a run keeps when it ends at point k."""
    return k if status == DIVERGED else k + 1
