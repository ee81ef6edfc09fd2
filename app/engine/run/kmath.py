"""The math the kernels' catalog formulas use: one definition of sin and cos for every driver.

The catalog's formulas are written with ``np.sin``, ``np.cos``, ``np.exp``, …; compiled for a
kernel (``catalog_kernels``), ``np`` names one of the two modules below instead of numpy:

* ``exact``: ``sin``/``cos`` are fdlibm's kernels with a branch-free Cody–Waite reduction by
  π/2 in three parts (``vsincos``) for |a| ≤ 2¹⁹·π/2, and glibc's beyond (where that reduction
  loses accuracy). Within 1 ulp of glibc (a test checks), and unlike glibc's it inlines, so
  LLVM can vectorise a loop of it across runs (there is no vector libm in this LLVM build).
* ``fast``: the same functions without the branch: NaN beyond the range. The vectorised
  basins kernel evaluates with it, then re-evaluates with ``exact`` every run whose loss or
  gradient came out non-finite, so both give the same bits wherever they are used.

``exp``, ``sqrt`` and the constants are numba's (glibc's ``exp``, LLVM's ``sqrt``).
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import njit

from app.engine.optim.ops import INLINE

# fdlibm (e_rem_pio2.c, k_sin.c, k_cos.c)
INVPIO2 = 6.36619772367581382433e-01
PIO2_1 = 1.57079632673412561417e00
PIO2_1T = 6.07710050650619224932e-11
PIO2_2 = 6.07710050630396597660e-11
PIO2_2T = 2.02226624879595063154e-21
PIO2_3 = 2.02226624871116645580e-21
PIO2_3T = 8.47842766036889956997e-32
MEDIUM = 823549.6875  # fdlibm's medium range: |a| < 2^19 * pi/2, where n * PIO2_1 is exact
RINT = 6755399441055744.0  # 1.5 * 2^52: (t + RINT) - RINT rounds t to an integer
S1, S2, S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
S4, S5, S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
C1, C2, C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
C4, C5, C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11


@njit(**INLINE)
def vsincos(a):
    """(sin a, cos a) without branches, for |a| <= MEDIUM (beyond: garbage; NaN for inf/NaN)."""
    fn = (a * INVPIO2 + RINT) - RINT
    # three-part reduction (fdlibm's 2nd and 3rd iterations, done always): r + rr = a - fn*pi/2
    r = a - fn * PIO2_1
    w = fn * PIO2_1T
    t = r
    w = fn * PIO2_2
    r = t - w
    w = fn * PIO2_2T - ((t - r) - w)
    t = r
    w = fn * PIO2_3
    r = t - w
    w = fn * PIO2_3T - ((t - r) - w)
    y0 = r - w
    y1 = (r - y0) - w
    # kernels
    z = y0 * y0
    w = z * z
    rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
    v = z * y0
    ks = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S1)
    rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
    hz = 0.5 * z
    w = 1.0 - hz
    kc = w + (((1.0 - w) - hz) + (z * rc - y0 * y1))
    q = fn - 4.0 * np.floor(fn * 0.25)  # quadrant 0..3 as a float (NaN stays NaN)
    s = ks if q == 0.0 else (kc if q == 1.0 else (-ks if q == 2.0 else -kc))
    c = kc if q == 0.0 else (-ks if q == 1.0 else (-kc if q == 2.0 else ks))
    return s, c


@njit(**INLINE)
def _sin_exact(a):
    if abs(a) <= MEDIUM:
        return vsincos(a)[0]
    return math.sin(a)


@njit(**INLINE)
def _cos_exact(a):
    if abs(a) <= MEDIUM:
        return vsincos(a)[1]
    return math.cos(a)


@njit(**INLINE)
def _sin_fast(a):
    s = vsincos(a)[0]
    return s if abs(a) <= MEDIUM else np.nan


@njit(**INLINE)
def _cos_fast(a):
    c = vsincos(a)[1]
    return c if abs(a) <= MEDIUM else np.nan


def _namespace(name: str, sin, cos) -> types.ModuleType:
    module = types.ModuleType(name)
    module.sin, module.cos = sin, cos
    module.exp, module.sqrt, module.e, module.pi = np.exp, np.sqrt, np.e, np.pi
    return module


exact = _namespace("descent_kmath_exact", _sin_exact, _cos_exact)
fast = _namespace("descent_kmath_fast", _sin_fast, _cos_fast)
