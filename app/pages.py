"""The HTML page and its locally served Plotly.js (no CDN: classrooms can be offline).

Two bundles of one plotly.js version: the full one inside the plotly Python package (3-D,
4.8 MB), and the cartesian one vendored from npm by ``tools/vendor-plotly.sh`` (1.5 MB),
which draws the page until a 3-D view is chosen (static/js/plotly-loader.js).
``app.main`` includes ``router``; the page's own CSS and ES modules are served from
``/static`` by the app's ``StaticFiles`` mount.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.config import settings
from app.engine.catalog import CATALOG

TEMPLATES = Jinja2Templates(directory=settings.templates_dir)
PLOTLY_CACHE_CONTROL = "public, max-age=31536000, immutable"
DEFAULT_FUNCTION = "rosenbrock"  # the page's default landscape (static/js/state.js reads it)

router = APIRouter()


@cache
def full_bundle() -> bytes:
    """The plotly package's bundled ``plotly.min.js`` (every trace type, 3-D included)."""
    resource = importlib.resources.files("plotly").joinpath("package_data/plotly.min.js")
    try:
        return resource.read_bytes()
    except FileNotFoundError:  # pragma: no cover - very old plotly packages
        from plotly.offline import get_plotlyjs

        return get_plotlyjs().encode("utf-8")


CARTESIAN_DIR = Path(settings.static_dir) / "vendor" / "plotly-cartesian"  # tools/vendor-plotly.sh


@cache
def cartesian_bundle() -> bytes:
    """The vendored cartesian bundle (contour, scatter, heatmap): what the 2-D page needs."""
    return (CARTESIAN_DIR / "plotly-cartesian.min.js").read_bytes()


def bundle_version(body: bytes) -> str:
    """plotly.js's version from a bundle's banner ("plotly.js (cartesian - minified) v4.1.1")."""
    match = re.search(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)", body[:300])
    return match.group(1).decode() if match else "unknown"


BUNDLES = {"plotly.min.js": full_bundle, "plotly-cartesian.min.js": cartesian_bundle}


@cache
def bundle(name: str) -> tuple[bytes, str]:
    """A Plotly bundle's bytes and a short content hash (its URL's ``?v=``, and ETag)."""
    body = BUNDLES[name]()
    return body, hashlib.sha256(body).hexdigest()[:12]


def plotly_js() -> tuple[bytes, str]:
    """The full bundle and its hash (the class-room pages load it whole)."""
    return bundle("plotly.min.js")


# Every page module is preloaded so the browser fetches them in parallel; the class-room
# pages' own modules (room-*.js) are not the main page's. Adding a module needs no edit here.
PAGE_MODULES = ["main"] + sorted(
    f.stem
    for f in (Path(settings.static_dir) / "js").glob("*.js")
    if f.stem != "main" and not f.stem.startswith("room-")
)


def surface_path(function_id: str) -> str:
    """The surface request the page makes first; preloaded so it starts with the HTML."""
    return f"/api/v1/functions/{quote(function_id, safe='')}/surface?encoding=base64"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    function_id = request.query_params.get("function") or DEFAULT_FUNCTION
    preloads = ["/api/v1/functions", "/api/v1/optimizers"]
    # A link that opens in 3-D needs the full bundle first (the cartesian one would go unused).
    three_d = request.query_params.get("view") == "3d"
    first = "plotly.min.js" if three_d else "plotly-cartesian.min.js"
    # Only a catalog landscape has a GET surface to preload (not a typed one or custom data).
    if function_id in CATALOG and "expr" not in request.query_params:
        preloads.append(surface_path(function_id))
    context = {
        "plotly_version": bundle("plotly.min.js")[1],
        "plotly_cartesian_version": bundle("plotly-cartesian.min.js")[1],
        "plotly_preload": f"/vendor/{first}?v={bundle(first)[1]}",
        "default_function": DEFAULT_FUNCTION,
        "preloads": preloads,
        "modules": PAGE_MODULES,
    }
    return TEMPLATES.TemplateResponse(request, "index.html", context)


def _serve(name: str):
    def vendor_plotly(request: Request) -> Response:
        body, version = bundle(name)
        etag = f'"{version}"'
        headers = {"Cache-Control": PLOTLY_CACHE_CONTROL, "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/javascript", headers=headers)

    return vendor_plotly


for _name in BUNDLES:
    router.add_api_route(f"/vendor/{_name}", _serve(_name), include_in_schema=False)
