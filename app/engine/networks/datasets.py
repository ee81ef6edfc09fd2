"""Toy data sets of two features (as TensorFlow Playground's), drawn from our own generator.

``circle``: label 1 inside radius 0.5·R, 0 in a ring outside (R = 5); ``xor``: the sign of
x₁·x₂ (points near the axes left out); ``gaussian``: two Gaussian blobs at ±(2, 2);
``spiral``: two interleaved spirals. ``noise`` (0…1) scales the Gaussian jitter added to
the features. Features are in about [−6, 6]; labels are 0 or 1.
"""

from __future__ import annotations

import numpy as np

DATASETS = ("circle", "xor", "gaussian", "spiral")
RADIUS = 5.0


def make_dataset(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x of shape (n, 2), y of shape (n,) in {0, 1})."""
    rng = np.random.default_rng(seed)
    half = n // 2
    labels = np.concatenate([np.zeros(n - half), np.ones(half)])
    if name == "circle":
        inner = rng.uniform(0, 0.5 * RADIUS, half)
        outer = rng.uniform(0.7 * RADIUS, RADIUS, n - half)
        r = np.concatenate([outer, inner])
        angle = rng.uniform(0, 2 * np.pi, n)
        x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    elif name == "xor":
        x = rng.uniform(-RADIUS, RADIUS, (n, 2))
        x += np.where(x > 0, 0.3, -0.3)  # keep points off the axes
        labels = (x[:, 0] * x[:, 1] > 0).astype(np.float64)
    elif name == "gaussian":
        centre = np.where(labels[:, None] > 0, 2.0, -2.0)
        x = centre + rng.normal(0, 1.0, (n, 2))
    elif name == "spiral":
        t = np.concatenate([np.linspace(0, 1, n - half), np.linspace(0, 1, half)])
        r = t * RADIUS
        angle = 1.75 * t * 2 * np.pi + np.pi * labels
        x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    else:
        raise ValueError(f"unknown dataset {name!r}; use one of: {', '.join(DATASETS)}")
    x = x + rng.normal(0, noise * RADIUS * 0.2, x.shape) if noise > 0 else x
    return np.round(x, 12), labels
