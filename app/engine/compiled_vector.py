"""EXPERIMENT: a record=False kernel vectorised across runs (numba, SIMD), for basins.

``compiled.py`` runs one run to its end, then the next: its loop cannot be vectorised and
on Rastrigin it spends most of its time in glibc's scalar ``sin``/``cos``. Here the loops
are turned round: steps outer, runs inner, over structure-of-arrays state (x[], y[], the
optimizer's moments), and a finished run is masked out by selects rather than left by a
``break``, so LLVM vectorises the inner loop across runs (AVX2 / AVX-512 lanes).

Rastrigin's ``sin``/``cos`` are computed here by a branch-free float64 ``sincos`` (fdlibm's
Cody–Waite reduction by π/2 in three parts and its degree-13/14 kernels, the quadrant
chosen by selects) that the vectoriser can inline; angles beyond fdlibm's medium range
(``|a| > 2^19·π/2``, i.e. ``|x| > 131072``) are recomputed afterwards by the scalar
kernel (no SVML: this llvmlite 0.50 / LLVM 22 build is not SVML-patched,
``numba -s`` reports it unusable). It is within 1 ulp of glibc, not bit-equal: results
agree with the numpy runner to rounding (basins: 1e-15 relative; see the tests).

Semantics are ``runner.run_batch``'s (``compiled._run_one``'s) run by run; the optimizer
arithmetic is ``compiled._update`` itself, in the same order, without fastmath. One
hyper-parameter setting for every run (what ``parallel.run_many`` passes). Kernels are
specialised per (function, optimizer kind, flags) and compiled on first use (~1 s each).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import njit

from app.engine.compiled import (
    ADAGRAD,
    ADAM,
    ADAMW,
    ALPHA,
    BETA1,
    BETA2,
    DAMPENING,
    EPS,
    INITIAL,
    KINDS,
    LR,
    LR_DECAY,
    MOMENTUM,
    WD,
    _update,
    checked_starts,
    hyper_table,  # fmt: skip
)
from app.engine.compiled_functions import CODES, value_and_gradient
from app.engine.runner import CONVERGED, DIVERGED, MAX_STEPS, BatchResult

_JIT = {"error_model": "numpy", "nogil": True}  # no fastmath
PI = np.pi
TWO_PI = 2 * PI  # the catalog computes 2 * PI * x as (2 * PI) * x
TWENTY_PI = 20 * PI

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


@njit(inline="always", **_JIT)
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


@njit(**_JIT)
def _eval_rastrigin(x, y, loss, gx, gy):
    """The catalog's Rastrigin (same operation order), vectorised; True if any angle is big."""
    big = 0
    for i in range(x.shape[0]):
        xi, yi = x[i], y[i]
        a, b = TWO_PI * xi, TWO_PI * yi
        sa, ca = vsincos(a)
        sb, cb = vsincos(b)
        loss[i] = 20 + (xi * xi - 10 * ca) + (yi * yi - 10 * cb)
        gx[i] = 2 * xi + TWENTY_PI * sa
        gy[i] = 2 * yi + TWENTY_PI * sb
        big += 0 if (abs(a) <= MEDIUM) & (abs(b) <= MEDIUM) else 1
    return big > 0


X, Y, SX, SY, AX, AY, MX, MY, LX, LY, LL, ACT, ST, NP, LOSS, GX, GY = range(17)
NF = 17
NB = 2048  # runs per kernel call (a compile-time constant)
FDIV, FCONV, FMAX = float(DIVERGED), float(CONVERGED), float(MAX_STEPS)


