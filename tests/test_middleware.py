"""The serving layer (app/middleware/): security headers, body limit, JSON 500s, CORS,
ETag/304 and the access log."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import middleware
from app.api import errors
from app.config import settings

TRAJECTORY = {
    "function": "rosenbrock",
    "start": [-1.5, 2.0],
    "optimizer": {"name": "adam", "lr": 0.05},
    "steps": 20,
}


def small_app(**overrides) -> TestClient:
    """A bare app with the real middleware and error handlers under another configuration."""
    app = FastAPI()
    errors.install(app)
    middleware.install(app, replace(settings, **overrides))

    @app.get("/api/v1/functions")
    def catalog() -> dict:
        return {"functions": []}

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return body

    @app.get("/boom")
    def boom() -> dict:
        raise RuntimeError("secret internals /etc/passwd")

    return TestClient(app, raise_server_exceptions=False)


def csp(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d for d in (p.strip() for p in policy.split(";"))}


# --- security headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/functions", 200),
        ("GET", "/api/v1/functions/no-such-function", 404),
        ("GET", "/api/v1/functions/rosenbrock/surface?resolution=1", 422),
        ("DELETE", "/api/v1/functions", 405),
        ("GET", "/no/such/page", 404),
        ("GET", "/vendor/plotly.min.js", 200),
        ("GET", "/openapi.json", 200),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = csp(response)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"  # no inline script, no eval
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    assert policy["object-src"] == "object-src 'none'"
    assert policy["base-uri"] == "base-uri 'self'"
    assert policy["frame-ancestors"] == f"frame-ancestors {settings.frame_ancestors}"
    assert "img-src 'self' data: blob:" == policy["img-src"]
    assert "style-src 'self' 'unsafe-inline'" == policy["style-src"]


def test_the_policy_is_the_documented_one(client):
    assert client.get("/").headers["content-security-policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    )


def test_static_files_and_errors_carry_the_headers_too(client):
    assert client.get("/static/js/api.js").headers["x-content-type-options"] == "nosniff"
    client_500 = small_app()
    response = client_500.get("/boom")
    assert response.status_code == 500
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_docs_pages_get_a_policy_that_lets_swagger_and_redoc_load(client):
    for path in ("/docs", "/redoc"):
        policy = csp(client.get(path))
        assert "https://cdn.jsdelivr.net" in policy["script-src"]
        assert "'unsafe-inline'" in policy["script-src"]
        assert "unsafe-eval" not in client.get(path).headers["content-security-policy"]
    # ... and only them.
    assert "cdn.jsdelivr.net" not in client.get("/openapi.json").headers["content-security-policy"]


def test_frame_ancestors_is_configurable_for_an_lms():
    lms = small_app(frame_ancestors="'self' https://lms.example.edu")
    response = lms.get("/api/v1/functions")
    assert csp(response)["frame-ancestors"] == "frame-ancestors 'self' https://lms.example.edu"
    assert "x-frame-options" not in response.headers  # it cannot express an allow-list
    assert small_app().get("/api/v1/functions").headers["x-frame-options"] == "SAMEORIGIN"
    assert small_app(frame_ancestors="'none'").get("/boom").headers["x-frame-options"] == "DENY"


# --- body limit -------------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_413_without_being_read():
    small = small_app(max_body_bytes=100)
    response = small.post("/echo", content=b"{" + b" " * 200 + b"}", headers=JSON_HEADERS)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than the limit of 100 bytes"}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_chunked_body_over_the_limit_is_413():
    small = small_app(max_body_bytes=100)

    def chunks():
        for _ in range(10):
            yield b" " * 50

    response = small.post("/echo", content=chunks(), headers=JSON_HEADERS)
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json()["detail"]


def test_a_body_at_the_limit_is_accepted():
    small = small_app(max_body_bytes=100)
    body = json.dumps({"a": "x" * 90}).encode()
    body += b" " * (100 - len(body))
    assert small.post("/echo", content=body, headers=JSON_HEADERS).status_code == 200

    def chunks():
        yield body[:50]
        yield body[50:]

    assert small.post("/echo", content=chunks(), headers=JSON_HEADERS).status_code == 200


def test_the_real_app_rejects_a_body_over_the_configured_limit(client):
    body = b'{"function": "' + b"x" * settings.max_body_bytes + b'"}'
    response = client.post("/api/v1/trajectories", content=body, headers=JSON_HEADERS)
    assert response.status_code == 413
    assert str(settings.max_body_bytes) in response.json()["detail"]


JSON_HEADERS = {"content-type": "application/json"}


# --- errors -----------------------------------------------------------------------------


def test_an_unexpected_error_is_a_json_500_logged_on_the_server_only(caplog):
    with caplog.at_level(logging.INFO, logger="descent"):
        response = small_app().get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "secret" not in response.text and "Traceback" not in response.text
    errors_logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors_logged) == 1
    assert "GET /boom" in errors_logged[0].getMessage()
    assert errors_logged[0].exc_info is not None  # the traceback stays server-side
    access = [r for r in caplog.records if r.name == "descent.access"]
    assert [r.status for r in access] == [500]


# --- CORS -------------------------------------------------------------------------------

ORIGIN = "https://lms.example.edu"


def test_cors_is_off_by_default(client):
    response = client.get("/api/v1/functions", headers={"origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/v1/trajectories",
        headers={"origin": ORIGIN, "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origins_only():
    cors = small_app(cors_origins=f"{ORIGIN}, https://other.example.org")
    response = cors.get("/api/v1/functions", headers={"origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    preflight = cors.options(
        "/echo",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "nosniff" == preflight.headers["x-content-type-options"]
    stranger = cors.get("/api/v1/functions", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers


# --- ETag / Cache-Control ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/functions",
        "/api/v1/functions/rosenbrock",
        "/api/v1/functions/rosenbrock/surface?resolution=20",
        "/api/v1/functions/rosenbrock/surface?resolution=20&encoding=base64",
        "/api/v1/optimizers",
    ],
)
def test_deterministic_gets_have_an_etag_and_answer_304(client, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.headers["cache-control"] == f"public, max-age={settings.cache_max_age}"
    assert client.get(path).headers["etag"] == etag  # deterministic
    for sent in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        again = client.get(path, headers={"if-none-match": sent})
        assert again.status_code == 304, sent
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert "x-content-type-options" in again.headers
    changed = client.get(path, headers={"if-none-match": '"stale"'})
    assert changed.status_code == 200 and changed.content == first.content


def test_different_surfaces_have_different_etags(client):
    base = "/api/v1/functions/rosenbrock/surface?resolution="
    assert client.get(base + "20").headers["etag"] != client.get(base + "21").headers["etag"]


def test_errors_and_posts_are_not_tagged(client):
    assert "etag" not in client.get("/api/v1/functions/no-such-function").headers
    response = client.post("/api/v1/trajectories", json=TRAJECTORY)
    assert response.status_code == 200
    assert "etag" not in response.headers


def test_static_files_revalidate(client):
    first = client.get("/static/js/api.js")
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/static/js/api.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_plotly_is_cached_for_good(client):
    first = client.get("/vendor/plotly.min.js")
    assert "immutable" in first.headers["cache-control"]
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


# --- access log -------------------------------------------------------------------------


def test_one_structured_access_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="descent.access"):
        client.get("/api/v1/functions")
        client.get("/api/v1/functions/no-such-function")
        client.post("/api/v1/trajectories", json=TRAJECTORY)
    records = [r for r in caplog.records if r.name == "descent.access"]
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/api/v1/functions", 200),
        ("GET", "/api/v1/functions/no-such-function", 404),
        ("POST", "/api/v1/trajectories", 200),
    ]
    for r in records:
        assert r.duration_ms >= 0
        message = r.getMessage()
        assert message.startswith(f"method={r.method} path={r.path} status={r.status} ")
        assert "duration_ms=" in message


def test_the_access_line_stays_on_one_line_whatever_the_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="descent.access"):
        client.get("/api/v1/functions/a%0Ab%20c%22d")
    (record,) = [r for r in caplog.records if r.name == "descent.access"]
    message = record.getMessage()
    assert "\n" not in message and " c" not in message and '"' not in message
    assert record.path == "/api/v1/functions/a%0Ab%20c%22d"


# --- content type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"content": "hello", "headers": {"content-type": "text/plain"}}, "text/plain"),
        ({"data": {"function": "rosenbrock"}}, "application/x-www-form-urlencoded"),
        ({"files": {"f": ("a.json", b"{}")}}, "multipart/form-data"),
        ({"content": json.dumps(TRAJECTORY)}, "none"),
    ],
)
def test_a_body_that_is_not_json_is_415(client, kwargs, named):
    response = client.post("/api/v1/trajectories", **kwargs)
    assert response.status_code == 415
    assert response.json()["detail"].endswith(f"(got {named})")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_bodies_pass(client, content_type):
    body = json.dumps(TRAJECTORY)
    response = client.post(
        "/api/v1/trajectories", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 200


def test_only_operations_that_take_json_answer_415(client):
    text = {"content": "x", "headers": {"content-type": "text/plain"}}
    assert client.post("/api/v1/functions", **text).status_code == 405
    assert client.post("/api/v1/no-such-thing", **text).status_code == 404


def test_the_schema_documents_413_and_415_on_every_operation_with_a_body(client):
    schema = client.get("/openapi.json").json()
    with_body = [
        operation
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert with_body
    for operation in with_body:
        assert str(settings.max_body_bytes) in operation["responses"]["413"]["description"]
        assert "415" in operation["responses"]


# Under load (admission, 503s, /healthz, abandoned work): tests/api/test_hardening_server.py
