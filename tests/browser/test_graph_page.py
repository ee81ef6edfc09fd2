"""The computation-graph lesson: the DAG drawn left to right, the forward pass node by node,
then the backward pass edge by edge, with editable inputs and the presets."""

from __future__ import annotations

import pytest

from app.engine.graphs.presets import PRESETS

NODES = "document.querySelectorAll('#graph-canvas .gnode').length"
GRADIENT = "document.getElementById('graph-gradient').textContent"


def open_graph(app, query: str = ""):
    app.page.goto(f"{app.base_url}/?tab=graph{query}")
    app.wait(f"{NODES} > 0", timeout=20)


def test_the_lecture_graph_runs_forward_then_backward(app):
    open_graph(app)
    assert app.js(NODES) == 6
    assert "?" in app.page.locator("#graph-canvas").inner_text()  # nothing computed yet
    for _ in range(3):  # the three operations, forward
        app.page.locator("#graph-step").click()
    assert "Forward" in app.page.locator("#graph-phase").inner_text()
    assert "L = c u2 = 15" in app.page.locator("#graph-explain").inner_text().replace("\n", " ")
    app.page.locator("#graph-step").click()
    app.page.locator("#graph-step").click()  # the first edge backward: L's operand c
    explain = app.page.locator("#graph-explain").inner_text()
    assert "∂L/∂c += ∂L/∂L · ∂L/∂c = 1 × 5 = 5" in explain
    app.page.locator("#graph-end").click()
    assert app.js(GRADIENT) == "∇L = (∂L/∂c = 5, ∂L/∂a = 3, ∂L/∂b = 6)"


def test_editing_an_input_recomputes_the_graph_and_the_link_keeps_it(app):
    open_graph(app)
    field = app.page.locator("#graph-values input[data-name=a]")
    field.fill("2")
    field.press("Enter")
    app.wait("location.search.includes('a:2')")
    app.page.locator("#graph-end").click()
    app.wait(f"{GRADIENT}.includes('∂L/∂c = 6')")  # c·(a + 2b) with a = 2: ∂L/∂c = 6


@pytest.mark.parametrize("preset", PRESETS, ids=[p["id"] for p in PRESETS])
def test_every_preset_draws_its_graph(app, preset):
    open_graph(app)
    app.page.locator("#graph-preset").select_option(preset["id"])
    app.wait(f"document.getElementById('graph-expression').value === {preset['expression']!r}")
    app.wait(f"{NODES} >= {len(preset['values']) + 1}")
    app.page.locator("#graph-end").click()
    assert app.js(GRADIENT).startswith("∇L = (")
    assert not app.page.locator("#graph-error").is_visible()


def test_a_typo_is_shown_and_the_lesson_stays_usable(app):
    open_graph(app)
    box = app.page.locator("#graph-expression")
    box.fill("x*(y +")
    box.press("Enter")
    app.wait("!document.getElementById('graph-error').hidden")
    assert "ends too early" in app.page.locator("#graph-error").inner_text()
    box.fill("x*y")
    box.press("Enter")
    app.wait(f"{NODES} === 3")
    assert app.page.locator("#graph-error").is_hidden()


def test_the_lesson_switch_goes_back_to_the_landscapes(app):
    open_graph(app)
    app.page.locator("#tab").select_option("landscape")
    app.wait("!document.getElementById('landscape-view').hidden")
    assert app.page.locator("#graph-view").is_hidden()
    assert "tab=" not in app.js("location.search")
