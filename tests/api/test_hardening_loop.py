"""Issue 11: nothing heavier than parsing runs on the event loop.

Before: ``create_trajectory`` resolved functions (compiling a 10,000-point fit takes
~42 ms), built group keys and rendered JSON on the loop, so 16 clients sending that fit
held /healthz at a p99 of 905 ms. Here every route's function resolution and JSON
rendering is recorded with whether an event loop was running in that thread."""

import asyncio

import pytest

import app.api.function_specs as specs
import app.api.responses as responses

FIT = {"model": "logistic", "loss": "bce",
       "data": {"x": [i / 100 for i in range(100)], "y": [i % 2 for i in range(100)]}}  # fmt: skip
RUN = {"function": FIT, "start": [0.5, 0.5], "optimizer": {"name": "sgd"}, "steps": 5}
CASES = {
    "trajectory (coalesced)": ("/api/v1/trajectories", RUN),
    "trajectory (alone: noise)": ("/api/v1/trajectories", {**RUN, "gradient_noise": 0.1}),
    "trajectory as CSV": ("/api/v1/trajectories?format=csv", RUN),
    "batch": ("/api/v1/trajectories/batch", {"runs": [RUN, {**RUN, "steps": 7}]}),
    "basins": ("/api/v1/basins", {"function": FIT, "optimizer": {"name": "sgd"},
                                  "resolution": 5, "steps": 3}),
    "sweep": ("/api/v1/sweeps", {"function": FIT, "start": [0.5, 0.5],
                                 "optimizer": {"name": "sgd"}, "lr": {"count": 3}, "steps": 3}),
    "surface": ("/api/v1/surface", {"function": FIT, "resolution": 5}),
    "slice": ("/api/v1/slices", {"function": {"network": {"layers": [2, 3, 1]},
                                              "data": {"dataset": "xor", "n": 10}},
                                 "resolution": 3}),
}  # fmt: skip


def on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("case", CASES)
def test_resolving_and_rendering_happen_off_the_event_loop(client, monkeypatch, case):
    seen = []
    resolve, resolve_network, dumps = (specs.resolve_function, specs.resolve_network,
                                       responses.dumps)  # fmt: skip

    def watched(name, fn):
        def call(*args, **kwargs):
            seen.append((name, on_loop()))
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(specs, "resolve_network", watched("resolve", resolve_network))
    monkeypatch.setattr(responses, "dumps", watched("render", dumps))
    for module in ("trajectories", "many", "surfaces", "slices"):
        monkeypatch.setattr(f"app.api.routes.{module}.resolve_function",
                            watched("resolve", resolve))  # fmt: skip
    path, body = CASES[case]
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text[:300]
    assert {name for name, _ in seen} == {"resolve", "render"}
    assert not any(loop for _, loop in seen), seen
