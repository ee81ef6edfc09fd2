"""Property-based tests of the whole API from its OpenAPI schema (Schemathesis 4).

Every operation in ``/openapi.json`` gets schema-valid and schema-violating requests
(examples, coverage and fuzzing phases) and every response goes through every built-in
check, plus one of ours: error responses carry a JSON ``detail`` and no response contains
NaN, Infinity or a traceback.

Two settings are deliberate:

- ``positive_data_acceptance`` also accepts 422. JSON Schema cannot state the API's
  cross-field rules (a window's min below its max, ``start`` as long as the function has
  dimensions, ``batch_size`` only for losses on data, torch's rule that nesterov needs
  momentum, work caps such as steps × starts); the API answers those with 422 and a
  ``detail`` naming the field, which our check verifies.
- ``max_response_time`` is generous: the work caps allow requests that take seconds.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from app.main import create_app

MAX_EXAMPLES = 40  # per operation: the module runs in about half a minute

load_all_checks()
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
checks = schema.config.checks
checks.positive_data_acceptance.expected_statuses = [
    *checks.positive_data_acceptance.expected_statuses,
    "422",
]
checks.max_response_time.enabled = True
checks.max_response_time.limit = 20.0


def reject_constant(name: str) -> None:
    raise AssertionError(f"response contains {name}")


def no_leaks_and_json_errors(ctx, response, case) -> None:
    """Errors explain themselves in JSON; nothing non-finite or internal reaches a client."""
    text = response.text
    assert "Traceback" not in text, "response contains a traceback"
    if "json" in response.headers.get("content-type", [""])[0]:
        body = json.loads(text, parse_constant=reject_constant)  # NaN, Infinity, -Infinity
        if response.status_code >= 400:
            assert isinstance(body, dict) and body.get("detail"), "error without a JSON detail"
    else:
        assert response.status_code < 400, "error response that is not JSON"


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: `make test` does not flake
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@schema.parametrize()
@HYPOTHESIS
def test_api(case):
    case.call_and_validate(checks=[*CHECKS.get_all(), no_leaks_and_json_errors])
