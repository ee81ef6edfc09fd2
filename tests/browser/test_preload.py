"""The page preloads its first surface with the HTML: the preload must be the very URL the page
then asks for, or the browser fetches (and the server computes) the surface twice."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("function", ["rosenbrock", "three-hump-camel", "levi"])
def test_the_first_surface_is_fetched_once_through_its_preload(app, function):
    surfaces: list[str] = []
    app.page.on("request", lambda r: surfaces.append(r.url) if "/surface" in r.url else None)
    app.open(f"?function={function}")
    app.page.wait_for_load_state("networkidle")
    assert len(surfaces) == 1, surfaces
    html = app.page.content()
    assert surfaces[0].removeprefix(app.base_url) in html.replace("&amp;", "&")
