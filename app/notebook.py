"""Descent in a notebook: the page's race as a Plotly figure, and a run as a table.

    from app.notebook import landscape_figure, trajectory_frame
    landscape_figure("rosenbrock", runs=["adam(lr=0.05)", "sgd(lr=0.001,momentum=0.9)"])
    trajectory_frame("himmelblau", optimizer="adam(lr=0.1)", steps=200)

Runs are computed in-process by the engine through the API's own request models and
operations (``app.api.inprocess``), so the same inputs are accepted and refused with the
same messages as ``POST /api/v1/trajectories/batch``. A run is the page's link text
(``adam(lr=0.05,betas=0.8:0.99)``), a dict as the API takes it (``{"name": "adam",
"lr": 0.05}``) or a bare optimizer name. ``offline()`` makes figures need no internet.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import plotly.graph_objects as go

from app.api import inprocess
from app.api.exports import trajectory_rows
from app.figures import race_figure, run_label

__all__ = ["landscape_figure", "offline", "parse_run", "parse_runs", "race_payload",
           "trajectory_frame"]  # fmt: skip

Run = str | dict


def offline() -> None:
    """Show figures in this notebook with no internet: Plotly.js inlined once (as
    ``plotly.offline.init_notebook_mode(connected=False)`` does), and no MathJax from a CDN
    (plotly's notebook renderer links it even when no figure has LaTeX). JupyterLab and VS
    Code draw the figure's own mime type with their bundled Plotly.js."""
    import plotly.io as pio  # noqa: PLC0415
    from plotly.io._base_renderers import NotebookRenderer  # noqa: PLC0415

    class Offline(NotebookRenderer):
        def to_mimebundle(self, fig_dict):
            bundle = super().to_mimebundle(fig_dict)
            bundle["text/html"] = re.sub(r'<script src="https?://[^"]*"></script>', "",
                                         bundle["text/html"])  # fmt: skip
            return bundle

    pio.renderers["descent_offline"] = Offline(connected=False)
    pio.renderers.default = "plotly_mimetype+descent_offline"  # activating inlines Plotly.js


def _value(text: str) -> Any:
    text = text.strip()
    if ":" in text:
        return [_value(part) for part in text.split(":")]
    if text in ("true", "false"):
        return text == "true"
    try:
        return orjson.loads(text)  # numbers as JSON writes them
    except orjson.JSONDecodeError:
        return text  # left for the API to refuse with its message


def parse_run(run: Run) -> dict:
    """One run as the API's ``optimizer`` object."""
    if isinstance(run, dict):
        return dict(run)
    match = re.fullmatch(r"\s*([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*", run)
    if not match:
        raise inprocess.InputError(422, [("runs", f"cannot read run {run!r}; e.g. adam(lr=0.05)")])
    options: dict[str, Any] = {"name": match[1].lower()}
    for pair in filter(None, (match[2] or "").split(",")):
        key, _, raw = pair.partition("=")
        if key.strip() != "c":  # the page's colour slot
            options[key.strip()] = _value(raw)
    return options


def run_schedule(run: Run) -> tuple[Run, dict | None]:
    """A run as the page's link writes it, split from its own schedule (``adam(lr=0.05)@{json}``,
    the API's ``scheduler``); ``None`` when it has none."""
    if not isinstance(run, str) or "@" not in run:
        return run, None
    text, _, schedule = run.partition("@")
    try:
        value = orjson.loads(schedule)
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        example = 'adam(lr=0.05)@{"name": "StepLR", "step_size": 10}'
        problem = f"cannot read the schedule of {run!r}; e.g. {example}"
        raise inprocess.InputError(422, [("runs", problem)])
    return text, value


def _run_list(runs: Run | list[Run]) -> list[Run]:
    if isinstance(runs, str):
        return [part for part in runs.split("|") if part.strip()]
    return [runs] if isinstance(runs, dict) else list(runs)


def parse_runs(runs: Run | list[Run]) -> list[dict]:
    """Runs as a list, or the page's ``runs=`` text with ``|`` between runs: each run's
    ``optimizer`` (a run's own schedule is ``race_payload``'s)."""
    return [parse_run(run_schedule(run)[0]) for run in _run_list(runs)]


def race_payload(
    function: str | dict,
    runs: Run | list[Run],
    start: list[float] | None = None,
    steps: int = 500,
    **fields: Any,
) -> dict:
    """The ``POST /api/v1/trajectories/batch`` body of a race: every run from one start, with
    its own schedule if it has one (``adam(lr=0.05)@{json}``), else ``fields``' ``scheduler``."""
    if start is None:
        start = list(inprocess.function(function).start)
    common = {"function": function, "start": list(start), "steps": steps, **fields}
    out = []
    for run in _run_list(runs):
        text, schedule = run_schedule(run)
        own = {"scheduler": schedule} if schedule else {}
        out.append({**common, "optimizer": parse_run(text), **own})
    return {"runs": out}


def landscape_figure(
    function: str | dict = "rosenbrock",
    runs: Run | list[Run] = ("adam(lr=0.05)",),
    start: list[float] | None = None,
    steps: int = 500,
    resolution: int = 150,
    frames: int = 60,
    title: str | None = None,
    **fields: Any,
) -> go.Figure:
    """The landscape of ``function`` with each run's trail, the minima, and animation frames.

    ``function``: a catalog id, ``{"expression": ..., "domain": ...}`` or ``{"model", "loss",
    "data"}``; ``start`` defaults to the function's; ``fields`` are any other trajectory
    fields (``tol``, ``gradient_noise``, ``seed``, ``batch_size``, ...).
    """
    payload = race_payload(function, list(runs) if isinstance(runs, tuple) else runs, start,
                           steps, **fields)  # fmt: skip
    return figure_of(payload, resolution, frames, title)


def figure_of(payload: dict, resolution: int = 150, frames: int = 60, title=None,
              results: list[dict] | None = None) -> go.Figure:  # fmt: skip
    """The race figure of a batch body (as the page sends it, first run's landscape);
    ``results``: the batch's answer when the caller has it already (the API's HTML export)."""
    if results is None:
        results = orjson.loads(inprocess.batch(payload))["results"]
    spec = payload["runs"][0]["function"]
    f = inprocess.function(spec)
    surface = inprocess.surface({"function": spec, "resolution": resolution})
    labelled = [(run_label(body["optimizer"]), body) for body in results]
    return race_figure(f, surface, labelled, frames, title)


def trajectory_frame(
    function: str | dict = "rosenbrock",
    optimizer: Run = "adam(lr=0.05)",
    start: list[float] | None = None,
    steps: int = 500,
    **fields: Any,
):
    """One run as a table: step, coordinates (x, y), loss, grad_norm (and epoch on data).

    A ``pandas.DataFrame`` if pandas is installed, else a list of dicts (one per point)."""
    payload = race_payload(function, [optimizer], start, steps, **fields)["runs"][0]
    rows = trajectory_rows(orjson.loads(inprocess.trajectory(payload)))
    try:
        import pandas  # noqa: PLC0415 (optional)
    except ImportError:
        return rows
    return pandas.DataFrame(rows)
