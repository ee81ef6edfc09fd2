"""Runs: per-run semantics against a plain-Python loop, and batches equal to their runs."""

import numpy as np
import pytest

from app.engine import get_function, make_optimizer, run, run_batch
from app.engine.functions import LossFunction
from app.engine.optim.registry import row
from app.engine.run.drivers import evaluate

BOWL = get_function("bowl")


def reference_run(f, start, opt, steps, tol):
    """The specification in plain Python: one step at a time, the rule called per coordinate."""
    rule = opt.rule
    hyper = row(rule, opt.hyperparams)
    params = np.array(start, dtype=float)
    state = [np.zeros_like(params) for _ in rule.slots]
    for j, values in rule.initial_values(np.array([hyper]), params[None, :]).items():
        state[j][:] = values[0]
    points, status = [], "max_steps"
    for k in range(steps + 1):
        losses, grads = evaluate(f, params[None, :])
        loss, grad = losses[0], grads[0]
        norm = np.sqrt(grad[0] * grad[0] + grad[1] * grad[1])
        if not (np.isfinite(params).all() and np.isfinite(loss) and np.isfinite(norm)):
            status = "diverged"
            break
        points.append(params.copy())
        if tol > 0 and norm <= tol:
            status = "converged"
            break
        if k == steps:
            break
        t = float(k + 1)
        per_step = tuple(rule.per_step(t, *hyper)) if rule.per_step else ()
        if rule.vector:  # the rule takes the run's arrays
            params, *state = rule.update(t, params.copy(), grad.copy(),
                                         *(s.copy() for s in state), *per_step, *hyper)  # fmt: skip
            continue
        for d in range(len(params)):
            slots = [s[d] for s in state]
            params[d], *new = rule.update(t, params[d], grad[d], *slots, *per_step, *hyper)
            for s, value in zip(state, new):
                s[d] = value
    return np.array(points), status


@pytest.mark.parametrize("driver", ["catalog", "array"])
@pytest.mark.parametrize("steps", [1, 2, 15, 16, 53])
@pytest.mark.parametrize(
    ("fid", "start", "name", "kwargs", "tol"),
    [
        ("rosenbrock", [-1.5, 2.0], "adam", {"lr": 0.05}, 0.0),
        ("bowl", [1.0, 1.0], "sgd", {"lr": 0.4}, 1e-3),  # converges mid-chunk
        ("bowl", [1.0, 1.0], "sgd", {"lr": 1000.0}, 0.0),  # diverges mid-run
        ("himmelblau", [0.0, 0.0], "rmsprop", {"lr": 0.1, "momentum": 0.5}, 1e-8),
        ("beale", [1.0, 1.5], "nadam", {"lr": 0.02}, 0.0),  # a slot that starts at 1
        ("himmelblau", [0.0, 0.0], "rprop", {"lr": 0.1}, 1e-8),  # a slot that starts at lr
        ("rosenbrock", [-1.5, 2.0], "adafactor", {"lr": 0.05}, 0.0),  # a vector rule
    ],
)
def test_run_matches_the_step_by_step_specification(steps, fid, start, name, kwargs, tol,
                                                    driver):  # fmt: skip
    f, opt = get_function(fid), make_optimizer(name, **kwargs)
    expected_points, expected_status = reference_run(f, start, opt, steps, tol)
    trajectory = run(f, start, opt, steps=steps, tol=tol, driver=driver)
    np.testing.assert_array_equal(trajectory.points, expected_points)
    assert trajectory.status == expected_status
    assert trajectory.steps_taken == max(len(expected_points) - 1, 0)
    np.testing.assert_array_equal(trajectory.losses, evaluate(f, expected_points)[0])


def test_batch_equals_its_runs_one_by_one_while_some_stop_early():
    f = get_function("himmelblau")
    starts = np.array([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0], [1e3, 1e3], [3.0, 2.0]])
    opt = make_optimizer("sgd", lr=0.01, momentum=0.9)
    batch = run_batch(f, starts, opt, steps=300, tol=1e-6)
    for i, start in enumerate(starts):
        alone = run(f, start, opt, steps=300, tol=1e-6)
        together = batch.trajectory(i)
        np.testing.assert_array_equal(together.points, alone.points)
        assert together.status == alone.status
        np.testing.assert_array_equal(batch.final_points[i], alone.points[-1])
        assert batch.final_losses[i] == alone.losses[-1]
    assert {"converged", "diverged"} <= set(batch.status_names())


