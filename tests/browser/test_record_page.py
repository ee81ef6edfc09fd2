"""Record for slides: the race saved as a 1280×720 GIF and WebM, read back byte by byte
(tests/browser/media.py), with the legend and the step counter burned into the frames."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from tests.browser.media import read_gif, read_webm

# A short race (120 steps at 4×: the shortest clip, one second) keeps the test light.
RACE = ("?function=rosenbrock&runs=adam(lr=0.05)|sgd(lr=0.001,momentum=0.9)&start=-1.5,2"
        "&steps=120&speed=4")
WIDTH, HEIGHT = 1280, 720
HEADER = 64  # record-frame.js: the band of the title and the step counter
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "gifenc"


def record(app, fmt: str) -> tuple[str, bytes, dict]:
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-record').hidden")
    with app.page.expect_download(timeout=120_000) as info:
        app.page.locator(f"#race-record button[data-record={fmt}]").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    last = app.wait("descent.recorder.last", timeout=30)
    assert app.js("descent.recorder.busy") is False
    return download.suggested_filename, data, last


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_the_vendored_encoder_is_the_npm_package_it_names():
    readme = (VENDOR / "README.md").read_text()
    rows = dict(re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", readme, re.MULTILINE))
    assert set(rows) == {"gifenc.esm.js", "gifenc.esm.js.map", "LICENSE.md"}
    for name, digest in rows.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (VENDOR / "LICENSE.md").read_text()


def test_record_buttons_follow_the_race_and_the_view(app):
    app.open("?function=rosenbrock")
    assert app.page.locator("#race-record").is_hidden()
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-record').hidden")
    assert app.js("[...document.querySelectorAll('#race-record button')].every(b => !b.disabled)")
    app.page.locator("input[name=view][value='3d']").check()
    app.wait("[...document.querySelectorAll('#race-record button')].every(b => b.disabled)")
    assert app.page.inner_text("#record-status") == "2-D view only"


def test_gif_is_1280x720_with_one_frame_per_step_shown_and_the_legend_burned_in(app):
    name, data, last = record(app, "gif")
    assert name == "descent-race-rosenbrock.gif"
    gif = read_gif(data)
    assert (gif.width, gif.height) == (WIDTH, HEIGHT)
    assert last == {**last, "format": "gif", "bytes": len(data)}
    assert len(gif.frames) == last["frames"] == last["steps"] >= 25  # one second at 25 fps
    assert gif.loops == 0  # plays forever on a slide
    assert [f.delay_ms for f in gif.frames[:-1]] == [40] * (len(gif.frames) - 1)
    assert gif.frames[-1].delay_ms == 1040  # the end held for a second
    assert all((f.width, f.height) == (WIDTH, HEIGHT) for f in gif.frames)

    first, final = gif.composed(0), gif.composed(len(gif.frames) - 1)
    colours = app.js("descent.race.entries.map(e => e.color)")
    palette = np.array(gif.palette, np.uint8)
    legend = palette[first[HEADER : HEADER + 70, 800:860]]  # record-frame.js: the swatches
    for colour in colours:
        # Each run's 18×18 px swatch is the run's exact colour (kept in the palette).
        exact = np.all(legend == rgb(colour), axis=-1)
        assert np.count_nonzero(exact) >= 18 * 18 * 0.9, colour
    changed = first != final
    # The step counter (top right) changed; the title (top left) did not; the map did.
    assert changed[:HEADER, WIDTH // 2 :].any()
    assert not changed[:HEADER, : WIDTH // 3].any()
    assert np.count_nonzero(changed[HEADER:, :800]) > 500


def test_webm_is_a_1280x720_video_with_every_frame_recorded(app):
    name, data, last = record(app, "webm")
    assert name == "descent-race-rosenbrock.webm"
    video = read_webm(data)
    assert video.doctype == "webm"
    (track,) = video.tracks.values()
    assert track["codec"] in {"V_VP8", "V_VP9"}
    assert (track["width"], track["height"]) == (WIDTH, HEIGHT)
    frames = [b for b in video.blocks if b["track"] == track["number"]]
    assert last["format"] == "webm" and last["bytes"] == len(data)
    # The clip's frames then a second holding the end. MediaRecorder keeps every frame pushed
    # on an idle machine (50 of 50 here) but drops some whose encoding cannot keep up: 46 of
    # 50 were kept with the 2 cores' load average at 16. It never adds one.
    assert last["frames"] == last["steps"] + 25
    assert 0.8 * last["frames"] <= len(frames) <= last["frames"]
    assert frames[0]["keyframe"]
    times = [b["time_ms"] for b in frames]
    assert times == sorted(times) and times[-1] >= 1000 * (len(frames) - 1) / 25 * 0.9


@pytest.mark.parametrize(
    ("max_step", "speed", "frames"),
    [(120, 4, 25), (10, 1, 11), (500, 1, 125), (500, 0.25, 500), (100_000, 8, 500)],
)
def test_a_clip_plays_at_the_pages_speed_between_one_and_twenty_seconds(
    app, max_step, speed, frames
):
    """100 steps a second at 1×, 25 frames a second, 1 to 20 s, never more frames than steps."""
    app.open("?function=bowl")
    steps = app.js(f"import('/static/js/record.js').then((m) => m.clipSteps({max_step}, {speed}))")
    assert len(steps) == frames
    assert steps[0] == 0 and steps[-1] == max_step and steps == sorted(set(steps))


@pytest.mark.parametrize("fmt", ["gif", "webm"])
def test_recording_leaves_the_race_where_it_was(app, fmt):
    app.open(RACE)
    app.wait_race()
    app.wait("!document.getElementById('race-record').hidden")
    app.page.locator("#scrubber").fill("37")
    with app.page.expect_download(timeout=120_000):
        app.page.locator(f"#race-record button[data-record={fmt}]").click()
    app.wait("descent.recorder.last && !descent.recorder.busy", timeout=30)
    assert app.step() == 37
    assert not app.probe.console_errors
