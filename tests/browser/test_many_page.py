"""Many runs at once (issue 6): the basins overlay and the learning-rate sweep chart."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

BASINS_OK = "document.getElementById('basins-card').dataset.state === 'ok'"
SWEEP_OK = "document.getElementById('sweep-card').dataset.state === 'ok'"
IMAGES = "(document.getElementById('landscape').layout.images || []).length"


def query(app) -> dict[str, list[str]]:
    return parse_qs(urlsplit(app.page.url).query)


def test_basins_overlay_on_himmelblau_and_clicks_still_race(app):
    app.open("?function=himmelblau&runs=adam(lr=0.05)|sgd(lr=0.01)")
    assert app.page.locator("#basins-toggle").get_attribute("aria-pressed") == "false"
    app.page.click("#basins-toggle")
    app.wait(BASINS_OK, timeout=20)
    assert "4 basins" in app.page.locator("#basins-summary").inner_text()
    items = app.page.locator("#basins-list li").all_inner_texts()
    assert len(items) == 4
    assert all("a global minimum" in item for item in items)
    assert app.js(IMAGES) == 1
    ends = app.js("document.getElementById('landscape').data.find(t => t.name === 'basin ends')")
    assert len(ends["x"]) == 4
    assert any(x == pytest.approx(3, abs=0.05) for x in ends["x"])
    assert query(app)["basins"] == ["true"]
    # Hovering an end point names its basin.
    box = app.plot_box()
    (x0, x1), (y0, y1) = app.axis_ranges()
    i = min(range(4), key=lambda k: abs(ends["x"][k] - 3) + abs(ends["y"][k] - 2))
    hx = box["x"] + (ends["x"][i] - x0) / (x1 - x0) * box["width"]
    hy = box["y"] + (y1 - ends["y"][i]) / (y1 - y0) * box["height"]
    app.page.mouse.move(hx - 2, hy)
    app.page.mouse.move(hx, hy)
    hover = app.wait(
        "(() => { const t = [...document.querySelectorAll('#landscape .hoverlayer text')]"
        ".map(e => e.textContent).join(' '); return t.includes('basin') && t; })()"
    )
    assert "starts end at (3, 2), a global minimum" in hover
    # Clicking the landscape still starts a race from the clicked point.
    box = app.plot_box()
    px, py = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6
    expected = app.pixel_to_data(px, py)
    app.page.mouse.click(px, py)
    app.wait_race()
    first = app.js("window.descent.race.entries[0].data.points[0]")
    assert first == pytest.approx(expected, abs=0.1)
    app.wait("descent.transport.step > 10")
    assert app.js(IMAGES) == 1  # still drawn while the race plays
    app.page.screenshot(path="/tmp/test_basins.png")
    assert app.probe.console_errors == []
    assert app.probe.bad_responses == []


def test_basins_toggle_round_trips_through_the_url(app):
    app.open("?function=himmelblau&runs=adam(lr=0.05)&basins=1")
    app.wait(BASINS_OK, timeout=20)
    assert app.page.locator("#basins-toggle").get_attribute("aria-pressed") == "true"
    assert app.js(IMAGES) == 1
    # Another optimizer: the overlay follows the first run.
    app.page.click("#basins-toggle")
    app.wait(f"{IMAGES} === 0")
    assert "basins" not in query(app)
    assert app.page.locator("#basins-card").is_hidden()
    assert app.probe.console_errors == []


def test_basins_are_disabled_for_a_curve(app):
    app.open("?function=parabola")
    button = app.page.locator("#basins-toggle")
    assert button.is_disabled()
    assert "x and y" in button.get_attribute("title")


def sweep_points(app) -> dict[str, list[float]]:
    return app.js(
        "Object.fromEntries(document.getElementById('sweep-chart').data"
        ".filter(t => t.mode === 'markers').map(t => [t.name, Array.from(t.x)]))"
    )


def chart_pixel(app, lr: float, loss: float) -> tuple[float, float]:
    box = app.page.locator("#sweep-chart").bounding_box()
    px, py = app.js(
        "(() => { const f = document.getElementById('sweep-chart')._fullLayout;"
        f" return [f.xaxis._offset + f.xaxis.l2p(Math.log10({lr})),"
        f" f.yaxis._offset + f.yaxis.l2p(f.yaxis.type === 'log' ? Math.log10({loss}) : {loss})];"
        " })()"
    )
    return box["x"] + px, box["y"] + py


def test_sweep_on_rosenbrock_marks_divergence_and_a_click_adds_the_run(app):
    app.open("?function=rosenbrock&runs=sgd(lr=0.001)&start=-1.5,2")
    app.wait_race()
    app.page.click("#sweep-toggle")
    app.wait(SWEEP_OK, timeout=20)
    points = sweep_points(app)
    assert points["diverged"], "SGD diverges at large learning rates on Rosenbrock"
    finished = points["max_steps"] + points["converged"]
    assert finished
    assert min(points["diverged"]) > max(finished)  # the unstable end is the high-lr end
    assert max(points["diverged"]) == pytest.approx(10)
    # Click the largest learning rate that still finished: a second run with it races.
    lr = max(finished)
    trace = app.js("document.getElementById('sweep-chart').data.find(t => t.name === 'max_steps')")
    loss = trace["y"][trace["x"].index(lr)]
    app.page.mouse.click(*chart_pixel(app, lr, loss))
    app.wait("document.querySelectorAll('#run-list .run-card').length === 2")
    assert "Added" in app.page.locator("#sweep-summary").inner_text()
    lr_input = app.page.locator("#run-list .run-card").nth(1).locator(".param-number").first
    assert float(lr_input.input_value()) == pytest.approx(lr, rel=0.01)
    app.wait("window.descent.race && window.descent.race.entries.length === 2")
    app.wait_race()
    assert "runs=sgd(lr=0.001)|sgd(lr=" in app.page.url
    app.page.screenshot(path="/tmp/test_sweep.png")
    assert app.probe.console_errors == []


def test_sweep_with_a_second_parameter_is_a_heatmap_and_respects_the_run_limit(app):
    runs = "|".join(["sgd(lr=0.001)"] * 6)
    app.open(f"?function=rosenbrock&runs={runs}&start=-1.5,2")
    app.page.click("#sweep-toggle")
    app.wait(SWEEP_OK, timeout=20)
    app.page.select_option("#sweep-param", "momentum")
    assert app.page.locator("#sweep-values").input_value() == "0, 0.5, 0.9, 0.99"
    app.page.click("#sweep-go")
    app.wait(
        SWEEP_OK + " && document.getElementById('sweep-chart').data[0].type === 'heatmap'",
        timeout=20,
    )
    rows = app.js("document.getElementById('sweep-chart').data[0].y")
    assert rows == ["0", "0.5", "0.9", "0.99"]
    box = app.page.locator("#sweep-chart").bounding_box()
    full = "document.getElementById('sweep-chart')._fullLayout"
    left, top, width, height = app.js(
        f"[{full}.xaxis._offset, {full}.yaxis._offset, {full}.xaxis._length, {full}.yaxis._length]"
    )
    app.page.mouse.click(box["x"] + left + width * 0.1, box["y"] + top + height * 0.5)
    app.wait("document.getElementById('sweep-summary').textContent.includes('At most 6')")
    assert app.page.locator("#run-list .run-card").count() == 6
    assert app.probe.console_errors == []
