"""The page in a real browser: load, click to race, transport, URL state, errors, lessons."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

CATALOG_SIZE = 15


def test_page_loads_without_errors(app):
    app.open()
    assert app.js("document.getElementById('landscape').data[0].type") == "contour"
    assert app.page.locator("#function option").count() >= CATALOG_SIZE
    assert app.page.locator("#function").input_value() == "rosenbrock"
    assert "100" in app.page.locator("#formula").inner_text()
    # Known minima are marked; the default runs are listed in the editor.
    assert app.js("document.getElementById('landscape').data[1].x") == [1.0]
    assert app.page.locator("#run-list .run-card").count() == 4
    assert app.js("document.getElementById('loss-curve').layout.yaxis.type") == "log"
    assert app.js("window.descent.metrics.firstContourMs") > 0
    assert app.probe.console_errors == []
    assert app.probe.failed_requests == []
    assert app.probe.bad_responses == []


def test_hover_shows_true_function_value(app):
    app.open("?function=rosenbrock&runs=adam(lr=0.05)")
    box = app.plot_box()
    app.page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    app.page.mouse.move(box["x"] + box["width"] * 0.25 + 3, box["y"] + box["height"] * 0.5)
    lines = app.wait(
        "(() => { const t = [...document.querySelectorAll('#landscape .hoverlayer tspan.line')]"
        ".map(e => e.textContent); return t.length >= 3 && t; })()"
    )
    assert lines[0].startswith("x = ") and lines[1].startswith("y = ")
    assert lines[2].startswith("f(x, y) = ")
    # The colour scale is logarithmic for Rosenbrock, but hover shows f itself.
    x, y, f = (float(v.split("=")[1].replace("−", "-")) for v in lines[:3])
    assert f == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=0.05, abs=0.05)


def test_click_races_every_run_from_the_clicked_point(app):
    app.open()
    box = app.plot_box()
    px, py = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.35
    expected = app.pixel_to_data(px, py)
    (x0, x1), (y0, y1) = app.axis_ranges()
    app.page.mouse.click(px, py)
    app.wait_race()
    firsts = app.js("window.descent.race.entries.map(e => e.data.points[0])")
    assert len(firsts) == 4
    for x, y in firsts:
        assert x == pytest.approx(expected[0], abs=0.01 * (x1 - x0))
        assert y == pytest.approx(expected[1], abs=0.01 * (y1 - y0))
    start = parse_qs(urlsplit(app.page.url).query)["start"][0]
    assert [float(v) for v in start.split(",")] == pytest.approx(firsts[0])
    # The animation advances and the loss curve grows with it, without redrawing the contour.
    app.js(
        "window.__replots = 0;"
        "document.getElementById('landscape').on('plotly_afterplot', () => window.__replots++)"
    )
    first_step, first_drawn = app.js("[descent.transport.step, descent.loss.drawnPoints]")
    app.wait(f"descent.transport.step > {first_step + 20}")
    later_step, later_drawn = app.js("[descent.transport.step, descent.loss.drawnPoints]")
    assert later_step > first_step
    assert later_drawn > first_drawn
    assert app.js("window.__replots") == 0
    coloured = app.js(
        "(() => { const c = document.getElementById('loss-overlay');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()"
    )
    assert coloured > 100
    assert app.probe.console_errors == []


def test_transport_scrubber_and_keyboard(app):
    app.open("?function=himmelblau&runs=adam(lr=0.05)|sgd(lr=0.001)&start=-0.3,-0.9&speed=0.25")
    app.wait_race()
    max_step = app.js("descent.transport.maxStep")
    assert max_step > 100
    assert app.js("descent.transport.playing")
    app.page.locator("#landscape").click(position={"x": 5, "y": 5})  # focus off the controls
    app.page.keyboard.press("Space")
    assert not app.js("descent.transport.playing")
    held = app.step()
    time.sleep(0.2)
    assert app.step() == held
    app.page.keyboard.press("ArrowRight")
    app.page.keyboard.press("ArrowRight")
    assert app.step() == held + 2
    app.page.keyboard.press("ArrowLeft")
    assert app.step() == held + 1
    # Scrubbing moves every run to that step; the inspector follows.
    scrubber = app.page.locator("#scrubber")
    scrubber.focus()
    scrubber.press("End")
    assert app.step() == max_step
    app.page.locator("#scrubber").evaluate(
        "(el) => { el.value = '40'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    assert app.step() == 40
    app.wait("document.getElementById('race-step').textContent.includes('40')")
    points = app.js("descent.race.entries.map(e => e.data.points[40])")
    inspected = app.page.locator("#race-list .inspect dd").first.inner_text()
    assert inspected.startswith("(") and inspected.count(",") == 1
    assert f"{points[0][0]:.3f}".rstrip("0")[:4].replace("-", "−") in inspected
    app.page.locator("#landscape").click(position={"x": 5, "y": 5})
    app.page.keyboard.press("Space")
    assert app.js("descent.transport.playing")
    app.wait("descent.transport.step > 40")
    app.page.locator("#reset").click()
    assert app.step() == 0 and not app.js("descent.transport.playing")


def test_url_round_trips_the_state(app):
    query = (
        "?function=himmelblau&runs=adam(lr=0.1,betas=0.8:0.99)|sgd(lr=0.002,momentum=0.5,c=3)"
        "&start=1,1&steps=300&tol=0&noise=0.5&seed=7&view=2d&speed=2"
    )
    app.open(query)
    app.wait_race()
    page = app.page
    assert page.locator("#function").input_value() == "himmelblau"
    assert page.locator("#steps").input_value() == "300"
    assert page.locator("#noise").input_value() == "0.5"
    assert page.locator("#seed").input_value() == "7"
    assert page.locator("#speed").input_value() == "2"
    optimizers = page.locator("#run-list .run-optimizer")
    assert optimizers.evaluate_all("els => els.map(e => e.value)") == ["adam", "sgd"]
    assert app.js("descent.race.entries.map(e => e.data.points[0])") == [[1, 1], [1, 1]]
    assert app.js("descent.race.entries.map(e => e.data.optimizer.betas)")[0] == [0.8, 0.99]
    assert app.js("descent.race.entries[1].color") == "#CC79A7"  # palette slot 3 kept
    q = parse_qs(urlsplit(page.url).query)
    assert q["runs"] == ["adam(lr=0.1,betas=0.8:0.99)|sgd(lr=0.002,momentum=0.5,c=3)"]
    assert q["start"] == ["1,1"] and q["steps"] == ["300"] and q["tol"] == ["0"]
    assert q["noise"] == ["0.5"] and q["seed"] == ["7"] and q["speed"] == ["2"]
    # Reloading the written URL gives the same state and the same race.
    again = app.js("location.search")
    app.open(again)
    app.wait_race()
    assert app.js("location.search") == again
    page.locator("#copy-link").click()
    app.wait("document.getElementById('copy-status').textContent.length > 0")
    assert "Link copied" in page.locator("#copy-status").inner_text() or "start=1" in (
        page.locator("#copy-status").inner_text()
    )


def test_changing_a_setting_reruns_from_the_current_start(app):
    app.open("?function=bowl&runs=sgd(lr=0.1)&start=1.5,1.2&tol=0")
    app.wait_race()
    assert app.js("descent.transport.maxStep") == 500
    app.page.locator("#steps").fill("120")
    app.page.locator("#steps").press("Enter")
    app.wait("descent.race.loaded && descent.transport.maxStep === 120")
    assert app.js("descent.race.entries[0].data.points[0]") == [1.5, 1.2]
    assert "steps=120" in app.page.url
    app.page.locator("#function").select_option("himmelblau")
    app.wait("descent.race.loaded && descent.race.entries[0].data.function === 'himmelblau'")
    assert app.js("descent.race.start") == [-0.3, -0.9]  # the catalog's suggested start


def test_diverging_run_says_so(app):
    app.open("?function=rosenbrock&runs=sgd(lr=0.02)|adam(lr=0.05)&start=-1.5,2&speed=8")
    app.wait_race()
    app.wait("document.querySelector('#race-list .race-item[data-status=diverged].finished')")
    text = app.statuses()[0]
    assert "SGD lr=0.02" in text and "diverged at step" in text
    assert app.js("descent.race.entries[0].data.status") == "diverged"


def test_api_error_shows_next_to_its_control_and_the_page_stays_usable(app):
    app.open("?function=bowl&runs=sgd(lr=0.1)|adam(lr=0.05)&start=1.5,1.2")
    app.wait_race()
    lr = app.page.locator("#run-list .run-card").first.locator("[data-param=lr] input[type=text]")
    lr.fill("-1")
    lr.press("Enter")
    error = app.page.locator("#run-list .run-card").first.locator("[data-param=lr] .field-error")
    error.wait_for(state="visible")
    assert "lr" in error.inner_text() and "≥ 0" in error.inner_text()
    app.wait("descent.race.loaded")
    assert "error" in app.statuses()[0]
    assert app.js("descent.race.entries[1].data.status") in ("converged", "max_steps")
    assert app.js("document.getElementById('landscape').data[0].type") == "contour"
    # Steps out of range: the message sits next to the steps field.
    app.page.locator("#steps").fill("0")
    app.page.locator("#steps").press("Enter")
    steps_error = app.page.locator("#steps-error")
    steps_error.wait_for(state="visible")
    assert "1" in steps_error.inner_text()
    # Fixing the values clears the messages and races again.
    app.page.locator("#steps").fill("200")
    app.page.locator("#steps").press("Enter")
    lr.fill("0.1")
    lr.press("Enter")
    app.wait("descent.race.loaded && descent.race.entries.every(e => e.data)")
    # The messages clear once the fixed race has answered (a frame or two later).
    steps_error.wait_for(state="hidden")
    error.wait_for(state="hidden")
    assert all(r.startswith("422 ") for r in app.probe.bad_responses)
    assert app.probe.page_errors == []


def test_lesson_mode_locks_and_hides_controls(app):
    app.open("?function=bowl&lesson=1&lock=function,runs&hide=noise")
    assert app.page.locator("#lesson-badge").is_visible()
    assert app.page.locator("#function").is_disabled()
    assert app.page.locator("#add-run").is_disabled()
    assert app.page.locator("#run-list input").first.is_disabled()
    assert not app.page.locator("#noise").is_visible()
    assert app.page.locator("#steps").is_enabled()
    assert "lesson=true" in app.page.url and "lock=function,runs" in app.page.url


def test_add_and_remove_runs(app):
    app.open("?function=bowl&runs=adam(lr=0.05)&start=1.5,1.2")
    app.wait_race()
    for n in range(2, 7):
        app.page.locator("#add-run").click()
        app.wait(f"descent.race.loaded && descent.race.entries.length === {n}")
    assert app.page.locator("#add-run").is_disabled()
    colours = app.js("descent.race.entries.map(e => e.color)")
    assert len(set(colours)) == 6
    app.page.locator("#run-list .run-remove").nth(1).click()
    app.wait("descent.race.loaded && descent.race.entries.length === 5")
    assert app.js("descent.race.entries.map(e => e.color)") == colours[:1] + colours[2:]


def test_three_d_view_click_sets_the_start(app):
    app.open("?function=bowl&runs=adam(lr=0.05)")
    if not app.js("!!document.createElement('canvas').getContext('webgl')"):
        pytest.skip("this Chromium has no WebGL")
    app.page.get_by_label("3-D surface").check()
    app.wait("document.getElementById('landscape').data[0].type === 'surface'")
    assert "view=3d" in app.page.url
    box = app.page.locator("#landscape").bounding_box()
    x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55
    app.page.mouse.move(x, y)
    time.sleep(0.3)
    app.page.mouse.move(x + 2, y)
    time.sleep(0.3)
    app.page.mouse.down()
    time.sleep(0.1)
    app.page.mouse.up()
    app.wait_race()
    sx, sy = app.js("descent.race.start")
    assert -2 <= sx <= 2 and -2 <= sy <= 2
    assert app.js("descent.race.entries[0].data.points[0]") == [sx, sy]


def test_one_dimensional_function_is_a_curve_and_clicks_set_x(app):
    app.open("?function=parabola&runs=sgd(lr=0.1)|adam(lr=0.5)")
    assert app.js("document.getElementById('landscape').data[0].type") == "scatter"
    assert app.page.get_by_label("3-D surface").is_disabled()
    box = app.plot_box()
    px, py = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5
    expected_x, _ = app.pixel_to_data(px, py)
    (x0, x1), _ = app.axis_ranges()
    app.page.mouse.click(px, py)
    app.wait_race()
    for point in app.js("descent.race.entries.map(e => e.data.points[0])"):
        assert len(point) == 1
        assert point[0] == pytest.approx(expected_x, abs=0.01 * (x1 - x0))
    assert app.page.locator("#race-list .inspect dt").first.inner_text() == "point (x)"
    assert app.probe.console_errors == []


def test_start_can_be_typed_and_a_bad_one_is_explained(app):
    app.open("?function=bowl&runs=sgd(lr=0.1)")
    start = app.page.get_by_label("Start point", exact=True)
    start.fill("0.5, -1")
    start.press("Enter")
    app.wait_race()
    assert app.js("descent.race.entries[0].data.points[0]") == [0.5, -1]
    assert "start=0.5,-1" in app.page.url
    start.fill("0.5")  # one coordinate for a function of two: the API says why
    start.press("Enter")
    error = app.page.locator("#start-error")
    error.wait_for(state="visible")
    assert "coordinate" in error.inner_text()
    start.fill("x")
    start.press("Enter")
    assert "numbers" in error.inner_text()
