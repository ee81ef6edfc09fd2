"""Each function opens with its own story (issue 12): the record's runs, steps and start, its
"try this" prompt, and its colour bands; the default races' outcomes are checked at engine
level (tests/engine/test_stories.py), here that the page is told and shows the same thing."""

from __future__ import annotations

import json
import urllib.request

import pytest


@pytest.fixture(scope="module")
def catalog(server_url) -> list[dict]:
    with urllib.request.urlopen(f"{server_url}/api/v1/functions") as response:
        return json.load(response)["functions"]


def story_runs(info: dict) -> list[list]:
    return [[{k: v for k, v in r["optimizer"].items() if k != "name"}, r["optimizer"]["name"]]
            for r in info["story"]["runs"]]  # fmt: skip


def test_choosing_each_function_races_its_story(app, catalog):
    app.open("?function=bowl")
    for info in catalog:
        app.page.select_option("#function", info["id"])
        app.wait(f"window.descent.app.fn && window.descent.app.fn.id === '{info['id']}'")
        app.wait_race(30)
        state = app.js("({runs: descent.state.runs.map((r) => [r.params, r.optimizer]),"
                       " steps: descent.state.steps, start: descent.state.start})")  # fmt: skip
        assert state["runs"] == story_runs(info), info["id"]
        assert state["steps"] == info["story"]["steps"], info["id"]
        assert state["start"] == info["start"], info["id"]
        prompt = app.page.locator("#function-prompt")
        assert prompt.is_visible() and prompt.inner_text() == info["story"]["prompt"], info["id"]
        assert app.page.locator("#steps").input_value() == str(info["story"]["steps"])
        if info["dims"] == 2:  # the record's equal colour bands, lowest to highest value
            contour = app.js("(() => { const t = document.getElementById('landscape').data[0];"
                             " return {auto: t.autocontour, c: t.contours}; })()")  # fmt: skip
            assert contour["auto"] is False, info["id"]
            c = contour["c"]
            levels = (c["end"] - c["start"]) / c["size"]
            assert levels == pytest.approx(info["story"]["levels"]), info["id"]


def test_a_link_without_runs_opens_the_story_and_a_link_with_runs_keeps_them(app, catalog):
    info = next(f for f in catalog if f["id"] == "three-hump-camel")
    app.open("?function=three-hump-camel&start=-2.5,2")
    app.wait_race(30)
    assert app.js("descent.state.runs.map((r) => [r.params, r.optimizer])") == story_runs(info)
    app.js("window.descent.transport.seek(1e9)")
    app.wait("descent.transport.step > 300")
    app.page.wait_for_timeout(300)
    statuses = app.statuses()
    assert "converged" in statuses[1] and "local minimum" in statuses[2]  # momentum clears it
    app.open("?function=three-hump-camel&runs=adam(lr=0.3)&steps=200&start=-2.5,2")
    app.wait_race(30)
    assert app.js("descent.state.runs.map((r) => [r.params, r.optimizer])") == [
        [{"lr": 0.3}, "adam"]
    ]
    assert app.js("descent.state.steps") == 200
    # Steps are always in the link: a story's 1000 must not come back when 500 was chosen.
    app.open("?function=rosenbrock&steps=500")
    assert app.js("descent.state.steps") == 500 and "steps=500" in app.page.url


def test_levi_is_drawn_on_its_records_finer_grid(app, catalog):
    info = next(f for f in catalog if f["id"] == "levi")
    app.open("?function=levi")
    assert (
        app.js("document.getElementById('landscape').data[0].x.length")
        == (info["story"]["resolution"])
    )
