"""The race card's download buttons: CSV, JSON and an offline HTML page of the race."""

from __future__ import annotations

import csv
import io
import json

RACE = "?function=rosenbrock&runs=adam(lr=0.05)|sgd(lr=0.001,momentum=0.9)&start=-1.5,2&steps=300"


def saved(app, label: str):
    with app.page.expect_download() as info:
        app.page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    return download.suggested_filename, open(download.path(), encoding="utf-8").read()


def test_buttons_appear_once_the_race_is_in(app):
    app.open("?function=rosenbrock")
    assert app.page.locator("#race-downloads").is_hidden()
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-downloads').hidden")


def test_csv_has_every_runs_points_as_the_race_shows_them(app):
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-downloads').hidden")
    name, text = saved(app, "CSV")
    assert name == "descent-race-rosenbrock.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:7] == ["run", "optimizer", "step", "x", "y", "loss", "grad_norm"]
    shown = app.js("descent.race.entries.map(e => e.data.losses)")
    for run, losses in enumerate(shown):
        assert [float(r["loss"]) for r in rows if r["run"] == str(run)] == losses
    assert {r["optimizer"] for r in rows} == {"adam(lr=0.05)", "sgd(lr=0.001,momentum=0.9)"}


def test_json_is_the_apis_batch_answer(app):
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-downloads').hidden")
    _, text = saved(app, "JSON")
    results = json.loads(text)["results"]
    assert [r["optimizer"]["name"] for r in results] == ["adam", "sgd"]
    assert results[0]["points"][0] == [-1.5, 2.0] and len(results[0]["points"]) == 301


def test_offline_html_opens_without_a_server_and_plays(app, browser):
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-downloads').hidden")
    name, html = saved(app, "Offline HTML")
    assert name.endswith(".html") and "<script src=" not in html
    context = browser.new_context(offline=True)  # no network at all
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_content(html, wait_until="load")
        page.wait_for_function("document.querySelector('.plotly-graph-div')?._transitionData")
        frames = page.evaluate(
            "document.querySelector('.plotly-graph-div')._transitionData._frames.length"
        )
        assert frames == 60 and errors == []
        assert page.get_by_text("▶ Play").count() == 1
    finally:
        context.close()
