"""SAM, sharpness-aware minimisation (Foret et al. 2021), around any scalar rule.

As the widely used reference implementation (github.com/davda54/sam, ``SAM``) steps it::

    g = ∇f(w);  e = ρ · g / (‖g‖ + 1e-12)          (adaptive: e = ρ · w² g / (‖|w| g‖ + 1e-12))
    g' = ∇f(w + e);  the base optimizer steps from w with g'

so every step evaluates the function twice (``evaluations`` is 2; the point w + e and its
loss are the step's ``probes``). The trajectory's points, losses and gradients are w's. The
base is any registered optimizer but L-BFGS (its step calls the function itself): its
kwargs sit beside ``base``, ``rho`` and ``adaptive`` (the reference's ``**kwargs``), so the
base's rule, columns and state are the run's, and ``rho``/``adaptive`` are two more columns
(``COLUMNS``) after the base's. As in the reference, whose parameter groups hold one
``rho``, a base with its own ``rho`` (Adadelta) shares SAM's. ``perturbation`` is the one
definition of e: the compiled kernels and the array driver call it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from app.engine.optim.ops import INLINE, fma

NAME = "sam"
COLUMNS = ("rho", "adaptive")
OWN = ("base", "rho", "adaptive")  # SAM's own kwargs; the others are the base's
EQUATIONS = (
    r"g_t = \nabla f(\theta_{t-1}), \quad "
    r"e_t = \rho \frac{g_t}{\|g_t\| + 10^{-12}} \quad (\text{adaptive: } "
    r"\rho \frac{\theta_{t-1}^2 g_t}{\|\,|\theta_{t-1}|\, g_t\| + 10^{-12}})",
    r"g'_t = \nabla f(\theta_{t-1} + e_t)",
    r"\theta_t = \text{base step from } \theta_{t-1} \text{ with } g'_t"
    r" \text{ (its lr } \gamma, \text{ its state)}",
)
STATE = ()  # the run's state is its base's


@njit(**INLINE)
def _norm(a0, a1, dims):
    """``v.norm(2)`` of a 1- or 2-element float64 tensor as torch rounds it (``ops.norm2``)."""
    if dims == 1:
        return abs(a0)
    return math.sqrt(fma(a1, a1, a0 * a0))


@njit(**INLINE)
def perturbation(x, y, gx, gy, dims, rho, adaptive):
    """e = (e_x, e_y) at point (x, y) with gradient (gx, gy) (y, gy ignored when dims = 1),
    rounded as the reference's torch operations round it."""
    if adaptive:
        ax, ay = abs(x) * gx, abs(y) * gy
    else:
        ax, ay = gx, gy  # 1.0 * g: exact
    # the stack of one parameter's norm has that norm; rho / tensor is torch's __rtruediv__:
    # a reciprocal, then a product
    scale = (1.0 / (_norm(ax, ay, dims) + 1e-12)) * rho
    if adaptive:
        return (x * x) * gx * scale, (y * y) * gy * scale
    return gx * scale, gy * scale


@njit(cache=True, nogil=True)
def perturb_rows(P, G, rows, rho, adaptive, E):
    """E[i] = the perturbation of run i (each of ``rows``; rho, adaptive per run), for the
    array driver. Beyond two coordinates (networks) the norm is a plain sum of squares, not
    torch's vectorised reduction: the same to rounding."""
    dims = P.shape[1]
    for r in range(rows.shape[0]):
        i = rows[r]
        if dims <= 2:
            y, gy = (P[i, 1], G[i, 1]) if dims == 2 else (0.0, 0.0)
            ex, ey = perturbation(P[i, 0], y, G[i, 0], gy, dims, rho[i], adaptive[i])
            E[i, 0] = ex
            if dims == 2:
                E[i, 1] = ey
            continue
        total = 0.0
        for d in range(dims):
            a = abs(P[i, d]) * G[i, d] if adaptive[i] else G[i, d]
            total += a * a
        scale = (1.0 / (math.sqrt(total) + 1e-12)) * rho[i]
        for d in range(dims):
            w = P[i, d] * P[i, d] if adaptive[i] else 1.0
            E[i, d] = w * G[i, d] * scale


def columns(settings: list[dict]) -> np.ndarray:
    """(runs, 2): each run's rho and adaptive (0/1), the columns after its base's."""
    return np.array([[float(s["rho"]), float(s["adaptive"])] for s in settings]).reshape(-1, 2)
