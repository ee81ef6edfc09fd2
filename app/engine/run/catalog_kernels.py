"""The catalog's functions as numba scalar code, for the kernels (``codegen``).

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

``codegen`` generates ``value_and_gradient(code, x, y)``, which selects a function by its
index in ``FUNCTION_IDS``; every run on a catalog function, in every driver, evaluates it
through that one function, so drivers agree bit for bit.
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


VALUES = tuple(_compile(fid, "value") for fid in FUNCTION_IDS)
GRADIENTS = tuple(_compile(fid, "gradient") for fid in FUNCTION_IDS)


def kernel_code(f) -> int | None:
    """The kernel's code for a catalog record (None for formulas typed or fitted to data)."""
    code = CODES.get(f.id)
    if code is None or f.extra.get("scalar") is not catalog.CATALOG[f.id].extra.get("scalar"):
        return None
    return code
