"""Data sets of the network lessons, drawn from our own generator or shipped with the code.

Toy sets of two features (as TensorFlow Playground's), labels 0 or 1:

``circle``: label 1 inside radius 0.5·R, 0 in a ring outside (R = 5); ``xor``: the sign of
x₁·x₂ (points near the axes left out); ``gaussian``: two Gaussian blobs at ±(2, 2);
``spiral``: two interleaved spirals. ``noise`` (0…1) scales the Gaussian jitter added to
the features. Features are in about [−6, 6].

``digits``: the 8×8 handwritten digits (1,797 images, ``data/README.md``: source and CC BY
4.0 licence); 64 features, each pixel's count 0…16 divided by 16; labels 0…9. The first
``n`` images are the data; the images after them are held out (``held_out``). ``noise``
and ``seed`` do not apply.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np

TOY = ("circle", "xor", "gaussian", "spiral")
DATASETS = (*TOY, "digits")
FEATURES = dict.fromkeys(TOY, 2) | {"digits": 64}
CLASSES = dict.fromkeys(TOY, 2) | {"digits": 10}
RADIUS = 5.0
DIGITS_FILE = Path(__file__).with_name("data") / "digits.csv.gz"


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(DIGITS_FILE, "rt") as stream:
        table = np.loadtxt(stream, delimiter=",")
    x, y = table[:, :64] / 16.0, table[:, 64]
    x.flags.writeable = y.flags.writeable = False  # shared by every request
    return x, y


def size(name: str) -> int | None:
    """How many samples a data set has (None: as many as asked for)."""
    return len(_digits()[1]) if name == "digits" else None


def held_out(name: str, n: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``count`` samples of ``name`` that its first ``n`` leave out (digits only)."""
    if name != "digits":
        return np.empty((0, FEATURES[name])), np.empty(0)
    x, y = _digits()
    return x[n : n + count].copy(), y[n : n + count].copy()


def make_dataset(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x of shape (n, features), y of shape (n,)): classes 0, 1, … as floats."""
    if name == "digits":
        x, y = _digits()
        return x[:n].copy(), y[:n].copy()
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
