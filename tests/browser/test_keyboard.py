"""The keyboard (issue 12): a start cursor on the landscape moved with the arrow keys and
Enter to race; Home, End, R and ? anywhere; the help list; and prefers-reduced-motion (no
autoplay: the race shows its end and is stepped with the keys). At all three sizes."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App, Probe
from tests.browser.sized import SIZES, sized_app, sized_context  # noqa: F401 (fixtures)

SHOTS = "/tmp"


def focus_landscape(app) -> None:
    app.page.locator("#landscape").focus()
    assert app.js("document.activeElement.id") == "landscape"
    assert app.js("document.getElementById('landscape').tabIndex") == 0  # in the tab order


def test_arrows_move_the_start_cursor_and_enter_races(sized_app):  # noqa: F811
    app = sized_app
    app.open("?function=himmelblau")
    fn = app.js("({start: descent.app.fn.start, domain: descent.app.fn.domain})")
    assert app.js("descent.state.start") is None
    focus_landscape(app)
    assert app.page.locator(".start-cursor").is_visible()
    for key in ["ArrowRight"] * 3 + ["ArrowUp"] * 2:
        app.page.keyboard.press(key)
    (x0, x1), (y0, y1) = fn["domain"]
    expected = [fn["start"][0] + 3 * (x1 - x0) / 40, fn["start"][1] + 2 * (y1 - y0) / 40]
    assert app.js("descent.keyboard.cursor") == pytest.approx(expected)
    assert "Start cursor at x = " in app.page.locator("#landscape-cursor").inner_text()
    # The mark sits where the cursor is (the same axes the clicks use).
    mark = app.page.locator(".start-cursor").bounding_box()
    x, y = app.pixel_to_data(mark["x"] + mark["width"] / 2, mark["y"] + mark["height"] / 2)
    assert (x, y) == pytest.approx(expected, abs=0.05 * (x1 - x0))
    assert app.step() == 0  # the arrows moved the cursor, not the race
    app.page.keyboard.press("Enter")
    app.wait_race()
    assert app.js("descent.state.start") == pytest.approx(expected, abs=1e-3)
    assert app.js("descent.race.entries.every(e => e.data && e.data.points.length > 1)")
    app.page.screenshot(path=f"{SHOTS}/test_keyboard_cursor_{app.size}.png")
    assert app.probe.console_errors == []


def test_home_end_and_r(sized_app):  # noqa: F811
    app = sized_app
    app.open("?function=rosenbrock&start=-1.5,2&runs=adam(lr=0.05)&steps=400")
    app.wait_race()
    app.page.locator("body").click(position={"x": 2, "y": 2})  # focus on the page, not a control
    app.page.keyboard.press("End")
    end = app.js("descent.transport.maxStep")
    assert end == 400 and app.step() == end
    assert not app.js("descent.transport.playing")
    app.page.keyboard.press("Home")
    assert app.step() == 0
    app.page.keyboard.press("End")
    app.page.keyboard.press("r")
    app.wait("descent.transport.playing")
    app.wait("descent.transport.step > 5")


def test_question_mark_opens_the_list_of_every_shortcut(sized_app):  # noqa: F811
    app = sized_app
    app.open("")
    app.page.locator("body").click(position={"x": 2, "y": 2})
    app.page.keyboard.press("?")
    dialog = app.page.locator("#keys-help")
    assert dialog.is_visible()
    keys = app.page.locator("#keys-help kbd").all_inner_texts()
    for key in ["Home", "End", "R", "?", "Enter", "Space", "↑"]:
        assert key in keys, keys
    box = dialog.bounding_box()
    width = app.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # fits a phone
    app.page.screenshot(path=f"{SHOTS}/test_keyboard_help_{app.size}.png")
    app.page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # The button in the race card opens the same list; "?" typed in a field is just text.
    app.page.locator("#keys-toggle").click()
    assert dialog.is_visible()
    app.page.locator("#keys-help button").click()
    assert not dialog.is_visible()
    app.page.locator("#steps").fill("")
    app.page.locator("#steps").press("?")
    assert not dialog.is_visible()


@pytest.fixture(params=list(SIZES))
def calm_app(request, browser, server_url):
    """A page of a reader who asked for reduced motion (Playwright's emulation)."""
    context = browser.new_context(**SIZES[request.param], reduced_motion="reduce")
    page = context.new_page()
    probe = Probe()
    probe.attach(page)
    app = App(page, server_url, probe)
    app.size = request.param
    yield app
    context.close()
    assert not probe.page_errors, probe.page_errors


def test_reduced_motion_shows_the_end_without_playing(calm_app):
    app = calm_app
    app.open("?function=rosenbrock&start=-1.5,2&runs=adam(lr=0.05)|sgd(lr=0.001)&steps=800")
    assert app.js("matchMedia('(prefers-reduced-motion: reduce)').matches")
    app.wait_race()
    app.wait("descent.transport.maxStep === 800 && descent.transport.step === 800")
    assert not app.js("descent.transport.playing")
    app.page.locator("body").click(position={"x": 2, "y": 2})
    app.page.keyboard.press("ArrowLeft")
    assert app.step() == 799
    app.page.keyboard.press("Home")
    assert app.step() == 0
    app.page.keyboard.press("ArrowRight")
    assert app.step() == 1
    # A click on the map races at once, shown at its end again.
    box = app.plot_box()
    app.page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.7)
    app.wait("descent.race.loaded && descent.transport.step === descent.transport.maxStep")
    assert not app.js("descent.transport.playing")
    app.page.screenshot(path=f"{SHOTS}/test_reduced_motion_{app.size}.png")
    # Play still plays when asked.
    app.page.locator("#play").click()
    app.wait("descent.transport.playing")


def test_a_click_or_tap_on_the_map_leaves_the_arrows_to_the_transport(sized_app):  # noqa: F811
    app = sized_app
    app.open("?function=himmelblau&speed=0.25")
    box = app.plot_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4
    if app.size == "phone":
        app.page.touchscreen.tap(x, y)
    else:
        app.page.mouse.click(x, y)
    app.wait_race()
    assert app.js("document.activeElement.id") == "landscape"
    app.page.keyboard.press("Space")  # pause
    held = app.step()
    app.page.keyboard.press("ArrowRight")
    assert app.step() == held + 1
    assert not app.page.locator(".start-cursor").is_visible()
    assert app.js("descent.keyboard.cursor") is None
