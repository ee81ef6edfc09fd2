r"""Kernels of the losses on data: value, gradient and mini-batch gradient of each model.

Two families, both float64 and vectorised over parameter points ``p`` of shape (..., dims):

* :class:`LeastSquares` — mean squared error of a line (``line-through-origin``: ŷ = w·x;
  ``linear``: ŷ = m·x + b). The loss is an exact quadratic, so it is written around the
  least-squares solution p* (``numpy.linalg.lstsq``) with sufficient statistics of the data:

      J(m, b) = J* + var(x)·(m − m*)² + (b + m·x̄ − c*)²        (c* = ȳ, the centred intercept)
      J(w)    = J* + mean(x²)·(w − w*)²

  O(1) per parameter point whatever N is (a 1000 × 1000 surface costs the same for 3 points
  or 10,000), never negative, and exactly J* with a zero gradient at p*. The cross term
  2·mean(r*·x) vanishes by the normal equations; dropping it makes the result differ from a
  sum over the data (torch.nn.MSELoss) only by rounding.

* :class:`Logistic` — p = σ(w·x + b) with ``bce`` or ``mse``. The data are grouped by
  distinct x (counts of y = 0 and y = 1 at each), so repeated x values cost nothing extra.
  There is no closed form: the work is (parameter points) × (distinct x), done in chunks of
  at most ``CHUNK_ELEMENTS`` products so memory stays bounded whatever the grid. It costs
  about 4 ns a product: a 200 × 200 surface over 10,000 distinct x takes ~1.5 s, a
  1000 × 1000 one ~40 s (``cost()`` says what an evaluation costs, for callers that
  budget work).

  BCE is computed in the logits form of torch.nn.BCEWithLogitsLoss:
  ``−log σ(z) = softplus(−z)`` and ``−log(1 − σ(z)) = softplus(z)`` with
  ``softplus(z) = max(z, 0) + log1p(exp(−|z|))``. For moderate logits this equals
  torch.nn.BCELoss applied to sigmoid outputs (to rounding: BCELoss's own 1 − σ(z) loses
  ~1e−16·e^|z| relative, 4e−12 at |z| = 16); it stays finite and exact where BCELoss does
  not: BCELoss rounds 1 − σ(z) to 0 for z ≳ 37 and clamps each log at −100, and its
  gradient divides by max(σ(1 − σ), 1e−12), so for |z| ≳ 28 a confidently wrong prediction
  costs at most 100 and its gradient fades to 0, where here the cost keeps growing linearly
  and the gradient stays σ(z) − y. Gradients are Σ (σ(z) − y)·(x, 1) / N, as autograd's.

``sample_gradient(p, indices)`` is the gradient of the mean loss over those samples only,
summed sample by sample (the mini-batch a DataLoader would hand torch).
"""

from __future__ import annotations

import numpy as np

CHUNK_ELEMENTS = 1 << 16  # parameter points × data points evaluated at once


def as_points(p) -> np.ndarray:
    if not isinstance(p, np.ndarray) or p.dtype != np.float64:
        p = np.asarray(p, dtype=np.float64)
    return p


