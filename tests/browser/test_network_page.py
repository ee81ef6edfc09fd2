"""The neural-network lesson: the slice drawn around a trained network, a click on the plane
races two runs from that point (drawn projected), the decision boundary or the digits, new
directions and centres, bad input shown, and the layout at three sizes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App, Probe

LESSON = "window.descent.network"
READY = f"{LESSON} && {LESSON}.ready && {LESSON}.slice && {LESSON}.runs.length === 2"


def open_network(app, timeout: float = 60):
    app.page.goto(f"{app.base_url}/?tab=network")
    app.wait(READY, timeout=timeout)


def test_the_lesson_slices_around_a_trained_network_and_the_page_model_is_the_engines(app):
    open_network(app)
    slice_ = app.js(f"{LESSON}.slice")
    dims = app.js(f"{LESSON}.runs[0].result.points[0].length")
    assert dims == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1 and len(slice_["directions"][0]) == dims
    # the centre is run A's end, and the slice's middle value is the loss there
    final = app.js(f"{LESSON}.runs[0].result.losses.at(-1)")
    assert slice_["center"] == app.js(f"{LESSON}.runs[0].result.points.at(-1)")
    assert "Loss at θ_c " + f"{final:.3g}" in app.page.locator("#net-slice-note").inner_text()
    # the page's own forward pass (decision boundary, digits) gives the engine's loss
    page_loss = app.js(
        "import('/static/js/netmodel.js').then((m) => { const n = window.descent.network;"
        " return m.meanLoss(n.net, n.runs[0].result.points.at(-1), n.data.x, n.data.y); })"
    )
    assert page_loss == pytest.approx(final, rel=1e-9)
    assert app.js("document.getElementById('net-boundary').width") > 0
    assert not app.probe.page_errors and not app.probe.bad_responses


def test_a_click_on_the_plane_races_two_runs_from_that_point(app):
    open_network(app)
    box = app.page.locator("#net-slice").bounding_box()
    area = app.js(f"{LESSON}.view.area")
    px, py = area["left"] + 0.75 * area["width"], area["top"] + 0.25 * area["height"]
    app.page.mouse.click(box["x"] + px, box["y"] + py)
    app.wait(f"{LESSON}.ready === false", timeout=5)
    app.wait(READY, timeout=60)
    # the start lies on the plane: its projection is the clicked (α, β), off the plane by 0
    start = app.js(f"{LESSON}.runs.map((r) => r.path[0])")
    for s in start:
        assert (s["alpha"], s["beta"]) == pytest.approx((0.5, 0.5), abs=0.02)
        assert s["off"] < 1e-9
    losses = app.js(f"{LESSON}.runs.map((r) => [r.result.losses[0], r.result.losses.at(-1)])")
    assert all(last < first for first, last in losses)
    assert " · " in app.page.locator("#net-losses").inner_text()


def test_new_directions_pca_and_a_new_centre_redraw_the_slice(app):
    open_network(app)
    before = app.js(f"{LESSON}.slice.directions[0][0]")
    app.page.locator("#net-redraw").click()
    app.wait(f"{READY} && {LESSON}.slice.directions[0][0] !== {before}", timeout=30)
    app.page.locator("#net-directions").select_option("pca")
    app.wait(f"{READY} && {LESSON}.slice.explained", timeout=30)
    assert "PCA: d₁, d₂ explain" in app.page.locator("#net-slice-note").inner_text()
    app.page.locator("#net-centre-b").click()
    app.wait(f"{READY} && {LESSON}.slice.center[0] === {LESSON}.runs[1].result.points.at(-1)[0]",
             timeout=30)  # fmt: skip
    # B's end is the centre now: B's projected path ends at the origin
    end = app.js(f"{LESSON}.runs[1].path.at(-1)")
    assert abs(end["alpha"]) < 1e-9 and abs(end["beta"]) < 1e-9


def test_digits_are_read_by_the_trained_network(app):
    open_network(app)
    app.page.locator("#net-data").select_option("digits")
    app.wait(f"{READY} && {LESSON}.runs[0].result.points[0].length === 64 * 16 + 16 + 16 * 10 + 10",
             timeout=150)  # fmt: skip
    assert app.page.locator("#net-digits figure").count() == 12
    assert app.page.locator("#net-boundary").is_hidden()
    answers = app.js("document.getElementById('net-digits').dataset.right")
    right, total = map(int, answers.split("/"))
    assert total == 12 and right >= 9  # far above chance (1 in 10) on digits it never saw
    assert "64-16-10 tanh network, cross-entropy" in app.page.locator("#net-shape").inner_text()


def test_a_bad_layer_list_is_shown_naming_the_field(app):
    open_network(app)
    app.page.locator("#net-hidden").fill("8, 300")
    app.page.locator("#net-hidden").press("Enter")
    app.page.locator("#net-hidden").dispatch_event("change")
    app.wait("!document.getElementById('net-error').hidden", timeout=20)
    assert "256" in app.page.locator("#net-error").inner_text()


@pytest.mark.parametrize("size", [(390, 844), (1280, 720), (1366, 768)], ids=str)
def test_the_lesson_fits_every_screen(browser, server_url, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height},
                                  has_touch=width < 500, is_mobile=width < 500)  # fmt: skip
    page = context.new_page()
    try:
        page.goto(f"{server_url}/?tab=network")
        App(page, server_url, Probe()).wait(READY, timeout=60)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        slice_box = page.locator("#net-slice").bounding_box()
        assert slice_box["width"] >= min(300, width - 60) and slice_box["x"] >= 0
        assert slice_box["x"] + slice_box["width"] <= width
        if width >= 1280:  # the slice, the boundary and the loss curve side by side, no scrolling
            for element in ("#net-slice", "#net-boundary", "#net-curve"):
                box = page.locator(element).bounding_box()
                assert box["y"] + box["height"] <= height, element
    finally:
        context.close()
