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


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _cell(value):
    return "" if value is None else value


def trajectory_rows(body: dict) -> list[dict]:
    """One dict per point: step, the coordinates (x, y), loss, grad_norm (epoch on data)."""
    dims = len(body["points"][0]) if body["points"] else 0
    epochs = body.get("epoch")
    rows = []
    for step, (point, loss, norm) in enumerate(
        zip(body["points"], body["losses"], body["grad_norms"])
    ):
        row = {"step": step, **dict(zip(COORDINATES[:dims], point))}
        row |= {"loss": loss, "grad_norm": norm}
        if epochs is not None:
            row["epoch"] = epochs[step]
        rows.append(row)
    return rows


def trajectory_csv(body: dict) -> str:
    rows = trajectory_rows(body)
    header = list(rows[0]) if rows else ["step", "x", "loss", "grad_norm"]
    return _csv(header, ([_cell(r.get(k)) for k in header] for r in rows))


def batch_csv(body: dict) -> str:
    """Every run's points, one row each, with the run's index and optimizer first."""
    from app.figures import run_label  # noqa: PLC0415 (plotly is imported on first use)

    per_run = [(i, run_label(r["optimizer"]), trajectory_rows(r))
               for i, r in enumerate(body["results"])]  # fmt: skip
    header = ["run", "optimizer"]
    for _, _, rows in per_run:
        for key in rows[0] if rows else ():
            if key not in header:
                header.append(key)
    body_rows = ([i, label, *(_cell(row.get(k)) for k in header[2:])]
                 for i, label, rows in per_run for row in rows)  # fmt: skip
    return _csv(header, body_rows)


def _grid(value) -> np.ndarray:
    if isinstance(value, dict):  # a Plotly typed array
        shape = [int(s) for s in str(value["shape"]).split(",")]
        data = np.frombuffer(base64.b64decode(value["bdata"]), "<" + value["dtype"])
        return data.reshape(shape)
    return np.array(value, dtype=object)


def _plain(value):
    if isinstance(value, np.floating):
        value = float(value)
        return "" if not np.isfinite(value) else value
    if isinstance(value, np.integer):
        return int(value)
    return _cell(value)


def basins_csv(body: dict) -> str:
    """One row per start of the grid: x, y, basin label, final loss, status, steps taken."""
    labels, losses = _grid(body["labels"]), _grid(body["final_loss"])
    status, steps = _grid(body["status"]), _grid(body["steps_taken"])
    names = body["status_names"]
    rows = (
        [x, y, _plain(labels[j, i]), _plain(losses[j, i]), names[int(status[j, i])],
         _plain(steps[j, i])]
        for j, y in enumerate(body["y"]) for i, x in enumerate(body["x"])
    )  # fmt: skip
    return _csv(["x", "y", "label", "final_loss", "status", "steps_taken"], rows)


def sweep_csv(body: dict) -> str:
    """One row per setting: the second parameter's value (if any), lr, final loss, status."""
    values = body["values"] if body["values"] is not None else [None]
    param = body["param"]
    rows = (
        ([value] if param else []) + [lr, _cell(body["final_loss"][r][c]), body["status"][r][c],
                                      body["steps_taken"][r][c]]
        for r, value in enumerate(values) for c, lr in enumerate(body["lrs"])
    )  # fmt: skip
    header = ([param] if param else []) + ["lr", "final_loss", "status", "steps_taken"]
    return _csv(header, rows)


def batch_html(request, body: dict) -> str:
    """A self-contained HTML page of a race: the first run's landscape, every run animated."""
    from app.figures import figure_html  # noqa: PLC0415 (plotly is imported on first use)
    from app.notebook import figure_of  # noqa: PLC0415

    payload = orjson.loads(request.model_dump_json(exclude_unset=True))
    return figure_html(figure_of(payload))


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
    """Parse a JSON response's body and convert it (in a thread: it can be 100 MB)."""
    media = HTMLResponse if request else functools.partial(Response, media_type=CSV_TYPE)

    def convert(response: Response) -> Response:
        if response.status_code != 200 or not isinstance(response, JSONResponse):
            return response
        converted = to_format(*request, orjson.loads(response.body))
        trim_memory()  # the parsed body was millions of small objects
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
