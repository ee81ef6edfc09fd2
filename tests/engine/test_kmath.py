"""The kernels' sin and cos: within 1 ulp of glibc's, and the fast form agrees wherever it
answers at all."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from app.engine.run import kmath


@njit
def _exact(a):
    return kmath.exact.sin(a), kmath.exact.cos(a)


@njit
def _fast(a):
    return kmath.fast.sin(a), kmath.fast.cos(a)


ANGLES = np.concatenate([
    np.random.default_rng(0).uniform(-40, 40, 20_000),
    np.random.default_rng(1).uniform(-8e5, 8e5, 5_000),
    [0.0, -0.0, math.pi / 4, math.pi / 2, math.pi, 1e-300, 2.0**19 * math.pi / 2],
])  # fmt: skip


def ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(max(abs(b), 1e-300))


@pytest.mark.parametrize(("which", "reference"), [(0, math.sin), (1, math.cos)])
def test_within_one_ulp_of_glibc(which, reference):
    worst = max(ulps(_exact(float(a))[which], reference(float(a))) for a in ANGLES)
    assert worst <= 1.0, worst


@pytest.mark.parametrize("a", [1e6, -3e7, 1e300, float("inf")])
def test_beyond_the_reduction_range_exact_is_glibc_and_fast_is_nan(a):
    s, c = _exact(a)
    fs, fc = _fast(a)
    if math.isfinite(a):
        assert (s, c) == (math.sin(a), math.cos(a))
    assert math.isnan(fs) and math.isnan(fc)


def test_fast_equals_exact_inside_the_range():
    for a in ANGLES[np.abs(ANGLES) <= kmath.MEDIUM]:
        assert _fast(float(a)) == _exact(float(a))
