"""Losses on data: torch's values and autograd gradients, validation, minima and SGD runs."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run
from app.engine.data import MAX_POINTS, data_function
from app.engine.data import models as data_models
from app.engine.data.sampling import MinibatchSchedule
from app.engine.lessons import DOSAGE

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden_data.json").read_text())
LOSS_CASES = GOLDEN["losses"]
TRAJECTORIES = GOLDEN["trajectories"]
RNG = np.random.default_rng(7)
X = RNG.normal(1.0, 2.0, 30)
LINE_Y = 0.7 * X - 1.2 + 0.5 * RNG.normal(size=30)
CLASSES = (RNG.uniform(size=30) < 1 / (1 + np.exp(-(1.5 * X - 0.5)))).astype(float)
SPECS = [
    ("line-through-origin", "mse", X, LINE_Y),
    ("linear", "mse", X, LINE_Y),
    ("logistic", "bce", X, CLASSES),
    ("logistic", "mse", X, CLASSES),
]
SPEC_IDS = [f"{m}-{loss}" for m, loss, *_ in SPECS]
# Torch sums in its own order; everything here agrees with it to rounding. BCELoss forms
# 1 − σ(z), whose rounding costs it ~1e−16·e^|z| relative: 4e−12 at |z| ≈ 16, the largest
# "moderate" logit here, so its values get a looser tolerance (the engine is the exact one).
RTOL, ATOL, BCE_RTOL = 1e-12, 1e-13, 1e-10


def case_id(case):
    return f"{case['data']}-{case['model']}-{case['loss']}"


def direct_mean_loss(model, loss, p, x, y):
    """The definition, one parameter point at a time, the way torch.nn's losses write it."""
    p = np.asarray(p, dtype=float)
    if model == "line-through-origin":
        pred = p[0] * x
    elif model == "linear":
        pred = p[0] * x + p[1]
    else:
        pred = 1 / (1 + np.exp(-(p[0] * x + p[1])))
    if loss == "mse":
        return np.mean((pred - y) ** 2)
    return -np.mean(y * np.log(pred) + (1 - y) * np.log(1 - pred))


