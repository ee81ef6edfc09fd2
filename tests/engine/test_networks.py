"""Networks as loss functions: torch's nn.Sequential, values and gradients by our own batched
backpropagation, equal to torch autograd in float64; data sets, initialisation, limits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from app.engine import make_optimizer, run
from app.engine.data.sampling import MinibatchSchedule
from app.engine.networks import DATASETS, NetworkError, network_function
from app.engine.networks.datasets import CLASSES, FEATURES, held_out, make_dataset

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures/network_autograd.json").read_text())


def label(case) -> str:
    return f"{'-'.join(map(str, case['layers']))}-{case['activation']}-{case['loss']}"


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=label)
def test_values_and_gradients_equal_torch_autograd_for_many_vectors_at_once(case):
    f = network_function(case["layers"], case["activation"], case["loss"], case["x"], case["y"])
    P = np.array(case["vectors"])
    np.testing.assert_allclose(f.value(P), case["losses"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f.gradient(P), case["gradients"], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", FIXTURE["cases"][:3], ids=label)
def test_leading_axes_and_single_vectors_give_the_same_numbers(case):
    f = network_function(case["layers"], case["activation"], case["loss"], case["x"], case["y"])
    P = np.array(case["vectors"])
    grid = P.reshape(2, 2, -1)
    assert f.value(grid).shape == (2, 2)
    np.testing.assert_array_equal(f.gradient(grid).reshape(P.shape), f.gradient(P))
    np.testing.assert_allclose(f.value(P[0]), f.value(P)[0], rtol=1e-15)


def test_dims_is_the_parameter_count_in_torchs_order():
    f = network_function([2, 8, 8, 1], "tanh", "bce", dataset="circle", n=50)
    assert f.dims == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1


def test_torch_initialisation_is_uniform_within_one_over_root_fan_in_and_seeded():
    f = network_function([4, 16, 3], "relu", "ce", dataset=None, x=np.zeros((3, 4)), y=[0, 1, 2])
    init = f.extra["init"]
    p = init(0)
    assert np.array_equal(p, init(0)) and not np.array_equal(p, init(1))
    first, second = p[: 16 * 4 + 16], p[16 * 4 + 16 :]
    assert np.abs(first).max() <= 0.5 and np.abs(second).max() <= 0.25
    assert np.abs(first).max() > 0.45  # the bounds are used, not just respected


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_has_balanced_classes_and_is_seeded(name):
    classes = CLASSES[name]
    layers = [FEATURES[name], 4, 1 if classes == 2 else classes]
    loss = "bce" if classes == 2 else "ce"
    f = network_function(layers, "tanh", loss, dataset=name, n=400, noise=0.1, seed=3)
    g = network_function(layers, "tanh", loss, dataset=name, n=400, noise=0.1, seed=3)
    counts = np.bincount(f.extra["y"].astype(int), minlength=classes)
    assert counts.min() >= 0.5 * 400 / classes and np.array_equal(f.extra["x"], g.extra["x"])


def test_digits_are_the_shipped_images_and_held_out_ones_follow():
    x, y = make_dataset("digits", 1797, 0.0, 0)
    assert x.shape == (1797, 64) and set(np.unique(x * 16)) <= set(range(17))
    assert y[:10].tolist() == list(range(10))  # the file's first row of each digit
    tx, ty = held_out("digits", 1790, 32)
    assert len(tx) == 7 and np.array_equal(tx, x[1790:]) and np.array_equal(ty, y[1790:])
    with pytest.raises(NetworkError, match="digits has 1,797 samples"):
        network_function([64, 10], "tanh", "ce", dataset="digits", n=1798)


def test_training_is_a_trajectory_with_mini_batches_like_any_other():
    f = network_function([2, 8, 8, 1], "tanh", "bce", dataset="circle", n=200, seed=0)
    schedule = MinibatchSchedule(f.n_samples, 20, True, 0)
    t = run(f, f.extra["init"](0), make_optimizer("adam", lr=0.05), steps=300, minibatches=schedule)
    assert t.points.shape == (301, f.dims)
    assert t.losses[-1] < 0.5 * t.losses[0]


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"layers": [2]}, "layers", "2 to 8 sizes"),
        ({"layers": [2, 300, 1]}, "layers", "1 to 256 units"),
        ({"layers": [2, 100, 100, 1]}, "layers", "over the limit of 5,000"),
        ({"layers": [2, 4, 2]}, "layers", "bce takes one output"),
        ({"activation": "gelu"}, "activation", "tanh, relu, sigmoid"),
        ({"n": 5000}, "n", "1 to 2,000"),
    ],
)
def test_bad_networks_are_refused_naming_the_field_and_the_limit(kwargs, field, words):
    spec = {"layers": [2, 4, 1], "activation": "tanh", "loss": "bce", "dataset": "xor"} | kwargs
    with pytest.raises(NetworkError, match=words) as caught:
        network_function(**spec)
    assert caught.value.field == field


def test_non_finite_data_and_bad_labels_are_refused():
    with pytest.raises(NetworkError, match="finite"):
        network_function([1, 2, 1], "tanh", "mse", [[0.0], [np.nan]], [0, 1])
    with pytest.raises(NetworkError, match="class numbers 0 … 2"):
        network_function([1, 2, 3], "tanh", "ce", [[0.0], [1.0]], [0, 3])


@pytest.mark.parametrize(
    ("x", "y", "loss", "words"),
    [
        ([[0.0, 1.0], [2.0]], [0, 1], "bce", "every x has 2 feature(s)"),
        ([[0.0, 1.0], [2.0, 3.0]], [[0, 1], [1]], "mse", "every y the same number"),
        ([[0.0, 1.0], [2.0, 3.0]], [[0], [1]], "bce", "one number per sample"),
    ],
)
def test_ragged_data_and_label_shapes_are_refused(x, y, loss, words):
    with pytest.raises(NetworkError, match=re.escape(words)):
        network_function([2, 3, 1], "tanh", loss, x, y)
