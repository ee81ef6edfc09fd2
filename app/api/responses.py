"""JSON that can never carry NaN or Infinity, rendered without FastAPI's slow encoder."""

from __future__ import annotations

import base64
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


F4_MAX = float(np.finfo(np.float32).max)


def typed_array(array: np.ndarray, dtype: str) -> dict:
    """Plotly.js's typed-array spec; float32 turns non-finite into NaN (a gap) and clips."""
    array = np.asarray(array)
    if dtype == "f4":
        finite = np.isfinite(array)
        array = np.where(finite, np.clip(array, -F4_MAX, F4_MAX), np.nan)
    data = np.ascontiguousarray(array.astype("<" + dtype))
    return {
        "dtype": dtype,
        "bdata": base64.b64encode(data.tobytes()).decode(),
        "shape": ",".join(str(s) for s in data.shape),
    }


def grid(array: np.ndarray, dtype: str, encoding: str) -> dict | list:
    """A 2-D result as a typed array (base64) or nested lists with null for non-finite."""
    if encoding == "base64":
        return typed_array(array, dtype)
    return rows(array) if dtype.startswith("f") else np.asarray(array).tolist()