@pytest.mark.parametrize("case", LOSS_CASES, ids=case_id)
def test_values_and_gradients_equal_torch_autograd(case):
    f = data_function(case["model"], case["loss"], case["x"], case["y"])
    for row in (r for r in case["points"] if r["exact"]):
        p = np.array(row["point"])
        rtol = BCE_RTOL if case["loss"] == "bce" else RTOL
        assert f.value(p) == pytest.approx(row["loss"], rel=rtol, abs=ATOL)
        np.testing.assert_allclose(f.gradient(p), row["gradient"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", LOSS_CASES, ids=case_id)
def test_minibatch_gradients_equal_torch_on_the_batch(case):
    f = data_function(case["model"], case["loss"], case["x"], case["y"])
    for row in case["points"]:
        for batch in row["batches"]:
            got = f.sample_gradient(np.array(row["point"]), np.array(batch["indices"]))
            np.testing.assert_allclose(got, batch["gradient"], rtol=RTOL, atol=ATOL)


def test_every_model_and_loss_has_golden_cases():
    kinds = {(c["model"], c["loss"]) for c in LOSS_CASES}
    assert kinds == {(m, loss) for m, loss, *_ in SPECS}


def test_at_huge_logits_the_engine_is_exact_where_torch_bce_clamps():
    """Past |z| ≈ 37, BCELoss's 1 − σ(z) rounds to 0 and its log is clamped at −100; the
    logits form stays exact. Emulating the clamped form reproduces torch's numbers, so the
    difference is that clamping and nothing else."""
    extreme = [(c, r) for c in LOSS_CASES for r in c["points"] if not r["exact"]]
    differences = []
    for case, row in extreme:
        f = data_function(case["model"], case["loss"], case["x"], case["y"])
        p, x, y = np.array(row["point"]), np.array(case["x"]), np.array(case["y"])
        value, grad = f.value(p), f.gradient(p)
        assert np.isfinite(value) and np.isfinite(grad).all()
        if case["loss"] != "bce":
            assert value == pytest.approx(row["loss"], rel=1e-12)
            continue
        z = p[0] * x + p[1]
        assert value == pytest.approx(np.mean(np.logaddexp(0, z) - y * z), rel=1e-13)
        with np.errstate(divide="ignore"):
            sigma = 1 / (1 + np.exp(-z))
            clamped = -(y * np.maximum(np.log(sigma), -100)
                        + (1 - y) * np.maximum(np.log(1 - sigma), -100))  # fmt: skip
        assert np.mean(clamped) == pytest.approx(row["loss"], rel=1e-12)
        differences.append(abs(value - row["loss"]))
    assert max(differences) > 1.0  # a clamped term, not rounding


def test_bce_is_finite_even_at_the_largest_parameters():
    f = data_function("logistic", "bce", [-1e6, 1e6], [1, 0])
    p = np.array([[1e6, 1e6], [-1e6, -1e6], [0.0, 0.0]])
    assert np.isfinite(f.value(p)).all() and np.isfinite(f.gradient(p)).all()
    assert f.value(p)[0] == pytest.approx(1e12, rel=1e-12)  # (1e12 − 1e6 + 1e12 + 1e6) / 2


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_value_equals_the_direct_mean_over_the_data(model, loss, x, y):
    f = data_function(model, loss, x, y)
    lo, hi = np.array(f.domain).T
    for p in RNG.uniform(lo, hi, size=(50, f.dims)):
        expected = direct_mean_loss(model, loss, p, x, y)
        assert f.value(p) == pytest.approx(expected, rel=1e-11, abs=1e-12)


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_gradients_match_central_finite_differences(model, loss, x, y):
    f = data_function(model, loss, x, y)
    lo, hi = np.array(f.domain).T
    points = RNG.uniform(lo, hi, size=(100, f.dims))
    h = 1e-6
    for value, gradient in [
        (f.value, f.gradient),
        (data_function(model, loss, x[3:9], y[3:9]).value,
         lambda p: f.sample_gradient(p, np.arange(3, 9))),
    ]:  # fmt: skip
        steps = [(value(points + h * e) - value(points - h * e)) / (2 * h) for e in np.eye(f.dims)]
        numeric = np.stack(steps, axis=-1)
        scale = np.maximum(1.0, np.abs(value(points)))[:, None]
        np.testing.assert_allclose(gradient(points) / scale, numeric / scale, atol=1e-6)


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_minibatch_of_everything_is_the_full_gradient(model, loss, x, y):
    f = data_function(model, loss, x, y)
    points = RNG.uniform(*np.array(f.domain).T, size=(20, f.dims))
    everything = f.sample_gradient(points, np.arange(len(x)))
    np.testing.assert_allclose(everything, f.gradient(points), rtol=1e-11, atol=1e-12)
    shuffled = f.sample_gradient(points, RNG.permutation(len(x)))
    np.testing.assert_allclose(shuffled, f.gradient(points), rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_shapes_follow_the_leading_axes(model, loss, x, y):
    f = data_function(model, loss, x, y)
    grid = np.zeros((7, 5, f.dims))
    assert f.value(grid).shape == (7, 5) and f.value(grid).dtype == np.float64
    assert f.gradient(grid).shape == (7, 5, f.dims)
    assert f.sample_gradient(grid, np.array([0, 4])).shape == (7, 5, f.dims)
    assert np.shape(f.value(np.zeros(f.dims))) == ()
    assert f.value([0.0] * f.dims) == f.value(np.zeros(f.dims))  # plain lists too


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_chunked_evaluation_equals_evaluation_in_one_piece(model, loss, x, y, monkeypatch):
    f = data_function(model, loss, x, y)
    points = RNG.uniform(*np.array(f.domain).T, size=(37, f.dims))
    whole = f.value(points), f.gradient(points), f.sample_gradient(points, np.arange(10))
    monkeypatch.setattr(data_models, "CHUNK_ELEMENTS", 50)  # a few rows per chunk
    pieces = f.value(points), f.gradient(points), f.sample_gradient(points, np.arange(10))
    for a, b in zip(whole, pieces):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_a_large_logistic_grid_stays_within_its_memory_bound(monkeypatch):
    x = np.linspace(-3, 3, MAX_POINTS)
    f = data_function("logistic", "bce", x, (x > 0.1).astype(float))
    seen = []
    original = data_models._logits

    def spy(q, xs):
        z = original(q, xs)
        seen.append(z.size)
        return z

    monkeypatch.setattr(data_models, "_logits", spy)
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 60), np.linspace(-5, 5, 60)), -1)
    assert f.value(grid).shape == (60, 60)
    assert max(seen) <= data_models.CHUNK_ELEMENTS


def test_repeated_x_values_are_grouped_without_changing_the_loss():
    x, y = [0.0, 0.0, 1.0, 1.0, 1.0, 2.0], [0, 1, 0, 1, 1, 1]
    f = data_function("logistic", "bce", x, y)
    p = np.array([1.3, -0.4])
    assert f.value(p) == pytest.approx(direct_mean_loss("logistic", "bce", p, np.array(x),
                                                       np.array(y, float)), rel=1e-14)  # fmt: skip


# Validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("quadratic", "mse", [1], [1]), "unknown model 'quadratic'; valid models: "),
        (("linear", "mae", [1], [1]), "unknown loss 'mae'"),
        (("linear", "bce", [1, 2], [0, 1]), "bce loss needs the logistic model"),
        (("line-through-origin", "bce", [1, 2], [0, 1]), "bce loss needs the logistic model"),
        (("linear", "mse", [], []), "between 1 and 10000 points; got 0"),
        (("linear", "mse", [0.5] * 10_001, [1.0] * 10_001), "got 10001"),
        (("linear", "mse", [1, 2, 3], [1, 2]), "same length; got 3 x and 2 y"),
        (("linear", "mse", [1, float("nan")], [1, 2]), r"x\[1\] is nan"),
        (("linear", "mse", [1, 2], [1, float("inf")]), r"y\[1\] is inf"),
        (("linear", "mse", [1, 2e6], [1, 2]), r"within ±1e\+06; x\[1\] is 2e\+06"),
        (("logistic", "bce", [1, 2, 3], [0, 0.5, 1]), r"every y to be 0 or 1.*y\[1\] is 0.5"),
        (("logistic", "mse", [1, 2], [0, 2]), r"every y to be 0 or 1.*y\[1\] is 2"),
        (("linear", "mse", "123", [1, 2, 3]), "x must be a list of numbers"),
        (("linear", "mse", [1, 2], [1, "a"]), "y must be a list of numbers"),
        (("linear", "mse", [True, False], [1, 2]), "x must be a list of numbers"),
    ],
)
def test_invalid_data_raise_value_errors_that_say_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        data_function(*args)


@pytest.mark.parametrize(
    ("model", "domain", "message"),
    [
        ("linear", [[-1, 1]], r"needs a domain of 2 \[min, max\] pairs \(for m, b\); got 1"),
        ("line-through-origin", [[-1, 1], [0, 1]], r"1 \[min, max\] pair \(for w\); got 2"),
        ("linear", [[1, -1], [0, 1]], r"domain of m must have its minimum below its maximum"),
        ("logistic", [[0, 1], [2, 2]], "domain of b must have its minimum below"),
        ("linear", [[0, float("inf")], [0, 1]], "domain of m must have finite bounds"),
        ("linear", [[0, 1], [0, 2e6]], r"domain of b must lie within ±1e\+06"),
        ("linear", [[0, 1], [0]], r"domain of b must be a pair"),
        ("linear", "wide", "the domain must be a list"),
    ],
)
def test_invalid_domains_raise_value_errors(model, domain, message):
    y = [0, 1, 0, 1] if model == "logistic" else [1, 2, 2, 3]
    with pytest.raises(ValueError, match=message):
        data_function(model, "mse", [1, 2, 3, 4], y, domain)


def test_a_given_domain_is_used_and_the_start_lies_in_it():
    f = data_function("linear", "mse", [1, 2, 3], [1, 2, 2], [[10, 20], [-3, -1]])
    assert f.domain == ((10.0, 20.0), (-3.0, -1.0))
    assert all(lo <= c <= hi for c, (lo, hi) in zip(f.start, f.domain))


# Minima, domains, starts and the record ----------------------------------------------------


