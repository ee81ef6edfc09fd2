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
    # Pixels: the run's colour (#E69F00) is on the overlay near the arrow's middle.
    (x0, y0), (x1, y1) = arrow["from"], arrow["to"]
    coloured = app.js(
        "(() => { const c = document.getElementById('landscape-overlay');"
        " const r = window.devicePixelRatio || 1; const ctx = c.getContext('2d');"
        f" const mx = {(x0 + x1) / 2} * r, my = {(y0 + y1) / 2} * r;"
        " const d = ctx.getImageData(Math.round(mx) - 4, Math.round(my) - 4, 9, 9).data;"
        " let n = 0; for (let i = 0; i < d.length; i += 4)"
        " if (d[i] > 200 && d[i + 1] > 130 && d[i + 1] < 180 && d[i + 2] < 60) n++; return n; })()"
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
    assert "ŷ = −0.4" in app.page.locator("#data-model").inner_text()
    assert app.probe.console_errors == []