def _make_kernel(code: int, kind: int, flags: tuple[bool, bool, bool], rastrigin: bool):
    nesterov, amsgrad, centered = flags

    if rastrigin:
        evaluate = _eval_rastrigin
    else:

        @njit(**_JIT)
        def evaluate(x, y, loss, gx, gy):
            for i in range(x.shape[0]):
                loss[i], gx[i], gy[i] = value_and_gradient(code, x[i], y[i])
            return False

    @njit(**_JIT)
    def kernel(x0, y0, hp, lr_decay, initial, bc, steps, tol, status, npts, final):
        # One (fields, n) array for all per-run state: a single base pointer lets LLVM
        # prove the rows independent and vectorise (separate arrays need too many
        # run-time alias checks, and it gives up).
        # Exactly NB runs (padded by the caller), rows NB apart: constant distances, so
        # LLVM needs no run-time alias checks at all.
        n = NB
        S = np.zeros(NF * NB)
        for i in range(NB):
            S[X * NB + i] = S[LX * NB + i] = x0[i]
            S[Y * NB + i] = S[LY * NB + i] = y0[i]
            S[LL * NB + i] = np.nan
            S[SX * NB + i] = S[SY * NB + i] = initial
            S[ACT * NB + i] = 1.0
        lr = hp[0]
        for k in range(steps + 1):
            if evaluate(S[X * NB : X * NB + NB], S[Y * NB : Y * NB + NB],
                        S[LOSS * NB : LOSS * NB + NB], S[GX * NB : GX * NB + NB],
                        S[GY * NB : GY * NB + NB]):  # fmt: skip  # rare: angles beyond vsincos
                for i in range(n):
                    xi, yi = S[X * NB + i], S[Y * NB + i]
                    if not (abs(TWO_PI * xi) <= MEDIUM and abs(TWO_PI * yi) <= MEDIUM):
                        v, gx, gy = value_and_gradient(code, xi, yi)
                        S[LOSS * NB + i], S[GX * NB + i], S[GY * NB + i] = v, gx, gy
            bc1 = bc2s = clr = 1.0
            if kind == ADAM or kind == ADAMW:
                bc1, bc2s = bc[k, 0], bc[k, 1]
            elif kind == ADAGRAD:
                clr = lr / (1 + k * lr_decay)
            last = k == steps
            fk, fk1 = float(k), float(k + 1)
            count = 0
            for i in range(n):
                xi, yi, li = S[X * NB + i], S[Y * NB + i], S[LOSS * NB + i]
                gx, gy = S[GX * NB + i], S[GY * NB + i]
                norm = np.sqrt(gx * gx + gy * gy)
                fin = (li - li) + (norm - norm) + (xi - xi) + (yi - yi) == 0.0
                act = S[ACT * NB + i] != 0.0
                good = act & fin
                bad = act & (not fin)
                conv = good & (tol > 0) & (norm <= tol)
                stop = conv | (good & last)
                cont = good & (not stop)
                S[LX * NB + i] = xi if good else S[LX * NB + i]
                S[LY * NB + i] = yi if good else S[LY * NB + i]
                S[LL * NB + i] = li if good else S[LL * NB + i]
                st = FDIV if bad else (FCONV if conv else FMAX)
                S[ST * NB + i] = st if (bad | stop) else S[ST * NB + i]
                S[NP * NB + i] = fk if bad else (fk1 if stop else S[NP * NB + i])
                step, nsx, nax, nmx = _update(kind, nesterov, amsgrad, centered, hp, k, gx, xi,
                                              S[SX * NB + i], S[AX * NB + i], S[MX * NB + i],
                                              bc1, bc2s, clr)  # fmt: skip
                nx = xi + step
                step, nsy, nay, nmy = _update(kind, nesterov, amsgrad, centered, hp, k, gy, yi,
                                              S[SY * NB + i], S[AY * NB + i], S[MY * NB + i],
                                              bc1, bc2s, clr)  # fmt: skip
                ny = yi + step
                S[X * NB + i] = nx if cont else xi
                S[Y * NB + i] = ny if cont else yi
                S[SX * NB + i] = nsx if cont else S[SX * NB + i]
                S[AX * NB + i] = nax if cont else S[AX * NB + i]
                S[MX * NB + i] = nmx if cont else S[MX * NB + i]
                S[SY * NB + i] = nsy if cont else S[SY * NB + i]
                S[AY * NB + i] = nay if cont else S[AY * NB + i]
                S[MY * NB + i] = nmy if cont else S[MY * NB + i]
                S[ACT * NB + i] = 1.0 if cont else 0.0
                count += 1 if cont else 0
            if count == 0:
                break
        for i in range(n):
            status[i], npts[i] = int(S[ST * NB + i]), int(S[NP * NB + i])
            final[i, 0], final[i, 1], final[i, 2] = S[LX * NB + i], S[LY * NB + i], S[LL * NB + i]

    return kernel


