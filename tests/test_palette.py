"""The run palette (static/js/palette.js, its one definition) is told apart by people with
deuteranopia or protanopia too: CIEDE2000 distances after a Machado (2009) simulation,
pairwise and against the dark valleys of the landscape's colour scale (static/js/plot.js)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from app.figures import page_list
from tests.colour_vision import ciede2000, delta_e, rgb, simulate

ROOT = Path(__file__).resolve().parents[1]
VISIONS = ["normal", "deuteranopia", "protanopia"]
# ΔE00 floors. Pairs: the Okabe–Ito palette the page had (orange and vermillion at 12.5 for
# deuteranopes, its closest pair) fails; every run also has its own dash and marker.
# Valleys: a run's colour against the colour scale's darkest stops (dark blue was 13.6).
PAIR_MIN = 13.5
VALLEY_MIN = 20.0
OLD_PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2"]


def colour_scale() -> list[tuple[float, str]]:
    text = (ROOT / "static" / "js" / "plot.js").read_text()
    block = re.search(r"export const COLORSCALE = \[(.*?)\];", text, re.S).group(1)
    return [(float(at), c) for at, c in re.findall(r"\[([\d.]+),\s*\"(#[0-9a-fA-F]{6})\"\]", block)]


def valleys() -> list[str]:
    return [c for at, c in colour_scale() if at <= 0.15]


def closest_pair(palette, vision):
    return min((delta_e(a, b, vision), a, b) for a, b in itertools.combinations(palette, 2))


def closest_to_valleys(palette, vision):
    return min((delta_e(c, v, vision), c, v) for c in palette for v in valleys())


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal (2005), table 1: pairs 1, 4, 7, 17 and 25
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (56, -27, -3), 31.9030),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("vision", VISIONS[1:])
def test_the_simulation_keeps_greys_and_merges_red_with_green(vision):
    for grey in ("#000000", "#777777", "#ffffff"):
        assert simulate(rgb(grey), vision) == pytest.approx(rgb(grey), abs=2e-3)
    # A dichromat barely tells this red from this green; everyone else does.
    assert delta_e("#CC3300", "#669900", vision) < 0.4 * delta_e("#CC3300", "#669900")


@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_of_runs_is_told_apart(vision):
    palette = page_list("PALETTE")
    assert len(palette) == len(set(palette)) == 6
    distance, a, b = closest_pair(palette, vision)
    assert distance >= PAIR_MIN, f"{a} and {b}: ΔE00 {distance:.1f} for {vision}"


@pytest.mark.parametrize("vision", VISIONS)
def test_every_run_shows_on_the_dark_valleys(vision):
    assert len(valleys()) >= 2, colour_scale()
    distance, c, v = closest_to_valleys(page_list("PALETTE"), vision)
    assert distance >= VALLEY_MIN, f"{c} on {v}: ΔE00 {distance:.1f} for {vision}"


def test_the_old_palette_fails_both_checks():
    # The floors are not vacuous: the two complaints are what they catch.
    distance, a, b = closest_pair(OLD_PALETTE, "deuteranopia")
    assert distance < PAIR_MIN and {a, b} == {"#E69F00", "#D55E00"}
    distance, c, _ = min(closest_to_valleys(OLD_PALETTE, v) for v in VISIONS)
    assert distance < VALLEY_MIN and c == "#0072B2"


def test_each_run_has_its_own_dash_and_marker():
    palette, dashes, markers = (page_list(n) for n in ("PALETTE", "PLOTLY_DASHES", "MARKERS"))
    assert len(dashes) == len(set(dashes)) == len(palette)
    assert len(markers) == len(set(markers)) == len(palette)
    text = (ROOT / "static" / "js" / "palette.js").read_text()
    canvas = re.search(r"const DASHES = \[(.*)\];", text).group(1)
    patterns = re.findall(r"\[[\d, ]*\]", canvas)
    assert len(patterns) == len(set(patterns)) == len(palette)
