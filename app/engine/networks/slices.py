r"""2-D slices of a high-dimensional loss: L(θ_c + α·d₁ + β·d₂) on a grid of (α, β).

Directions:

* ``filter-normalized`` (Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS
  2018): Gaussian directions, each filter (a unit's incoming weights: a row of a weight
  matrix) rescaled to the norm of the same filter of θ_c; bias directions are zero, as the
  paper's ``ignore="biasbn"``. Any other function: Gaussian directions scaled to ‖θ_c‖.
* ``pca`` (same paper, §7): the top two principal directions of the trajectory's points
  relative to its last point (the SVD of that matrix).
* ``interpolation`` (Goodfellow et al., ICLR 2015): d₁ = θ_last − θ_first of the trajectory
  and a filter-normalised random d₂, made orthogonal to d₁.

``projected`` places each trajectory point on the plane: the least-squares (α, β) of
θ − θ_c in the span of d₁, d₂ (exact coordinates for PCA, whose directions are orthonormal).
"""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction
from app.engine.run.cancel import check

DIRECTIONS = ("filter-normalized", "pca", "interpolation")
BLOCK_VECTORS = 1024  # parameter vectors evaluated at once


def _random(f: LossFunction, center: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    d = rng.standard_normal(len(center))
    net = f.extra.get("net")
    if net is None:
        return d * (np.linalg.norm(center) or 1.0) / np.linalg.norm(d)
    for (out, inp), (a, b, c) in zip(net.shapes, net.offsets):
        W, Wc = d[a:b].reshape(out, inp), center[a:b].reshape(out, inp)
        W *= np.linalg.norm(Wc, axis=1, keepdims=True) / (
            np.linalg.norm(W, axis=1, keepdims=True) + 1e-10
        )
        d[b:c] = 0.0
    return d


def directions(f: LossFunction, kind: str, center, trajectory=None, seed: int = 0):
    """(d₁, d₂) and, for PCA, the share of the trajectory's variance each explains."""
    center = np.asarray(center, dtype=np.float64)
    rng = np.random.default_rng(seed)
    if kind == "filter-normalized":
        return np.stack([_random(f, center, rng), _random(f, center, rng)]), None
    T = np.asarray(trajectory, dtype=np.float64)
    if kind == "pca":
        M = T - T[-1]
        _, s, vt = np.linalg.svd(M, full_matrices=False)
        total = float((s * s).sum()) or 1.0
        d = vt[:2] if len(vt) >= 2 else np.vstack([vt, _random(f, center, rng)])
        return d, [float(v * v / total) for v in s[:2]]
    d1 = T[-1] - T[0]
    d2 = _random(f, center, rng)
    n1 = float(d1 @ d1)
    if n1 > 0:
        d2 = d2 - (d2 @ d1) / n1 * d1
        d2 *= np.linalg.norm(d1) / (np.linalg.norm(d2) or 1.0)
    return np.stack([d1, d2]), None


def project(center, d: np.ndarray, trajectory) -> np.ndarray:
    """Least-squares (α, β) of each trajectory point relative to ``center``."""
    T = np.asarray(trajectory, dtype=np.float64) - np.asarray(center)
    coords, *_ = np.linalg.lstsq(d.T, T.T, rcond=None)
    return coords.T


def evaluate_slice(f: LossFunction, center, d: np.ndarray, alphas, betas, should_stop=None):
    """z[j][i] = f(center + alphas[i]·d₁ + betas[j]·d₂)."""
    center = np.asarray(center, dtype=np.float64)
    A, B = np.meshgrid(alphas, betas)
    coeffs = np.stack([A.ravel(), B.ravel()], axis=1)
    z = np.empty(len(coeffs))
    for s in range(0, len(coeffs), BLOCK_VECTORS):
        check(should_stop)
        part = coeffs[s : s + BLOCK_VECTORS]
        z[s : s + BLOCK_VECTORS] = f.value(center + part @ d)
    return z.reshape(len(betas), len(alphas))
