"""``descent``: the app from a terminal (also ``python -m app``).

Every command builds the body the API would be sent, validates it with the API's request
model and computes it with the API's own operations (``app.api.inprocess``): ``descent
trajectory --format json`` prints the bytes ``POST /api/v1/trajectories`` answers, and bad
input is refused with the API's message, on one line, with exit code 2.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import click
import orjson

from app.api import exports, inprocess

FORMATS = click.Choice(["json", "csv", "table"])
SLOW_SECONDS = 1.0  # runs longer than this show a progress bar


class Refused(click.UsageError):
    """Input the API refuses: one line on stderr, exit code 2 (as any usage error)."""

    def show(self, file=None) -> None:
        click.echo(f"descent: {self.format_message()}", err=True)


def _function(text: str) -> str | dict:
    """A catalog id, a formula (``x^2 + 3*y^2``) or a JSON spec (``{"model": ...}``)."""
    if text.lstrip().startswith("{"):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise Refused(f"function: not valid JSON ({error})") from None
    if text == "x" or re.search(r"[^a-z0-9-]", text):
        return {"expression": text}
    return text


def _scheduler(text: str) -> dict:
    """``--scheduler``: a name (``ExponentialLR``) or the API's JSON object; the API checks it."""
    if not text.lstrip().startswith("{"):
        return {"name": text}
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise Refused(f"scheduler: not valid JSON ({error})") from None


def _numbers(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise Refused(f"start: {text!r} is not numbers separated by commas, e.g. -1.5,2") from None


def _options(name: str, lr: float | None, params: tuple[str, ...]) -> dict:
    from app.notebook import _value  # noqa: PLC0415 (the link's value syntax)

    options: dict[str, Any] = {"name": name}
    if lr is not None:
        options["lr"] = lr
    for pair in params:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise Refused(f"--param: {pair!r} is not name=value, e.g. momentum=0.9")
        options[key.strip()] = _value(raw)
    return options


def _compute(what: str, call, *args):
    """Run ``call`` in a thread; past a second, show progress on stderr until it ends."""
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = call(*args)
        except BaseException as error:  # noqa: BLE001 (re-raised in the caller's thread)
            result["error"] = error

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(SLOW_SECONDS)
    if thread.is_alive():
        from rich.progress import (  # noqa: PLC0415
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, transient=True, console=_stderr()) as progress:
            progress.add_task(what, total=None)
            while thread.is_alive():
                thread.join(0.1)
    if "error" in result:
        error = result["error"]
        if isinstance(error, inprocess.InputError):
            raise Refused(str(error))
        raise error
    return result["value"]


def _stderr():
    from rich.console import Console  # noqa: PLC0415

    return Console(stderr=True)


def _table(header: list[str], rows: list[list], title: str | None = None) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(*header, title=title)
    for row in rows:
        table.add_row(*("" if v is None else format(v, ".6g") if isinstance(v, float) else str(v)
                        for v in row))  # fmt: skip
    Console(width=max(80, len(header) * 14)).print(table)


def _emit(body: bytes, fmt: str, to_csv, table) -> None:
    if fmt == "json":
        click.echo(body.decode())
    elif fmt == "csv":
        click.echo(to_csv(orjson.loads(body)), nl=False)
    else:
        table(orjson.loads(body))


def _sample(rows: list, most: int = 21) -> list:
    if len(rows) <= most:
        return rows
    picks = sorted({round(i * (len(rows) - 1) / (most - 1)) for i in range(most)})
    return [rows[i] for i in picks]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Descent: loss landscapes and torch-exact optimizers, from the terminal."""


@cli.command()
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST or 127.0.0.1"
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="PORT or 8000",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: int(os.environ.get("WEB_CONCURRENCY", "1")),
    show_default="WEB_CONCURRENCY or 1",
)
def serve(host: str, port: int, workers: int) -> None:  # fmt: skip
    """Serve the page and the API (as `make run` does)."""
    import uvicorn  # noqa: PLC0415

    uvicorn.run("app.main:app", host=host, port=port, workers=workers, access_log=False,
                http="app.middleware.protocol:Guarded", proxy_headers=True)  # fmt: skip


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def functions(fmt: str) -> None:
    """List the functions (catalog ids) with their dimensions and domains."""
    from app.api.routes.functions import list_functions  # noqa: PLC0415

    body = list_functions().body  # GET /api/v1/functions
    if fmt == "json":
        click.echo(body.decode())
        return
    listed = orjson.loads(body)["functions"]
    _table(["id", "title", "dims", "domain", "start"],
           [[f["id"], f["title"], f["dims"], str(f["domain"]), str(f["start"])]
            for f in listed])  # fmt: skip


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def optimizers(fmt: str) -> None:
    """List the optimizers and each parameter's default and range (as GET /api/v1/optimizers)."""
    from app.api.routes.optimizers import list_optimizers  # noqa: PLC0415

    body = list_optimizers().body  # GET /api/v1/optimizers
    if fmt == "json":
        click.echo(body.decode())
        return
    listed = orjson.loads(body)
    rows = [[o["name"], o["torch_class"],
             ", ".join(f"{p['name']}={p['default']}" for p in o["params"])]
            for o in listed["optimizers"]]  # fmt: skip
    _table(["name", "torch class", "defaults"], rows)


def run_options(command):
    """The options every run takes: function, start, optimizer and its parameters."""
    for decorator in reversed([
        click.argument("function"),
        click.option("--start", help="comma-separated, e.g. -1.5,2 (default: the function's)"),
        click.option("--optimizer", default="adam", show_default=True,
                     help="any name of `descent optimizers`"),
        click.option("--lr", type=float, help="learning rate (default: torch's)"),
        click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                     help="any other option, e.g. momentum=0.9 or betas=0.8:0.99 (repeatable)"),
        click.option("--steps", type=int, default=500, show_default=True),
        click.option("--tol", type=float, help="stop when the gradient norm is at most tol"),
    ]):  # fmt: skip
        command = decorator(command)
    return command


