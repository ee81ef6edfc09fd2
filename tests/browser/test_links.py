"""Shared links: every option of every optimizer, set in the run editor as a person would,
survives Copy link → open, and the opened race runs it without an error. The cases come from
the optimizer registry, so a new optimizer or option is tested without editing this file."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.main import app as server

# The registry as the page reads it (GET /api/v1/optimizers), not the engine's internals.
REGISTRY = TestClient(server).get("/api/v1/optimizers").json()["optimizers"]
OPTIONS = [(o["name"], p) for o in REGISTRY for p in o["params"]]


def other_value(p: dict):
    """A valid value away from the default, from the registry's own range."""
    d = p["default"]
    if p["kind"] == "choice":  # L-BFGS's line_search_fn
        return next(c for c in p["choices"] if c != d)
    if p["kind"] == "int":  # L-BFGS's max_iter, max_eval (None: max_iter · 5/4), history_size
        return 10 if d is None else max(int(p["min"] or 1), d // 2)
    if p["kind"] == "bool":
        return not d
    if p["kind"] == "pair":  # Adafactor's eps keeps its None (the dtype's eps)
        return [v if v is None else round(v * 0.9, 6) for v in d]
    if d == 0:
        top = p["max"] if p["max"] is not None else 1.0
        return round(min(0.5, top * 0.5), 6)
    if p["min"] is not None and d * 0.5 < p["min"]:  # e.g. Adafactor's d ≥ 1
        return round(d * 1.5, 12)
    return round(d * 0.5, 12)


def set_option(app, p: dict, value) -> None:
    card = app.page.locator("#run-list .run-card").first
    row = card.locator(f'[data-param="{p["name"]}"]')
    if p["name"] != "lr":
        card.locator("details.run-more > summary").click()
    if p["kind"] == "bool":
        row.locator("input[type=checkbox]").set_checked(value)
    elif p["kind"] == "choice":
        row.locator("select").select_option("" if value is None else value)
    elif p["kind"] == "pair":
        for i, v in enumerate(value):
            row.locator("input[type=text]").nth(i).fill(str(v))
            row.locator("input[type=text]").nth(i).dispatch_event("change")
    else:
        row.locator("input.param-number").fill(str(value))
        row.locator("input.param-number").dispatch_event("change")


def share_and_reopen(app) -> None:
    """Copy link, then open that link in the same tab as a student would, and let it race."""
    app.page.click("#copy-link")
    link = app.wait(
        "(() => { const t = document.getElementById('copy-status').textContent;"
        " return t && location.href; })()"
    )
    app.page.goto("about:blank")
    app.page.goto(link)
    app.wait("document.body.dataset.ready === 'true'", timeout=20)
    app.wait_race()


@pytest.mark.parametrize(
    ("optimizer", "param"), OPTIONS, ids=[f"{o}-{p['name']}" for o, p in OPTIONS]
)
def test_every_optimizer_option_survives_a_shared_link(app, optimizer, param):
    # torch refuses nesterov without momentum: give it some, as a person would first.
    before = "momentum=0.9," if param["name"] == "nesterov" else ""
    app.open(f"?function=bowl&runs={optimizer}({before}lr=0.01)&steps=20&start=1,1")
    app.wait_race()
    value = other_value(param)
    set_option(app, param, value)
    app.wait(
        "window.descent.race && window.descent.race.loaded && "
        f"JSON.stringify(window.descent.state.runs[0].params[{param['name']!r}]) === "
        f"JSON.stringify({json.dumps(value)})"
    )
    share_and_reopen(app)
    got = app.js(f"window.descent.state.runs[0].params[{param['name']!r}]")
    # JavaScript has one number type: 5e5 comes back as 500000; a flag must stay a flag.
    assert got == value and isinstance(got, bool) == isinstance(value, bool)
    errors = app.js("window.descent.race.entries.map(e => e.error)")
    assert errors == [None]
    assert app.page.locator("#plot-message").is_hidden()


def test_an_old_link_with_a_numeric_boolean_still_works(app):
    app.open("?function=bowl&runs=sgd(lr=0.01,momentum=0.9,nesterov=1)&steps=20&start=1,1")
    app.wait_race()
    assert app.js("window.descent.state.runs[0].params.nesterov") is True
    assert app.js("window.descent.race.entries[0].error") is None
    assert "nesterov=true" in app.page.url


def test_a_runs_own_schedule_survives_a_shared_link_and_reaches_the_api(app):
    nested = {
        "name": "SequentialLR",
        "schedulers": [{"name": "LinearLR", "start_factor": 0.5, "total_iters": 5},
                       {"name": "ExponentialLR", "gamma": 0.9}],
        "milestones": [5],
    }
    runs = f"adam(lr=0.05)@{json.dumps(nested, separators=(',', ':'))}|sgd(lr=0.01)"
    app.open(f"?function=bowl&runs={runs}&steps=20&start=1,1")
    app.wait_race()
    assert app.js("window.descent.state.runs[0].scheduler") == nested
    assert app.js("window.descent.state.runs[1].scheduler") is None
    lrs = app.js("window.descent.race.entries.map(e => e.data.lrs || null)")
    # LinearLR's first five steps at half the lr and rising, then ×0.9 per step; sgd unscheduled.
    assert lrs[0][0] == 0.025 and lrs[0][5] == 0.05 and lrs[0][6] < 0.05
    assert lrs[1] is None or set(lrs[1]) == {0.01}
    share_and_reopen(app)
    assert app.js("window.descent.state.runs[0].scheduler") == nested
    assert app.js("window.descent.race.entries.map(e => e.error)") == [None, None]
