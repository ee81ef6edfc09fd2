"""The lessons behind the tool (#4): 1-D slopes, fitting a line to data, SGD on samples."""

from __future__ import annotations

import pytest

TANGENT = "descent.drawn.tangent"


def test_parabola_tangent_slope_and_step_arrow(app):
    app.open("?function=parabola&runs=sgd(lr=0.1)&start=-4")
    app.wait_race()
    app.page.locator("#reset").click()
    app.wait(f"{TANGENT} && {TANGENT}.step === 0")
    tangent = app.js(TANGENT)
    assert tangent["x"] == pytest.approx(-4)
    assert tangent["slope"] == pytest.approx(-8, abs=0.01)
    label = app.page.locator("#slope-label")
    assert label.is_visible()
    assert "slope f′(x) = −8.00" in label.inner_text()
    # The step arrow goes to the next point: x − lr·f′(x) = −3.2, downhill.
    arrow = tangent["arrow"]
    assert arrow["step"][0] == pytest.approx(0.8, abs=1e-6)
    assert arrow["step"][1] < 0
    # Pixels: the run's colour (#E69F00) is on the overlay along the arrow (sampled at
    # several points: the white dashed −∇f arrow may cover it in places).
    (x0, y0), (x1, y1) = arrow["from"], arrow["to"]
    coloured = app.js(
        "(() => { const c = document.getElementById('landscape-overlay');"
        " const r = window.devicePixelRatio || 1; const ctx = c.getContext('2d'); let n = 0;"
        " for (const t of [0.2, 0.35, 0.5, 0.65, 0.8]) {"
        f"  const mx = ({x0} + t * ({x1} - {x0})) * r, my = ({y0} + t * ({y1} - {y0})) * r;"
        "  const d = ctx.getImageData(Math.round(mx) - 4, Math.round(my) - 4, 9, 9).data;"
        "  for (let i = 0; i < d.length; i += 4)"
        "   if (d[i] > 200 && d[i + 1] > 130 && d[i + 1] < 180 && d[i + 2] < 60) n++; }"
        " return n; })()"
    )
    assert coloured > 0
    # Stepping on moves the tangent with the ball.
    app.page.locator("#step-forward").click()
    app.wait(f"{TANGENT}.step === 1")
    assert app.js(f"{TANGENT}.slope") == pytest.approx(-6.4, abs=0.01)
    assert app.probe.console_errors == []


def test_dosage_fit_follows_the_race_to_least_squares(app):
    import numpy as np

    app.open("?function=linreg-dosage&runs=adam(lr=0.05)&start=0,0&steps=3000&speed=8")
    card = app.page.locator("#data-card")
    assert card.is_visible()
    app.wait("document.getElementById('data-fit').data")
    xs, ys = app.js("[0, 1].map(i => document.getElementById('data-fit').data[0][['x', 'y'][i]])")
    assert len(xs) == 8
    app.wait_race()
    early = app.js("descent.dataPanel.chart.drawn.models[0].params")
    app.wait("descent.transport.step === descent.transport.maxStep")
    app.wait("descent.dataPanel.chart.drawn.step === descent.transport.maxStep")
    m, b = app.js("descent.dataPanel.chart.drawn.models[0].params")
    assert [m, b] != early
    fit_m, fit_b = np.polyfit(xs, ys, 1)
    assert m == pytest.approx(fit_m, abs=2e-3)
    assert b == pytest.approx(fit_b, abs=1e-2)
    text = app.page.locator("#data-model").inner_text()
    assert text.startswith("ŷ = −0.469") and text.endswith("·x + 1.76")
    assert app.probe.console_errors == []


