"""The lesson gallery (#15): every preset opens, runs without error and does what its text says."""

from __future__ import annotations

import pytest

DATA = "/static/js/gallery-data.js"


@pytest.fixture(scope="module")
def lessons(shared_context, server_url) -> list[dict]:
    page = shared_context.new_page()
    page.goto(f"{server_url}/?function=bowl")
    found = page.evaluate(f"import('{DATA}').then((m) => JSON.parse(JSON.stringify(m.LESSONS)))")
    page.close()
    return found


def test_gallery_has_ten_presets_covering_the_issue(lessons):
    assert len(lessons) >= 10
    ids = {lesson["id"] for lesson in lessons}
    assert len(ids) == len(lessons)
    for lesson in lessons:
        assert lesson["title"] and lesson["level"] in {"beginner", "intermediate", "advanced"}
        expect = lesson["expect"]
        assert len(lesson["text"]) > 80 and lesson["next"]
        assert expect.get("statuses") or expect.get("network"), lesson["id"]  # a claim to check
    queries = [dict(p.split("=", 1) for p in lesson["query"].split("&")) for lesson in lessons]
    functions = [query.get("function") for query in queries]
    for needed in ["bowl", "elongated-bowl", "rosenbrock", "rastrigin", "himmelblau", "saddle",
                   "hours-points", "linreg-dosage"]:  # fmt: skip
        assert needed in functions
    assert functions.count("bowl") >= 3  # too small, right, too large
    assert any("schedule" in query for query in queries)  # a learning-rate schedule
    assert any(query.get("tab") == "network" for query in queries)  # a neural network


def _final(app, run: int) -> tuple[list[float], float]:
    return app.js(
        f"(() => {{ const d = descent.race.entries[{run}].data;"
        " return [d.points.at(-1), d.losses.at(-1)]; })()"
    )


def _opened(app, lesson) -> None:
    """The preset's card explains it, and the page's link keeps it and its state (shareable)."""
    where = lesson["id"]
    assert app.page.locator("#gallery-card").is_visible(), where
    assert app.page.locator("#gallery-title").inner_text() == lesson["title"], where
    assert app.page.locator("#gallery-next").inner_text() == lesson["next"], where
    assert f"gallery={lesson['id']}" in app.page.url, where
    link = app.js("location.search")
    for pair in lesson["query"].split("&"):
        assert pair in link, (where, pair, link)


NETWORK = "window.descent.network"
NETWORK_READY = f"{NETWORK} && {NETWORK}.ready && {NETWORK}.slice && {NETWORK}.runs.length === 2"


def _network_claim(app, lesson) -> None:
    """A network preset: both runs train without error and end as the text says."""
    where, expect = lesson["id"], lesson["expect"]["network"]
    app.wait(NETWORK_READY, timeout=90)
    assert app.page.locator("#net-error").is_hidden(), (where, app.page.inner_text("#net-error"))
    final = app.js(f"{NETWORK}.runs.map((r) => r.result.losses.at(-1))")
    assert len(final) == 2 and all(loss is not None for loss in final), (where, final)
    for check in expect.get("lossBelow", []):
        assert final[check["run"]] < check["value"], (where, final)
    for check in expect.get("lossAbove", []):
        assert final[check["run"]] > check["value"], (where, final)
    for a, b in expect.get("lower", []):
        assert final[a] < final[b], (where, final)


def test_every_preset_runs_and_matches_its_claim(app, lessons):
    for lesson in lessons:
        app.probe.console_errors.clear()
        app.open(f"?{lesson['query']}&gallery={lesson['id']}")
        where = lesson["id"]
        expect = lesson["expect"]
        if "network" in expect:
            _network_claim(app, lesson)
            _opened(app, lesson)
            assert app.probe.console_errors == [], (where, app.probe.console_errors)
            continue
        app.wait_race(timeout=30)
        _opened(app, lesson)
        errors = app.js("descent.race.entries.map((e) => e.error)")
        assert errors == [None] * len(expect["statuses"]), (where, errors)
        statuses = app.js("descent.race.entries.map((e) => e.data.status)")
        assert statuses == expect["statuses"], (where, statuses)
        for check in expect.get("near", []):
            point, _ = _final(app, check["run"])
            assert point == pytest.approx(check["point"], abs=check["tol"]), (where, point)
        for check in expect.get("lossAbove", []):
            assert _final(app, check["run"])[1] > check["value"], where
        for check in expect.get("lossBelow", []):
            assert _final(app, check["run"])[1] < check["value"], where
        for a, b in expect.get("lower", []):
            assert _final(app, a)[1] < _final(app, b)[1], where
        for check in expect.get("lrs", []):  # the schedule reached the API and was applied
            lrs = app.js(f"descent.race.entries[{check['run']}].data.lrs")
            assert lrs is not None, where
            lr = lrs[check["update"]]
            assert lr > check.get("above", float("-inf")), (where, lr)
            assert lr < check.get("below", float("inf")), (where, lr)
        if "basins" in expect:
            app.wait("document.querySelectorAll('#basins-list li').length > 0", timeout=30)
            count = app.js("document.querySelectorAll('#basins-list li').length")
            assert count == expect["basins"], (where, count)
        message = app.page.locator("#plot-message")
        assert message.is_hidden(), (where, message.inner_text())
        assert app.probe.console_errors == [], (where, app.probe.console_errors)


def test_lessons_menu_lists_links_and_opens_one(app, lessons):
    app.open("?function=bowl")
    assert app.page.locator("#gallery-card").is_hidden()
    toggle = app.page.locator("#gallery-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    links = app.page.locator("#gallery-list a")
    assert links.count() == len(lessons)
    assert links.first.evaluate("(a) => a === document.activeElement")
    app.page.keyboard.press("Escape")
    assert app.page.locator("#gallery-list").is_hidden()
    toggle.click()
    target = lessons[2]
    app.page.locator(f"#gallery-list a[data-lesson='{target['id']}']").click()
    app.wait(f"location.search.includes('gallery={target['id']}')")
    app.wait("document.body.dataset.ready === 'true'", timeout=20)
    assert app.page.locator("#gallery-title").inner_text() == target["title"]
    app.page.locator("#gallery-toggle").click()
    current = app.page.locator("#gallery-list a[aria-current='page']")
    assert current.get_attribute("data-lesson") == target["id"]


def test_a_schedule_is_in_the_link_and_sent_with_every_run(app):
    app.open("?function=bowl&runs=sgd(lr=0.1)|adam(lr=0.1)&start=1,1&steps=30"
             "&schedule=MultiStepLR(milestones=5:10,gamma=0.5)")
    app.wait_race()
    expected = [0.1] * 5 + [0.05] * 5 + [0.025] * 20
    for run in range(2):
        assert app.js(f"descent.race.entries[{run}].data.lrs") == pytest.approx(expected)
    assert "schedule=MultiStepLR(milestones=5:10,gamma=0.5)" in app.page.url
    # A schedule the API refuses is named in the message, not a broken page.
    app.open("?function=bowl&runs=sgd(lr=0.1)&start=1,1&steps=30&schedule=StepLR(gamma=0.5)")
    app.wait("!document.getElementById('plot-message').hidden")
    assert "step_size" in app.page.inner_text("#plot-message")


def test_unknown_preset_shows_no_card(app):
    app.open("?function=bowl&gallery=nope")
    assert app.page.locator("#gallery-card").is_hidden()
    assert app.probe.page_errors == []
