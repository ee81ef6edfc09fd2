"""The HTML page and its locally served Plotly.js (no CDN: classrooms can be offline).

``app.main`` includes ``router``; the page's own CSS and ES modules are served from
``/static`` by the app's ``StaticFiles`` mount.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=ROOT / "templates")
PLOTLY_CACHE_CONTROL = "public, max-age=31536000, immutable"

router = APIRouter()


@cache
def plotly_js() -> tuple[bytes, str]:
    """The bytes of the plotly package's bundled ``plotly.min.js`` and a short content hash."""
    resource = importlib.resources.files("plotly").joinpath("package_data/plotly.min.js")
    try:
        body = resource.read_bytes()
    except FileNotFoundError:  # pragma: no cover - very old plotly packages
        from plotly.offline import get_plotlyjs

        body = get_plotlyjs().encode("utf-8")
    return body, hashlib.sha256(body).hexdigest()[:12]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    _, version = plotly_js()
    return TEMPLATES.TemplateResponse(request, "index.html", {"plotly_version": version})


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def vendor_plotly(request: Request) -> Response:
    body, version = plotly_js()
    etag = f'"{version}"'
    headers = {"Cache-Control": PLOTLY_CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/javascript", headers=headers)
