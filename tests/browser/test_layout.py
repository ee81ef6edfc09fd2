"""The page at classroom sizes: a phone (touch), a projector and a Chromebook, plus the
narrowest supported width and a phone on its side. No horizontal scrolling (of the page or
of a panel), every control
at least 24×24 px (with its label, as WCAG 2.5.8 counts it), visible and not covered, and
nothing moves when play starts or stops."""

from __future__ import annotations

import pytest
from conftest import App, Probe

TOUCH = {"has_touch": True, "is_mobile": True}
SIZES = {
    "phone-390x844": {"viewport": {"width": 390, "height": 844}, **TOUCH},
    "phone-landscape-844x390": {"viewport": {"width": 844, "height": 390}, **TOUCH},
    "narrow-360x740": {"viewport": {"width": 360, "height": 740}, **TOUCH},
    "projector-1024x768": {"viewport": {"width": 1024, "height": 768}},
    "laptop-1100x700": {"viewport": {"width": 1100, "height": 700}},
    "projector-1280x720": {"viewport": {"width": 1280, "height": 720}},
    "chromebook-1366x768": {"viewport": {"width": 1366, "height": 768}},
}

# Every interactive element outside Plotly's own graphs, with its target box (its <label>
# when it sits inside one), and whether something else is drawn over its centre.
CONTROLS = """(() => {
  for (const d of document.querySelectorAll('#run-list details')) d.open = true;
  const out = [];
  const sel = 'button, select, input, textarea, summary, a[href], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[hidden], .plot, template, .visually-hidden')) continue;
    if (el.classList.contains('visually-hidden') || !el.checkVisibility()) continue;
    const target = el.closest('label') || el;
    target.scrollIntoView({block: 'center', inline: 'center'});
    const r = target.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const hit = document.elementFromPoint(cx, cy);
    const labelled = el.labels && [...el.labels].some((l) => l.contains(hit));
    const ok = hit && (target.contains(hit) || hit === target || labelled);
    out.push({id: el.id || el.className || el.tagName, tag: el.tagName, w: r.width, h: r.height,
              covered: !ok, by: hit ? (hit.id || hit.className || hit.tagName) : null});
  }
  window.scrollTo(0, 0);
  return out;
})()"""

# Panels that scroll sideways: their content is wider than they are, so the right edge of
# it (a run card's remove button, once) is cut off until the panel is scrolled.
SIDEWAYS = """[...document.querySelectorAll('body *')].filter((el) =>
  !el.closest('.plot') && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
  && el.checkVisibility() && el.scrollWidth > el.clientWidth + 1
).map((el) => `${el.id || el.className} ${el.scrollWidth} > ${el.clientWidth}`)"""

BOXES = """(() => Object.fromEntries(['landscape-wrap', 'loss-wrap', 'scrubber', 'reset', 'speed',
  'copy-link', 'run-list'].map((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return [id, [r.left + scrollX, r.top + scrollY, r.width, r.height].map(Math.round)];
})))()"""


# The top bar's controls, each as its target box (a radio's <label>), the lesson badge too:
# none may overlap another or leave the window. The Function label that compact rows keep
# only for screen readers (a 1 px box) is no target.
HEADER = """(() => {
  const boxes = [];
  const sel = '.topbar :is(button, select, input, a[href], .lesson-badge)';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[hidden]') || !el.checkVisibility()) continue;
    const r = (el.closest('label') || el).getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const id = el.id || el.value || el.className;
    boxes.push({id, l: r.left, r: r.right, t: r.top, b: r.bottom});
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const across = Math.min(a.r, b.r) - Math.max(a.l, b.l);
    const down = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (across > 0.5 && down > 0.5)
      overlaps.push(`${a.id} × ${b.id}`);
  }
  const outside = boxes.filter((b) => b.l < 0 || b.r > innerWidth + 0.5).map((b) => b.id);
  const scroll = document.documentElement.scrollWidth;
  return {scroll, inner: innerWidth, n: boxes.length, overlaps, outside};
})()"""

