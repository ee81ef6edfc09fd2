"""Responses in other formats: CSV of trajectories, batches, basins and sweeps, and a
self-contained HTML of a race.

A route opts in with ``@formats(to_csv)`` under its ``@router.post``: that adds the query
parameter ``format`` (``json``, ``csv``; ``html`` where offered) and honours
``Accept: text/csv``. The JSON body is computed as always and converted here, so every
format carries the same numbers; the CLI and the notebook call the same converters.
"""

from __future__ import annotations

import base64
import csv
import functools
import inspect
import io
import itertools
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
import orjson
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.api.admission import converter, off_loop
from app.api.allocator import trim_memory
from app.api.work import response_format

CSV_TYPE = "text/csv; charset=utf-8"
COORDINATES = ("x", "y")


SLICE_ROWS = 4_096  # rows written per call: one call holds the GIL ~2 ms, never seconds


def _csv(header: list[str], *blocks: list) -> str:
    """CSV text: the header, then each block's rows (a block is a list of columns: equal
    sequences, or ``repeat``), a slice of rows per call, so that other threads (and the
    event loop) get the GIL between slices instead of waiting for the whole table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # writes None as an empty cell
    writer.writerow(header)
    for columns in blocks:
        rows = zip(*columns)
        while chunk := list(itertools.islice(rows, SLICE_ROWS)):
            writer.writerows(chunk)
    return out.getvalue()


def listed(values) -> list:
    """Numbers as the JSON body gives them back: Python floats and ints, None where a float
    is not finite (the body writes null there). Lists (a parsed body) pass unchanged."""
    if not isinstance(values, np.ndarray):
        return values
    result = values.tolist()
    if values.dtype.kind == "f":
        for index in np.argwhere(~np.isfinite(values)):
            *outer, last = index
            target = result
            for i in outer:
                target = target[i]
            target[last] = None
    return result


def trajectory_columns(body: dict) -> dict[str, list]:
    """One column per key of the CSV (step, x, y, loss, grad_norm, epoch on data), one
    entry per point; empty without points. ``body`` is a trajectory's JSON body, parsed
    or as rendered (arrays)."""
    points, losses, norms = body["points"], body["losses"], body["grad_norms"]
    n = min(len(points), len(losses), len(norms))
    if n == 0:
        return {}
    columns: dict[str, list] = {"step": range(n)}
    for j, name in enumerate(COORDINATES[: len(points[0])]):
        is_array = isinstance(points, np.ndarray)
        columns[name] = listed(points[:n, j]) if is_array else [p[j] for p in points[:n]]
    columns["loss"], columns["grad_norm"] = listed(losses[:n]), listed(norms[:n])
    if body.get("epoch") is not None:
        columns["epoch"] = listed(body["epoch"][:n])
    return columns


def trajectory_rows(body: dict) -> list[dict]:
    """One dict per point: step, the coordinates (x, y), loss, grad_norm (epoch on data)."""
    columns = trajectory_columns(body)
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def trajectory_csv(body: dict) -> str:
    columns = trajectory_columns(body)
    return _csv(list(columns) or ["step", "x", "loss", "grad_norm"], list(columns.values()))


def batch_csv(body: dict) -> str:
    """Every run's points, one row each, with the run's index and optimizer first."""
    from app.figures import run_label  # noqa: PLC0415 (plotly is imported on first use)

    per_run = [(i, run_label(r["optimizer"]), trajectory_columns(r))
               for i, r in enumerate(body["results"])]  # fmt: skip
    header = ["run", "optimizer"]
    for _, _, columns in per_run:
        header += [key for key in columns if key not in header]
    repeat = itertools.repeat
    blocks = [[repeat(i), repeat(label), *(columns.get(k, repeat(None)) for k in header[2:])]
              for i, label, columns in per_run if columns]  # fmt: skip
    return _csv(header, *blocks)


def _flat(grid) -> list:
    """A 2-D result of the basins body, row by row: a Plotly typed array (base64), an array
    (as rendered) or nested lists (parsed)."""
    if isinstance(grid, dict):  # a Plotly typed array
        shape = [int(s) for s in str(grid["shape"]).split(",")]
        grid = np.frombuffer(base64.b64decode(grid["bdata"]), "<" + grid["dtype"]).reshape(shape)
    if isinstance(grid, np.ndarray):
        return listed(np.ravel(grid))
    return [value for row in grid for value in row]


def basins_csv(body: dict) -> str:
    """One row per start of the grid: x, y, basin label, final loss, status, steps taken."""
    xs, ys, names = body["x"], body["y"], body["status_names"]
    columns = [xs * len(ys), [y for y in ys for _ in xs], _flat(body["labels"]),
               _flat(body["final_loss"]), [names[int(s)] for s in _flat(body["status"])],
               _flat(body["steps_taken"])]  # fmt: skip
    return _csv(["x", "y", "label", "final_loss", "status", "steps_taken"], columns)


def sweep_csv(body: dict) -> str:
    """One row per setting: the second parameter's value (if any), lr, final loss, status."""
    values = body["values"] if body["values"] is not None else [None]
    param, lrs, final = body["param"], body["lrs"], listed(body["final_loss"])
    settings = [(r, c) for r in range(len(values)) for c in range(len(lrs))]
    columns = [[lrs[c] for _, c in settings], [final[r][c] for r, c in settings],
               [body["status"][r][c] for r, c in settings],
               [body["steps_taken"][r][c] for r, c in settings]]  # fmt: skip
    if param:
        columns.insert(0, [values[r] for r, _ in settings])
    header = ([param] if param else []) + ["lr", "final_loss", "status", "steps_taken"]
    return _csv(header, columns)


