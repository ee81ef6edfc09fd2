"""The one store: every key of its schema round-trips through the link with its type
(booleans included), panels follow the store, and no module reads Plotly's private state."""

from __future__ import annotations

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static" / "js"

# A value away from the default for each type of the schema, read from PROPS itself.
ROUND_TRIP = """import('/static/js/state.js').then(({PROPS, store, state}) => {
  const other = {
    bool: (p) => !p.default, int: () => 7, number: () => 0.125, string: () => 'bowl',
    enum: (p) => p.values[p.values.length - 1], numbers: () => [0.5, -1.25],
    set: () => new Set(['runs', 'noise']),
  };
  const results = [];
  for (const p of PROPS.filter((q) => q.type)) {
    const saved = store.toQuery();
    const value = other[p.type](p);
    store.state[p.key] = value;
    const query = store.toQuery();
    store.fromQuery(query);
    const got = state[p.key];
    const same = value instanceof Set ? [...value].join() === [...got].join()
      : JSON.stringify(value) === JSON.stringify(got);
    results.push({key: p.key, type: p.type, same, got: String(got), query});
    store.fromQuery(saved);
  }
  return results;
})"""


def test_every_typed_key_round_trips_through_the_link(app):
    app.open()
    results = app.js(ROUND_TRIP)
    assert {r["type"] for r in results} >= {"bool", "int", "number", "enum", "set", "numbers"}
    bad = [r for r in results if not r["same"]]
    assert bad == []


@pytest.mark.parametrize("path", sorted(STATIC.glob("*.js")), ids=lambda p: p.name)
def test_no_module_reads_plotly_private_layout(path):
    assert "_fullLayout" not in path.read_text()


def test_present_mode_is_in_the_link_and_enlarges_the_type(app):
    app.open("?function=bowl&runs=adam(lr=0.1)&start=1.5,1.2&steps=40")
    app.wait_race()
    size = "parseFloat(getComputedStyle(document.querySelector('.inspect dd')).fontSize)"
    assert app.js(size) < 16
    app.page.click("#present-toggle")
    assert "present=true" in app.page.url
    assert app.js(size) >= 16
    assert app.page.locator("#present-toggle").get_attribute("aria-pressed") == "true"
    app.open(app.page.url.split("/", 3)[3])
    assert app.js("document.body.classList.contains('present')")
    assert app.js(size) >= 16


def test_the_view_toggle_goes_through_the_store(app):
    app.open("?function=bowl&runs=adam(lr=0.1)")
    app.page.locator("input[name=view][value='3d']").check()
    app.wait("document.getElementById('landscape').data[0].type === 'surface'", timeout=20)
    assert "view=3d" in app.page.url


def test_each_run_shows_its_optimizers_update_rule_from_the_registry(app):
    app.open("?function=bowl&runs=adam(lr=0.1)|sgd(lr=0.01)")
    registry = app.js(
        "fetch('/api/v1/optimizers').then((r) => r.json()).then((b) => "
        "Object.fromEntries(b.optimizers.map((o) => [o.name, (o.equations || []).length])))"
    )
    for i, name in enumerate(["adam", "sgd"]):
        card = app.page.locator("#run-list .run-card").nth(i)
        lines = card.locator(".run-rule .rule-lines code")
        assert lines.count() == registry[name]
        if registry[name]:
            card.locator(".run-rule summary").click()
            text = lines.last.inner_text()
            assert "θ" in text and "\\" not in text and "operatorname" not in text