# Every 40 px from the narrowest supported width to a wide desktop (the one-column layout, the
# 1001–1199 px compact row, the 1250/1365/1419 px steps), and a phone on its side.
SWEEP = [(w, 720) for w in range(360, 1481, 40)] + [(1001, 720), (1199, 720), (844, 390)]
SWEPT_PAGES = {
    "default": "?function=rosenbrock&start=-1.5,2&steps=50",
    "lesson-link": (
        "?function=himmelblau&start=-0.3,-0.9&lesson=true&lock=function,runs,start&hide=noise"
    ),
    "lesson-present": "?function=himmelblau&lesson=true&present=true",
    "graph-tab": "?tab=graph&lesson=true",
    "network-tab": "?tab=network",
}


@pytest.mark.parametrize("query", list(SWEPT_PAGES.values()), ids=list(SWEPT_PAGES))
def test_width_sweep_no_sideways_scroll_and_header_controls_apart(browser, server_url, query):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    probe = Probe()
    page = context.new_page()
    probe.attach(page)
    app = App(page, server_url, probe).open(query)
    failures = []
    for width, height in SWEEP:
        page.set_viewport_size({"width": width, "height": height})
        got = app.js("new Promise((done) => requestAnimationFrame(() => done(" + HEADER + ")))")
        assert got["n"] >= 4, got  # the sweep looked at a real header, not an empty one
        if got["scroll"] > got["inner"] or got["overlaps"] or got["outside"]:
            failures.append((width, height, got))
    context.close()
    assert failures == []
    assert not probe.page_errors


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def sized(request, browser, server_url):
    context = browser.new_context(**SIZES[request.param])
    page = context.new_page()
    probe = Probe()
    probe.attach(page)
    yield App(page, server_url, probe)
    context.close()
    assert not probe.page_errors


def test_no_horizontal_scroll_and_every_control_usable(sized):
    sized.open("?function=rosenbrock&start=-1.5,2&steps=50")
    sized.wait_race()
    widths = sized.js("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"horizontal scrolling: {widths}"
    assert sized.js(SIDEWAYS) == []
    controls = sized.js(CONTROLS)
    assert len(controls) > 20
    small = [f"{c['id']} {c['w']:.0f}×{c['h']:.0f}" for c in controls if c["w"] < 24 or c["h"] < 24]
    assert small == []
    covered = [f"{c['id']} under {c['by']}" for c in controls if c["covered"]]
    assert covered == []


def test_nothing_moves_when_play_starts_or_stops(sized):
    sized.open("?function=rosenbrock&start=-1.5,2&steps=3000&speed=0.25")
    sized.wait_race()
    sized.page.click("#reset")
    before = sized.js(BOXES)
    sized.page.click("#play")
    sized.wait("window.descent.transport.playing && window.descent.transport.step > 2")
    assert sized.js(BOXES) == before
    sized.page.click("#play")
    sized.wait("!window.descent.transport.playing")
    assert sized.js(BOXES) == before


def test_a_phone_can_change_an_optimizer_and_its_learning_rate(browser, server_url):
    context = browser.new_context(**SIZES["phone-390x844"])
    page = context.new_page()
    app = App(page, server_url, Probe())
    app.open("?function=bowl&runs=sgd(lr=0.01)&start=1.5,1.2&steps=50")
    app.wait_race()
    page.locator("#run-list .run-optimizer").first.select_option("adam")
    lr = page.locator('#run-list [data-param="lr"] input.param-number').first
    lr.tap()
    lr.fill("0.2")
    lr.dispatch_event("change")
    app.wait(
        "window.descent.race.loaded && "
        "window.descent.race.entries[0].label.startsWith('Adam lr=0.2')"
    )
    assert "adam(lr=0.2)" in page.url
    context.close()
