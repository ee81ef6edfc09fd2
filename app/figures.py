"""A race as one Plotly figure: the landscape, every run's trail and ball, the minima, and
animation frames driven by Plotly's own play button and step slider.

Built from what the API answers (a surface body and trajectory bodies), so the notebook,
the CLI's ``export`` and the page's "offline HTML" draw the same thing.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.config import settings
from app.engine.functions import LossFunction
from app.engine.optim.specs import SPECS


@cache
def page_list(name: str) -> list[str]:
    """A list of strings from the page's run palette (static/js/palette.js: its one
    definition): PALETTE, PLOTLY_DASHES or MARKERS."""
    text = (Path(settings.static_dir) / "js" / "palette.js").read_text(encoding="utf-8")
    found = re.search(rf"export const {name} = \[([^\]]*)\]", text)
    if not found:
        raise RuntimeError(f"static/js/palette.js has no {name}")
    return re.findall(r'"([^"]+)"', found.group(1))


FRAME_MS = 60
FRAME_POINTS = 150  # points of a trail in one animation frame (the file stays small)


def _number(value: float) -> str:
    return format(value, ".6g")


def run_label(optimizer: dict) -> str:
    """A run as the page's link writes it: ``adam(lr=0.05)``, non-default options only."""
    name = optimizer["name"]
    spec = SPECS.get(name)
    parts = []
    for key, value in optimizer.items():
        if key == "name":
            continue
        default = None
        if spec is not None and any(p.name == key for p in spec.params):
            default = spec.param(key).default
            default = list(default) if isinstance(default, tuple) else default
        if value == default and key != "lr":
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            text = ":".join(_number(v) for v in value)
        else:
            text = _number(value)
        parts.append(f"{key}={text}")
    return f"{name}({','.join(parts)})"


def _grid(z: Any) -> np.ndarray:
    if isinstance(z, dict):  # a Plotly typed array
        import base64  # noqa: PLC0415

        shape = [int(s) for s in str(z["shape"]).split(",")]
        return np.frombuffer(base64.b64decode(z["bdata"]), "<" + z["dtype"]).reshape(shape)
    return np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float)


def _steps_of_frames(longest: int, frames: int) -> list[int]:
    count = max(2, min(frames, longest + 1))
    return sorted({int(round(s)) for s in np.linspace(0, longest, count)})


