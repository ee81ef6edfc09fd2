"""Speed, measured and recorded (bench/results/browser_metrics.json, ignored by git), not
asserted: performance belongs in bench/. Also takes the README screenshot of a race in progress."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
METRICS_FILE = ROOT / "bench" / "results" / "browser_metrics.json"  # a test run leaves git clean
SCREENSHOT = ROOT / "docs" / "screenshot.png"
SIX_RUNS = (
    "sgd(lr=0.001)|sgd(lr=0.001,momentum=0.9)|rmsprop(lr=0.01)|adam(lr=0.05)"
    "|adagrad(lr=0.5)|adamw(lr=0.1)"
)
RACE_QUERY = f"?function=rosenbrock&runs={SIX_RUNS}&steps=1000&tol=0"
FPS_WINDOW_S = 2.0


def _metrics(app) -> dict:
    return app.js("JSON.parse(JSON.stringify(window.descent.metrics))")


def test_speed_metrics_are_recorded(cold_app, app):
    # Cold: a first visit, nothing cached (Plotly.js must be fetched and compiled).
    cold_app.open(RACE_QUERY)
    cold = _metrics(cold_app)
    box = cold_app.plot_box()
    cold_app.page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.6)
    cold_app.wait_race()
    entries = cold_app.js("descent.race.entries.map(e => e.data.points.length)")
    assert entries == [1001] * 6, entries
    cold_app.wait("descent.transport.playing")
    time.sleep(FPS_WINDOW_S)
    race = _metrics(cold_app)
    transport = cold_app.js("JSON.parse(JSON.stringify(descent.transport.metrics))")
    assert cold_app.js("descent.transport.playing"), "the race ended before fps was measured"
    assert race["clickToFirstFrameMs"] > 0 and race["clickToRaceMs"] > 0
    assert race["fps"] > 0

    # Warm: the same browser again (HTTP cache and V8 code cache filled).
    app.open(RACE_QUERY)
    app.open(RACE_QUERY)
    warm = _metrics(app)

    record = {
        "what": "Descent page in headless Chromium on 127.0.0.1 (tests/browser/test_speed.py)",
        "viewport": cold_app.page.viewport_size,
        "contour_resolution": 200,
        "race": "6 runs x 1000 steps on rosenbrock, speed 1x",
        "cold_first_contour_ms": round(cold["firstContourMs"], 1),
        "cold_first_contour_kind": cold["firstContourKind"],
        "cold_plotly_contour_ms": round(cold["plotlyContourMs"], 1),
        "warm_first_contour_ms": round(warm["firstContourMs"], 1),
        "warm_first_contour_kind": warm["firstContourKind"],
        "warm_plotly_contour_ms": round(warm["plotlyContourMs"], 1),
        "click_to_first_frame_ms": round(race["clickToFirstFrameMs"], 1),
        "click_to_race_ms": round(race["clickToRaceMs"], 1),
        "fps": round(race["fps"], 1),
        "fps_window_s": FPS_WINDOW_S,
        "worst_frame_ms": round(transport["worstFrameMs"], 1),
        "max_render_ms": round(transport["renderMsMax"], 2),
        "chromium": cold_app.page.context.browser.version,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    METRICS_FILE.parent.mkdir(parents=True, exist_ok=True)
    METRICS_FILE.write_text(json.dumps(record, indent=2) + "\n")
    print("\nbrowser metrics:", json.dumps(record, indent=2))
    assert cold_app.probe.console_errors == []


def test_screenshot_of_a_race(app):
    app.open("?function=rosenbrock&start=-1.5,2")
    app.wait_race()
    app.wait("descent.transport.step >= 150")
    app.js("descent.transport.seek(220)")
    app.wait("document.getElementById('race-step').textContent.includes('220')")
    # Committed docs/screenshot.png is only rewritten on request (or when missing).
    update = os.environ.get("DESCENT_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists()
    target = SCREENSHOT if update else ROOT / "bench" / "results" / "screenshot.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    app.page.screenshot(path=str(target))
    assert Path(target).stat().st_size > 10_000
