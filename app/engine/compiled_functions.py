"""The catalog's functions as numba scalar code, for the compiled runner.

No formula is retyped where numba can compile the catalog's own: each record's ``f(x, y)``
and ``grad(x, y)`` (kept in ``extra["scalar"]`` by ``planar``) are compiled as they are
(helpers they call, such as ``_goldstein_price_parts``, are compiled along with them).
Two cannot be compiled as written, so they have scalar versions here, checked against the
catalog by ``tests/engine/test_compiled.py``:

* Ackley's gradient uses ``np.errstate`` and ``np.where`` (the cone tip at the origin);
* Goldstein–Price's value unpacks with ``*_`` (opcode UNPACK_EX); its parts stay the catalog's.

Differences from the numpy path are rounding only: numba computes ``x**3`` by repeated
multiplication where numpy calls ``pow``, and calls glibc's ``exp`` where numpy uses its
AVX-512 loop (a few ulps at most on values and gradients).

``value_and_gradient(code, x, y)`` selects a function by its index in ``FUNCTION_IDS``.
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit

from app.engine import catalog
from app.engine.catalog import FUNCTIONS, PI

FUNCTION_IDS: tuple[str, ...] = tuple(f.id for f in FUNCTIONS)
CODES: dict[str, int] = {fid: i for i, fid in enumerate(FUNCTION_IDS)}
_JIT = {"error_model": "numpy", "nogil": True}


def _ackley_grad(x, y):
    r = np.sqrt(0.5 * (x * x + y * y))
    radial = 2.0 * np.exp(-0.2 * r) / r if r > 0 else 0.0
    wave = PI * np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return radial * x + wave * np.sin(2 * PI * x), radial * y + wave * np.sin(2 * PI * y)


def _goldstein_price(x, y):
    s, d, p, q, a, b = _goldstein_price_parts(x, y)
    return a * b


_goldstein_price_parts = njit(**_JIT)(catalog._goldstein_price_parts)
SCALAR_VERSIONS = {
    ("ackley", "gradient"): _ackley_grad,
    ("goldstein-price", "value"): _goldstein_price,
}


def catalog_formula(function_id: str, which: str):
    """The catalog's own scalar ``f`` (``which="value"``) or ``grad`` for one function."""
    f, grad = catalog.CATALOG[function_id].extra["scalar"]
    return f if which == "value" else grad


def _compile(function_id: str, which: str):
    fn = SCALAR_VERSIONS.get((function_id, which)) or catalog_formula(function_id, which)
    scope = dict(fn.__globals__)
    for name in fn.__code__.co_names:  # plain helpers the formula calls: compile them too
        if isinstance(scope.get(name), types.FunctionType):
            scope[name] = njit(**_JIT)(scope[name])
    rebound = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)
    return njit(**_JIT)(rebound)


(
    _v0, _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14,
) = (_compile(fid, "value") for fid in FUNCTION_IDS)  # fmt: skip
(
    _g0, _g1, _g2, _g3, _g4, _g5, _g6, _g7, _g8, _g9, _g10, _g11, _g12, _g13, _g14,
) = (_compile(fid, "gradient") for fid in FUNCTION_IDS)  # fmt: skip


@njit(inline="always", **_JIT)
def value_and_gradient(code, x, y):
    """(f, ∂f/∂x, ∂f/∂y) at (x, y) of the function ``FUNCTION_IDS[code]``."""
    if code == 0:
        g = _g0(x, y)
        return _v0(x, y), g[0], g[1]
    if code == 1:
        g = _g1(x, y)
        return _v1(x, y), g[0], g[1]
    if code == 2:
        g = _g2(x, y)
        return _v2(x, y), g[0], g[1]
    if code == 3:
        g = _g3(x, y)
        return _v3(x, y), g[0], g[1]
    if code == 4:
        g = _g4(x, y)
        return _v4(x, y), g[0], g[1]
    if code == 5:
        g = _g5(x, y)
        return _v5(x, y), g[0], g[1]
    if code == 6:
        g = _g6(x, y)
        return _v6(x, y), g[0], g[1]
    if code == 7:
        g = _g7(x, y)
        return _v7(x, y), g[0], g[1]
    if code == 8:
        g = _g8(x, y)
        return _v8(x, y), g[0], g[1]
    if code == 9:
        g = _g9(x, y)
        return _v9(x, y), g[0], g[1]
    if code == 10:
        g = _g10(x, y)
        return _v10(x, y), g[0], g[1]
    if code == 11:
        g = _g11(x, y)
        return _v11(x, y), g[0], g[1]
    if code == 12:
        g = _g12(x, y)
        return _v12(x, y), g[0], g[1]
    if code == 13:
        g = _g13(x, y)
        return _v13(x, y), g[0], g[1]
    g = _g14(x, y)
    return _v14(x, y), g[0], g[1]