def test_hours_points_too_large_a_step_diverges_a_small_one_converges(app):
    app.open("?function=hours-points&runs=sgd(lr=0.5)|sgd(lr=0.05)&start=0&speed=8")
    app.wait_race()
    app.wait("document.querySelector('#race-list .race-item[data-status=diverged].finished')")
    first, second = app.statuses()
    assert "diverged" in first
    assert app.js("descent.race.entries[0].data.status") == "diverged"
    assert app.js("descent.race.entries[1].data.status") == "converged"
    w = app.js("descent.race.entries[1].data.points.at(-1)[0]")
    assert w == pytest.approx(2, abs=1e-3)
    # A 1-D data function: the tangent and the data panel (ŷ = w·x through the origin) both show.
    assert app.page.locator("#slope-label").is_visible()
    assert "J′(w)" in app.page.locator("#slope-label").inner_text()
    assert app.page.locator("#data-card").is_visible()
    assert app.probe.console_errors == []


def _data_in_url(app) -> list[tuple[float, float]]:
    from urllib.parse import parse_qs, urlsplit

    text = parse_qs(urlsplit(app.page.url).query)["data"][0]
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split(";")]


def test_editing_points_reloads_the_landscape_and_the_url(app):
    app.open("?function=linreg-hours&runs=adam(lr=0.05)&start=0,0")
    app.wait_race()
    app.wait("descent.dataPanel.chart.area")
    box = app.page.locator("#data-fit .nsewdrag").bounding_box()
    # Add: a click on empty space (lower right, far from the points on y = 2x).
    with app.page.expect_request(
        lambda r: r.url.endswith("/api/v1/surface") and r.method == "POST"
    ) as request:
        app.page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.85)
    assert request.value.post_data_json["function"]["model"] == "linear"
    assert len(request.value.post_data_json["function"]["data"]["x"]) == 4
    app.wait("new URLSearchParams(location.search).has('data')")
    assert len(_data_in_url(app)) == 4
    app.wait("descent.race && descent.race.loaded && descent.app.fn.id === 'linreg-hours+data'")
    assert app.page.locator("#data-count").inner_text() == "4 points (yours)"
    # Drag the new point up; shift-click deletes it again.
    x, y = app.js(
        "(() => { const c = descent.dataPanel.chart, a = c.area, i = c.data.x.length - 1;"
        " const b = document.getElementById('data-fit').getBoundingClientRect();"
        " return [b.left + a.left + a.xa.c2p(c.data.x[i]),"
        " b.top + a.top + a.ya.c2p(c.data.y[i])]; })()"
    )
    before = _data_in_url(app)[-1]
    app.page.mouse.move(x, y)
    app.page.mouse.down()
    app.page.mouse.move(x, y - 20, steps=4)
    app.page.mouse.up()
    app.wait(f"!location.search.includes('{before[0]:g},{before[1]:g}')")
    moved = _data_in_url(app)[-1]
    assert moved[0] == pytest.approx(before[0], abs=0.1) and moved[1] > before[1]
    app.page.keyboard.press("Delete")
    app.wait("descent.dataPanel.chart.data.x.length === 3")
    app.wait("new URLSearchParams(location.search).get('data').split(';').length === 3")
    # Reload: the points come back from the link.
    url = app.page.url
    app.page.goto(url)
    app.wait("document.body.dataset.ready === 'true'")
    app.wait("descent.app.fn.id === 'linreg-hours+data'")
    assert app.page.locator("#data-count").inner_text() == "3 points (yours)"
    assert app.probe.console_errors == []


