"""The lessons' functions: 1-D warm-ups and the fits on small datasets."""

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run
from app.engine.catalog import CATALOG, FUNCTIONS
from app.engine.lessons import BERRIES, DOSAGE, HOURS, LESSON_FUNCTIONS

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_data.json").read_text())
IDS = ["parabola", "hours-points", "double-well", "linreg-hours", "linreg-dosage",
       "logistic-berries", "logistic-berries-mse"]  # fmt: skip
ONE_D = ["parabola", "hours-points", "double-well"]
DATA = {"hours-points": ("line-through-origin", "mse", HOURS),
        "linreg-hours": ("linear", "mse", HOURS), "linreg-dosage": ("linear", "mse", DOSAGE),
        "logistic-berries": ("logistic", "bce", BERRIES),
        "logistic-berries-mse": ("logistic", "mse", BERRIES)}  # fmt: skip


def test_the_lessons_follow_the_classic_functions_in_the_catalog():
    assert [f.id for f in LESSON_FUNCTIONS] == IDS
    assert list(CATALOG) == [f.id for f in FUNCTIONS] + IDS
    assert all(CATALOG[f.id] is f for f in LESSON_FUNCTIONS)


@pytest.mark.parametrize("fid", ONE_D)
def test_one_dimensional_functions_take_one_coordinate(fid):
    f = get_function(fid)
    assert f.dims == 1 and len(f.start) == 1 and all(len(m.point) == 1 for m in f.minima)
    xs = np.linspace(*f.domain[0], 11)[:, None]
    assert f.value(xs).shape == (11,) and f.gradient(xs).shape == (11, 1)
    assert f.value(np.array([f.start[0]])).shape == ()


def test_parabola_slope_at_minus_four_is_minus_eight():
    f = get_function("parabola")
    assert f.domain == ((-5.0, 5.0),) and f.formula == "f(x) = x^2"
    assert f.gradient(np.array([-4.0])).tolist() == [-8.0]
    assert f.value(np.array([-4.0])) == 16.0
    assert [(m.point, m.value, m.is_global) for m in f.minima] == [((0.0,), 0.0, True)]


def test_hours_points_is_the_first_lessons_cost():
    f = get_function("hours-points")
    assert f.domain == ((-1.0, 5.0),) and f.n_samples == 3
    (m,) = f.minima
    assert m.point == (2.0,) and m.value == 0.0
    for w in (-1.0, 0.0, 1.5, 2.0, 4.2):
        cost = np.mean([(x * w - y) ** 2 for x, y in zip(*HOURS)])
        assert f.value(np.array([w])) == pytest.approx(cost, rel=1e-14, abs=1e-15)
    assert f.extra["data"] == {"model": "line-through-origin", "loss": "mse",
                               "x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 6.0]}  # fmt: skip
    # One sample's gradient: d/dw (w·x₁ − y₁)² at w = 0, x₁ = 3, y₁ = 6.
    assert f.sample_gradient(np.array([0.0]), np.array([2])).tolist() == [-36.0]


def test_double_well_minima_are_the_roots_to_full_precision():
    f = get_function("double-well")
    roots = [Decimal(r) for r in GOLDEN["double_well"]["roots"]]
    values = [Decimal(v) for v in GOLDEN["double_well"]["values"]]
    global_, local = f.minima
    assert (global_.is_global, local.is_global) == (True, False)
    # The nearest doubles to the 50-digit roots, and to the values there.
    assert global_.point[0] == float(roots[0]) and local.point[0] == float(roots[2])
    assert global_.value == float(values[0]) and local.value == float(values[2])
    for m in f.minima:
        assert f.value(np.array(m.point)) == pytest.approx(m.value, abs=1e-14)
        assert abs(f.gradient(np.array(m.point))[0]) < 1e-14
    assert global_.value < local.value


def test_double_well_traps_descent_from_its_start_in_the_shallow_valley():
    f = get_function("double-well")
    trapped = run(f, f.start, make_optimizer("sgd", lr=0.01), steps=2000, tol=1e-10)
    assert trapped.status == "converged"
    assert trapped.points[-1][0] == pytest.approx(f.minima[1].point[0], abs=1e-9)
    left = run(f, [-2.0], make_optimizer("sgd", lr=0.01), steps=2000, tol=1e-10)
    assert left.points[-1][0] == pytest.approx(f.minima[0].point[0], abs=1e-9)


@pytest.mark.parametrize("fid", list(DATA))
def test_the_lessons_data_are_those_of_the_torch_goldens(fid):
    model, loss, (x, y) = DATA[fid]
    f = get_function(fid)
    assert f.extra["data"] == {"model": model, "loss": loss, "x": x, "y": y}
    assert f.n_samples == len(x) and f.sample_gradient is not None
    golden = [c for c in GOLDEN["losses"] if (c["model"], c["loss"]) == (model, loss)]
    assert any(c["x"] == x and c["y"] == y for c in golden)


@pytest.mark.parametrize("fid", ["linreg-hours", "linreg-dosage"])
def test_line_fits_list_the_least_squares_line(fid):
    f = get_function(fid)
    x, y = (np.array(v) for v in DATA[fid][2])
    solution, *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)
    (m,) = f.minima
    np.testing.assert_allclose(m.point, solution, rtol=1e-12, atol=1e-14)
    assert m.value == pytest.approx(np.mean((solution[0] * x + solution[1] - y) ** 2), abs=1e-15)


def test_linreg_hours_is_lowest_at_slope_two_through_the_origin():
    assert get_function("linreg-hours").minima[0].point == pytest.approx((2.0, 0.0), abs=1e-14)


def test_the_berries_have_a_separator_near_0_55_and_two_exceptions():
    x, y = (np.array(v) for v in BERRIES)
    assert ((0 <= x) & (x <= 1)).all() and set(y) == {0.0, 1.0}
    wrong = np.flatnonzero((x > 0.55) != (y == 1))
    assert x[wrong].tolist() == [0.40, 0.66]
    f = get_function("logistic-berries")
    (m,) = f.minima
    w, b = m.point
    assert -b / w == pytest.approx(0.55, abs=0.03)  # where p = 0.5
    np.testing.assert_allclose(f.gradient(np.array(m.point)), 0.0, atol=1e-14)


def test_cross_entropy_is_convex_and_squared_error_is_not_on_the_berries():
    bce, mse = get_function("logistic-berries"), get_function("logistic-berries-mse")
    assert bce.domain == mse.domain  # the same frame, to compare the two landscapes
    lo, hi = np.array(bce.domain).T
    points = np.random.default_rng(3).uniform(lo, hi, size=(400, 2))

    def smallest_curvature(f, p, h=1e-4):
        columns = [(f.gradient(p + h * e) - f.gradient(p - h * e)) / (2 * h) for e in np.eye(2)]
        hessian = np.stack(columns, axis=-1)
        return np.linalg.eigvalsh((hessian + np.swapaxes(hessian, -1, -2)) / 2)[:, 0]

    assert smallest_curvature(bce, points).min() > -1e-8
    assert smallest_curvature(mse, points).min() < -1e-3
    assert len(mse.minima) == 1 and mse.minima[0].is_global


def test_descriptions_and_formulas_are_set():
    for f in LESSON_FUNCTIONS:
        assert f.description and f.formula and f.title
    assert get_function("logistic-berries").formula.startswith(r"J(w, b) = -\frac{1}{16}")