def _chunks(total: int, per_row: int):
    rows = max(1, CHUNK_ELEMENTS // max(per_row, 1))
    for start in range(0, total, rows):
        yield slice(start, min(start + rows, total))


class LeastSquares:
    """Mean squared error of ŷ = w·x (``through_origin``) or ŷ = m·x + b."""

    def __init__(self, x: np.ndarray, y: np.ndarray, through_origin: bool) -> None:
        self.x, self.y, self.through_origin = x, y, through_origin
        self.dims = 1 if through_origin else 2
        if through_origin:
            self.curvature = float(np.mean(x * x))
            # lstsq's answer, written out: the same to the last bit or two, and exact when
            # the data lie on a line through the origin (lstsq's SVD can be off by an ulp).
            rank = int(self.curvature > 0)
            w = float(np.dot(x, y) / np.dot(x, x)) if rank else 0.0
            self.solution = (w,)
            self.xbar = self.centre = 0.0
            residual = w * x - y
        else:
            self.xbar = float(np.mean(x))
            u = x - self.xbar
            self.curvature = float(np.mean(u * u))
            (m, c), _, rank, _ = np.linalg.lstsq(np.stack([u, np.ones_like(u)], 1), y, rcond=None)
            self.centre = float(c)
            self.solution = (float(m), float(c - m * self.xbar))
            residual = m * u + c - y
        self.unique = int(rank) == self.dims  # a rank-deficient fit has a line of minima
        self.min_value = float(np.mean(residual * residual))

    def cost(self) -> dict:
        """numpy calls and ns per parameter point of a value, a gradient, and a mini-batch
        gradient (per sample in the batch, chunked like the logistic kernel)."""
        return {"value": (12, 20), "gradient": (14, 30), "sample": (12, 4)}

    def value(self, p) -> np.ndarray:
        p = as_points(p)
        dm = p[..., 0] - self.solution[0]
        if self.through_origin:
            return self.min_value + self.curvature * dm * dm
        dc = p[..., 1] + p[..., 0] * self.xbar - self.centre
        return self.min_value + self.curvature * dm * dm + dc * dc

    def gradient(self, p) -> np.ndarray:
        p = as_points(p)
        out = np.empty(p.shape)
        dm = p[..., 0] - self.solution[0]
        if self.through_origin:
            out[..., 0] = 2.0 * self.curvature * dm
            return out
        dc = p[..., 1] + p[..., 0] * self.xbar - self.centre
        out[..., 0] = 2.0 * (self.curvature * dm + self.xbar * dc)
        out[..., 1] = 2.0 * dc
        return out

    def sample_gradient(self, p, indices) -> np.ndarray:
        p = as_points(p)
        xb, yb = self.x[indices], self.y[indices]
        flat = p.reshape(-1, self.dims)
        out = np.empty(flat.shape)
        for rows in _chunks(len(flat), len(xb)):
            q = flat[rows]
            r = q[:, 0:1] * xb - yb
            if not self.through_origin:
                r += q[:, 1:2]
            out[rows, 0] = 2.0 * np.mean(r * xb, axis=1)
            if not self.through_origin:
                out[rows, 1] = 2.0 * np.mean(r, axis=1)
        return out.reshape(p.shape)


def _logits(q: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """z = w·x + b for each row of ``q`` and each x: (rows, len(xs))."""
    return q[:, 0:1] * xs + q[:, 1:2]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−z): accurate in relative terms everywhere (e^−z may overflow to inf,
    giving the correct 0)."""
    s = np.negative(z)
    np.exp(s, out=s)
    s += 1.0
    return np.reciprocal(s, out=s)


class Logistic:
    """p = σ(w·x + b) with ``loss`` "bce" or "mse", on data grouped by distinct x."""

    dims = 2

    def __init__(self, x: np.ndarray, y: np.ndarray, loss: str) -> None:
        self.x, self.y, self.loss = x, y, loss
        self.xs, inverse = np.unique(x, return_inverse=True)
        self.n1 = np.bincount(inverse, weights=y, minlength=self.xs.size)
        self.n0 = np.bincount(inverse, minlength=self.xs.size) - self.n1
        self.total = float(x.size)

    def _evaluate(self, p, xs, n0, n1, total, want_value: bool, want_grad: bool):
        # Chunks of ~64k products stay in cache and off the allocator's slow path.
        p = as_points(p)
        flat = p.reshape(-1, 2)
        values = np.empty(len(flat)) if want_value else None
        grads = np.empty(flat.shape) if want_grad else None
        n = n0 + n1
        with np.errstate(over="ignore"):
            for rows in _chunks(len(flat), xs.size):
                z = _logits(flat[rows], xs)
                if want_value and self.loss == "bce":
                    # n0·softplus(z) + n1·softplus(−z), softplus(±z) = max(±z, 0) + log1p(e^−|z|)
                    e = np.abs(z)
                    np.negative(e, out=e)
                    np.exp(e, out=e)
                    np.log1p(e, out=e)
                    r = np.maximum(z, 0.0)
                    values[rows] = e @ n + r @ n0
                    r -= z  # max(−z, 0), exactly
                    values[rows] += r @ n1
                if want_value and self.loss == "mse":  # n0·σ² + n1·(1 − σ)²
                    s = _sigmoid(z)
                    t = 1.0 - s
                    values[rows] = (s * s) @ n0 + (t * t) @ n1
                if want_grad:
                    s = _sigmoid(z)
                    u = s * n - n1  # Σ over the samples at each x of σ − y
                    if self.loss == "mse":  # d/dz (σ − y)² = 2(σ − y)·σ(1 − σ)
                        u *= s
                        u *= 1.0 - s
                        u *= 2.0
                    grads[rows, 0] = u @ xs
                    grads[rows, 1] = u.sum(axis=1)
        if want_value:
            values = (values / total).reshape(p.shape[:-1])
        if want_grad:
            grads = (grads / total).reshape(p.shape)
        return values, grads

    def cost(self) -> dict:
        """numpy calls and ns per parameter point of a value, a gradient, and a mini-batch
        gradient (per sample). Each distinct x costs a few ns per point (measured about
        4 ns for a value, as much for a gradient), in chunks of CHUNK_ELEMENTS products."""
        n = int(self.xs.size)
        return {"value": (16, 5 * n), "gradient": (16, 5 * n), "sample": (16, 5)}

    def value(self, p) -> np.ndarray:
        return self._evaluate(p, self.xs, self.n0, self.n1, self.total, True, False)[0]

    def gradient(self, p) -> np.ndarray:
        return self._evaluate(p, self.xs, self.n0, self.n1, self.total, False, True)[1]

    def sample_gradient(self, p, indices) -> np.ndarray:
        xb, yb = self.x[indices], self.y[indices]
        return self._evaluate(p, xb, 1.0 - yb, yb, float(xb.size), False, True)[1]

    def hessian(self, p: np.ndarray) -> np.ndarray:
        """The 2 × 2 Hessian at one point (for Newton's method on the solution)."""
        z = p[0] * self.xs + p[1]
        with np.errstate(over="ignore"):
            s, t = _sigmoid(z), _sigmoid(-z)
        st = s * t
        if self.loss == "bce":
            d2 = (self.n0 + self.n1) * st
        else:
            d2 = 2.0 * st * (1.0 - 2.0 * s) * (self.n0 * s - self.n1 * t)
            d2 += 2.0 * st * st * (self.n0 + self.n1)
        h = np.array([[d2 @ (self.xs * self.xs), d2 @ self.xs], [d2 @ self.xs, d2.sum()]])
        return h / self.total

    def overlaps(self) -> bool:
        """Whether a maximum-likelihood solution exists: no line separates the classes.

        In one dimension (with intercept) it exists exactly when both classes occur and
        neither lies (even weakly) on one side of a threshold: min x₁ < max x₀ and
        min x₀ < max x₁ (Albert & Anderson, 1984).
        """
        ones, zeros = self.xs[self.n1 > 0], self.xs[self.n0 > 0]
        if ones.size == 0 or zeros.size == 0:
            return False
        return ones.min() < zeros.max() and zeros.min() < ones.max()

    def minimize(self, start, max_iterations: int = 200) -> tuple[float, float] | None:
        """Damped Newton from ``start``; the point if it reaches a strict minimum, else None."""
        p = np.asarray(start, dtype=np.float64)
        value = float(self.value(p))
        for _ in range(max_iterations):
            g, h = self.gradient(p), self.hessian(p)
            step, damping, moved = None, 0.0, False
            scale = max(abs(h[0, 0]), abs(h[1, 1]), 1e-300)
            while damping < 1e12 * scale:
                try:
                    shifted = h + damping * np.eye(2)
                    if np.linalg.eigvalsh(shifted)[0] > 0:
                        step = np.linalg.solve(shifted, g)
                        candidate = p - step
                        new = float(self.value(candidate))
                        if new <= value:
                            moved = bool(np.any(candidate != p))
                            p, value = candidate, new
                            break
                except np.linalg.LinAlgError:
                    pass
                damping = max(damping * 10.0, 1e-8 * scale)
            if not moved or np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(p))):
                break
        g, h = self.gradient(p), self.hessian(p)
        curvature = np.linalg.eigvalsh(h)
        small = np.linalg.norm(g) <= 1e-9 * max(1.0, float(np.abs(h).max()))
        if not (np.isfinite(p).all() and small and curvature[0] > 1e-12 * curvature[1]):
            return None
        return float(p[0]), float(p[1])
