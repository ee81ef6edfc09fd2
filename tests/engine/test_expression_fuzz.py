"""Hypothesis fuzzing of typed landscapes: arbitrary text and generated expression trees.

Deadlines are off (a slow CI machine must not flake); each property instead asserts a generous
wall-clock bound per call, measured with time.perf_counter.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.expressions import ExpressionError, compile_expression
from app.engine.functions import LossFunction

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUND = 0.1  # seconds per compile-and-evaluate
GRID = np.stack(np.meshgrid(np.linspace(-3, 3, 5), np.linspace(-3, 3, 5)), axis=-1)

EXPRESSION_CHARACTERS = "xy0123456789.eE+-*/^(),  pi_sincotaqrlgbmh'\"[]{}=<>;:!@#%&|~`\\\t\n"


def compile_and_evaluate(text: str) -> LossFunction | ExpressionError:
    """Compile and evaluate on a small grid: the record, or the error that refused the text."""
    result, elapsed = _timed(text)
    if elapsed >= BOUND:  # a pause of the machine, or real slowness? Real slowness repeats.
        result, elapsed = _timed(text)
    assert elapsed < BOUND, f"{elapsed:.3f} s for {text!r}"
    if isinstance(result, ExpressionError):
        assert result.message and str(result) == result.message
        assert result.column is None or 1 <= result.column <= len(text) + 1
        return result
    f, values, gradients = result
    p = GRID[..., : f.dims]
    assert values.shape == p.shape[:-1] and gradients.shape == p.shape
    assert values.dtype == gradients.dtype == np.float64
    assert isinstance(f.formula, str) and len(f.extra["gradient_latex"]) == f.dims
    return f


def _timed(text: str):
    begin = time.perf_counter()
    try:
        f = compile_expression(text)
    except ExpressionError as error:
        return error, time.perf_counter() - begin
    p = GRID[..., : f.dims]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, gradients = f.value(p), f.gradient(p)
    return (f, values, gradients), time.perf_counter() - begin


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.text(EXPRESSION_CHARACTERS, max_size=60)))
def test_arbitrary_text_compiles_or_raises_only_expression_error(text):
    compile_and_evaluate(text)


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 12).map(str),
        st.floats(0, 100, allow_nan=False).map(repr),
        st.sampled_from(["0", "0.5", "1e-3", "1e300", "1e308", "9"]),
    )


UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"]
UNARY += ["exp", "log", "log10", "sqrt", "abs"]


def expressions(leaves, unary, binary) -> st.SearchStrategy[str]:
    def extend(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(binary), children).map(
                lambda t: f"({t[0]}) {t[1]} ({t[2]})"
            ),
            st.tuples(st.sampled_from(unary), children).map(lambda t: f"{t[0]}({t[1]})"),
            children.map(lambda c: f"-({c})"),
        )

    return st.recursive(leaves, extend, max_leaves=25)


ANY_EXPRESSION = expressions(
    st.one_of(st.sampled_from(["x", "y", "pi", "e"]), numbers()),
    UNARY,
    ["+", "-", "*", "/", "^", "**"],
).flatmap(
    lambda e: st.one_of(
        st.just(e), st.sampled_from(["min", "max"]).map(lambda m: f"{m}({e}, x - y)")
    )
)


@SETTINGS
@given(ANY_EXPRESSION)
def test_generated_expressions_evaluate_without_exceptions_or_are_refused_for_size(text):
    result = compile_and_evaluate(text)
    if isinstance(result, ExpressionError):
        assert "too" in result.message, result.message


SMOOTH_EXPRESSION = expressions(
    st.one_of(st.sampled_from(["x", "y", "x", "y", "pi"]), st.integers(1, 5).map(str)),
    ["sin", "cos", "atan", "tanh", "exp"],
    ["+", "-", "*", "/"],
)


# Grid coordinates: at points like y = 1e-200 a pole's exact gradient under- or overflows.
COORDINATE = st.integers(-400, 400).map(lambda i: i / 200)


def central_difference(f, p, h):
    steps = np.eye(len(p)) * h
    with np.errstate(all="ignore"):
        return (f.value(p + steps) - f.value(p - steps)) / (2 * h)


@SETTINGS
@given(
    SMOOTH_EXPRESSION,
    st.lists(st.tuples(COORDINATE, COORDINATE), min_size=1, max_size=5),
)
def test_gradients_of_generated_expressions_match_central_differences(text, points):
    try:
        f = compile_expression(text)
    except ExpressionError:
        return  # too large; refusals are tested above
    for point in points:
        p = np.array(point[: f.dims])
        value, gradient = f.value(p), f.gradient(p)
        coarse, fine = central_difference(f, p, 1e-4), central_difference(f, p, 5e-5)
        # Skip poles, points too steep for differences to be trusted and removable
        # singularities such as x/(y/x) at x = 0, where some intermediate is not finite.
        smooth = np.isfinite(value) and abs(value) < 1e4 and np.isfinite(gradient).all()
        if not smooth or not np.allclose(coarse, fine, rtol=1e-6, atol=1e-6):
            continue
        np.testing.assert_allclose(gradient, fine, rtol=1e-5, atol=1e-5)
