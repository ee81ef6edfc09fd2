"""Exclusive bounds, written once in the optimizer specs (``ParamSpec.low_exclusive`` /
``high_exclusive``), reach the engine's torch-worded check, the request models, the OpenAPI
document, ``GET /api/v1/optimizers`` (which the page's controls read) and class rooms."""

from __future__ import annotations

import pytest

from app.api.schemas import OPTION_MODELS
from app.engine.optim.specs import SPECS, resolve
from app.rooms.model import AllowedOptimizer

BOUNDED = [(s.name, p) for s in SPECS.values() for p in s.params
           if p.kind == "float" and p.low is not None]  # fmt: skip
IDS = [f"{name}.{p.name}" for name, p in BOUNDED]


def test_lions_lr_is_the_one_exclusive_lower_bound():
    # lion-pytorch asserts lr > 0.; every torch.optim check is `not 0.0 <= value` (Rprop's
    # etas, 0 < η− < 1 < η+, is one check over the pair, in resolve)
    exclusive = [(name, p.name) for name, p in BOUNDED if p.low_exclusive]
    assert ("lion", "lr") in exclusive
    assert not [e for e in exclusive if SPECS[e[0]].torch_class.startswith("torch.optim.")]


@pytest.mark.parametrize(("name", "param"), BOUNDED, ids=IDS)
def test_a_value_on_the_lower_bound_is_refused_exactly_when_the_bound_is_exclusive(
    client, name, param
):
    body = {"function": "bowl", "start": [1.0, 1.0], "steps": 2,
            "optimizer": {"name": name, param.name: param.low}}  # fmt: skip
    response = client.post("/api/v1/trajectories", json=body)
    just_above = client.post("/api/v1/trajectories", json=body | {
        "optimizer": {"name": name, param.name: param.low + 1e-3}})  # fmt: skip
    assert just_above.status_code == 200, just_above.text
    if not param.low_exclusive:
        assert response.status_code == 200, response.text
        resolve(name, {param.name: param.low})
        return
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "optimizer", name, param.name]
    assert "greater than" in detail["msg"] and "equal" not in detail["msg"]
    with pytest.raises(ValueError, match=param.torch_message.format(float(param.low))):
        resolve(name, {param.name: param.low})


@pytest.mark.parametrize(("name", "param"), BOUNDED, ids=IDS)
def test_openapi_and_the_optimizer_list_carry_the_bound_kind(client, name, param):
    model = OPTION_MODELS[name]
    schema = client.get("/openapi.json").json()["components"]["schemas"][model.__name__]
    field = schema["properties"][param.name]
    key = "exclusiveMinimum" if param.low_exclusive else "minimum"
    other = "minimum" if param.low_exclusive else "exclusiveMinimum"
    assert field[key] == param.low and other not in field
    listed = {o["name"]: o for o in client.get("/api/v1/optimizers").json()["optimizers"]}
    info = next(p for p in listed[name]["params"] if p["name"] == param.name)
    assert info["min"] == param.low and info["min_exclusive"] is param.low_exclusive


def test_a_class_room_cannot_offer_a_range_that_touches_an_exclusive_bound():
    with pytest.raises(ValueError, match="leaves"):
        AllowedOptimizer(name="lion", ranges={"lr": [0.0, 0.01]})
    AllowedOptimizer(name="lion", ranges={"lr": [1e-5, 0.01]})
    AllowedOptimizer(name="sgd", ranges={"lr": [0.0, 0.01]})  # torch's lr ≥ 0
