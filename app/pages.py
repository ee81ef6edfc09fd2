"""The HTML page and the locally served Plotly.js (classrooms can be offline)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.config import settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=settings.templates_dir)


@cache
def plotly_js() -> bytes:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@router.get("/", response_class=HTMLResponse)
def get_index(request: Request) -> HTMLResponse:
    """The classroom page."""
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/vendor/plotly.min.js")
def get_plotly_js() -> Response:
    """Plotly.js from the installed plotly package."""
    return Response(
        plotly_js(),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
