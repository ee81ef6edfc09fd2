"""The catalog of classic 2-parameter test functions (Wikipedia / VLSE definitions).

Minima are the full-precision values of ``shared/reference/test_functions.json``.
"""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction, Minimum, planar
from app.engine.lessons import LESSON_FUNCTIONS
from app.engine.stories import with_story

PI = np.pi


def _ackley(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    return (
        -20.0 * np.exp(-0.2 * r)
        - np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
        + np.e
        + 20.0
    )


def _ackley_grad(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    # The cone tip at the origin has no derivative; 0 there (x = y = 0 times a finite
    # radial factor: r + (r == 0) is r except at the tip) is the subgradient of least norm.
    # Written for numpy arrays and numba scalars alike: the kernels compile this very text.
    radial = 2.0 * np.exp(-0.2 * r) / (r + (r == 0))
    wave = PI * np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return radial * x + wave * np.sin(2 * PI * x), radial * y + wave * np.sin(2 * PI * y)


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    gx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y**2
    return gx, gy


def _goldstein_price_parts(x, y):
    s, d = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    q = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    return s, d, p, q, 1 + s**2 * p, 30 + d**2 * q


def _goldstein_price(x, y):
    parts = _goldstein_price_parts(x, y)
    return parts[4] * parts[5]


def _goldstein_price_grad(x, y):
    s, d, p, q, a, b = _goldstein_price_parts(x, y)
    da = 2 * s * p + s**2 * (-14 + 6 * x + 6 * y)  # the same for x and y
    dbx = 4 * d * q + d**2 * (-32 + 24 * x - 36 * y)
    dby = -6 * d * q + d**2 * (48 - 36 * x + 54 * y)
    return da * b + a * dbx, da * b + a * dby


def _levi(x, y):
    return (
        np.sin(3 * PI * x) ** 2
        + (x - 1) ** 2 * (1 + np.sin(3 * PI * y) ** 2)
        + (y - 1) ** 2 * (1 + np.sin(2 * PI * y) ** 2)
    )


def _levi_grad(x, y):
    gx = 3 * PI * np.sin(6 * PI * x) + 2 * (x - 1) * (1 + np.sin(3 * PI * y) ** 2)
    gy = (
        3 * PI * (x - 1) ** 2 * np.sin(6 * PI * y)
        + 2 * (y - 1) * (1 + np.sin(2 * PI * y) ** 2)
        + 2 * PI * (y - 1) ** 2 * np.sin(4 * PI * y)
    )
    return gx, gy


_HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.2831859912861696),
    (3.5844283403304917, -1.8481265269644036),
)
_SIX_HUMP_X, _SIX_HUMP_Y, _SIX_HUMP_F = 0.08984201310031806, 0.7126564030207396, -1.0316284534898774
_STYBLINSKI_T, _STYBLINSKI_F = -2.903534027771177, -78.33233140754282
_SQUARE2 = ((-2.0, 2.0), (-2.0, 2.0))
_SQUARE5 = ((-5.0, 5.0), (-5.0, 5.0))
_SQUARE10 = ((-10.0, 10.0), (-10.0, 10.0))
_ORIGIN = (Minimum((0.0, 0.0), 0.0),)

