"""JSON that can never carry NaN or Infinity, rendered without FastAPI's slow encoder."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from fastapi.responses import JSONResponse


class StrictJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # allow_nan=False turns any non-finite number that slipped through into an error
        # here, on the server, instead of invalid JSON on the client.
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode()


def finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def rows(array: np.ndarray) -> list:
    """Nested lists of a float array with non-finite entries as ``None``."""
    array = np.asarray(array, dtype=np.float64)
    if np.isfinite(array).all():
        return array.tolist()
    return np.where(np.isfinite(array), array, None).tolist()
