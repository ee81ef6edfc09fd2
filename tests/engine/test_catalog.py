"""Registry invariants: every function's minima, gradients and shapes."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine.catalog import CATALOG, UnknownFunctionError, get_function

FUNCTIONS = list(CATALOG.values())
IDS = [f.id for f in FUNCTIONS]
# A copy of shared/reference (with its SOURCES.md), kept here so a clone runs every test.
REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "test_functions.json"
REFERENCE_NAMES = {
    "bowl": None, "elongated-bowl": None, "saddle": None, "rosenbrock": "rosenbrock",
    "himmelblau": "himmelblau", "rastrigin": "rastrigin", "ackley": "ackley", "beale": "beale",
    "booth": "booth", "matyas": "matyas", "goldstein-price": "goldstein_price",
    "three-hump-camel": "three_hump_camel", "six-hump-camel": "six_hump_camel",
    "styblinski-tang": "styblinski_tang", "levi": "levi_n13",
}  # fmt: skip
REQUIRED_IDS = set(REFERENCE_NAMES)


def test_catalog_holds_every_required_function():
    assert REQUIRED_IDS <= set(CATALOG)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_value_at_each_listed_minimum_is_the_listed_value(f):
    for m in f.minima:
        assert f.value(np.array(m.point)) == pytest.approx(m.value, abs=1e-9)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_gradient_vanishes_at_each_listed_minimum(f):
    for m in f.minima:
        np.testing.assert_allclose(f.gradient(np.array(m.point)), 0.0, atol=1e-6)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_no_sample_point_is_below_the_global_minimum(f):
    if not f.minima:
        pytest.skip("no minimum (saddle)")
    rng = np.random.default_rng(1)
    lo, hi = np.array(f.domain).T
    samples = rng.uniform(lo, hi, size=(20_000, f.dims))
    best = min(m.value for m in f.minima if m.is_global)
    assert f.value(samples).min() >= best - 1e-9


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_gradient_matches_central_finite_differences(f):
    rng = np.random.default_rng(0)
    lo, hi = np.array(f.domain).T
    points = rng.uniform(lo, hi, size=(200, f.dims))
    h = 1e-6
    numeric = np.stack(
        [(f.value(points + h * e) - f.value(points - h * e)) / (2 * h) for e in np.eye(f.dims)],
        axis=-1,
    )
    scale = np.maximum(1.0, np.abs(f.value(points)))[:, None]
    np.testing.assert_allclose(f.gradient(points) / scale, numeric / scale, atol=1e-5)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_values_and_gradients_keep_grid_shapes(f):
    grid = np.zeros((7, 5, f.dims))
    assert f.value(grid).shape == (7, 5)
    assert f.gradient(grid).shape == (7, 5, f.dims)
    assert f.value(grid).dtype == np.float64


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_default_start_lies_in_the_domain_and_is_not_a_minimum(f):
    for coordinate, (lo, hi) in zip(f.start, f.domain):
        assert lo <= coordinate <= hi
    assert np.linalg.norm(f.gradient(np.array(f.start))) > 1e-3


def test_ackley_gradient_is_zero_not_nan_at_its_kink():
    assert np.array_equal(get_function("ackley").gradient(np.zeros(2)), [0.0, 0.0])


def test_saddle_lists_no_minimum():
    assert get_function("saddle").minima == ()


def test_unknown_id_names_the_valid_ids():
    with pytest.raises(UnknownFunctionError, match="rosenbrock"):
        get_function("nope")


@pytest.mark.parametrize("fid", [i for i, name in REFERENCE_NAMES.items() if name], ids=str)
def test_minima_agree_with_the_shared_reference_table(fid):
    reference = {r["name"]: r for r in json.loads(REFERENCE.read_text())}[REFERENCE_NAMES[fid]]
    f = get_function(fid)
    expected = sorted((round(x, 9), round(y, 9), v) for x, y, v in reference["minima"])
    listed = sorted((round(m.point[0], 9), round(m.point[1], 9), m.value) for m in f.minima)
    assert len(listed) == len(expected)
    for (x, y, v), (ex, ey, ev) in zip(listed, expected):
        assert (x, y) == pytest.approx((ex, ey), abs=1e-8)
        assert v == pytest.approx(ev, abs=1e-9)
    # The reference's own formula, evaluated in numpy, agrees with ours on random points.
    rng = np.random.default_rng(2)
    lo, hi = np.array(f.domain).T
    x, y = rng.uniform(lo, hi, size=(50, 2)).T
    theirs = eval(reference["formula"], {"np": np, "x": x, "y": y})  # trusted repo data
    np.testing.assert_allclose(f.value(np.stack([x, y], -1)), theirs, rtol=1e-12, atol=1e-12)
