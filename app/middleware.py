"""HTTP middleware: security headers, body-size limit, CORS, access log (see issue 7)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add every middleware to ``app``."""
