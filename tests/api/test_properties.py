"""Hypothesis over request bodies: never a 5xx, never a non-finite number in the JSON."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.catalog import CATALOG
from app.engine.optim.specs import SPECS

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=10),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(["nan", "inf", "1e400", "-0", "0.1", "", None, True]),
)
param_values = st.one_of(numbers, st.lists(numbers, max_size=3), st.booleans())
optimizers = st.builds(
    lambda name, params: {"name": name, **params},
    st.sampled_from([*SPECS, "bogus"]),
    st.dictionaries(
        st.sampled_from(sorted({p.name for s in SPECS.values() for p in s.params} | {"x"})),
        param_values,
        max_size=4,
    ),
)
bodies = st.fixed_dictionaries(
    {
        "function": st.sampled_from([*CATALOG, "nope"]),
        "start": st.lists(numbers, min_size=0, max_size=3),
        "optimizer": optimizers,
    },
    optional={
        "steps": st.one_of(st.integers(-5, 300), numbers),
        "tol": numbers,
        "gradient_noise": numbers,
        "seed": st.integers(-5, 2**33),
        "include_state": st.one_of(st.booleans(), numbers),
    },
)


def strictly_finite_json(text: str) -> bool:
    def reject(constant):
        raise ValueError(constant)

    json.loads(text, parse_constant=reject)
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_any_trajectory_body_gets_a_finite_json_answer_below_500(client, body):
    raw = json.dumps(body, allow_nan=True)
    response = client.post(
        "/api/v1/trajectories", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 404, 422), response.text
    assert strictly_finite_json(response.text)
    if response.status_code == 200:
        assert response.json()["status"] in ("converged", "diverged", "max_steps")


@settings(max_examples=150, deadline=None)
@given(
    fid=st.sampled_from([*CATALOG, "nope"]),
    query=st.dictionaries(
        st.sampled_from(["resolution", "x_min", "x_max", "y_min", "y_max", "encoding"]),
        st.one_of(st.integers(-10, 60).map(str), st.floats().map(str), st.text(max_size=5)),
    ),
)
def test_any_surface_query_gets_a_finite_json_answer_below_500(client, fid, query):
    response = client.get(f"/api/v1/functions/{fid}/surface", params=query)
    assert response.status_code in (200, 404, 422), response.text
    assert strictly_finite_json(response.text)
