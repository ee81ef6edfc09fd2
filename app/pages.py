"""The HTML page and its locally served Plotly.js (no CDN: classrooms can be offline).

``app.main`` includes ``router``; the page's own CSS and ES modules are served from
``/static`` by the app's ``StaticFiles`` mount.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from functools import cache
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.config import settings
from app.engine.catalog import CATALOG

TEMPLATES = Jinja2Templates(directory=settings.templates_dir)
PLOTLY_CACHE_CONTROL = "public, max-age=31536000, immutable"
DEFAULT_FUNCTION = "rosenbrock"  # the page's default landscape (static/js/state.js reads it)
SURFACE_RESOLUTION = 200

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


def surface_path(function_id: str) -> str:
    """The surface request the page makes first; preloaded so it starts with the HTML."""
    return (
        f"/api/v1/functions/{quote(function_id, safe='')}/surface"
        f"?resolution={SURFACE_RESOLUTION}&encoding=base64"
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    _, version = plotly_js()
    function_id = request.query_params.get("function") or DEFAULT_FUNCTION
    preloads = ["/api/v1/functions", "/api/v1/optimizers"]
    # Only a catalog landscape has a GET surface to preload (not a typed one or custom data).
    if function_id in CATALOG and "expr" not in request.query_params:
        preloads.append(surface_path(function_id))
    context = {
        "plotly_version": version,
        "default_function": DEFAULT_FUNCTION,
        "surface_resolution": SURFACE_RESOLUTION,
        "preloads": preloads,
    }
    return TEMPLATES.TemplateResponse(request, "index.html", context)


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def vendor_plotly(request: Request) -> Response:
    body, version = plotly_js()
    etag = f'"{version}"'
    headers = {"Cache-Control": PLOTLY_CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/javascript", headers=headers)
