"""axe-core (from the npm registry: tools/package.json, installed by `make test`) finds no
serious or critical accessibility violation in any state of the page, at every size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.sized import sized_app, sized_context  # noqa: F401 (fixtures)

AXE = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
SIX_RUNS = (
    "sgd(lr=0.001)|sgd(lr=0.001,momentum=0.9)|rmsprop(lr=0.01)|adam(lr=0.05)"
    "|adagrad(lr=0.5)|adamw(lr=0.1)"
)
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (or `npm ci --prefix tools`) first")
    return AXE.read_text()


def default(app):
    app.open("")


def mid_race(app):
    app.open(f"?function=rosenbrock&start=-1.5,2&runs={SIX_RUNS}&steps=3000")
    app.wait_race()
    app.wait("descent.transport.playing && descent.transport.step > 30")


def three_d(app):
    app.open("?function=rosenbrock&start=-1.5,2&view=3d")
    app.wait("document.querySelector('#landscape .gl-container canvas') !== null", timeout=40)
    app.wait_race()


def basins(app):
    app.open("?function=himmelblau")
    app.page.click("#basins-toggle")
    app.wait("document.getElementById('basins-card').dataset.state === 'ok'", timeout=30)


def sweep(app):
    app.open("?function=rosenbrock&runs=sgd(lr=0.001)&start=-1.5,2")
    app.page.click("#sweep-toggle")
    app.wait("document.getElementById('sweep-card').dataset.state === 'ok'", timeout=30)


def lesson_lock(app):
    app.open("?function=bowl&lesson=1&lock=function,runs,start,view,steps,tol,seed&hide=noise")
    assert app.page.locator(".locked").count() >= 5


def data_fit(app):
    app.open("?function=linreg-dosage&runs=adam(lr=0.05)&start=0,0")
    app.wait("document.getElementById('data-fit').data")
    app.wait_race()


STATES = [default, mid_race, three_d, basins, sweep, lesson_lock, data_fit]


def violations(app) -> list[dict]:
    app.page.evaluate(axe_source())  # CDP evaluation: not blocked by the page's CSP
    found = app.page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, targets: v.nodes.map(n => n.target.join(' '))})))"
    )
    return [v for v in found if v["impact"] in BLOCKING]


@pytest.mark.parametrize("state", STATES, ids=[s.__name__ for s in STATES])
def test_no_serious_or_critical_violations(sized_app, state):  # noqa: F811 (the fixture)
    state(sized_app)
    found = violations(sized_app)
    assert found == [], f"{sized_app.size}, {state.__name__}: {json.dumps(found, indent=1)}"


def test_axe_does_find_a_violation_when_there_is_one(app):
    # The check is live: a control without a name is reported (then removed again).
    app.open("")
    app.js("document.body.insertAdjacentHTML('beforeend', '<button id=\"nameless\"></button>')")
    ids = [v["id"] for v in violations(app)]
    assert "button-name" in ids, ids
