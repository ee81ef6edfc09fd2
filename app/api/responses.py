"""JSON that can never carry NaN or Infinity, rendered fast.

orjson writes numpy arrays directly (about 20× faster than ``json.dumps`` of ``tolist()``
for a trajectory or a surface, which also keeps the GIL free for other requests) and
writes any non-finite float as ``null``: a response can never contain NaN or Infinity.
"""

from __future__ import annotations

import base64
import math
from contextvars import ContextVar
from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse


def _fallback(value: Any) -> Any:
    if isinstance(value, np.ndarray):  # not C-contiguous, or an unusual dtype
        return np.ascontiguousarray(value, dtype=np.float64)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_fallback, option=orjson.OPT_SERIALIZE_NUMPY)


CHUNK_VALUES = 65_536  # floats serialized per GIL hold (about 2 ms)
_PARTS = (dict, np.ndarray, orjson.Fragment)  # what a list is split into, one by one


def _weight(value: Any) -> int:
    """About how many numbers ``value`` writes, counting only what may be big."""
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, orjson.Fragment):  # a big array, already sliced by ``rows``
        return CHUNK_VALUES + 1
    if isinstance(value, dict):
        return sum(map(_weight, value.values()))
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], _PARTS):
        return sum(map(_weight, value))
    return 1


def _pieces(value: Any, out: list[bytes]) -> None:
    if _weight(value) <= CHUNK_VALUES:
        out.append(dumps(value))
    elif isinstance(value, dict) and all(type(key) is str for key in value):
        out.append(b"{")
        for i, (key, item) in enumerate(value.items()):
            out.append(b"," * (i > 0) + dumps(key) + b":")
            _pieces(item, out)
        out.append(b"}")
    elif isinstance(value, (list, tuple)):
        out.append(b"[")
        for i, item in enumerate(value):
            if i:
                out.append(b",")
            _pieces(item, out)
        out.append(b"]")
    else:  # an array (``rows`` slices the big ones), a fragment, a dict orjson refuses
        out.append(dumps(value))


def render_body(content: Any) -> bytes:
    """The bytes of ``dumps(content)``, written a piece at a time: one call for a 64-run
    batch (76 MB) holds the GIL ~0.2 s while /healthz and every other request wait. Dicts
    and lists of dicts or arrays are split until each piece is about ``CHUNK_VALUES``
    numbers; the GIL can pass between pieces, and ``bytes.join`` copies without it."""
    out: list[bytes] = []
    _pieces(content, out)
    return out[0] if len(out) == 1 else b"".join(out)


# Set while a request's response is converted to CSV or HTML (``app.api.exports``), in the
# thread that computes it: the body is never written as JSON (nor parsed back), ``rows``
# keeps its arrays and the response keeps its content for the converter.
keep_content: ContextVar[bool] = ContextVar("keep_content", default=False)


class StrictJSONResponse(JSONResponse):
    content: Any = None  # what was rendered, when ``keep_content`` is set

    def render(self, content: Any) -> bytes:
        if keep_content.get():
            self.content = content
            return b""
        return render_body(content)


def finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def rows(array: np.ndarray) -> np.ndarray | orjson.Fragment:
    """A float array for a JSON body: nested lists there, non-finite entries as ``null``.

    A big array is serialized in slices, so that no single call holds the GIL for long
    while other requests (and /healthz) wait; the result is spliced in as a fragment.
    """
    array = np.ascontiguousarray(array, dtype=np.float64)
    if array.size <= CHUNK_VALUES or array.ndim == 0 or keep_content.get():
        return array
    per_row = max(1, array[0].size)
    step = max(1, CHUNK_VALUES // per_row)
    parts = [orjson.dumps(array[i : i + step], option=orjson.OPT_SERIALIZE_NUMPY)[1:-1]
             for i in range(0, len(array), step)]  # fmt: skip
    return orjson.Fragment(b"[" + b",".join(parts) + b"]")


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
