"""torch's CPU arithmetic, operation by operation, as numba scalar helpers.

Measured against exact arithmetic (``fractions.Fraction``) on torch 2.13's CPU kernels, the
in-place tensor ops the optimizers use round as follows; the rules in ``rules.py`` are
written with these helpers so that, fed the same gradient, they give torch's bits:

=============================  ============================================
torch                          rounds as
=============================  ============================================
``x.add_(y, alpha=a)``         ``fma(a, y, x)`` (one rounding)
``x.addcmul_(t1, t2, value=v)`` ``fma(v * t1, t2, x)``
``x.addcdiv_(t1, t2, value=v)`` ``x + (v * t1) / t2`` (never fused)
``s.lerp_(e, w)``              ``fma(w, e − s, s)`` for |w| < 0.5, else ``fma(−(e − s), 1 − w, e)``
``torch.maximum(a, b)``        NaN wins
=============================  ============================================

``fma`` is LLVM's ``llvm.fma.f64``: one instruction where the CPU has FMA, a correctly
rounded libm call where it has not, so the result is the same everywhere. ``sqrt`` is
LLVM's correctly rounded square root; torch's MKL/SLEEF vector ``sqrt`` is not always
(≤ 0.64 ulp on ~0.7 % of inputs, CPU-dependent): the one stated source of a last-bit
difference from torch.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

INLINE = {"inline": "always", "error_model": "numpy", "nogil": True, "cache": True}


@intrinsic
def _llvm_fma(typingctx, a, b, c):
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fn = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double, double, double])
        )
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _libm_pow(typingctx, x, y):
    sig = types.float64(types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fn = builder.module.globals.get("pow")
        if fn is None:
            fn = ir.Function(builder.module, ir.FunctionType(double, [double, double]), "pow")
            # Without it LLVM rewrites pow(x, 0.5) as sqrt(x), which is not always pow's
            # result, and torch computes ``bias_correction2 ** 0.5`` with C pow.
            fn.attributes.add("nobuiltin")
        return builder.call(fn, args)

    return sig, codegen


@njit(**INLINE)
def pow(x, y):  # noqa: A001 (Python's float ** float, which is C pow)
    """``x ** y`` as Python floats compute it (C ``pow``), never folded into ``sqrt``."""
    return _libm_pow(float(x), float(y))


@njit(**INLINE)
def fma(a, b, c):
    """a·b + c, rounded once."""
    return _llvm_fma(float(a), float(b), float(c))


@njit(**INLINE)
def add(x, y, alpha):
    """``x.add_(y, alpha=alpha)``."""
    return fma(alpha, y, x)


@njit(**INLINE)
def addcmul(x, t1, t2, value):
    """``x.addcmul_(t1, t2, value=value)``."""
    return fma(value * t1, t2, x)


@njit(**INLINE)
def addcdiv(x, t1, t2, value):
    """``x.addcdiv_(t1, t2, value=value)``."""
    return x + value * t1 / t2


@njit(**INLINE)
def lerp(start, end, weight):
    """``start.lerp_(end, weight)``: torch switches form at |weight| = 0.5."""
    if abs(weight) < 0.5:
        return fma(weight, end - start, start)
    return fma(-(end - start), 1.0 - weight, end)


@njit(**INLINE)
def maximum(a, b):
    """``torch.maximum``: NaN wins."""
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@njit(**INLINE)
def sqrt(x):
    return math.sqrt(x)


@njit(**INLINE)
def sign(x):
    """``torch.sign``: (0 < x) − (x < 0), so ±0 and NaN give 0."""
    return (1.0 if 0.0 < x else 0.0) - (1.0 if x < 0.0 else 0.0)


@njit(**INLINE)
def clamp(x, low, high):
    """``x.clamp_(low, high)``: min(max(x, low), high), NaN kept (high wins if low > high)."""
    if x != x:
        return x
    y = low if x < low else x
    return high if high < y else y


@njit(**INLINE)
def py_max(a, b):
    """Python's ``max(a, b)``: ``b`` only if ``b > a`` (so NaN in ``b`` loses)."""
    return b if b > a else a


@njit(**INLINE)
def py_min(a, b):
    """Python's ``min(a, b)``: ``b`` only if ``b < a``."""
    return b if b < a else a


@njit(**INLINE)
def norm2(v):
    """``v.norm(2)`` of a CPU float64 vector; of one or two elements as torch rounds it:
    |v0|, or sqrt(fma(v1, v1, v0·v0)) (no scaling: it under- and overflows as torch does)."""
    if v.shape[0] == 1:
        return abs(v[0])
    if v.shape[0] == 2:
        return math.sqrt(fma(v[1], v[1], v[0] * v[0]))
    # a network's parameter vector: torch sums the squares in SIMD lanes, so this plain sum
    # agrees with it to rounding, not to the bit
    total = 0.0
    for x in v:
        total += x * x
    return math.sqrt(total)


# The first lines of torch's Adam, NAdam and RAdam steps, shared by their rules.
@njit(**INLINE)
def adam_decay(param, grad, lr, weight_decay, decoupled, maximize):
    """(param, grad) after ``maximize`` and weight decay: decoupled (θ·(1 − γλ), AdamW) or
    L2 (g + λθ)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled:
            param = param * (1 - lr * weight_decay)
        else:
            grad = add(grad, param, weight_decay)
    return param, grad


@njit(**INLINE)
def adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2):
    """``exp_avg.lerp_(grad, 1 − β1)``; ``exp_avg_sq.mul_(β2).addcmul_(grad, grad, 1 − β2)``."""
    return lerp(exp_avg, grad, 1 - beta1), addcmul(exp_avg_sq * beta2, grad, grad, 1 - beta2)