def test_unrecorded_batch_reports_the_same_final_points():
    f, opt = get_function("rastrigin"), make_optimizer("adam", lr=0.1)
    starts = np.random.default_rng(0).uniform(-5, 5, size=(50, 2))
    recorded = run_batch(f, starts, opt, steps=100, tol=1e-6)
    bare = run_batch(f, starts, opt, steps=100, tol=1e-6, record=False)
    np.testing.assert_array_equal(recorded.final_points, bare.final_points)
    np.testing.assert_array_equal(recorded.steps_taken, bare.steps_taken)
    assert bare.history is None
    with pytest.raises(ValueError, match="record=False"):
        bare.trajectory(0)


def test_a_start_where_the_loss_is_undefined_diverges_with_no_points():
    undefined = LossFunction(
        "undefined", "undefined", "", lambda p: np.log(p[..., 0] - 10),
        lambda p: np.stack([1 / (p[..., 0] - 10), 0 * p[..., 1]], -1), ((-1, 1), (-1, 1)),
    )  # fmt: skip
    trajectory = run(undefined, [0.0, 0.0], make_optimizer("sgd", lr=0.1), steps=10)
    assert trajectory.status == "diverged" and len(trajectory.points) == 0


def test_last_point_within_tolerance_counts_as_converged():
    opt = make_optimizer("sgd", lr=0.5)  # one step lands exactly on the minimum
    assert run(BOWL, [1.0, 1.0], opt, steps=1, tol=1e-9).status == "converged"


def test_gradient_noise_changes_the_path_reproducibly():
    opt = make_optimizer("sgd", lr=0.1)
    a = run(BOWL, [1, 1], opt, steps=40, gradient_noise=0.3, seed=1)
    b = run(BOWL, [1, 1], opt, steps=40, gradient_noise=0.3, seed=1)
    clean = run(BOWL, [1, 1], opt, steps=40)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, clean.points)
    np.testing.assert_array_equal(a.gradients, BOWL.gradient(a.points))  # noise-free gradient


def test_a_runs_noise_does_not_depend_on_its_neighbours_stopping():
    opt = make_optimizer("sgd", lr=0.1)
    starts = np.array([[1.0, 1.0], [1e300, 1e300]])  # the second diverges at once
    batch = run_batch(BOWL, starts, opt, steps=40, gradient_noise=0.3, seed=3)
    pair = run_batch(BOWL, np.array([[1.0, 1.0], [0.5, 0.5]]), opt, steps=40,
                     gradient_noise=0.3, seed=3)  # fmt: skip
    np.testing.assert_array_equal(batch.trajectory(0).points, pair.trajectory(0).points)


def test_recorded_state_is_the_state_after_k_steps():
    opt = make_optimizer("sgd", lr=0.1, momentum=0.9)
    trajectory = run(BOWL, [1.0, 1.0], opt, steps=3, include_state=True)
    buffers = trajectory.states["momentum_buffer"]
    g = trajectory.gradients
    np.testing.assert_array_equal(buffers[0], [0, 0])
    np.testing.assert_array_equal(buffers[1], g[0])  # torch: the buffer starts at g_1
    np.testing.assert_allclose(buffers[2], 0.9 * g[0] + g[1])


def test_start_with_the_wrong_number_of_coordinates_is_rejected():
    with pytest.raises(ValueError, match="takes 2"):
        run(BOWL, [1.0], make_optimizer("sgd"), steps=3)


def test_unrecorded_runs_stop_where_the_loss_is_undefined_like_recorded_ones():
    from app.engine.expressions import compile_expression

    # The gradient 2x stays finite where the loss (through log) is undefined.
    f = compile_expression("x^2 + 0*log(x)")
    opt = make_optimizer("sgd", lr=1.0)
    recorded = run_batch(f, np.array([[1.0]]), opt, steps=4)
    bare = run_batch(f, np.array([[1.0]]), opt, steps=4, record=False)
    assert recorded.status_names() == bare.status_names() == ["diverged"]
    np.testing.assert_array_equal(recorded.steps_taken, bare.steps_taken)