def _payload(function, start, optimizer, lr, params, steps, tol, **more) -> dict:
    spec = _function(function)
    payload: dict[str, Any] = {"function": spec, "optimizer": _options(optimizer, lr, params),
                               "steps": steps}  # fmt: skip
    if start is not None or "start" in more:
        payload["start"] = _numbers(start) if start is not None else None
    if tol is not None:
        payload["tol"] = tol
    payload |= {k: v for k, v in more.items() if v is not None}
    return payload


def _default_start(payload: dict) -> dict:
    if "start" not in payload:
        try:
            payload["start"] = list(inprocess.function(payload["function"]).start)
        except inprocess.InputError as error:
            raise Refused(str(error)) from None
    return payload


@cli.command()
@run_options
@click.option("--scheduler", help="a learning-rate schedule: a name or a JSON object")
@click.option("--noise", type=float, help="σ of Gaussian noise added to every gradient")
@click.option("--seed", type=int)
@click.option("--batch-size", type=int, help="mini-batch size for losses on data")
@click.option("--include-state", is_flag=True, help="add per-step gradients and optimizer state")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def trajectory(function, start, optimizer, lr, params, steps, tol, scheduler, noise, seed,
               batch_size, include_state, fmt) -> None:  # fmt: skip
    """One run of an optimizer from a start point.

    FUNCTION is a catalog id (`descent functions`), a formula in x and y such as
    'x^2 + 3*y^2', or a JSON spec such as '{"model": "linear", "data": {...}}'.
    `--format json` prints exactly what POST /api/v1/trajectories answers.
    """
    payload = _default_start(_payload(
        function, start, optimizer, lr, params, steps, tol, gradient_noise=noise, seed=seed,
        batch_size=batch_size, include_state=include_state or None,
    ))  # fmt: skip
    if scheduler is not None:
        payload["scheduler"] = _scheduler(scheduler)
    body = _compute(f"{steps} steps of {optimizer}", inprocess.trajectory, payload)

    def table(result: dict) -> None:
        rows = exports.trajectory_rows(result)
        header = list(rows[0])
        title = f"{result['function']}: {result['status']} after {result['steps_taken']} steps"
        _table(header, [[row[k] for k in header] for row in _sample(rows)], title)

    _emit(body, fmt, exports.trajectory_csv, table)


