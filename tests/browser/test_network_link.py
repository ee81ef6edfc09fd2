"""The network lesson's settings are in the link (#15's network preset): set every control as a
person would, copy the link, open it in a fresh page, and the same lesson races again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.browser.conftest import App, Probe
from tests.browser.test_network_page import LESSON, READY

CONTROLS = [
    "net-data",
    "net-hidden",
    "net-activation",
    "net-steps",
    "net-directions",
    "net-follow",
    *(f"net-{what}-{run}" for run in "AB" for what in ("opt", "lr", "batch")),
]


def _controls(page) -> dict:
    return {c: page.locator(f"#{c}").input_value() for c in CONTROLS}


def _batches(page) -> list[dict]:
    bodies: list[dict] = []
    keep = lambda r: r.url.endswith("/batch") and bodies.append(r.post_data_json)  # noqa: E731
    page.on("request", keep)
    return bodies


def test_every_control_is_in_the_link_and_the_link_reopens_the_same_lesson(app, shared_context):
    app.page.goto(f"{app.base_url}/?tab=network")
    app.wait(READY, timeout=60)
    assert "net=" not in app.page.url  # defaults stay out of the link
    page = app.page
    page.locator("#net-data").select_option("xor")
    page.locator("#net-hidden").fill("6, 4")
    page.locator("#net-hidden").dispatch_event("change")
    page.locator("#net-activation").select_option("relu")
    page.locator("#net-opt-B").select_option("rmsprop")
    page.locator("#net-lr-B").fill("0.01")
    page.locator("#net-lr-B").dispatch_event("change")
    page.locator("#net-batch-B").select_option("16")
    page.locator("#net-steps").fill("120")
    page.locator("#net-steps").dispatch_event("change")
    app.wait(READY, timeout=60)
    page.locator("#net-directions").select_option("pca")
    app.wait(f"{READY} && {LESSON}.slice.explained", timeout=60)
    page.locator("#net-centre-b").click()
    app.wait(f"{READY} && {LESSON}.slice.center[0] === {LESSON}.runs[1].result.points.at(-1)[0]",
             timeout=60)  # fmt: skip
    page.locator("#net-follow").select_option("B")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert query["tab"] == "network" and query["net"] == "xor" and query["nethidden"] == "6,4"
    assert query["netact"] == "relu" and query["netsteps"] == "120" and query["netdir"] == "pca"
    assert query["netruns"] == "adam(lr=0.02)|rmsprop(lr=0.01,batch=16)"
    assert query["netcentre"] == "B" and query["netfollow"] == "B"
    shown = _controls(page)
    centre = app.js(f"{LESSON}.slice.center")
    final = app.js(f"{LESSON}.runs.map((r) => r.result.losses.at(-1))")

    other = shared_context.new_page()
    try:
        bodies = _batches(other)
        other.goto(page.url)
        App(other, app.base_url, Probe()).wait(READY, timeout=60)
        assert _controls(other) == shown
        (race,) = bodies  # one race, from torch's initialisation, with the link's runs
        runs = race["runs"]
        optimizers = [r["optimizer"] for r in runs]
        assert optimizers == [{"name": "adam", "lr": 0.02}, {"name": "rmsprop", "lr": 0.01}]
        assert [r.get("batch_size") for r in runs] == [None, 16]
        assert {r["steps"] for r in runs} == {120}
        network = runs[0]["function"]["network"]
        assert network == {"layers": [2, 6, 4, 1], "activation": "relu", "loss": "bce"}
        assert other.evaluate(f"{LESSON}.runs.map((r) => r.result.losses.at(-1))") == final
        assert other.evaluate(f"{LESSON}.slice.center") == centre  # centred on B's end again
        assert other.evaluate(f"{LESSON}.slice.explained") is not None
    finally:
        other.close()


def test_new_directions_are_in_the_link(app):
    app.page.goto(f"{app.base_url}/?tab=network&netseed=3")
    app.wait(READY, timeout=60)
    first = app.js(f"{LESSON}.slice.directions[0][0]")
    app.page.locator("#net-redraw").click()
    app.wait(f"{READY} && {LESSON}.slice.directions[0][0] !== {first}", timeout=60)
    assert "netseed=4" in app.page.url
    # the setting stays in the link on another tab, as the graph's expression does
    app.page.locator("#tab").select_option("landscape")
    app.wait("!location.search.includes('tab=')")
    assert "netseed=4" in app.page.url


def test_a_bad_network_link_keeps_the_defaults(app):
    app.page.goto(
        f"{app.base_url}/?tab=network&netruns=adam(lr=-1)|sgd(lr=0.5)&netsteps=5000&net=moons"
    )
    app.wait(READY, timeout=60)
    assert app.page.locator("#net-data").input_value() == "circle"
    assert app.page.locator("#net-steps").input_value() == "300"
    assert app.page.locator("#net-lr-A").input_value() == "0.02"
    assert app.page.locator("#net-error").is_hidden()


def test_the_network_preset_with_its_card_has_no_serious_accessibility_violation(app):
    from tests.browser.test_a11y import violations  # axe-core, as every other state is checked

    app.page.goto(f"{app.base_url}/?tab=network&net=spiral&gallery=network-spiral")
    app.wait(READY, timeout=60)
    assert app.page.locator("#network-view > #gallery-card").is_visible()
    assert violations(app) == []


def test_a_presets_card_shows_on_its_own_tab_only(app):
    app.open("?function=bowl&gallery=lr-too-small")
    card = app.page.locator("#gallery-card")
    assert card.is_visible()
    app.page.locator("#tab").select_option("network")
    app.wait(READY, timeout=60)
    assert card.is_hidden()  # a landscape lesson's card does not explain the network
    app.page.goto(f"{app.base_url}/?tab=network&net=spiral&gallery=network-spiral")
    app.wait(READY, timeout=60)
    assert app.page.locator("#network-view > #gallery-card").is_visible()
    app.page.locator("#tab").select_option("landscape")
    app.wait("document.body.dataset.tab === 'landscape'")
    assert card.is_hidden()


def test_the_steps_input_takes_the_limits_the_link_takes(app):
    """netspec.js's NET_STEPS is the one definition: the input's min/max are the link's."""
    app.page.goto(f"{app.base_url}/?tab=network&netsteps=1")
    app.wait(READY, timeout=60)
    steps = app.page.locator("#net-steps")
    limits = app.page.evaluate("import('/static/js/netspec.js').then((m) => m.NET_STEPS)")
    assert limits["min"] == 1  # the link accepts 1 step (state.js checks the same NET_STEPS)
    assert steps.get_attribute("min") == str(limits["min"])
    assert steps.get_attribute("max") == str(limits["max"])
    assert steps.input_value() == "1" and "netsteps=1" in app.page.url
    assert steps.evaluate("(e) => e.validity.valid")  # 1 step is a valid input, as in the link
    steps.fill(str(limits["max"] + 1))
    assert not steps.evaluate("(e) => e.validity.valid")  # past the limit: the input says so too
