"""Each function's story: the race the page opens with and a one-line "try this" prompt.

Data only. Every run states what it shows (``expect``, from ``OUTCOMES``) and
``tests/engine/test_stories.py`` runs each race from the record's start to check it, so a
retuned optimizer or a moved start cannot quietly make a story untrue.
"""

from __future__ import annotations

from dataclasses import replace

from app.engine.functions import LossFunction, Story, StoryRun


def _run(name: str, *expect: str, **params) -> StoryRun:
    return StoryRun({"name": name, **params}, expect)


STORIES: dict[str, Story] = {
    "bowl": Story((
        _run("sgd", "minimum", lr=0.1),
        _run("sgd", "slow", lr=0.001),
        _run("sgd", "zigzag", "minimum", lr=0.9),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: set the zig-zagging SGD's lr to 1.05: each step overshoots further and the run "
       "leaves the map."),
    "elongated-bowl": Story((
        _run("sgd", "zigzag", "minimum", lr=0.09),
        _run("sgd", "slow", lr=0.002),
        _run("sgd", "minimum", lr=0.02, momentum=0.9),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: raise the zig-zagging SGD's lr from 0.09 to 0.11: the zig-zag grows instead of "
       "dying out."),
    "saddle": Story((
        _run("sgd", "escapes", lr=0.01),
        _run("sgd", "escapes", lr=0.01, momentum=0.9),
        _run("adam", "escapes", lr=0.05),
    ), "Try this: type the start −1.5, 0: exactly on the ridge, plain SGD stops at the saddle; "
       "then add gradient noise 0.01."),
    "rosenbrock": Story((
        _run("sgd", "slow", lr=0.001),
        _run("sgd", "minimum", lr=0.001, momentum=0.9),
        _run("rmsprop", "slow", lr=0.01),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: give Adam lr 0.5: it rushes into the valley, then rattles along it.",
        steps=1000),
    "himmelblau": Story((
        _run("sgd", "minimum", lr=0.01),
        _run("sgd", "minimum", "zigzag", lr=0.01, momentum=0.9),
        _run("rmsprop", "minimum", lr=0.05),
        _run("adam", "minimum", lr=0.1),
    ), "Try this: switch Basins on: four regions, one per valley; start in each of them."),
    "rastrigin": Story((
        _run("sgd", "stuck", lr=0.001),
        _run("sgd", "stuck", lr=0.002, momentum=0.9),
        _run("adam", "stuck", lr=0.05),
        _run("adam", "stuck", "zigzag", lr=1.0),
    ), "Try this: switch Basins on: every tile of the egg-box is a trap of its own."),
    "ackley": Story((
        _run("sgd", "stuck", lr=0.01),
        _run("adam", "stuck", lr=0.05),
        _run("rmsprop", "minimum", "zigzag", lr=0.1),
    ), "Try this: lower RMSprop's lr to 0.01: its steps shrink and it stops in a ripple too."),
    "beale": Story((
        _run("sgd", "slow", lr=0.001),
        _run("rmsprop", "minimum", lr=0.01),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: start at (−3, −3), beyond the ridge: the gradient there is huge; watch the "
       "loss curve.", steps=1000),
    "booth": Story((
        _run("sgd", "minimum", lr=0.01),
        _run("sgd", "zigzag", "minimum", lr=0.1),
        _run("adam", "slow", lr=0.05),
    ), "Try this: raise the zig-zagging SGD's lr to 0.12: past 2/λ_max = 0.111 it diverges."),
    "matyas": Story((
        _run("sgd", "slow", lr=0.1),
        _run("sgd", "minimum", lr=0.1, momentum=0.9),
        _run("adam", "slow", lr=0.1),
    ), "Try this: start on the diagonal, at (8, 8): the floor of the trough is almost flat."),
    "goldstein-price": Story((
        _run("sgd", "minimum", lr=0.0003),
        _run("sgd", "diverges", lr=0.001),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: start at (1, 1): every run settles in the local minimum at (1.2, 0.8), "
       "where f = 840."),
    "three-hump-camel": Story((
        _run("sgd", "stuck", lr=0.01),
        _run("sgd", "minimum", lr=0.01, momentum=0.9),
        _run("adam", "stuck", lr=0.1),
    ), "Try this: lower momentum to 0.5: without the extra speed the ball stays in the side "
       "hollow."),
    "six-hump-camel": Story((
        _run("sgd", "stuck", lr=0.01),
        _run("sgd", "minimum", lr=0.01, momentum=0.9),
        _run("adam", "stuck", lr=0.05),
    ), "Try this: start at (−2, 0.5), then at (−1, −1): three starts, three different hollows."),
    "styblinski-tang": Story((
        _run("sgd", "stuck", lr=0.01),
        _run("sgd", "minimum", lr=0.02, momentum=0.9),
        _run("adam", "stuck", lr=0.3),
    ), "Try this: switch Basins on: four wells, and only the lower-left one is the deepest."),
    "levi": Story((
        _run("sgd", "stuck", lr=0.001),
        _run("adam", "stuck", "zigzag", lr=0.05),
        _run("adam", "minimum", "zigzag", lr=0.3),
    ), "Try this: start far out at (−6, 7): even Adam's big steps stall among the ripples.",
        resolution=500),
    "parabola": Story((
        _run("sgd", "slow", lr=0.01),
        _run("sgd", "minimum", lr=0.1),
        _run("sgd", "zigzag", "minimum", lr=0.9),
        _run("sgd", "diverges", "zigzag", lr=1.05),
    ), "Try this: set a learning rate of exactly 0.5: f'(−4) = −8, so one step lands on 0.",
        steps=100, resolution=400),
    "hours-points": Story((
        _run("sgd", "slow", lr=0.001),
        _run("sgd", "minimum", lr=0.1),
        _run("sgd", "zigzag", "minimum", lr=0.2),
    ), "Try this: raise lr to 0.22: the cost's curvature is 28/3, so past 2/(28/3) ≈ 0.214 "
       "each step overshoots more.", steps=100, resolution=400),
    "double-well": Story((
        _run("sgd", "stuck", lr=0.01),
        _run("sgd", "minimum", "zigzag", lr=0.05, momentum=0.9),
        _run("adam", "stuck", lr=0.1),
    ), "Try this: lower the momentum run's lr to 0.02: it no longer clears the hump.",
        resolution=400),
    "linreg-hours": Story((
        _run("sgd", "slow", lr=0.01),
        _run("sgd", "minimum", lr=0.1),
        _run("adam", "minimum", lr=0.1),
    ), "Try this: switch to 3-D: the valley runs along m·2 + b = 4, the mean point's line."),
    "linreg-dosage": Story((
        _run("sgd", "slow", lr=0.01),
        _run("sgd", "minimum", lr=0.02, momentum=0.9),
        _run("adam", "minimum", lr=0.05),
    ), "Try this: drag a point on the data panel and watch the valley tilt."),
    "logistic-berries": Story((
        _run("sgd", "slow", lr=1.0),
        _run("sgd", "minimum", lr=2.0, momentum=0.9),
        _run("adam", "minimum", lr=0.5),
    ), "Try this: move the pale poisonous berry (0.40) to 0.70: the classes separate and no "
       "best fit remains."),
    "logistic-berries-mse": Story((
        _run("sgd", "slow", lr=1.0),
        _run("adam", "minimum", lr=0.5),
    ), "Try this: compare the cross-entropy lesson from the same start: no plateau there."),
}  # fmt: skip


def with_story(f: LossFunction) -> LossFunction:
    """The record with its story attached (every catalog id has one: a test checks)."""
    return replace(f, story=STORIES[f.id])