@pytest.mark.parametrize("model", ["line-through-origin", "linear"])
@pytest.mark.parametrize(("x", "y"), [(X, LINE_Y), DOSAGE, ([1e5, 1e5 + 1, 1e5 + 3], [5, 7, 6])])
def test_the_minimum_of_a_line_is_the_least_squares_solution(model, x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    f = data_function(model, "mse", x, y)
    design = x[:, None] if model == "line-through-origin" else np.stack([x, np.ones_like(x)], 1)
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    (m,) = f.minima
    np.testing.assert_allclose(m.point, solution, rtol=1e-9, atol=1e-9)
    assert m.is_global and m.value == f.value(np.array(m.point))
    assert m.value == pytest.approx(np.mean((design @ solution - y) ** 2), rel=1e-9, abs=1e-12)
    assert all(lo < c < hi for c, (lo, hi) in zip(m.point, f.domain))


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_the_logistic_minimum_is_a_stationary_point_and_the_lowest_on_the_domain(loss):
    f = data_function("logistic", loss, X, CLASSES)
    (m,) = f.minima
    np.testing.assert_allclose(f.gradient(np.array(m.point)), 0.0, atol=1e-12)
    lo, hi = np.array(f.domain).T
    assert f.value(RNG.uniform(lo, hi, size=(20_000, 2))).min() >= m.value
    assert "fit is w = " in f.description


def test_separable_classes_have_no_minimum_and_say_so():
    for x, y in [([0.1, 0.2, 0.7, 0.9], [0, 0, 1, 1]), ([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1]),
                 ([1, 2, 3], [1, 1, 1]), ([1, 2, 3], [1, 0, 0])]:  # fmt: skip
        for loss in ("bce", "mse"):
            f = data_function("logistic", loss, x, y)
            assert f.minima == ()
            assert "separable" in f.description and "no minimum" in f.description
            assert np.linalg.norm(f.gradient(np.array(f.start))) > 0


def test_a_line_through_one_repeated_x_has_a_valley_of_fits_and_lists_none():
    f = data_function("linear", "mse", [2.0, 2.0, 2.0], [1.0, 2.0, 4.0])
    assert f.minima == () and "none is listed" in f.description
    # Every line through (2, mean y) fits equally well.
    assert f.value(np.array([0.0, 7 / 3])) == pytest.approx(f.value(np.array([1.0, 1 / 3])))
    assert data_function("line-through-origin", "mse", [0.0, 0.0], [1.0, 2.0]).minima == ()


@pytest.mark.parametrize(("model", "loss", "x", "y"), SPECS, ids=SPEC_IDS)
def test_the_automatic_start_is_in_the_domain_away_from_the_minimum(model, loss, x, y):
    f = data_function(model, loss, x, y)
    assert all(lo <= c <= hi for c, (lo, hi) in zip(f.start, f.domain))
    assert np.linalg.norm(f.gradient(np.array(f.start))) > 1e-3
    half = np.diff(np.array(f.domain), axis=1)[:, 0] / 2
    for m in f.minima:
        assert np.linalg.norm((np.array(f.start) - m.point) / half) >= 0.3


def test_extreme_data_keep_the_domain_within_the_coordinate_limit():
    f = data_function("linear", "mse", [0.0, 1e-6], [-1e6, 1e6])
    assert all(-1e6 <= lo < hi <= 1e6 for lo, hi in f.domain)
    assert all(lo <= c <= hi for c, (lo, hi) in zip(f.start, f.domain))


def test_the_record_carries_its_data_and_sample_count():
    f = data_function("logistic", "bce", [0.1, 0.6, 0.4], [0, 1, 1], id="mine", title="Mine")
    assert (f.id, f.title, f.dims, f.n_samples) == ("mine", "Mine", 2, 3)
    assert f.extra["data"] == {"model": "logistic", "loss": "bce", "x": [0.1, 0.6, 0.4],
                               "y": [0.0, 1.0, 1.0]}  # fmt: skip
    assert r"\sigma(w x_i + b)" in f.formula and r"\frac{1}{3}" in f.formula
    json.dumps(f.extra)  # plain floats, ready for the API
    default = data_function("linear", "mse", [1, 2], [1, 2])
    assert default.id == "data" and default.title


# Runs against torch.optim.SGD -------------------------------------------------------------


@pytest.mark.parametrize("case", TRAJECTORIES, ids=lambda c: c["id"])
def test_sgd_runs_equal_torch(case):
    f = get_function(case["function"])
    assert f.extra["data"]["model"] == case["model"] and f.extra["data"]["loss"] == case["loss"]
    schedule = None
    if case["kind"] != "full-batch":
        schedule = MinibatchSchedule(f.n_samples, case["batch_size"], shuffle=False)
    t = run(f, case["start"], make_optimizer("sgd", lr=case["lr"]), steps=case["steps"],
            tol=0.0, minibatches=schedule)  # fmt: skip
    assert t.status == "max_steps" and t.steps_taken == case["steps"]
    np.testing.assert_allclose(t.points, case["points"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t.losses, case["losses"], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(t.gradients, case["gradients"], rtol=1e-9, atol=1e-12)
    if schedule is not None:
        assert schedule.epoch_of_point(np.arange(case["steps"] + 1)).tolist() == case["epoch"]


def test_per_sample_sgd_is_the_classic_loop():
    f = get_function("hours-points")
    x, y = np.array(f.extra["data"]["x"]), np.array(f.extra["data"]["y"])
    w, lr, expected = 0.0, 0.02, [0.0]
    for _ in range(5):
        for xi, yi in zip(x, y):
            w -= lr * 2 * (w * xi - yi) * xi
            expected.append(w)
    schedule = MinibatchSchedule(3, 1, shuffle=False)
    t = run(f, [0.0], make_optimizer("sgd", lr=lr), steps=15, minibatches=schedule)
    np.testing.assert_allclose(t.points[:, 0], expected, rtol=1e-14)
    np.testing.assert_allclose(t.losses, f.value(t.points), rtol=0)


@pytest.mark.parametrize("fid", ["linreg-hours", "linreg-dosage"])
def test_full_batch_gradient_descent_reaches_the_least_squares_line(fid):
    f = get_function(fid)
    x, y = np.array(f.extra["data"]["x"]), np.array(f.extra["data"]["y"])
    solution, *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)
    t = run(f, f.start, make_optimizer("sgd", lr=0.03, momentum=0.9), steps=5000, tol=1e-12)
    assert t.status == "converged"
    np.testing.assert_allclose(t.points[-1], solution, atol=1e-10)
