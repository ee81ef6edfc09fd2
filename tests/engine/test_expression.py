"""Typed landscapes: parsing, exact gradients, LaTeX, limits and refusal of everything else.

Randomised checks (arbitrary text, generated expressions) live in test_expression_fuzz.py.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest

from app.engine.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    ExpressionError,
    compile_expression,
)
from app.engine.expressions.diff import derivative
from app.engine.expressions.eval import Program
from app.engine.expressions.parse import parse_expression

X, Y = 0.7, -1.3
POINT = np.array([X, Y])


def value_at(text: str, x: float = X, y: float = Y) -> float:
    f = compile_expression(text)
    return float(f.value(np.array([x, y][: f.dims])))


def quickly(action, bound: float = 0.1):
    """``action()``'s result, asserting it took under ``bound`` seconds (best of two tries,
    so that a pause of the machine is not mistaken for slowness, which would repeat)."""
    for _ in range(2):
        begin = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - begin
        if elapsed < bound:
            return result
    raise AssertionError(f"took {elapsed:.3f} s, more than {bound} s")


def refusal(text: str) -> ExpressionError:
    try:
        compile_expression(text)
    except ExpressionError as error:
        return error
    raise AssertionError(f"{text!r} compiled")


def central_difference(f, p: np.ndarray, h: float) -> np.ndarray:
    steps = np.eye(len(p)) * h
    with np.errstate(all="ignore"):
        return (f.value(p + steps) - f.value(p - steps)) / (2 * h)


# --- grammar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("8 / 4 / 2", 1.0),
        ("8 - 4 - 2", 2.0),
        ("2 * 3 ^ 2", 18.0),
        ("2^3^2", 512.0),
        ("2**3**2", 512.0),
        ("(2^3)^2", 64.0),
        ("2 ^ 3 ** 2", 512.0),
        ("-2^2", -4.0),
        ("-2**2", -4.0),
        ("(-2)^2", 4.0),
        ("2^-1", 0.5),
        ("2^-1^2", 0.5),
        ("--3", 3.0),
        ("+3", 3.0),
        ("2*-3", -6.0),
        ("2 - -3", 5.0),
        ("-x^2", -(X**2)),
        ("-x*y", -X * Y),
        ("x^-2", X**-2),
        ("1e-3 * x", 1e-3 * X),
        ("1E+2", 100.0),
        (".5 + 1.", 1.5),
        ("x - y - 1", X - Y - 1),
        ("x / y / 2", X / Y / 2),
        ("  x\t+\n y ", X + Y),
    ],
)
def test_precedence_and_associativity_follow_python(text, expected):
    assert value_at(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", sorted(n for n, arity in FUNCTIONS.items() if arity == 1))
def test_every_one_argument_function_matches_numpy(name):
    numpy_name = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}.get(name, name)
    xs = np.linspace(-3, 3, 61)[:, None]
    with np.errstate(all="ignore"):
        expected = getattr(np, numpy_name)(xs[:, 0])
    got = compile_expression(f"{name}(x)").value(xs)
    np.testing.assert_allclose(got, expected, rtol=1e-15, equal_nan=True)


@pytest.mark.parametrize(("name", "numpy_function"), [("min", np.minimum), ("max", np.maximum)])
def test_min_and_max_take_two_arguments_and_match_numpy(name, numpy_function):
    p = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    got = compile_expression(f"{name}(x, y)").value(p)
    np.testing.assert_array_equal(got, numpy_function(p[:, 0], p[:, 1]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("pi", math.pi), ("e", math.e), ("2*pi*e", 2 * math.pi * math.e), ("e^x", math.e**X)],
)
def test_constants_pi_and_e(text, expected):
    assert value_at(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "dims"),
    [("x", 1), ("x^2 + 1", 1), ("y", 2), ("x*y", 2), ("sin(y)", 2), ("3", 1), ("pi*e", 1)],
)
def test_an_expression_is_two_dimensional_exactly_when_it_mentions_y(text, dims):
    assert compile_expression(text).dims == dims


# --- the record -----------------------------------------------------------------------------


def test_the_record_carries_title_formula_gradient_latex_and_the_original_text():
    text = "  x^2 +   10*y^2 "
    f = compile_expression(text, [[-2, 2], [-1, 1]])
    assert (f.id, f.title) == ("expression", "x^2 + 10*y^2")
    assert f.formula == "f(x, y) = x^{2} + 10y^{2}"
    assert {k: v for k, v in f.extra.items() if k != "cost"} == {
        "gradient_latex": [
            r"\frac{\partial f}{\partial x} = 2x",
            r"\frac{\partial f}{\partial y} = 20y",
        ],
        "expression": text,
    }
    # numpy calls and ns per point of the value and gradient programs (work budgets)
    assert f.extra["cost"] == {"value": (6, 12), "gradient": (6, 6)}
    assert f.domain == ((-2.0, 2.0), (-1.0, 1.0))
    assert f.minima == () and f.log_scale is False


def test_a_one_dimensional_record_has_one_bound_one_start_and_one_derivative():
    f = compile_expression("x^3")
    assert f.domain == ((-5.0, 5.0),) and len(f.start) == 1
    assert f.formula == "f(x) = x^{3}"
    assert f.extra["gradient_latex"] == [r"\frac{df}{dx} = 3x^{2}"]


def test_the_default_domain_is_minus_five_to_five_per_variable():
    assert compile_expression("x + y").domain == ((-5.0, 5.0), (-5.0, 5.0))


@pytest.mark.parametrize(
    ("text", "domain"),
    [("x^2 + y^2", None), ("x", [[10, 20]]), ("x*y", [[-1, 3], [100, 101]])],
)
def test_the_start_is_near_the_centre_but_not_on_it(text, domain):
    f = compile_expression(text, domain)
    for (low, high), s in zip(f.domain, f.start, strict=True):
        assert low < s < high and s != (low + high) / 2
        assert abs(s - (low + high) / 2) <= 0.3 * (high - low) / 2 + 1e-12


def test_the_start_avoids_points_where_the_function_is_undefined():
    f = compile_expression("sqrt(-x) + log(-y)")
    assert f.start == (-1.5, -1.0)
    assert np.isfinite(f.value(np.array(f.start)))


@pytest.mark.parametrize(
    "domain",
    [
        [[1, 0]],
        [[0, 0]],
        [[-1, 1], [-1, 1]],
        [],
        [[0, math.inf]],
        [[math.nan, 1]],
        [[-2e6, 0]],
        [[0, 1, 2]],
        [["a", 1]],
        [[True, 2]],
        [[0]],
        "[[0, 1]]",
        5,
    ],
)
def test_a_bad_domain_is_refused_with_a_message_that_names_the_domain(domain):
    with pytest.raises(ExpressionError) as caught:
        compile_expression("x^2", domain)
    assert "domain" in caught.value.message and caught.value.column is None


def test_a_two_variable_expression_needs_two_bounds():
    with pytest.raises(ExpressionError, match="uses x and y"):
        compile_expression("x*y", [[-1, 1]])


def test_values_and_gradients_are_vectorised_over_leading_axes():
    f = compile_expression("x*y + 1")
    p = np.random.default_rng(1).normal(size=(3, 4, 2))
    assert f.value(p).shape == (3, 4) and f.gradient(p).shape == (3, 4, 2)
    assert f.value(p).dtype == f.gradient(p).dtype == np.float64
    assert f.value(np.array([2.0, 3.0])).shape == ()
    np.testing.assert_array_equal(f.gradient(p)[..., 0], p[..., 1])


def test_a_constant_expression_broadcasts_to_the_input_shape_in_writable_arrays():
    f = compile_expression("pi")
    values, gradients = f.value(np.zeros((5, 1))), f.gradient(np.zeros((5, 1)))
    assert values.shape == (5,) and gradients.shape == (5, 1)
    values[0] = gradients[0, 0] = 1.0  # writable, not a broadcast view
    assert values[1] == math.pi and gradients[1, 0] == 0.0


def test_integer_input_is_accepted_and_not_modified():
    p = np.array([[1, 2], [3, 4]])
    f = compile_expression("x/y")
    np.testing.assert_allclose(f.value(p), [0.5, 0.75])
    np.testing.assert_array_equal(p, [[1, 2], [3, 4]])


def test_a_large_grid_evaluates_quickly():
    f = compile_expression("sin(3*x)*cos(2*y) + exp(-(x^2 + y^2)/4) + 0.1*abs(x*y)")
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-5, 5, 200)), axis=-1)
    quickly(lambda: (f.value(grid), f.gradient(grid)))


def test_value_and_gradient_share_common_subexpressions():
    tree = parse_expression("sin(x*y)")
    partials = [derivative(tree, axis) for axis in "xy"]
    # x, y, x*y, cos(x*y), y*cos(x*y), x*cos(x*y): cos(x*y) is computed once.
    assert len(Program(partials).steps) == 6


# --- gradients ------------------------------------------------------------------------------

SMOOTH_CASES = [
    ("x^2 + y^2", None),
    ("(1 - x)^2 + 100*(y - x^2)^2", [[-2, 2], [-1, 3]]),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", None),
    ("sin(x*y) + cos(x - y)", None),
    ("tan(x/3) + atan(y)", None),
    ("asin(x/2) + acos(y/2)", [[-1.5, 1.5], [-1.5, 1.5]]),
    ("sinh(x) - cosh(y) + tanh(x*y)", [[-2, 2], [-2, 2]]),
    ("exp(-(x^2 + y^2)/2)", None),
    ("log(1 + x^2 + y^2) + log10(2 + sin(x))*y", None),
    ("sqrt(1 + x^2 + y^2)", None),
    ("x^y", [[0.5, 3], [-2, 2]]),
    ("2^x * 3^-y + e^(x*y)", [[-1, 1], [-1, 1]]),
    ("x^-2 + y^(1/3)", [[0.5, 3], [0.5, 3]]),
    ("x/(1 + y^2) - y/(2 + x^2)", None),
    ("1/(1 + exp(-x*y))", None),
    ("abs(x - 0.3) + abs(y)", None),
    ("min(x, y) + max(x^2, y)", None),
    ("pi*x + e*y - x", None),
    ("-20*exp(-0.2*sqrt(0.5*(x^2+y^2))) - exp(0.5*(cos(2*pi*x)+cos(2*pi*y))) + e + 20", None),
    ("x^1.5 - 3*x", [[0.1, 4]]),
    ("exp(x) - x^3/3", None),
]


@pytest.mark.parametrize(("text", "domain"), SMOOTH_CASES)
def test_the_gradient_matches_central_differences(text, domain):
    f = compile_expression(text, domain)
    (low, high) = np.array(f.domain).T
    points = np.random.default_rng(2).uniform(low, high, (40, f.dims))
    checked = 0
    for p in points:
        coarse, fine = central_difference(f, p, 1e-4), central_difference(f, p, 5e-5)
        if not np.allclose(coarse, fine, rtol=1e-6, atol=1e-6):
            continue  # too close to a kink (abs, min, max) for differences to mean anything
        np.testing.assert_allclose(f.gradient(p), fine, rtol=1e-5, atol=1e-5)
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    ("text", "point", "gradient"),
    [
        ("abs(x)", [0.0], [0.0]),
        ("abs(x - y)", [1.0, 1.0], [0.0, 0.0]),
        ("min(x, y)", [1.0, 1.0], [1.0, 0.0]),
        ("max(x, y)", [1.0, 1.0], [1.0, 0.0]),
        ("max(x, y)", [1.0, 2.0], [0.0, 1.0]),
        ("min(x, 1)", [2.0], [0.0]),
    ],
)
def test_kinks_take_the_documented_branch(text, point, gradient):
    assert compile_expression(text).gradient(np.array(point)).tolist() == gradient


@pytest.mark.parametrize(
    ("text", "point"),
    [("sqrt(x)", [0.0]), ("log(x)", [0.0]), ("log(x)", [-1.0]), ("x^0.5 + y", [-1.0, 0.0])],
)
def test_undefined_points_give_non_finite_values_without_warnings(text, point):
    f = compile_expression(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, gradient = f.value(np.array(point)), f.gradient(np.array(point))
    assert not (np.isfinite(value) and np.isfinite(gradient).all())


# --- LaTeX ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("x^2 + y^2", "x^{2} + y^{2}"),
        ("-x^2", "-x^{2}"),
        ("(-x)^2", r"\left(-x\right)^{2}"),
        ("2^3^2", "2^{3^{2}}"),
        ("(2^3)^2", r"\left(2^{3}\right)^{2}"),
        ("x/(1 + y)", r"\frac{x}{1 + y}"),
        ("2*pi*x", r"2\pi x"),
        ("x*2", r"x \cdot 2"),
        ("x*(-y)", r"x \left(-y\right)"),
        ("x - (y - 1)", r"x - \left(y - 1\right)"),
        ("(x + 1)*(y - 1)", r"\left(x + 1\right) \left(y - 1\right)"),
        ("sqrt(x^2 + y^2)", r"\sqrt{x^{2} + y^{2}}"),
        ("abs(x - 1)", r"\left|x - 1\right|"),
        ("max(x, y) + min(x, 0)", r"\max\left(x, y\right) + \min\left(x, 0\right)"),
        ("sin(x)^2", r"\sin\left(x\right)^{2}"),
        ("log(x) + log10(y)", r"\ln\left(x\right) + \log_{10}\left(y\right)"),
        ("asin(x) + acos(x)", r"\arcsin\left(x\right) + \arccos\left(x\right)"),
        ("1e-5*x + 2.5e20", r"10^{-5} x + 2.5 \times 10^{20}"),
    ],
)
def test_formula_latex(text, latex):
    prefix = "f(x, y) = " if "y" in text else "f(x) = "
    assert compile_expression(text).formula == prefix + latex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("sin(x)", r"\cos\left(x\right)"),
        ("cos(x)", r"-\sin\left(x\right)"),
        ("tan(x)", r"\frac{1}{\cos\left(x\right)^{2}}"),
        ("asin(x)", r"\frac{1}{\sqrt{1 - x^{2}}}"),
        ("atan(2*x)", r"\frac{2}{1 + \left(2x\right)^{2}}"),
        ("exp(2*x)", r"2\exp\left(2x\right)"),
        ("log(x)", r"\frac{1}{x}"),
        ("log10(x)", r"\frac{1}{x \ln\left(10\right)}"),
        ("sqrt(x)", r"\frac{1}{2\sqrt{x}}"),
        ("abs(x)", r"\operatorname{sign}\left(x\right)"),
        ("x^3", "3x^{2}"),
        ("x^-2", "-2x^{-3}"),
        ("2^x", r"2^{x} \ln\left(2\right)"),
        ("e^x", "e^{x}"),
        ("x/3", r"\frac{1}{3}"),
        ("3/x", r"-\frac{3}{x^{2}}"),
        ("x^2/2 + 0*x", "x"),
        ("min(x, 1)", r"\begin{cases} 1 & x \le 1 \\ 0 & \text{otherwise} \end{cases}"),
    ],
)
def test_derivative_latex(text, latex):
    assert compile_expression(text).extra["gradient_latex"] == [rf"\frac{{df}}{{dx}} = {latex}"]


def test_rosenbrock_gradient_latex_is_simplified():
    f = compile_expression("(1 - x)^2 + 100*(y - x^2)^2")
    assert f.extra["gradient_latex"] == [
        r"\frac{\partial f}{\partial x} = -2\left(1 - x\right) - 400\left(y - x^{2}\right) x",
        r"\frac{\partial f}{\partial y} = 200\left(y - x^{2}\right)",
    ]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("x + z", 5, "unknown name 'z' at column 5; use x, y, pi, e or one of: sin, cos"),
        ("ln(x)", 1, "did you mean 'log'?"),
        ("sinn(x)", 1, "did you mean 'sin'?"),
        ("2 x", 3, "missing operator before 'x' at column 3"),
        ("x y", 3, "write * for a product"),
        ("(x)2", 4, "missing operator before '2'"),
        ("sin(x", 6, "missing ')' at column 6 to close the '(' at column 4"),
        ("x)", 2, "unmatched ')'"),
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("x +", 4, "ends too early"),
        ("min(x)", 1, "min at column 1 takes 2 arguments, got 1"),
        ("sin(x, y)", 1, "sin at column 1 takes 1 argument, got 2"),
        ("sin + 1", 1, "'sin' at column 1 is a function"),
        ("x(y)", 1, "'x' at column 1 is not a function"),
        ("1e400", 1, "too large"),
        ("x × y", 3, "write '*' instead"),
        ("x, y", 2, "unexpected ','"),
        ("*x", 1, "found '*'"),
    ],
)
def test_invalid_input_names_the_problem_and_its_column(text, column, fragment):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert caught.value.column == column
    assert fragment in caught.value.message and str(caught.value) == caught.value.message


INJECTIONS = [
    "__import__('os')",
    "__import__('os').system('ls')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "sin.__globals__",
    "lambda: 1",
    "(lambda: 1)()",
    "[x for x in y]",
    "{x: y}",
    "x[0]",
    "'a'",
    '"a"',
    "b'a'",
    "open('f')",
    "import os",
    "eval('1')",
    "exec('1')",
    "globals()",
    "x if y else 1",
    "x == y",
    "x < y",
    "x and y",
    "not x",
    "x; y",
    "x = 1",
    "x := 1",
    "x @ y",
    "x % y",
    "x // y",
    "x & y",
    "~x",
    "x.real",
    "1j",
    "0x10",
    "1_000",
    "...",
    "*x",
    "f'{x}'",
    "x\n\nimport os",
    "sin(x)(y)",
    "sin(x=1)",
    "max(*[x, y])",
    "X",
    "x" * 100_000,
    "(" * 1000 + "x" + ")" * 1000,
    "-" * 400 + "x",
    "\x00",
    "x\ud800",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=lambda t: repr(t[:30]))
def test_anything_outside_the_grammar_is_an_expression_error(text):
    error = quickly(lambda: refusal(text))  # any other exception propagates and fails
    assert error.column is None or 1 <= error.column <= len(text) + 1


@pytest.mark.parametrize("text", [None, 42, b"x", ["x"]])
def test_non_text_is_an_expression_error(text):
    with pytest.raises(ExpressionError, match="text"):
        compile_expression(text)


# --- limits ---------------------------------------------------------------------------------


def test_the_length_limit_counts_characters():
    compile_expression(" " * (MAX_LENGTH - 1) + "x")
    with pytest.raises(ExpressionError, match="too long") as caught:
        compile_expression(" " * MAX_LENGTH + "x")
    assert caught.value.column == MAX_LENGTH + 1


@pytest.mark.parametrize(
    ("opening", "closing", "levels_each"),
    [("(", ")", 1), ("sin(", ")", 1), ("-", "", 1), ("1^", "", 1), ("-(", ")", 2)],
)
def test_the_nesting_limit_counts_parentheses_calls_signs_and_powers(opening, closing, levels_each):
    levels = MAX_DEPTH // levels_each
    compile_expression(opening * levels + "x" + closing * levels)
    with pytest.raises(ExpressionError, match="nested too deeply") as caught:
        compile_expression(opening * (levels + 1) + "x" + closing * (levels + 1))
    assert caught.value.column is not None


def test_the_size_limit_counts_numbers_names_and_operators():
    compile_expression("+".join(["x"] * ((MAX_NODES + 1) // 2)))  # 2n - 1 = MAX_NODES - 1
    with pytest.raises(ExpressionError, match="too long") as caught:
        compile_expression("+".join(["x"] * ((MAX_NODES + 3) // 2)))
    assert caught.value.column is not None


def test_an_expression_whose_derivative_explodes_is_too_complex():
    with pytest.raises(ExpressionError, match="too complex") as caught:
        compile_expression("*".join(["x"] * 100))
    assert caught.value.column is None


@pytest.mark.parametrize(
    "text",
    [
        "9^9^9^9",
        "9^9^9^9^9^9^9^9^9^9^9^9 * x",
        "exp(exp(exp(x)))",
        "exp(exp(exp(exp(exp(x*y)))))",
        "10^400",
        "x^1e308",
        "1e308 * 1e308 * x",
        "(x^x)^(x^x)^(x^x)",
        "x/0 + 0/0",
        "log(0) * y",
        "sqrt(-1) + x",
        "1e308^1e308^x",
    ],
)
def test_huge_values_answer_at_once_as_non_finite_numbers(text):
    grid = np.linspace(-5, 5, 101)

    def compile_and_evaluate():
        f = compile_expression(text)
        p = np.stack(np.meshgrid(grid, grid), axis=-1) if f.dims == 2 else grid[:, None]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return p, f.value(p), f.gradient(p)

    p, values, gradients = quickly(compile_and_evaluate)
    assert values.shape == p.shape[:-1] and gradients.shape == p.shape
    assert not np.isfinite(values).all() or not np.isfinite(gradients).all()


@pytest.mark.parametrize(
    ("implicit", "explicit"),
    [
        ("4x^2", "4*x^2"),
        ("-4x^2 + 2y", "-4*x^2 + 2*y"),
        ("2sin(x)", "2*sin(x)"),
        ("2pi*x", "2*pi*x"),
        ("2x/3", "2*x/3"),
        ("x^2y", "x^2*y"),
        ("1e-3x", "1e-3*x"),
        ("0.26(x^2 + y^2) - 0.48x*y", None),
    ],
)
def test_a_number_touching_a_name_multiplies_it(implicit, explicit):
    """As the catalog writes 4x²: only a number right against a name or a call."""
    if explicit is None:
        with pytest.raises(ExpressionError):  # a number against "(" is not a product
            compile_expression(implicit)
        return
    a, b = compile_expression(implicit), compile_expression(explicit)
    assert a.formula == b.formula
    assert a.extra["gradient_latex"] == b.extra["gradient_latex"]
    xs = np.array([[0.3, -1.2], [2.0, 0.5]])
    for point in xs:
        point = point[: a.dims]
        assert a.value(point) == pytest.approx(b.value(point))
