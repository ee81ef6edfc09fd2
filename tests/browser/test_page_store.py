"""The page's modules keep to the one store (issue 12): nothing reads Plotly's private
`_fullLayout`, and the race session hands frames, races and problems to the panels through
store events, never by a panel's name. Source checks: no browser needed."""

from __future__ import annotations

import re
from pathlib import Path

JS = Path(__file__).resolve().parents[2] / "static" / "js"
PANELS = ("trails", "loss", "inspector", "dataPanel", "basins", "sweeps", "runsPanel", "controls")


def test_no_module_reads_plotlys_private_layout():
    readers = [p.name for p in JS.glob("*.js") if "_fullLayout" in p.read_text()]
    assert readers == []


def code(path: Path) -> str:
    """The source without its comments (which may well say which panels listen)."""
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)


def test_the_session_names_no_panel():
    text = code(JS / "session.js")
    named = [p for p in PANELS if re.search(rf"\b{p}\b", text)]
    assert named == []
    for event in ("frame", "race", "race-data", "problem", "clear-errors", "settings"):
        assert f'store.emit("{event}"' in text, event


def test_each_event_the_session_emits_has_a_listener():
    emitted = set(re.findall(r'store\.emit\("([a-z-]+)"', (JS / "session.js").read_text()))
    listened = set()
    for path in JS.glob("*.js"):
        listened |= set(re.findall(r'store\.on\("([a-z-]+)"', path.read_text()))
    assert emitted and emitted <= listened, emitted - listened
