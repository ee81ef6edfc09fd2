"""The ASGI application: ``uvicorn app.main:app``."""

from __future__ import annotations

import gc
import logging
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import middleware as middlewares
from app import pages
from app.api import errors, processes
from app.api.routes import (
    code,
    functions,
    graphs,
    health,
    many,
    networks,
    optimizers,
    slices,
    surfaces,
    trajectories,
)
from app.config import settings
from app.engine import warm_up
from app.rooms import live as rooms

DESCRIPTION = (
    "Loss surfaces and optimizer trajectories. Optimizers reproduce `torch.optim` exactly "
    "(same names, defaults, update rules and validation)."
)


# Compute threads hold the GIL between numpy calls; a short switch interval (default 5 ms)
# lets the event loop answer /healthz and small requests promptly while they run. Each
# hand-over of the GIL to the loop or a light request's thread waits up to one interval
# per thread wanting it: 0.2 ms instead of 1 ms lowered the worst /healthz wait and the
# 100-step run's p99 with 30 worst-case requests at once (bench/README.md, issue 11).
sys.setswitchinterval(0.0002)


@asynccontextmanager
async def lifespan(app: FastAPI):
    """The worker processes of heavy requests (``app.api.processes``), when served."""
    if settings.heavy_in_processes:
        try:
            processes.start(settings.max_heavy_requests)
        except (AssertionError, OSError) as error:  # e.g. a daemonic process cannot fork
            logging.getLogger("descent.errors").error(
                "no worker processes (%s): heavy requests run in threads", error
            )
    try:
        yield
    finally:
        processes.stop()


def create_app(middleware: bool = True) -> FastAPI:
    """The application; ``middleware=False``: its routes and error handlers only (what a
    worker process answers with: the server's middleware wraps the worker's answer)."""
    app = FastAPI(title="Descent", version="1.0.0", description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    if middleware:
        middlewares.install(app)
    for module in (health, functions, surfaces, optimizers, many, trajectories):
        app.include_router(module.router)
    app.include_router(graphs.router)
    app.include_router(slices.router)
    app.include_router(networks.router)
    app.include_router(rooms.router)
    app.include_router(code.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    warm_up()  # every kernel compiled or loaded from the disk cache before the first request
    # What is loaded by now (numba, pydantic, the routes) lives as long as the process: out
    # of the collector's way, so its full passes walk only what requests allocate (class
    # mode measured 0.2 -> 0.12 ms of event-loop CPU per run, bench/README.md).
    gc.collect()
    gc.freeze()
    return app


app = create_app()
