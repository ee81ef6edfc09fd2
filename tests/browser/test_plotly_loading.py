"""Plotly.js in two parts (static/js/plotly-loader.js): a first visit fetches only the
cartesian bundle; the first 3-D view fetches the full one, which takes over the plots the
cartesian one drew (their listeners kept: a click on the map still races)."""

from __future__ import annotations


def vendor_requests(app) -> list[str]:
    return app.js(
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
        ".filter(p => p.startsWith('/vendor/'))"
    )


def test_2d_then_3d_then_2d_keeps_the_page_working(cold_app):
    app = cold_app
    app.open("?function=himmelblau&runs=adam(lr=0.05)|sgd(lr=0.01)")
    assert vendor_requests(app) == ["/vendor/plotly-cartesian.min.js"]
    assert app.js("document.querySelector('#landscape .gl-container canvas') === null")
    # A listener added while the cartesian bundle drew the map (as the page's own are).
    app.js(
        "(() => { window.__afterplots = 0; const gd = document.getElementById('landscape');"
        " gd.on('plotly_afterplot', () => window.__afterplots++); })()"
    )
    app.page.locator("input[name=view][value='3d']").check()
    app.wait("document.querySelector('#landscape .gl-container canvas') !== null", timeout=40)
    assert vendor_requests(app) == ["/vendor/plotly-cartesian.min.js", "/vendor/plotly.min.js"]
    app.page.locator("input[name=view][value='2d']").check()
    app.wait("!document.getElementById('landscape')._is3d && !!document.querySelector('.nsewdrag')")
    box = app.plot_box()
    app.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.3)
    app.wait_race()
    assert app.js("descent.race.entries.every(e => e.data && e.data.points.length > 1)")
    app.wait("descent.transport.step > 3")
    assert app.js("descent.trails.area !== null")  # the overlay follows the 2-D plot again
    app.js("window.__afterplots = 0")
    app.page.set_viewport_size({"width": 1280, "height": 720})
    app.wait("window.__afterplots > 0")  # a relayout under the full bundle still reaches it
    # A plot the full bundle draws from scratch (the sweep chart) works as well.
    app.page.click("#sweep-toggle")
    app.wait("document.getElementById('sweep-card').dataset.state === 'ok'", timeout=30)
    assert vendor_requests(app).count("/vendor/plotly.min.js") == 1
    assert app.probe.console_errors == []