@cli.command()
@run_options
@click.option("--resolution", type=int, default=50, show_default=True, help="starts per axis")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def basins(function, start, optimizer, lr, params, steps, tol, resolution, fmt) -> None:
    """Run from every start of a grid and label the valley each one reaches (POST /basins)."""
    if start is not None:
        raise Refused("start: basins start from every point of a grid; use --resolution")
    payload = _payload(function, None, optimizer, lr, params, steps, tol, resolution=resolution)
    body = _compute(f"{resolution}² runs of {optimizer}", inprocess.basins, payload)

    def table(result: dict) -> None:
        rows = [[e["label"], str([round(v, 6) for v in e["point"]]), e["loss"], e["count"],
                 e["minimum"], e["is_global"]] for e in result["end_points"]]  # fmt: skip
        _table(["basin", "end point", "loss", "starts", "minimum", "global"], rows,
               f"{len(rows)} basin(s)")  # fmt: skip

    _emit(body, fmt, exports.basins_csv, table)


@cli.command()
@run_options
@click.option("--lr-min", type=float, default=1e-4, show_default=True)
@click.option("--lr-max", type=float, default=1.0, show_default=True)
@click.option("--count", type=int, default=25, show_default=True, help="learning rates")
@click.option("--second", metavar="NAME=V1,V2,…", help="a second parameter, e.g. momentum=0,0.9")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def sweep(function, start, optimizer, lr, params, steps, tol, lr_min, lr_max, count, second,
          fmt) -> None:  # fmt: skip
    """Final loss for log-spaced learning rates (× a second parameter) (POST /sweeps)."""
    if lr is not None:
        raise Refused("lr: a sweep varies lr; use --lr-min, --lr-max and --count")
    payload = _default_start(_payload(function, start, optimizer, None, params, steps, tol))
    payload["lr"] = {"min": lr_min, "max": lr_max, "count": count}
    if second:
        name, sep, values = second.partition("=")
        payload["second"] = {"param": name, "values": _numbers(values) if sep else []}
    body = _compute(f"sweep of {optimizer}", inprocess.sweep, payload)

    def table(result: dict) -> None:
        rows = exports.sweep_csv(result).splitlines()
        _table(rows[0].split(","), [r.split(",") for r in rows[1:]])

    _emit(body, fmt, exports.sweep_csv, table)


@cli.command()
@click.argument("function")
@click.option("--run", "runs", multiple=True, metavar="RUN",
              help="a run as the page's link writes it, e.g. 'adam(lr=0.05)' (repeatable; "
              "'|' separates several)")  # fmt: skip
@click.option("--start", help="comma-separated (default: the function's)")
@click.option("--steps", type=int, default=500, show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="race.html (animated, offline), race.csv or race.json")  # fmt: skip
@click.option("--scheduler", help="every run's learning-rate schedule (a run's own '@{json}' wins)")
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "json"]),
              help="default: from the output's extension")  # fmt: skip
def export(function, runs, start, steps, output, scheduler, fmt) -> None:
    """Write a race to a file: an offline animated HTML page, CSV or JSON."""
    from app.notebook import race_payload  # noqa: PLC0415

    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in ("html", "csv", "json"):
        raise Refused(f"output: cannot tell the format of {output.name}; use --format")
    spec = _function(function)
    try:
        fields = {} if scheduler is None else {"scheduler": _scheduler(scheduler)}
        payload = race_payload(spec, "|".join(runs) or "adam(lr=0.05)", _numbers(start), steps,
                               **fields)  # fmt: skip
    except inprocess.InputError as error:
        raise Refused(str(error)) from None
    if fmt == "html":
        from app.figures import figure_html  # noqa: PLC0415
        from app.notebook import figure_of  # noqa: PLC0415

        text = figure_html(_compute("the race", figure_of, payload))
    else:
        body = _compute("the race", inprocess.batch, payload)
        text = body.decode() if fmt == "json" else exports.batch_csv(orjson.loads(body))
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output} ({len(text.encode()) / 1e6:.1f} MB)" if len(text) > 1e6
               else f"wrote {output}", err=True)  # fmt: skip


def main() -> None:
    cli(prog_name="descent")


if __name__ == "__main__":
    sys.exit(main())
