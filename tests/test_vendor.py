"""The two Plotly.js bundles the page loads: one plotly.js version, served cached for good,
the cartesian one vendored with its licence from the npm package tools/package.json pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.pages import BUNDLES, CARTESIAN_DIR, bundle, bundle_version, full_bundle

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as c:
        yield c


def test_the_cartesian_bundle_is_the_full_bundles_version():
    full = bundle_version(full_bundle())
    assert re.fullmatch(r"\d+\.\d+\.\d+", full), full
    assert bundle_version(bundle("plotly-cartesian.min.js")[0]) == full
    vendored = json.loads((CARTESIAN_DIR / "package.json").read_text())
    assert (vendored["name"], vendored["version"]) == ("plotly.js-cartesian-dist-min", full)
    pinned = json.loads((ROOT / "tools" / "package.json").read_text())["devDependencies"]
    assert pinned["plotly.js-cartesian-dist-min"] == full, "run tools/vendor-plotly.sh"


def test_the_vendored_bundle_keeps_its_licence():
    licence = (CARTESIAN_DIR / "LICENSE").read_text()
    assert "MIT" in licence or "Permission is hereby granted" in licence
    assert "Plotly" in licence


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_each_bundle_is_served_and_cached_for_good(client, name):
    first = client.get(f"/vendor/{name}")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/javascript")
    assert first.content == bundle(name)[0]
    assert "immutable" in first.headers["cache-control"]
    again = client.get(f"/vendor/{name}", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_page_preloads_only_the_cartesian_bundle(client):
    html = client.get("/").text
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="script">', html)
    assert preloads == [f"/vendor/plotly-cartesian.min.js?v={bundle('plotly-cartesian.min.js')[1]}"]
    # The full bundle is named for the 3-D view, fetched only when it is chosen.
    assert f'data-plotly-src="/vendor/plotly.min.js?v={bundle("plotly.min.js")[1]}"' in html


def test_a_3d_link_preloads_the_full_bundle(client):
    html = client.get("/?view=3d").text
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="script">', html)
    assert preloads == [f"/vendor/plotly.min.js?v={bundle('plotly.min.js')[1]}"]
