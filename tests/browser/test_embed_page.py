"""Embed mode (#15): ?embed=1 shows the landscape, transport and loss curve, sized to its frame."""

from __future__ import annotations

from app.config import Settings
from app.middleware.headers import security_headers

RACE = "function=himmelblau&runs=adam(lr=0.1)|sgd(lr=0.01)&start=-0.3,-0.9"
SHOWN = ["#landscape-wrap", ".transport", "#loss-wrap"]
HIDDEN = [".topbar", ".panel-left", ".panel-right"]


def _boxes(app) -> dict:
    return {sel: app.page.locator(sel).first.bounding_box() for sel in SHOWN}


def test_embed_shows_only_landscape_transport_and_loss(app):
    app.page.set_viewport_size({"width": 640, "height": 400})
    app.open(f"?{RACE}&embed=1")
    app.wait_race()
    for sel in HIDDEN:
        assert app.page.locator(sel).first.is_hidden(), sel
    boxes = _boxes(app)
    for sel, box in boxes.items():
        assert box and box["width"] > 300 and box["height"] > 20, (sel, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 400 + 0.5, (sel, box)  # no scrolling
    assert boxes["#landscape-wrap"]["height"] > boxes["#loss-wrap"]["height"]
    # The plots fill their boxes (Plotly refitted to the frame).
    plot = app.page.locator("#landscape .main-svg").first.bounding_box()
    assert abs(plot["width"] - boxes["#landscape-wrap"]["width"]) < 4
    # Playback works, and a link opens the full page without embed.
    app.page.locator("#reset").click()
    app.wait("descent.transport.step === 0")
    app.page.locator("#step-forward").click()
    app.wait("descent.transport.step === 1")
    link = app.page.locator("#embed-open")
    assert link.is_visible()
    href = link.evaluate("(a) => { a.dispatchEvent(new MouseEvent('click')); return a.href; }")
    assert "embed" not in href and "function=himmelblau" in href
    assert app.probe.console_errors == []


def test_page_without_embed_is_unchanged(app):
    app.open(f"?{RACE}")
    for sel in HIDDEN:
        assert app.page.locator(sel).first.is_visible(), sel
    assert app.page.locator("#embed-open").is_hidden()


def test_embed_in_a_same_origin_iframe(app, server_url):
    host = f"{server_url}/__embed_host.html"
    snippet = (
        f'<!doctype html><iframe src="{server_url}/?{RACE}&embed=1" width="560" height="420"'
        ' style="border:0" title="Descent: optimizers on Himmelblau"></iframe>'
    )
    app.page.route(host, lambda route: route.fulfill(body=snippet, content_type="text/html"))
    app.page.goto(host)
    frame = app.page.frame_locator("iframe")
    app.page.wait_for_function(
        "document.querySelector('iframe').contentDocument?.body?.dataset.ready === 'true'",
        timeout=20000,
    )
    assert frame.locator(".topbar").is_hidden()
    loss = frame.locator("#loss-wrap").bounding_box()
    frame_box = app.page.locator("iframe").bounding_box()
    assert loss["y"] + loss["height"] <= frame_box["y"] + frame_box["height"] + 0.5


def test_frame_ancestors_setting_reaches_the_csp():
    default = dict(security_headers(Settings()))[b"content-security-policy"].decode()
    assert "frame-ancestors 'self'" in default
    course = "'self' https://course.example.org"
    headers = dict(security_headers(Settings(frame_ancestors=course)))
    assert f"frame-ancestors {course}" in headers[b"content-security-policy"].decode()
    assert b"x-frame-options" not in headers  # the legacy header cannot name an origin list
