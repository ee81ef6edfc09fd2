"""HTTP middleware: access log, security headers, CORS, errors, body-size limit, ETags.

All of it is pure ASGI (no BaseHTTPMiddleware): each layer only looks at the messages
passing by, so a request costs a few dictionary operations. From the outside in:

- ``AccessLog``: one ``descent.access`` line per request (method, path, status, duration).
- ``SecurityHeaders``: CSP, nosniff, Referrer-Policy, … on every response.
- Starlette's ``CORSMiddleware``, only when ``settings.cors_origins`` names origins.
- ``CatchErrors``: an unexpected exception becomes a JSON 500 (logged here, with its
  traceback, never sent to the client) that still passes through the layers above.
- ``BodyLimit``: request bodies over ``settings.max_body_bytes`` get a JSON 413.
- ``JsonBodies``: a body that is not JSON, posted where JSON is expected, gets a JSON 415.
- ``StrictJson``: duplicate keys and bodies nested too deeply get a JSON 422.
- ``HeadAsGet`` (just inside the access log): HEAD is answered as GET without the body.
- ``ETags``: ETag + Cache-Control on the deterministic GETs, 304 on ``If-None-Match``.
"""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.config import Settings, settings
from app.middleware.bodies import BodyLimit, JsonBodies, document_responses
from app.middleware.caching import ETags
from app.middleware.head import HeadAsGet
from app.middleware.headers import SecurityHeaders, content_security_policy, security_headers
from app.middleware.json_bodies import StrictJson
from app.middleware.logs import AccessLog, CatchErrors

__all__ = ["content_security_policy", "install", "security_headers"]


def configure_logging(level: str) -> None:
    """Print ``descent.*`` records (the access log and server-side errors) to stderr unless
    logging was configured already (e.g. by a ``--log-config`` or a test runner)."""
    logger = logging.getLogger("descent")
    logger.setLevel(level.upper())
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)


def install(app: FastAPI, config: Settings = settings) -> None:
    """Add every middleware to ``app`` (the last added is the outermost)."""
    configure_logging(config.log_level)
    document_responses(app, config)
    app.add_middleware(ETags, max_age=config.cache_max_age)
    app.add_middleware(StrictJson)
    app.add_middleware(JsonBodies, api=app)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(CatchErrors)
    origins = [o.strip() for o in config.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, config=config)
    app.add_middleware(HeadAsGet)
    app.add_middleware(AccessLog)
