"""A cap on heavy requests computed at once: past it, 503 with Retry-After instead of a
queue that grows without bound."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from app.config import settings

_slots = threading.BoundedSemaphore(settings.max_heavy_requests)


@contextmanager
def heavy_slot() -> Iterator[None]:
    if not _slots.acquire(blocking=False):
        raise HTTPException(
            503,
            "the server is busy with other heavy requests; retry shortly",
            headers={"Retry-After": str(settings.retry_after_seconds)},
        )
    try:
        yield
    finally:
        _slots.release()
