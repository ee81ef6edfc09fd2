"""Saved images keep the race: the mode bar's PNG has the trails and balls over the contour,
at projector resolution, and the SVG carries the race as a layer."""

from __future__ import annotations

import base64

PIXEL_OF_BALL = """async ([png, step]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const t = window.descent.trails;
  const e = window.descent.race.entries[0];
  const {px, py} = t.pixels(e);
  const k = Math.min(step, px.length - 1);
  const scale = img.width / document.getElementById('landscape').getBoundingClientRect().width;
  const x = Math.round((t.area.left + px[k]) * scale), y = Math.round((t.area.top + py[k]) * scale);
  const rgb = Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
  return {width: img.width, rgb, color: e.color};
}"""


def save(app, name: str) -> bytes:
    box = app.plot_box()
    app.page.mouse.move(box["x"] + 20, box["y"] + 20)  # the mode bar shows on hover
    with app.page.expect_download() as info:
        app.page.locator(f'#landscape .modebar-btn[data-title*="{name}"]').click()
    return open(info.value.path(), "rb").read()


def test_saved_png_has_the_race_at_projector_resolution(app):
    app.open("?function=bowl&runs=sgd(lr=0.05)&start=1.5,1.2&steps=40")
    app.wait_race()
    app.page.click("#reset")
    for _ in range(10):
        app.page.click("#step-forward")
    step = app.step()
    png = save(app, "PNG")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    got = app.page.evaluate(PIXEL_OF_BALL, [base64.b64encode(png).decode(), step])
    assert got["width"] >= 1920
    want = [int(got["color"][i : i + 2], 16) for i in (1, 3, 5)]
    assert all(abs(a - b) <= 40 for a, b in zip(got["rgb"], want)), (got, want)


def test_saved_svg_has_the_contour_and_the_race_layer(app):
    app.open("?function=bowl&runs=sgd(lr=0.05)&start=1.5,1.2&steps=40")
    app.wait_race()
    svg = save(app, "SVG").decode()
    assert svg.lstrip().startswith("<svg") and "contour" in svg
    assert svg.count("data:image/png;base64,") >= 1