def race_figure(
    f: LossFunction,
    surface: dict,
    runs: list[tuple[str, dict]],
    frames: int = 60,
    title: str | None = None,
) -> go.Figure:
    """``runs``: (label, trajectory body) pairs; ``surface``: a surface body (list encoding)."""
    two_d = f.dims == 2
    data: list[go.BaseTraceType] = []
    if two_d:
        z = _grid(surface["z"])
        shown = z
        colorbar: dict[str, Any] = {"title": {"text": "f", "side": "right"}, "thickness": 14}
        if f.log_scale:
            z_min = np.nanmin(z)
            eps = max((np.nanmax(z) - z_min) * 1e-5, 1e-12)
            shown = np.log10(z - z_min + eps)
            powers = list(range(math.ceil(np.nanmin(shown)), math.floor(np.nanmax(shown)) + 1))
            colorbar |= {"title": {"text": "f (log)", "side": "right"}, "tickvals": powers,
                         "ticktext": [_number(z_min + 10.0**p) for p in powers]}  # fmt: skip
        data.append(go.Contour(
            x=surface["x"], y=surface["y"], z=shown, colorscale="Viridis", ncontours=30,
            line={"width": 0.5}, colorbar=colorbar, name="f", hoverinfo="skip",
            showlegend=False,
        ))  # fmt: skip
    else:
        data.append(go.Scatter(x=surface["x"], y=surface["z"], mode="lines", name="f",
                               line={"color": "#444"}, showlegend=False))  # fmt: skip
    if f.minima:
        xs = [m.point[0] for m in f.minima]
        ys = [m.point[1] if two_d else m.value for m in f.minima]
        data.append(go.Scatter(
            x=xs, y=ys, mode="markers", name="minima",
            marker={"symbol": ["star" if m.is_global else "star-open" for m in f.minima],
                    "size": 13, "color": "white", "line": {"color": "black", "width": 1}},
        ))  # fmt: skip

    def coords(body: dict, upto: int) -> tuple[list, list]:
        points = body["points"][: upto + 1]
        xs = [p[0] for p in points]
        ys = [p[1] for p in points] if two_d else body["losses"][: upto + 1]
        return xs, ys

    first_run = len(data)
    longest = max((len(body["points"]) - 1 for _, body in runs), default=0)
    for i, (label, body) in enumerate(runs):
        colors, dashes, markers = (page_list(n) for n in ("PALETTE", "PLOTLY_DASHES", "MARKERS"))
        color, dash, marker = (v[i % len(v)] for v in (colors, dashes, markers))
        xs, ys = coords(body, longest)
        final = body["losses"][-1] if body["losses"] else None
        legend = f"{label} · {body['status']}" + (
            f", f = {_number(final)}" if final is not None else "")  # fmt: skip
        data.append(go.Scatter(x=xs, y=ys, mode="lines", name=legend, legendgroup=str(i),
                               line={"color": color, "width": 2.5, "dash": dash}))  # fmt: skip
        data.append(go.Scatter(
            x=xs[-1:], y=ys[-1:], mode="markers", showlegend=False, legendgroup=str(i),
            name=label, marker={"color": color, "size": 12, "symbol": marker,
                                "line": {"color": "black", "width": 1.5}},
        ))  # fmt: skip
    if runs:
        start = runs[0][1]["points"][0]
        data.append(go.Scatter(
            x=[start[0]], y=[start[1] if two_d else runs[0][1]["losses"][0]], mode="markers",
            name="start", marker={"symbol": "x", "size": 11, "color": "black"},
        ))  # fmt: skip

    steps = _steps_of_frames(longest, frames)
    moving = list(range(first_run, first_run + 2 * len(runs)))
    animation = []
    for step in steps:
        frame_data = []
        for _, body in runs:
            xs, ys = (_thin(v) for v in coords(body, step))
            frame_data += [go.Scatter(x=xs, y=ys), go.Scatter(x=xs[-1:], y=ys[-1:])]
        animation.append(go.Frame(data=frame_data, traces=moving, name=str(step)))

    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}  # fmt: skip
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
             "transition": {"duration": 0}}  # fmt: skip
    figure = go.Figure(data=data, frames=animation)
    lo_hi = [list(b) for b in f.domain]
    figure.update_layout(
        title={"text": title or f.title},
        template="plotly_white",
        width=None,
        height=640,
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.28},
        xaxis={"title": {"text": "x"}, "range": lo_hi[0]},
        yaxis={"title": {"text": "y" if two_d else "f(x)"},
               **({"range": lo_hi[1], "scaleanchor": "x", "scaleratio": 1}
                  if two_d and _square(lo_hi) else {})},
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0.0, "y": -0.08, "xanchor": "left",
            "yanchor": "top", "pad": {"r": 10, "t": 10}, "showactive": False,
            "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                        {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]}],
        }],
        sliders=[{
            "active": len(steps) - 1, "x": 0.18, "y": -0.04, "len": 0.82,
            "currentvalue": {"prefix": "step ", "visible": True},
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {**pause, "frame": {"duration": 0, "redraw": False}}]}
                      for s in steps],
        }],
    )  # fmt: skip
    return figure


def _thin(values: list, most: int = FRAME_POINTS) -> list:
    """A frame's trail: at most ``most`` points (the last kept), 7 significant digits."""
    if len(values) > most:
        picks = np.linspace(0, len(values) - 1, most).round().astype(int)
        values = [values[i] for i in picks]
    return [None if v is None else float(format(v, ".7g")) for v in values]


def _square(domain: list[list[float]]) -> bool:
    (x0, x1), (y0, y1) = domain
    return 0.5 <= (x1 - x0) / (y1 - y0) <= 2


def figure_html(figure: go.Figure) -> str:
    """One self-contained HTML file: Plotly.js inlined, nothing fetched from the internet."""
    return figure.to_html(include_plotlyjs=True, full_html=True, auto_play=False,
                          config={"displaylogo": False, "responsive": True})  # fmt: skip
