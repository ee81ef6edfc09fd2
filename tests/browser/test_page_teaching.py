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


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])  # fmt: skip


# The legend above the plot's data area, which has been laid out again under it.
SETTLED = """(() => {
  const l = document.getElementById('loss-legend').getBoundingClientRect();
  const a = document.querySelector('#loss-curve .nsewdrag').getBoundingClientRect();
  return l.bottom <= a.top && a.height >= 100;
})()"""


def test_the_present_legend_never_covers_the_loss_curves(sized):
    """The legend sits in a top margin reserved for it, off the plot's data area: opened in
    present mode, and turned on by the button after a race (four runs, so it wraps on a phone)."""
    app = sized
    runs = "sgd(lr=0.01)|sgd(lr=0.01,momentum=0.9)|rmsprop(lr=0.05)|adam(lr=0.1)"
    for query, press in ((f"&runs={runs}&present=true", False), (f"&runs={runs}", True)):
        app.open(f"?function=himmelblau&start=-0.3,-0.9{query}")
        app.wait_race()
        if press:
            app.page.locator("#present-toggle").click()
        app.js("descent.transport.seek(1e9)")
        legend = app.page.locator("#loss-legend")
        legend.wait_for(state="visible")
        area = app.page.locator("#loss-curve .nsewdrag").first
        app.wait(SETTLED, timeout=5)
        legend_box, area_box = legend.bounding_box(), area.bounding_box()
        assert app.page.locator("#loss-legend li").count() == 4
        assert not _overlap(legend_box, area_box), (legend_box, area_box)
        assert area_box["height"] >= 100, area_box  # the curves keep a readable height
        canvas = app.page.locator("#loss-overlay").bounding_box()  # the curves' canvas, too
        assert not _overlap(legend_box, canvas), (legend_box, canvas)


def test_the_lesson_badge_sits_in_the_header_row(sized):
    app = sized
    app.open(
        "?function=elongated-bowl&start=-1.8,1&lesson=true&lock=function,runs,start&hide=noise"
    )
    badge = app.page.locator("#lesson-badge")
    assert badge.is_visible()
    box = badge.bounding_box()
    header = app.page.locator("header.topbar").bounding_box()
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    assert 0 <= box["x"] and box["x"] + box["width"] <= app.page.viewport_size["width"]
    for card in app.page.locator(".card:visible").all():
        assert not _overlap(box, card.bounding_box()), card.get_attribute("id")
    if app.page.viewport_size["width"] > 1000:  # one row: beside the buttons, not under them
        for button in ("#present-toggle", "#copy-link", "#sweep-toggle"):
            other = app.page.locator(button).bounding_box()
            assert not _overlap(box, other), button
            assert abs((other["y"] + other["height"] / 2) - (box["y"] + box["height"] / 2)) < 4
    assert app.js("document.documentElement.scrollWidth <= window.innerWidth")
