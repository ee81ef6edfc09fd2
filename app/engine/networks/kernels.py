r"""Compiled forward and backward passes of an MLP for one parameter vector (numba).

Activations are kept transposed, one row of N samples per unit, so every inner loop runs
along the samples and LLVM vectorises it: ``row += w · source_row``. Sums over samples (the
weight gradients) use eight partial sums in a fixed order, so they vectorise without
letting the compiler reorder floating-point additions: the same inputs give the same bits.

``tanh`` and ``exp`` are written here, branch-free, because numba's call glibc's scalar
functions (~15 ns a call, and no vector loop around a call): ``expm1`` reduces by ln 2 in two
parts (Cody–Waite), a degree-13 Taylor polynomial on |r| ≤ ln2/2, and 2ⁿ from its bits;
``tanh(x) = −expm1(−2|x|) / (expm1(−2|x|) + 2)`` with x's sign (fdlibm's formula). Within a
few ulps of glibc (``tests/engine/test_network_kernels.py``); torch's fixtures hold to 1e-12.

These helpers are not cached themselves: the entry points that call them live in generated
modules cached on disk with the engine's other kernels (``compiled.py``).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

JIT = {"nogil": True, "error_model": "numpy"}
INLINE = {"inline": "always", **JIT}
TANH, RELU, SIGMOID = 0, 1, 2
MSE, BCE, CE = 0, 1, 2
LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e00
RINT = 6755399441055744.0  # 1.5 · 2⁵²: (t + RINT) − RINT rounds t to an integer
LANES = 8


@njit(**INLINE)
def _reduce(y):
    """(n, expm1(r)) with y = n·ln2 + r, |r| ≤ ln2/2."""
    n = (y * INV_LN2 + RINT) - RINT
    r = (y - n * LN2_HI) - n * LN2_LO
    p = 1.0 / 6227020800.0
    p = 1.0 / 479001600.0 + r * p
    p = 1.0 / 39916800.0 + r * p
    p = 1.0 / 3628800.0 + r * p
    p = 1.0 / 362880.0 + r * p
    p = 1.0 / 40320.0 + r * p
    p = 1.0 / 5040.0 + r * p
    p = 1.0 / 720.0 + r * p
    p = 1.0 / 120.0 + r * p
    p = 1.0 / 24.0 + r * p
    p = 1.0 / 6.0 + r * p
    p = 0.5 + r * p
    p = r + (r * r) * p
    return n, p


@intrinsic
def _from_bits(typingctx, bits):
    """The float64 whose IEEE bits are ``bits`` (an int64): no call, so loops vectorise."""

    def build(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), build


@njit(**INLINE)
def _pow2(n):
    """2ⁿ for an integral float n, clamped to the normal range (NaN gives a finite garbage
    power, and the NaN it came with propagates through the polynomial)."""
    k = n if n > -1022.0 else -1022.0
    k = k if k < 1023.0 else 1023.0
    return _from_bits(np.int64(k + 1023.0) << 52)


@njit(**INLINE)
def kexp(y):
    """e^y (0 below −708, inf above 709.7)."""
    c = -708.0 if y < -708.0 else y  # comparisons false for NaN: it stays NaN
    c = 709.0 if c > 709.0 else c
    n, p = _reduce(c)
    v = _pow2(n) * (p + 1.0)
    v = 0.0 if y < -708.0 else v
    return math.inf if y > 709.78 else v


@njit(**INLINE)
def ktanh(x):
    a = abs(x)
    a = 20.0 if a > 20.0 else a  # tanh(20) rounds to 1; NaN stays NaN
    n, p = _reduce(-2.0 * a)
    s = _pow2(n)
    e = s * p + (s - 1.0)  # expm1(−2a)
    t = -e / (e + 2.0)
    return math.copysign(t, x)  # tanh is odd; NaN stays NaN


@njit(**INLINE)
def _activate(act, row, n):
    if act == TANH:
        for j in range(n):
            row[j] = ktanh(row[j])
    elif act == RELU:
        for j in range(n):
            row[j] = row[j] if row[j] > 0.0 else 0.0
    else:
        for j in range(n):
            row[j] = 0.5 * (ktanh(0.5 * row[j]) + 1.0)


@njit(**INLINE)
def _derivative(act, a):
    """The activation's derivative from its output (torch's backward formulas)."""
    if act == TANH:
        return 1.0 - a * a
    if act == RELU:
        return 1.0 if a > 0.0 else 0.0
    return a * (1.0 - a)


@njit(**INLINE)
def _dot(a, b, n):
    """Σ a[j]·b[j] with eight partial sums in a fixed order (vectorisable, reproducible)."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    m = n - n % LANES
    for j in range(0, m, LANES):
        s0 += a[j] * b[j]
        s1 += a[j + 1] * b[j + 1]
        s2 += a[j + 2] * b[j + 2]
        s3 += a[j + 3] * b[j + 3]
        s4 += a[j + 4] * b[j + 4]
        s5 += a[j + 5] * b[j + 5]
        s6 += a[j + 6] * b[j + 6]
        s7 += a[j + 7] * b[j + 7]
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for j in range(m, n):
        total += a[j] * b[j]
    return total


