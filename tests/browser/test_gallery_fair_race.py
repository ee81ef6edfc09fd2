"""Fair race (#15): one click tunes each run's lr on the landscape and start, criterion shown."""

from __future__ import annotations

import json

import pytest

RACE = "?function=rosenbrock&runs=sgd(lr=0.0001)|adam(lr=0.0001)&start=-1.5,2&steps=300"


def _best(lrs, losses):
    """The test's own reading of the criterion: lowest final loss, ties to the smaller lr."""
    best = None
    for lr, loss in sorted(zip(lrs, losses, strict=True)):
        if loss is None:
            continue
        if best is None or loss < best[1] - 1e-9 * max(1, abs(best[1])):
            best = (lr, loss)
    return best


def test_fair_race_tunes_every_run_and_says_how(app):
    app.open(RACE)
    app.wait_race()
    bodies = []
    keep = lambda r: bodies.append(r.post_data_json) if "/sweeps" in r.url else None  # noqa: E731
    app.page.on("request", keep)
    app.page.locator("#fair-race").click()
    app.wait("document.getElementById('fair-summary').dataset.state === 'ok'", timeout=30)
    summary = app.page.locator("#fair-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "lowest final loss after 300 steps" in text
    assert "ties go to the smaller lr" in text
    assert "log grid" in text
    # One sweep per run, each on the same landscape, start, steps and log grid.
    assert len(bodies) == 2
    assert {b["optimizer"]["name"] for b in bodies} == {"sgd", "adam"}
    for body in bodies:
        assert body["function"] == "rosenbrock" and body["start"] == [-1.5, 2]
        assert body["steps"] == 300 and "lr" not in body["optimizer"]
        assert body["lr"]["min"] < body["lr"]["max"] and body["lr"]["count"] > 10
    # Each run got its sweep's winner, and the race reran with it.
    chosen = {}
    for body in bodies:  # the same sweep again (deterministic), read by the test's own rule
        out = app.page.request.post(f"{app.base_url}/api/v1/sweeps", data=body).json()
        chosen[body["optimizer"]["name"]] = _best(out["lrs"], out["final_loss"][0])
    app.wait("descent.race && descent.race.entries[1].run.params.lr !== 0.0001")
    app.wait_race()
    lrs = app.js("descent.state.runs.map((r) => [r.optimizer, r.params.lr])")
    for name, lr in lrs:
        assert lr == chosen[name][0], (name, lr, chosen[name])
    losses = app.js("descent.race.entries.map((e) => e.data.losses.at(-1))")
    for (name, _), loss in zip(lrs, losses, strict=True):
        assert abs(loss - chosen[name][1]) <= 1e-9 * max(1, abs(loss)), (name, loss, chosen[name])
    assert app.probe.console_errors == []


def test_best_lr_ties_go_to_the_smaller_lr(app):
    app.open("?function=bowl")
    picks = app.js(
        "import('/static/js/fair.js').then(({ bestLr }) => ["
        " bestLr([0.1, 0.01, 1], [1e-17, 1e-17, null]),"
        " bestLr([0.1, 0.01], [0.5, 0.7]),"
        " bestLr([1, 2], [null, null])])"
    )
    assert picks[0] == {"lr": 0.01, "loss": 1e-17}
    assert picks[1] == {"lr": 0.1, "loss": 0.5}
    assert picks[2] is None


STEP = {"name": "StepLR", "step_size": 100, "gamma": 0.1}
OWN = {"name": "ExponentialLR", "gamma": 0.99}


def _posts(app, path: str) -> list[dict]:
    bodies: list[dict] = []
    keep = lambda r: bodies.append(r.post_data_json) if r.url.endswith(path) else None  # noqa: E731
    app.page.on("request", keep)
    return bodies


def test_fair_race_tunes_under_the_schedule_each_run_races_with(app):
    # sgd follows the link's page-wide StepLR; adam has its own ExponentialLR (`@{json}`).
    own = json.dumps(OWN, separators=(",", ":"))
    app.open("?function=rosenbrock&runs=sgd(lr=0.0001)|adam(lr=0.0001)@" + own
             + "&start=-1.5,2&steps=300&schedule=StepLR(step_size=100,gamma=0.1)")
    app.wait_race()
    bodies = _posts(app, "/api/v1/sweeps")
    app.page.locator("#fair-race").click()
    app.wait("document.getElementById('fair-summary').dataset.state === 'ok'", timeout=30)
    assert "tuned under it" in app.page.locator("#fair-summary").inner_text()
    by_name = {b["optimizer"]["name"]: b for b in bodies}
    assert by_name["sgd"]["scheduler"] == STEP and by_name["adam"]["scheduler"] == OWN
    # Each run gets its scheduled sweep's winner (the test's own rule) and races it scheduled,
    # ending at the scheduled sweep's loss, not at the loss the same lr has without the schedule.
    def best(body):
        out = app.page.request.post(f"{app.base_url}/api/v1/sweeps", data=body).json()
        return _best(out["lrs"], out["final_loss"][0])

    chosen = {name: best(body) for name, body in by_name.items()}
    app.wait("descent.race && descent.race.entries[1].run.params.lr !== 0.0001")
    app.wait_race()
    tuned = app.js("descent.state.runs.map((r) => r.params.lr)")
    assert tuned == [chosen["sgd"][0], chosen["adam"][0]]
    losses = app.js("descent.race.entries.map((e) => e.data.losses.at(-1))")
    for (name, (_, loss)), raced in zip(chosen.items(), losses, strict=True):
        assert raced == pytest.approx(loss, rel=1e-9), name
        plain = {k: v for k, v in by_name[name].items() if k != "scheduler"}
        plain["lr"] = {"min": chosen[name][0], "max": chosen[name][0], "count": 1}
        unscheduled = app.page.request.post(f"{app.base_url}/api/v1/sweeps", data=plain).json()
        assert unscheduled["final_loss"][0][0] != pytest.approx(loss, rel=1e-3), name
    lrs = app.js("descent.race.entries.map((e) => e.data.lrs)")
    assert lrs[0][99] == chosen["sgd"][0] and lrs[0][100] == pytest.approx(chosen["sgd"][0] * 0.1)
    assert lrs[1][1] == pytest.approx(chosen["adam"][0] * 0.99)
    assert app.probe.console_errors == []


def test_basins_and_the_sweep_chart_send_the_runs_schedule(app):
    bodies = {"basins": _posts(app, "/api/v1/basins"), "sweeps": _posts(app, "/api/v1/sweeps")}
    app.open("?function=himmelblau&runs=sgd(lr=0.01)&start=-0.3,-0.9&steps=60"
             "&schedule=StepLR(step_size=100,gamma=0.1)&basins=true")
    app.wait_race()
    app.wait("document.querySelectorAll('#basins-list li').length > 0", timeout=30)
    app.page.click("#sweep-toggle")
    app.wait("document.getElementById('sweep-card').dataset.state === 'ok'", timeout=30)
    for route, sent in bodies.items():
        assert sent and all(b["scheduler"] == STEP for b in sent), (route, sent)
    # Without a schedule, no `scheduler` is sent (the API's default: a constant lr).
    app.open("?function=himmelblau&runs=sgd(lr=0.01)&start=-0.3,-0.9&steps=60&basins=true")
    app.wait("document.querySelectorAll('#basins-list li').length > 0", timeout=30)
    assert "scheduler" not in bodies["basins"][-1]
