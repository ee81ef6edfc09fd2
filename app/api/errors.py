"""Error responses: a JSON ``detail`` a person can read, never echoing non-finite input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

log = logging.getLogger("descent")


def _clean(error: dict) -> dict:
    # pydantic's `input` and `ctx` can hold NaN, huge strings or exceptions; leave them out.
    message = str(error.get("msg", "invalid value"))
    return {"loc": list(error.get("loc", ())), "msg": message, "type": error.get("type", "")}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [_clean(e) for e in exc.errors()]})


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content={"detail": "internal error"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
