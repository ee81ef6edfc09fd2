"""Outcomes told honestly: a vanished gradient away from the known global minimum is a
local minimum, not success; a diverged run is marked in red with an ✕."""

from __future__ import annotations


def test_rastrigin_from_the_suggested_start_is_stuck_in_a_local_minimum(app):
    app.open("?function=rastrigin&runs=sgd(lr=0.001)&start=3.3,2.7&steps=2000")
    app.wait_race()
    app.js("window.descent.transport.seek(1e9)")
    item = app.page.locator("#race-list .race-item").first
    app.wait("document.querySelector('#race-list .race-item').classList.contains('finished')")
    text = item.locator(".status-text").inner_text()
    assert text.startswith("stuck in a local minimum")
    assert "f = 17.91" in text and "global minimum 0 at (0, 0)" in text
    assert "converged" not in text
    assert item.get_attribute("data-outcome") == "local"
    colour = item.locator(".status-text").evaluate("e => getComputedStyle(e).color")
    assert colour != "rgb(0, 107, 78)"  # not the green of success


def test_reaching_the_global_minimum_is_still_converged(app):
    app.open("?function=bowl&runs=sgd(lr=0.1)&start=1.5,1.2&steps=2000")
    app.wait_race()
    app.js("window.descent.transport.seek(1e9)")
    app.wait("document.querySelector('#race-list .race-item').classList.contains('finished')")
    text = app.page.locator("#race-list .status-text").first.inner_text()
    assert text.startswith("converged at step")


def test_a_diverged_run_is_red_with_a_cross(app):
    app.open("?function=rosenbrock&runs=sgd(lr=0.01)&start=-1.5,2&steps=200")
    app.wait_race()
    app.js("window.descent.transport.seek(1e9)")
    app.wait("document.querySelector('#race-list .race-item').classList.contains('finished')")
    item = app.page.locator("#race-list .race-item").first
    assert item.get_attribute("data-status") == "diverged"
    assert "diverged at step" in item.inner_text()
    marker = item.locator(".status-text").evaluate("e => getComputedStyle(e, '::before').content")
    assert "✕" in marker
    background = item.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(253, 236, 238)"
