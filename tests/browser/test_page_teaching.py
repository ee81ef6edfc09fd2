"""A teacher's tools (issue 12): the update rule beside each run with its numbers at the step
shown; the "Make lesson link" dialog and what its link does (locked controls say so when
pressed, hidden ones are gone); present mode's legend, a race card that Basins and the
sweep never push off the screen, and names and values never clipped. At a phone (touch), a
projector and a Chromebook."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import App, Probe

TOUCH = {"has_touch": True, "is_mobile": True}
SIZES = {
    "phone-390x844": {"viewport": {"width": 390, "height": 844}, **TOUCH},
    "projector-1280x720": {"viewport": {"width": 1280, "height": 720}},
    "chromebook-1366x768": {"viewport": {"width": 1366, "height": 768}},
}  # fmt: skip


@pytest.fixture(params=list(SIZES))
def sized(request, browser, server_url):
    context = browser.new_context(**SIZES[request.param])
    page = context.new_page()
    probe = Probe()
    probe.attach(page)
    yield App(page, server_url, probe)
    context.close()
    assert not probe.page_errors, probe.page_errors


def test_the_update_rule_shows_this_steps_numbers(app):
    app.open("?function=rosenbrock&runs=sgd(lr=0.001,momentum=0.9)|adam(lr=0.05)&start=-1.5,2")
    app.wait_race()
    app.js("descent.transport.seek(12)")
    box = app.page.locator("#race-list .rule-at").nth(1)
    box.locator("summary").click()
    app.page.wait_for_timeout(200)
    values = dict(zip(box.locator(".rule-values dt").all_inner_texts(),
                      box.locator(".rule-values dd").all_inner_texts()))  # fmt: skip
    data = app.js("(() => { const d = descent.race.entries[1].data; return {g: d.gradients[11],"
                  " m: d.states.exp_avg[12], p: d.points[11], q: d.points[12]}; })()")  # fmt: skip
    assert values["γ"] == "0.05" and values["β1"] == "0.9" and values["β2"] == "0.999"
    assert values["t"] == "12"

    def numbers(text):
        return [float(v.replace("−", "-")) for v in text.strip("()").split(", ")]

    assert numbers(values["gt"]) == pytest.approx(data["g"], rel=1e-3)
    assert numbers(values["mt"]) == pytest.approx(data["m"], rel=1e-3)
    assert numbers(values["θt-1"]) == pytest.approx(data["p"], rel=1e-3)
    assert box.locator(".rule-step").inner_text() == "at t = 12:"
    line = box.locator(".rule-line").inner_text()
    assert line.startswith("θ12 = θ11 + Δθ") and line.count("(") >= 3
    # The equations are the optimizer's own (GET /api/v1/optimizers), rendered.
    assert "β1 mt-1 + (1 − β1) gt" in box.locator(".rule-lines").inner_text()
    app.js("descent.transport.seek(30)")
    app.page.wait_for_timeout(300)
    assert box.locator(".rule-step").inner_text() == "at t = 30:"


def test_lesson_link_dialog_makes_a_link_that_locks_and_hides(sized):
    app = sized
    app.open("?function=elongated-bowl&start=-1.8,1")
    app.page.locator("#lesson-link").click()
    dialog = app.page.locator("#lesson-dialog")
    assert dialog.is_visible()
    labels = dialog.locator("tbody th").all_inner_texts()
    assert {"Function", "Runs", "Start point", "Gradient noise σ", "Steps"} <= set(labels)
    for name in ("lock-function", "lock-runs", "lock-start", "hide-noise"):
        dialog.locator(f"input[name={name}]").check()
    url = app.page.locator("#lesson-url").input_value()
    query = parse_qs(urlsplit(url).query)
    assert query["lesson"] == ["true"] and query["hide"] == ["noise"]
    assert set(query["lock"][0].split(",")) == {"function", "runs", "start"}
    assert query["function"] == ["elongated-bowl"] and query["start"] == ["-1.8,1"]
    assert app.page.locator("#lesson-open").get_attribute("href") == url
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= app.page.viewport_size["width"]
    dialog.locator("#lesson-close").click()

    app.page.goto(url)
    app.wait("document.body.dataset.ready === 'true'", timeout=20)
    assert app.page.locator("#lesson-badge").is_visible()
    assert not app.page.locator("#noise").is_visible()
    assert app.page.locator("#function").is_disabled()
    assert app.page.locator("#run-list select").first.is_disabled()
    note = app.page.locator("#lock-note")
    assert not note.is_visible()
    target = app.page.locator("[data-control=function]")
    target.scroll_into_view_if_needed()
    b = target.bounding_box()
    if app.page.viewport_size["width"] < 500:
        app.page.touchscreen.tap(b["x"] + b["width"] - 30, b["y"] + b["height"] / 2)
    else:
        app.page.mouse.click(b["x"] + b["width"] - 30, b["y"] + b["height"] / 2)
    app.wait("!document.getElementById('lock-note').hidden", timeout=3)
    assert note.inner_text() == "Locked for this lesson: Function"
    assert app.js("descent.state.function") == "elongated-bowl"


def test_present_mode_keeps_the_race_on_screen_with_a_legend(sized):
    app = sized
    app.open("?function=himmelblau&start=-0.3,-0.9&present=true&basins=true")
    app.wait_race()
    app.page.locator("#sweep-toggle").click()
    app.js("descent.transport.seek(1e9)")
    app.page.wait_for_timeout(500)
    labels = app.js("descent.race.entries.map((e) => e.label)")
    legend = app.page.locator("#loss-legend li")
    assert legend.all_inner_texts() == labels and app.page.locator("#loss-legend").is_visible()
    race = app.page.locator(".race-card")
    top = race.evaluate("e => e.getBoundingClientRect().top")
    if app.page.viewport_size["width"] >= 1000:  # three columns: the race heads its column
        assert top < 120, top
    for other in ("#basins-card", "#sweep-card"):  # on a phone's one column too: race first
        other_top = app.page.locator(other).evaluate("e => e.getBoundingClientRect().top")
        assert other_top > top, other
    clipped = app.js("[...document.querySelectorAll('.race-item strong, .race-item dt,"
                     " .race-item dd, .loss-legend li')].filter((e) => e.scrollWidth >"
                     " e.clientWidth + 1).map((e) => e.textContent)")  # fmt: skip
    assert clipped == []