def batch_html(request, body: dict) -> str:
    """A self-contained HTML page of a race: the first run's landscape, every run animated."""
    from app.figures import figure_html  # noqa: PLC0415 (plotly is imported on first use)
    from app.notebook import figure_of  # noqa: PLC0415

    payload = orjson.loads(request.model_dump_json(exclude_unset=True))
    # the race the route computed, a run at a time (not computed again, nor parsed in one call)
    results = [{**run, "points": listed(run["points"]), "losses": listed(run["losses"])}
               for run in body["results"]]  # fmt: skip
    return figure_html(figure_of(payload, results=results))


OutputFormat = Literal["json", "csv", "html"]


def wanted_format(http: Request, chosen: str | None) -> str:
    """``format`` if given, else CSV when the client accepts text/csv (and not JSON first)."""
    if chosen:
        return chosen
    accept = http.headers.get("accept", "").lower()
    return "csv" if "text/csv" in accept and "application/json" not in accept else "json"


def responses(html: bool = False) -> dict:
    """OpenAPI: the 200 response in its other formats."""
    content = {"text/csv": {"schema": {"type": "string"}}}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {200: {"content": content}}


def _converter(to_format: Callable, *request) -> Callable[[Response], Response]:
    """Convert a JSON route's response (in a thread: it can be 100 MB). Admitted work is
    rendered with ``keep_content`` (``admission.compute``): its arrays are converted
    directly; a coalesced trajectory's small JSON body is parsed back."""
    media = HTMLResponse if request else functools.partial(Response, media_type=CSV_TYPE)

    def convert(response: Response) -> Response:
        if response.status_code != 200 or not isinstance(response, JSONResponse):
            return response
        content = getattr(response, "content", None)
        converted = to_format(*request, orjson.loads(response.body) if content is None
                              else content)  # fmt: skip
        del content, response
        trim_memory()  # the columns were millions of small objects
        return media(converted)

    return convert


def formats(to_csv: Callable[[dict], str], to_html: Callable | None = None):
    """Add ``format`` (json | csv [| html]) and ``Accept: text/csv`` to a JSON route."""
    choices = Literal["json", "csv", "html"] if to_html else Literal["json", "csv"]
    described = "json (default), csv" + (" or html (a self-contained page)" if to_html else "")
    parameter = inspect.Parameter(
        "format", inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[choices | None, Query(description=described)],
    )  # fmt: skip

    def decorate(endpoint):
        signature = inspect.signature(endpoint, eval_str=True)

        @functools.wraps(endpoint)
        async def with_formats(*args, format: str | None = None, **kwargs) -> Response:
            http = next(v for v in kwargs.values() if isinstance(v, Request))
            chosen = wanted_format(http, format)
            response_format.set(chosen)  # the route's planning charges the conversion too
            if chosen == "json":
                return await endpoint(*args, **kwargs)
            if chosen == "html":
                request = next(v for v in kwargs.values() if not isinstance(v, Request))
                convert = _converter(to_html, request)
            else:
                convert = _converter(to_csv)
            # Admitted work converts in its own slot (admission.compute); a coalesced
            # trajectory comes back as JSON and is converted here.
            converter.set(convert)
            response = await endpoint(*args, **kwargs)
            if isinstance(response, JSONResponse) and response.status_code == 200:
                return await off_loop(convert, response)
            return response

        with_formats.__signature__ = signature.replace(
            parameters=[*signature.parameters.values(), parameter], return_annotation=Response
        )
        return with_formats

    return decorate
