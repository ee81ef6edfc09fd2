"""The kernels compile the catalog's own formulas: they agree with numpy evaluating the same
text to a few ulps (numba multiplies for ``x**3``, the kernels' ``sin``/``cos``/``exp`` are
not numpy's SIMD loops), at every point of each domain, the cone tip included."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.catalog import FUNCTIONS
from app.engine.run.catalog_kernels import FUNCTION_IDS
from app.engine.run.drivers import evaluate


def test_every_catalog_function_has_a_kernel():
    assert FUNCTION_IDS == tuple(f.id for f in FUNCTIONS)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.id)
def test_kernel_values_and_gradients_equal_numpys_to_rounding(f):
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = f.domain
    points = np.column_stack([rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)])
    points = np.vstack([points, [[0.0, 0.0]], [m.point for m in f.minima] or [[0.0, 0.0]]])
    losses, grads = evaluate(f, points)
    scale = np.abs(f.value(points)).max()
    np.testing.assert_allclose(losses, f.value(points), rtol=1e-12, atol=1e-14 * scale)
    gscale = np.abs(f.gradient(points)).max()
    np.testing.assert_allclose(grads, f.gradient(points), rtol=1e-11, atol=1e-13 * gscale)