def test_pasting_csv_and_a_readable_error(app):
    app.open("?function=linreg-dosage&runs=adam(lr=0.05)&start=0,0")
    app.wait_race()
    app.page.locator("#data-csv-box summary").click()
    csv = app.page.locator("#data-csv")
    app.wait("document.getElementById('data-csv').value.split('\\n').length === 8")
    csv.fill("x,y\n1,1\n2,3\n3,2\n4,5")
    app.page.locator("#data-apply").click()
    app.wait("new URLSearchParams(location.search).get('data') === '1,1;2,3;3,2;4,5'")
    app.wait("descent.race && descent.race.loaded && descent.app.fn.id === 'linreg-dosage+data'")
    m, b = app.js("descent.app.fn.minima[0].point")
    assert (m, b) == pytest.approx((1.1, 0.0), abs=1e-9)
    assert app.js("descent.race.entries[0].data.points[0]") == [0, 0]
    # Not numbers: the message names the line; nothing is sent, the last good points stay.
    csv.fill("1,1\n2,oops")
    app.page.locator("#data-apply").click()
    error = app.page.locator("#data-error")
    error.wait_for(state="visible")
    assert "line 2" in error.inner_text()
    assert "data=1,1;2,3;3,2;4,5" in app.page.url
    # A number too large for a double is named, not mistaken for a header line.
    csv.fill("1e400,2\n3,4")
    app.page.locator("#data-apply").click()
    app.wait("document.getElementById('data-error').textContent.includes('1e400')")
    assert "line 1: 1e400 is too large" in error.inner_text()
    # The original points come back.
    app.page.locator("#data-reset").click()
    app.wait("!new URLSearchParams(location.search).has('data')")
    app.wait("descent.app.fn.id === 'linreg-dosage'")
    assert app.probe.console_errors == []


def test_a_class_must_be_0_or_1_for_the_logistic_model(app):
    app.open("?function=logistic-berries&runs=adam(lr=0.05)")
    app.page.locator("#data-csv-box summary").click()
    app.wait("document.getElementById('data-csv').value.split('\\n').length === 16")
    app.page.locator("#data-csv").fill("0.1,0\n0.5,2")
    app.page.locator("#data-apply").click()
    error = app.page.locator("#data-error")
    error.wait_for(state="visible")
    assert "0 or 1" in error.inner_text()


def test_per_sample_sgd_advances_epochs(app):
    app.open("?function=hours-points&runs=sgd(lr=0.05)&start=0&steps=60")
    app.wait_race()
    batch = app.page.locator("#batch")
    batch.fill("1")
    batch.press("Enter")
    app.wait("descent.dataPanel && !document.getElementById('shuffle').disabled")
    with app.page.expect_request(lambda r: r.url.endswith("/api/v1/trajectories")) as request:
        app.page.locator("#shuffle").uncheck()
    body = request.value.post_data_json
    assert body["batch_size"] == 1 and body["shuffle"] is False
    app.wait("descent.race && descent.race.loaded && descent.race.entries[0].data.epoch")
    assert "batch=1" in app.page.url and "shuffle=false" in app.page.url
    epochs = app.js("descent.race.entries[0].data.epoch")
    assert epochs[:7] == [0, 0, 0, 1, 1, 1, 2]  # three points: an epoch every three steps
    app.page.locator("#reset").click()
    for _ in range(12):
        app.page.locator("#step-forward").click()
    app.wait("descent.transport.step === 12")
    app.wait("document.querySelector('#race-list .status-text').textContent.includes('epoch 4')")
    assert "epoch 4, step 12" in app.statuses()[0]
    assert app.probe.console_errors == []


def test_too_many_points_for_the_link_say_so(app):
    app.open("?function=linreg-hours&runs=adam(lr=0.05)&start=0,0")
    app.page.locator("#data-csv-box summary").click()
    app.wait("document.getElementById('data-csv').value.split('\\n').length === 3")
    app.page.locator("#data-csv").fill(
        "\n".join(f"{i / 100},{2 * i / 100 + 1}" for i in range(501))
    )
    app.page.locator("#data-apply").click()
    note = app.page.locator("#data-note")
    note.wait_for(state="visible")
    assert "too many for the link" in note.inner_text()
    app.wait("descent.app.fn.id === 'linreg-hours+data'")
    assert "data=" not in app.page.url
    assert app.page.locator("#data-count").inner_text() == "501 points (yours)"
    assert app.probe.console_errors == []