@njit(**JIT)
def forward(theta, A, sizes, woff, aoff, act, n):
    """Every layer's activations for samples 0..n−1 into A (rows: units, the inputs first)."""
    layers = sizes.shape[0] - 1
    for k in range(layers):
        inp, out, w0 = sizes[k], sizes[k + 1], woff[k]
        b0 = w0 + out * inp
        for u in range(out):
            row = A[aoff[k + 1] + u]
            bias = theta[b0 + u]
            for j in range(n):
                row[j] = bias
            for i in range(inp):
                w = theta[w0 + u * inp + i]
                src = A[aoff[k] + i]
                for j in range(n):
                    row[j] += w * src[j]
            if k < layers - 1:
                _activate(act, row, n)


@njit(**JIT)
def loss_rows(loss, Z, Yf, Yi, n, D, grad):
    """The mean loss of outputs Z (out rows) and, with ``grad``, ∂loss/∂Z into D."""
    out = Z.shape[0]
    total = 0.0
    if loss == BCE:
        for j in range(n):
            z, y = Z[0, j], Yf[0, j]
            total += (z if z > 0.0 else 0.0) - z * y + math.log1p(kexp(-abs(z)))
        if grad:
            for j in range(n):
                D[0, j] = (0.5 * (ktanh(0.5 * Z[0, j]) + 1.0) - Yf[0, j]) / n
    elif loss == MSE:
        scale = 2.0 / (n * out)
        for u in range(out):
            for j in range(n):
                r = Z[u, j] - Yf[u, j]
                total += r * r
                if grad:
                    D[u, j] = scale * r
        total /= out
    else:
        for j in range(n):
            top = Z[0, j]
            for u in range(1, out):
                top = Z[u, j] if Z[u, j] > top else top
            s = 0.0
            for u in range(out):
                e = kexp(Z[u, j] - top)
                s += e
                if grad:
                    D[u, j] = e
            total += math.log(s) - (Z[Yi[j], j] - top)
            if grad:
                for u in range(out):
                    D[u, j] = (D[u, j] / s - (1.0 if u == Yi[j] else 0.0)) / n
    return total / n


@njit(**JIT)
def backward(theta, A, D, D2, sizes, woff, aoff, act, n, g):
    """The gradient into g, from D = ∂loss/∂outputs (overwritten; D2 is scratch)."""
    layers = sizes.shape[0] - 1
    for k in range(layers - 1, -1, -1):
        inp, out, w0 = sizes[k], sizes[k + 1], woff[k]
        b0 = w0 + out * inp
        for u in range(out):
            du = D[u]
            for i in range(inp):
                g[w0 + u * inp + i] = _dot(du, A[aoff[k] + i], n)
            total = 0.0
            for j in range(n):
                total += du[j]
            g[b0 + u] = total
        if k == 0:
            break
        for i in range(inp):
            row = D2[i]
            for j in range(n):
                row[j] = 0.0
            for u in range(out):
                w = theta[w0 + u * inp + i]
                du = D[u]
                for j in range(n):
                    row[j] += w * du[j]
            a = A[aoff[k] + i]
            for j in range(n):
                row[j] *= _derivative(act, a[j])
        for i in range(inp):
            for j in range(n):
                D[i, j] = D2[i, j]


@njit(**JIT)
def value_and_gradient(theta, A, D, D2, sizes, woff, aoff, act, loss, Yf, Yi, n, g, grad):
    """The mean loss over the n samples whose inputs are in A's first rows; the gradient
    into g when ``grad``."""
    forward(theta, A, sizes, woff, aoff, act, n)
    last = sizes.shape[0] - 1
    value = loss_rows(loss, A[aoff[last] :], Yf, Yi, n, D, grad)
    if grad:
        backward(theta, A, D, D2, sizes, woff, aoff, act, n, g)
    return value


@njit(**JIT)
def gather(XT, Yf, Yi, idx, A, Yfb, Yib):
    """Samples idx into A's input rows and the batch labels (mini-batches)."""
    for i in range(XT.shape[0]):
        for j in range(idx.shape[0]):
            A[i, j] = XT[i, idx[j]]
    for u in range(Yf.shape[0]):
        for j in range(idx.shape[0]):
            Yfb[u, j] = Yf[u, idx[j]]
    for j in range(idx.shape[0]):
        Yib[j] = Yi[idx[j]]


ACTIVATION_CODES = {"tanh": TANH, "relu": RELU, "sigmoid": SIGMOID}
LOSS_CODES = {"mse": MSE, "bce": BCE, "ce": CE}
