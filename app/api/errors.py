"""Error responses: a JSON ``detail`` a person can read, never echoing non-finite input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

log = logging.getLogger("descent")


def _clean(error: dict) -> dict:
    # pydantic's `input` and `ctx` can hold NaN, huge strings or exceptions; leave them out.
    message = str(error.get("msg", "invalid value"))
    return {"loc": list(error.get("loc", ())), "msg": message, "type": error.get("type", "")}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": [_clean(e) for e in exc.errors()]})


async def http_error(request: Request, exc: HTTPException) -> Response:
    # A body that is not UTF-8 fails before JSON parsing, which FastAPI answers with a bare
    # 400; answer it like any other unparsable JSON body: 422 json_invalid.
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        error = {"loc": ["body"], "msg": "JSON decode error: not UTF-8", "type": "json_invalid"}
        return JSONResponse(status_code=422, content={"detail": [error]})
    return await http_exception_handler(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content={"detail": "internal error"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
