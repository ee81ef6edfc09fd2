"""Fair race (#15): one click tunes each run's lr on the landscape and start, criterion shown."""

from __future__ import annotations

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
