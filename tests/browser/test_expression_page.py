"""Type your own landscape (issue 5): live validation, the error's column, races, URL state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

SURFACE_READY = "(document.getElementById('landscape').data[0]?.x || []).length === 150"


def type_expression(app, text: str) -> None:
    app.page.select_option("#function", "custom")
    box = app.page.locator("input[name=expression]")
    box.fill("")
    box.type(text, delay=15)


def script_errors(app) -> list[str]:
    """Console errors but the browser's own note of an expected 422 (a refused expression)."""
    return [m for m in app.probe.console_errors if "status of 422" not in m]


def assert_clean(app) -> None:
    assert script_errors(app) == []
    assert app.probe.page_errors == []
    refused = [r for r in app.probe.bad_responses if not r.startswith("422 ")]
    assert refused == []  # only a refused expression may fail (POST /surface, 422)
    assert all(r.endswith("/api/v1/surface") for r in app.probe.bad_responses)


def test_typing_an_expression_redraws_the_landscape_and_shows_its_formula(app):
    app.open()
    assert app.page.locator("#expression-card").is_hidden()
    type_expression(app, "x^2 + 10*y^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    app.wait(SURFACE_READY)
    z = app.js("Array.from(document.getElementById('landscape').data[0].customdata[75])")
    assert min(z) == pytest.approx(0, abs=0.1)  # the middle row crosses the bowl's bottom
    formula = app.page.locator("#formula").inner_text()
    assert "10" in formula and "x" in formula
    gradient = app.page.locator("#expression-gradient").inner_text()
    assert "∂f/∂x = 2x" in gradient and "∂f/∂y = 20y" in gradient
    query = parse_qs(urlsplit(app.page.url).query)
    assert "function" not in query  # expr alone means a typed function
    assert query["expr"] == ["x^2 + 10*y^2"]
    assert app.page.locator("#expression-error").is_hidden()
    assert script_errors(app) == []


def test_an_unknown_name_shows_its_column_and_the_page_stays_usable(app):
    app.open()
    type_expression(app, "x^2 + 10*y^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    box = app.page.locator("input[name=expression]")
    box.fill("")
    box.type("x + z", delay=15)
    app.wait("document.getElementById('expression-card').dataset.state === 'error'")
    error = app.page.locator("#expression-error")
    assert "unknown name 'z'" in error.inner_text()
    assert "column 5" in error.inner_text()
    assert app.js("document.getElementById('expression-card').dataset.column") == "5"
    assert app.page.locator("#expression-mark mark").inner_text() == "z"
    assert box.get_attribute("aria-invalid") == "true"
    # The last good landscape stays; fixing the text draws the new one.
    box.fill("x + y^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    assert error.is_hidden()
    assert (
        "expr=x+%2B+y%5E2" in app.page.url
        or "x + y^2" in parse_qs(urlsplit(app.page.url).query).get("expr", [""])[0]
    )
    # Back to the catalog: the box goes away and the URL forgets the expression.
    app.page.select_option("#function", "himmelblau")
    app.wait("document.getElementById('landscape').data[0].x.length !== 150")
    assert app.page.locator("#expression-card").is_hidden()
    assert "expr" not in parse_qs(urlsplit(app.page.url).query)
    assert script_errors(app) == []


def test_a_click_races_on_the_custom_landscape_and_the_url_round_trips(app):
    app.open("?runs=adam(lr=0.05)|sgd(lr=0.01)")
    type_expression(app, "x^2 + 10*y^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    app.wait(SURFACE_READY)
    box = app.plot_box()
    px, py = box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3
    expected = app.pixel_to_data(px, py)
    app.page.mouse.click(px, py)
    app.wait_race()
    firsts = app.js("window.descent.race.entries.map(e => e.data.points[0])")
    assert len(firsts) == 2
    for x, y in firsts:
        assert x == pytest.approx(expected[0], abs=0.1)
        assert y == pytest.approx(expected[1], abs=0.1)
    assert app.js("window.descent.race.entries[0].data.function") == "expression"
    url = app.page.url
    # The same URL in a new page restores the typed landscape and the race.
    page = app.page.context.new_page()
    again = type(app)(page, app.base_url, app.probe)
    try:
        again.open(url[len(app.base_url) + 1 :])
        assert page.locator("#function").input_value() == "custom"
        assert page.locator("input[name=expression]").input_value() == "x^2 + 10*y^2"
        assert page.locator("#expression-card").is_visible()
        again.wait_race()
        assert again.js("window.descent.race.entries[0].data.points[0]") == pytest.approx(firsts[0])
        assert again.js("document.getElementById('landscape').data[0].type") == "contour"
    finally:
        page.close()
    assert_clean(app)


def test_domain_inputs_change_the_window(app):
    app.open()
    type_expression(app, "x^2 + 10*y^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    app.page.fill("#x-min", "-2")
    app.page.fill("#x-max", "4")
    app.page.locator("#x-max").dispatch_event("change")
    app.wait("document.getElementById('landscape')._fullLayout.xaxis.range[1] === 4")
    assert app.axis_ranges()[0] == [-2, 4]
    assert parse_qs(urlsplit(app.page.url).query)["domain"] == ["-2,4,-5,5"]
    assert_clean(app)


def test_log_has_gaps_and_a_run_stepping_below_zero_diverges(app):
    app.open("?runs=sgd(lr=2)")
    type_expression(app, "log(x)")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    app.wait("document.getElementById('landscape').data[0].type === 'scatter'")
    assert app.page.locator("#domain-y").is_hidden()
    ys = app.js("Array.from(document.getElementById('landscape').data[0].y)")
    assert any(y is None or y != y for y in ys[:10])  # NaN (no value) left of zero: a gap
    # Start at x = 0.5: f'(x) = 1/x = 2, so one SGD step with lr 2 lands at x = -3.5.
    app.page.fill("#start", "0.5")
    app.page.locator("#start").dispatch_event("change")
    app.wait_race()
    assert app.js("window.descent.race.entries[0].data.status") == "diverged"
    app.wait("document.querySelector('#race-list .race-item[data-status=diverged]')")
    assert_clean(app)


def test_custom_with_no_formula_shows_no_landscape_and_a_click_races_nothing(app):
    app.open("?function=rosenbrock&start=-1.5,2&steps=30")
    app.wait_race()
    app.page.select_option("#function", "custom")
    app.wait("document.getElementById('landscape').data.length === 0")
    note = app.js("document.getElementById('landscape').layout.annotations[0].text")
    assert "Type a formula" in note
    assert app.page.locator("#formula").inner_text() == ""
    assert app.page.locator("#suggested-start").is_disabled()
    box = app.page.locator("#landscape").bounding_box()
    app.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    app.page.wait_for_timeout(300)  # a click that raced would have created a race by now
    assert app.js("window.descent.race") is None
    assert app.page.locator("#race-list li").count() == 0
    assert "start" not in parse_qs(urlsplit(app.page.url).query)
    # Typing a formula brings a landscape back, and clicks race on it.
    type_expression(app, "x^2 + y^2")
    app.wait(SURFACE_READY)
    assert_clean(app)


def test_abs_gradient_reads_sign_and_a_number_may_touch_a_name(app):
    app.open()
    type_expression(app, "abs(x) + 4x^2")
    app.wait("document.getElementById('expression-card').dataset.state === 'ok'")
    gradient = app.page.locator("#expression-gradient").inner_text()
    assert "sign(x) + 8x" in gradient and "operatorname" not in gradient
    assert app.page.locator("#expression-error").is_hidden()
    assert_clean(app)
