"""Small words and axes a reader trusts: singular basins, a sweep axis one run cannot stretch."""

from __future__ import annotations

import pytest


def module(app, name: str, expression: str):
    return app.js(f"import('/static/js/{name}.js').then((m) => {expression})")


@pytest.mark.parametrize(("count", "words"), [(1, "1 start ends at"), (2, "2 starts end at")])
def test_a_basin_of_one_start_is_singular(app, count, words):
    app.open()
    basin = f"{{label: 0, count: {count}, point: [1, 2], loss: 0.5, minimum: null}}"
    text = module(app, "basins", f"m.describeBasin({basin})")
    assert words in text


@pytest.mark.parametrize(
    ("losses", "top"),
    [
        ([1.0, 2.0, 30.0], 30.0),
        ([1e-3, 0.2, 5.0, 1e240], 5.0),  # one barely finite run does not set the axis
        ([1e-12, 1e-9, 1e-7, 2.0], 2.0),  # a run that did not converge is still on the axis
        ([3e12, 4e12, 5e12], 5e12),  # a landscape of large values keeps them all
    ],
)
def test_sweep_axis_ignores_runs_far_above_the_median(app, losses, top):
    app.open()
    assert module(app, "sweeps", f"m.usableTop({losses})") == pytest.approx(top)