FUNCTIONS: tuple[LossFunction, ...] = tuple(map(with_story, (
    planar(
        "bowl", "Bowl", r"f(x, y) = x^2 + y^2",
        lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y),
        _SQUARE2, _ORIGIN, (1.5, 1.2),
        description="A round bowl: every direction is equally steep; the gentlest start.",
    ),
    planar(
        "elongated-bowl", "Elongated bowl", r"f(x, y) = x^2 + 10y^2",
        lambda x, y: x * x + 10 * y * y, lambda x, y: (2 * x, 20 * y),
        _SQUARE2, _ORIGIN, (-1.8, 1.0),
        description="An ill-conditioned bowl (condition number 10): plain GD zig-zags.",
    ),
    planar(
        "saddle", "Saddle", r"f(x, y) = x^2 - y^2",
        lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y),
        _SQUARE2, (), (-1.5, 0.01),
        description="A saddle point at the origin and no minimum: descent escapes along y.",
    ),
    planar(
        "rosenbrock", "Rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        ((-2.0, 2.0), (-1.0, 3.0)), (Minimum((1.0, 1.0), 0.0),), (-1.5, 2.0), log_scale=True,
        description="A curved, flat-bottomed valley: easy to find, slow to follow to (1, 1).",
    ),
    planar(
        "himmelblau", "Himmelblau", r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        lambda x, y: (
            4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
            2 * (x * x + y - 11) + 4 * y * (x + y * y - 7),
        ),
        _SQUARE5, tuple(Minimum(m, 0.0) for m in _HIMMELBLAU_MINIMA), (-0.3, -0.9),
        description="Four equal valleys: where you start decides which one you reach.",
    ),
    planar(
        "rastrigin", "Rastrigin",
        r"f(x, y) = 20 + \left(x^2 - 10\cos 2\pi x\right) + \left(y^2 - 10\cos 2\pi y\right)",
        lambda x, y: 20 + (x * x - 10 * np.cos(2 * PI * x)) + (y * y - 10 * np.cos(2 * PI * y)),
        lambda x, y: (2 * x + 20 * PI * np.sin(2 * PI * x), 2 * y + 20 * PI * np.sin(2 * PI * y)),
        ((-5.12, 5.12), (-5.12, 5.12)), _ORIGIN, (3.3, 2.7),
        description="An egg-box of local minima around one global minimum at the origin.",
    ),
    planar(
        "ackley", "Ackley",
        r"f(x, y) = -20\,e^{-0.2\sqrt{0.5(x^2 + y^2)}} - e^{0.5(\cos 2\pi x + \cos 2\pi y)}"
        r" + e + 20",
        _ackley, _ackley_grad, _SQUARE5, _ORIGIN, (3.2, -2.4),
        description="A nearly flat plate of ripples with a sharp funnel at the origin.",
    ),
    planar(
        "beale", "Beale",
        r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        _beale, _beale_grad, ((-4.5, 4.5), (-4.5, 4.5)), (Minimum((3.0, 0.5), 0.0),),
        (1.0, 1.5), log_scale=True,
        description="Sharp ridges and flat plateaus around a narrow valley to (3, 0.5).",
    ),
    planar(
        "booth", "Booth", r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        lambda x, y: (
            2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5),
            4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5),
        ),
        _SQUARE10, (Minimum((1.0, 3.0), 0.0),), (-6.0, -6.0),
        description="A tilted quadratic bowl with its minimum at (1, 3).",
    ),
    planar(
        "matyas", "Matyas", r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy",
        lambda x, y: 0.26 * (x * x + y * y) - 0.48 * x * y,
        lambda x, y: (0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x),
        _SQUARE10, _ORIGIN, (8.0, -3.0), log_scale=True,
        description="A nearly flat, diagonal trough: gradients are tiny along x = y.",
    ),
    planar(
        "goldstein-price", "Goldstein–Price",
        r"f(x, y) = \left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
        r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]",
        _goldstein_price, _goldstein_price_grad, _SQUARE2, (Minimum((0.0, -1.0), 3.0),),
        (0.5, -1.5), log_scale=True,
        description="Values span six orders of magnitude; several local minima.",
    ),
    planar(
        "three-hump-camel", "Three-hump camel",
        r"f(x, y) = 2x^2 - 1.05x^4 + \frac{x^6}{6} + xy + y^2",
        lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
        lambda x, y: (4 * x - 4.2 * x**3 + x**5 + y, x + 2 * y),
        _SQUARE5, _ORIGIN, (-2.5, 2.0), log_scale=True,
        description="Three humps: one global minimum and two local ones.",
    ),
    planar(
        "six-hump-camel", "Six-hump camel",
        r"f(x, y) = \left(4 - 2.1x^2 + \frac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
        lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
        lambda x, y: (8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3),
        ((-3.0, 3.0), (-2.0, 2.0)),
        (
            Minimum((_SIX_HUMP_X, -_SIX_HUMP_Y), _SIX_HUMP_F),
            Minimum((-_SIX_HUMP_X, _SIX_HUMP_Y), _SIX_HUMP_F),
        ),
        (-2.5, -1.5), log_scale=True,
        description="Six minima, two of them global, mirror images of each other.",
    ),
    planar(
        "styblinski-tang", "Styblinski–Tang",
        r"f(x, y) = \tfrac{1}{2}\left[(x^4 - 16x^2 + 5x) + (y^4 - 16y^2 + 5y)\right]",
        lambda x, y: 0.5 * ((x**4 - 16 * x**2 + 5 * x) + (y**4 - 16 * y**2 + 5 * y)),
        lambda x, y: (2 * x**3 - 16 * x + 2.5, 2 * y**3 - 16 * y + 2.5),
        _SQUARE5, (Minimum((_STYBLINSKI_T, _STYBLINSKI_T), _STYBLINSKI_F),), (0.0, 4.0),
        description="Four wells of different depths; the deepest at (−2.9035, −2.9035).",
    ),
    planar(
        "levi", "Lévi N.13",
        r"f(x, y) = \sin^2 3\pi x + (x - 1)^2 (1 + \sin^2 3\pi y) + (y - 1)^2 (1 + \sin^2 2\pi y)",
        _levi, _levi_grad, _SQUARE10, (Minimum((1.0, 1.0), 0.0),), (3.0, -2.0),
        description="A rippled bowl with many local minima around (1, 1).",
    ),
)))  # fmt: skip

CATALOG: dict[str, LossFunction] = {f.id: f for f in (*FUNCTIONS, *LESSON_FUNCTIONS)}


class UnknownFunctionError(KeyError):
    """Raised for an id that is not in the catalog; the message names the valid ids."""

    def __str__(self) -> str:
        return self.args[0]


def get_function(function_id: str) -> LossFunction:
    try:
        return CATALOG[function_id]
    except KeyError:
        valid = ", ".join(CATALOG)
        raise UnknownFunctionError(
            f"unknown function '{function_id}'; valid ids: {valid}"
        ) from None
