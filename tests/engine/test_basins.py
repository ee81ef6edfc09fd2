import numpy as np
import pytest

from app.engine import get_function, make_optimizer
from app.engine.basins import basins, cluster
from app.engine.run.advance import DIVERGED
from app.engine.run.dispatch import BLOCK, run_batch, run_many


def test_cluster_joins_nearby_points_and_separates_far_ones():
    points = np.array([[0, 0], [0.001, 0.0], [1, 1], [1.0005, 1.0], [5, 5]])
    labels = cluster(points, radius=0.01)
    assert labels[0] == labels[1] != labels[2] == labels[3] != labels[4]
    assert len(set(labels)) == 3


def test_himmelblau_has_four_basins_each_a_known_global_minimum():
    f = get_function("himmelblau")
    result = basins(f, make_optimizer("adam", lr=0.05), list(f.domain), 40, 400, 1e-6)
    assert len(result.end_points) == 4
    assert sorted(e.minimum for e in result.end_points) == [0, 1, 2, 3]
    assert result.labels.shape == (40, 40) and (result.labels >= 0).all()
    assert sum(e.count for e in result.end_points) == 40 * 40


def test_rastrigin_local_minima_each_get_their_own_basin():
    f = get_function("rastrigin")
    result = basins(f, make_optimizer("sgd", lr=0.001), list(f.domain), 60, 500, 1e-6)
    assert len(result.end_points) > 50  # the egg-box: about 11 × 11 valleys
    origin = [e for e in result.end_points if e.minimum == 0]
    assert len(origin) == 1 and np.allclose(origin[0].point, 0, atol=1e-3)


def test_diverged_starts_get_label_minus_one():
    f = get_function("bowl")
    result = basins(f, make_optimizer("sgd", lr=5.0), list(f.domain), 10, 1000, 1e-6)
    assert (result.labels[result.status == DIVERGED] == -1).all()
    assert (result.status == DIVERGED).any()


@pytest.mark.parametrize("n", [BLOCK - 1, BLOCK + 7])
def test_blocks_on_threads_equal_one_big_batch(n):
    f, opt = get_function("rastrigin"), make_optimizer("adam", lr=0.05)
    starts = np.random.default_rng(0).uniform(-5, 5, size=(n, 2))
    many, one = run_many(f, starts, opt, 50, 1e-6), run_batch(f, starts, opt, 50, 1e-6,
                                                               record=False)  # fmt: skip
    np.testing.assert_array_equal(many.final_points, one.final_points)
    np.testing.assert_array_equal(many.status, one.status)
