"""Divergence shown plainly (issue 12): an ✕ where a run leaves the map, at its edge and
pointing where it went; "diverged at step k" on the loss curve; the race card red. A run
that leaves the map downhill (a saddle) gets the ✕ but is not called diverged. And 1-D
lessons draw a tangent for every run, in that run's colour."""

from __future__ import annotations

import pytest

RED = "rgb(253, 236, 238)"  # --error-bg
END = "window.descent.transport.seek(1e9)"


def finish(app):
    app.wait_race()
    app.js(END)
    app.page.wait_for_timeout(300)


def test_a_run_leaving_the_map_uphill_is_crossed_marked_and_red(app):
    # Bowl, SGD lr 1.05: each step overshoots by 1.1×; from (1.5, 1.2) it leaves at step 4.
    app.open("?function=bowl&runs=sgd(lr=1.05)|sgd(lr=0.1)&start=1.5,1.2&steps=100")
    finish(app)
    exits = app.js("descent.trails.exits")
    assert len(exits) == 1
    (cross,) = exits
    assert cross["kind"] == "diverged" and cross["step"] == 4
    box = app.js("({w: descent.trails.area.width, h: descent.trails.area.height})")
    x, y = cross["at"]
    # At the edge (inside by the mark's size), pointing out through it: the run went up-right.
    assert min(x, y, box["w"] - x, box["h"] - y) <= 12
    dx, dy = cross["direction"]
    assert dx > 0 and dy < 0  # right and up (pixels grow downwards)
    assert (box["w"] - x <= 12 and dx > 0) or (y <= 12 and dy < 0)
    assert app.js("descent.loss.markers") == [{"run": cross["run"], "step": 4,
                                               "text": "✕ run 1 diverged at step 4"}]  # fmt: skip
    first, second = app.page.locator("#race-list .race-item").all()
    assert first.get_attribute("data-outcome") == "diverged"
    assert "left the map at step 4" in first.inner_text()
    assert first.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert second.evaluate("e => getComputedStyle(e).backgroundColor") != RED
    # Before step 4 nothing says so yet: the mark comes with the run's leaving.
    app.js("descent.transport.seek(2)")
    app.page.wait_for_timeout(200)
    assert app.js("descent.trails.exits") == [] and app.js("descent.loss.markers") == []
    assert first.evaluate("e => getComputedStyle(e).backgroundColor") != RED


def test_a_run_the_engine_stops_as_not_finite_is_marked_at_its_step(app):
    # Goldstein–Price's story: SGD lr 1e-3 from (0.5, −1.5) is not finite after 3 steps.
    app.open("?function=goldstein-price&runs=sgd(lr=0.001)&start=0.5,-1.5&steps=100")
    finish(app)
    (cross,) = app.js("descent.trails.exits")
    steps = app.js("descent.race.entries[0].data.steps_taken")
    assert cross["kind"] == "diverged"
    assert app.js("descent.loss.markers[0].text").endswith(f"diverged at step {cross['step']}")
    status = app.page.locator("#race-list .status-text").first.inner_text()
    assert status.startswith("diverged at step")
    assert cross["step"] <= steps + 1


def test_a_run_escaping_a_saddle_is_crossed_but_not_diverged(app):
    app.open("?function=saddle&runs=sgd(lr=0.01)&start=-1.5,0.01&steps=500")
    finish(app)
    (cross,) = app.js("descent.trails.exits")
    assert cross["kind"] == "escaped" and cross["direction"][1] < 0  # up the map: y grew
    assert app.js("descent.loss.markers") == []
    item = app.page.locator("#race-list .race-item").first
    assert item.get_attribute("data-outcome") == "escaped"
    assert "still going downhill" in item.inner_text()
    assert item.evaluate("e => getComputedStyle(e).backgroundColor") != RED


def test_a_run_that_goes_out_and_comes_back_is_told_by_where_it_ends(app):
    # Rastrigin, Adam lr 1 from (3.3, 2.7): its first steps overshoot past the top edge, then
    # it comes back and settles in an egg-cup. That is a local minimum (the stories judge a
    # run by its end too), not "left the map".
    app.open("?function=rastrigin&runs=adam(lr=1)&start=3.3,2.7&steps=500")
    finish(app)
    went_out = app.js(
        "(() => { const d = descent.race.entries[0].data, b = descent.app.fn.domain;"
        " const out = (p) => p.some((v, i) => v < b[i][0] || v > b[i][1]);"
        " return [d.points.some(out), out(d.points[d.points.length - 1])]; })()"
    )
    assert went_out == [True, False]
    assert app.js("descent.trails.exits") == [] and app.js("descent.loss.markers") == []
    item = app.page.locator("#race-list .race-item").first
    assert "left the map" not in item.inner_text()
    assert "stuck in a local minimum" in item.inner_text()
    assert item.evaluate("e => getComputedStyle(e).backgroundColor") != RED


# At step 5 the lr-1.05 run is at x = −4·(−1.1)⁵ ≈ 6.4, off the plot: no ball, no tangent.
@pytest.mark.parametrize(("step", "count"), [(0, 4), (1, 4), (5, 3)])
def test_every_run_of_a_one_dimensional_lesson_has_its_tangent(app, step, count):
    app.open("?function=parabola&start=-4")  # the parabola's story: four SGD runs
    app.wait_race()
    app.js(f"descent.transport.seek({step})")
    app.page.wait_for_timeout(200)
    tangents = app.js("descent.drawn.tangents")
    entries = app.js("Object.fromEntries(descent.race.entries.map((e) => [e.run.id,"
                     " {color: e.color, x: e.data.points, g: e.data.gradients}]))")  # fmt: skip
    assert len(tangents) == count
    assert len({t["color"] for t in tangents}) == count  # each in its own run's colour
    for t in tangents:
        e = entries[str(t["run"])]
        k = min(step, len(e["x"]) - 1)
        assert t["color"] == e["color"] and t["step"] == k
        assert t["slope"] == pytest.approx(e["g"][k][0])
        assert t["x"] == pytest.approx(e["x"][k][0])
        (x0, _), (x1, _) = t["ends"]
        assert abs(x1 - x0) > 1
    assert app.js("descent.drawn.tangent.run") == tangents[0]["run"]  # the label's run