_KERNELS: dict[tuple, Any] = {}
_compiling = threading.Lock()


def _bias(betas: tuple[float, float], steps: int) -> np.ndarray:
    from app.engine.compiled import _bias_corrections

    return _bias_corrections(np.array([betas], dtype=np.float64), steps, 0.5)[0]


def vector_run_batch(function_id: str, starts: np.ndarray, name: str, settings: dict[str, Any],
                     steps: int = 500, tol: float = 0.0) -> BatchResult:  # fmt: skip
    """``run_batch(record=False)`` of ``name`` with one ``settings`` dict (torch kwargs)."""
    starts = checked_starts(function_id, name, starts)
    n = len(starts)
    table, flags = hyper_table(name, [settings], 1)
    h = table[0]
    code, kind = CODES[function_id], KINDS[name]
    key = (code, kind, flags)
    with _compiling:  # one compile per combination, whichever thread asks first
        kernel = _KERNELS.get(key)
        if kernel is None:
            kernel = _KERNELS[key] = _make_kernel(code, kind, flags, function_id == "rastrigin")
    hp = (h[LR], h[MOMENTUM], h[DAMPENING], h[WD], h[BETA1], h[BETA2], h[EPS], h[ALPHA])
    bc = _bias((h[BETA1], h[BETA2]), steps) if kind in (ADAM, ADAMW) else np.ones((1, 2))
    m = -(-n // NB) * NB
    padded = np.zeros((m, 2))
    padded[:n] = starts
    status = np.zeros(m, dtype=np.int64)
    npts = np.zeros(m, dtype=np.int64)
    final = np.empty((m, 3))
    for j in range(0, m, NB):
        kernel(padded[j : j + NB, 0].copy(), padded[j : j + NB, 1].copy(), hp,
               float(h[LR_DECAY]), float(h[INITIAL]), bc, int(steps), float(tol),
               status[j : j + NB], npts[j : j + NB], final[j : j + NB])  # fmt: skip
    return BatchResult(
        status=status[:n], steps_taken=np.maximum(npts[:n] - 1, 0), n_points=npts[:n],
        final_points=final[:n, :2].copy(), final_losses=final[:n, 2].copy(),
    )  # fmt: skip


THREADS = max(1, min(4, os.cpu_count() or 1))
_pool = ThreadPoolExecutor(THREADS, thread_name_prefix="descent-vector")


def vector_run_many(function_id: str, starts: np.ndarray, name: str, settings: dict[str, Any],
                    steps: int, tol: float, block: int | None = None) -> BatchResult:  # fmt: skip
    """``vector_run_batch`` over blocks on a few threads (GIL released); by default one
    block per thread (measured faster than many 4096-run blocks through the pool)."""
    starts = np.asarray(starts, dtype=np.float64)
    if block is None:
        block = max(NB, -(-len(starts) // (THREADS * NB)) * NB)
    if len(starts) <= block:
        return vector_run_batch(function_id, starts, name, settings, steps, tol)
    parts = [starts[i : i + block] for i in range(0, len(starts), block)]
    blocks = list(_pool.map(
        lambda b: vector_run_batch(function_id, b, name, settings, steps, tol), parts))  # fmt: skip
    return BatchResult.concatenate(blocks)
