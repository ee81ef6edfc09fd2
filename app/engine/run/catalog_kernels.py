"""The catalog's functions as numba scalar code, for the kernels (``codegen``).

No formula is retyped: each record's ``f(x, y)`` and ``grad(x, y)`` (kept in
``extra["scalar"]`` by ``planar``) are compiled as the catalog writes them, for numpy
arrays and numba scalars alike (helpers they call, such as ``_goldstein_price_parts``, are
compiled along with them), with ``np`` bound to the kernels' math (``kmath``).

Differences from numpy evaluating the same formulas are rounding only: numba computes
``x**3`` by repeated multiplication where numpy calls ``pow``, ``sin``/``cos`` are
``kmath``'s, ``exp`` is glibc's where numpy uses its AVX-512 loop (a few ulps at most).

``codegen`` generates ``value_and_gradient(code, x, y)``, which selects a function by its
index in ``FUNCTION_IDS``; every run on a catalog function, in every driver, evaluates it
through that one function, so drivers agree bit for bit.
"""

from __future__ import annotations

import types

from numba import njit

from app.engine import catalog
from app.engine.catalog import FUNCTIONS
from app.engine.run import kmath

FUNCTION_IDS: tuple[str, ...] = tuple(f.id for f in FUNCTIONS)
CODES: dict[str, int] = {fid: i for i, fid in enumerate(FUNCTION_IDS)}
_JIT = {"error_model": "numpy", "nogil": True}


def catalog_formula(function_id: str, which: str):
    """The catalog's own scalar ``f`` (``which="value"``) or ``grad`` for one function."""
    f, grad = catalog.CATALOG[function_id].extra["scalar"]
    return f if which == "value" else grad


def _compile(function_id: str, which: str, math_module, inline: str = "never"):
    """The formula compiled with ``np`` meaning ``math_module`` (``kmath.exact``/``fast``).

    The fast forms are inlined into the one loop that evaluates them (so LLVM can vectorise
    it); the exact ones are called (inlined into every kernel they would multiply compile
    time for little gain)."""
    fn = catalog_formula(function_id, which)
    scope = dict(fn.__globals__)
    scope["np"] = math_module
    for name in fn.__code__.co_names:  # plain helpers the formula calls: compile them too
        if isinstance(scope.get(name), types.FunctionType):
            scope[name] = njit(**_JIT)(scope[name])
    rebound = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__)
    return njit(inline=inline, **_JIT)(rebound)


VALUES = tuple(_compile(fid, "value", kmath.exact) for fid in FUNCTION_IDS)
GRADIENTS = tuple(_compile(fid, "gradient", kmath.exact) for fid in FUNCTION_IDS)
VALUES_FAST = tuple(_compile(fid, "value", kmath.fast, "always") for fid in FUNCTION_IDS)
GRADIENTS_FAST = tuple(_compile(fid, "gradient", kmath.fast, "always") for fid in FUNCTION_IDS)


def kernel_code(f) -> int | None:
    """The kernel's code for a catalog record (None for formulas typed or fitted to data)."""
    code = CODES.get(f.id)
    if code is None or f.extra.get("scalar") is not catalog.CATALOG[f.id].extra.get("scalar"):
        return None
    return code
