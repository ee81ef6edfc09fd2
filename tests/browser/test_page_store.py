"""The page's modules keep to the one store (issue 12). The panels are the classes registered
in `PANELS` (static/js/main.js); no panel module reaches another panel module (directly or
through a helper), the start-up, the landscape, the race session and the drawing layers name
no panel, every panel is built the same way by that one registration, and every event or
request has someone listening. Nothing reads Plotly's private `_fullLayout`. Source checks
(no browser needed), plus one in the page that the registration is what window.descent holds."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "static" / "js"
# The modules that are not panels but drive them: they may only talk to panels through the store.
CORE = (
    "boot.js",
    "landscape.js",
    "session.js",
    "page.js",
    "trails.js",
    "loss.js",
    "tangent.js",
    "probes.js",
)
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']\./([\w-]+\.js)["']""")


def code(path: Path) -> str:
    """The source without its comments (which may well say which panels listen)."""
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)


@cache
def imports(name: str) -> frozenset[str]:
    """The page modules `name` imports: static, side-effect and dynamic import()s."""
    return frozenset(IMPORT.findall(code(JS / name)))


def closure(name: str) -> set[str]:
    """Every module `name` reaches through its imports, itself excluded."""
    seen: set[str] = set()
    todo = list(imports(name))
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imports(module))
    seen.discard(name)
    return seen


@cache
def panels() -> dict[str, tuple[str, str]]:
    """PANELS of main.js: instance name -> (class, module file)."""
    main = code(JS / "main.js")
    body = re.search(r"export const PANELS = \{(.*?)\};", main, re.S).group(1)
    registered = dict(re.findall(r"(\w+):\s*(\w+)", body))
    files = {}
    for names, module in re.findall(r'import \{([^}]*)\} from "\./([\w-]+\.js)"', main):
        for cls in re.findall(r"\w+", names):
            files[cls] = module
    return {name: (cls, files[cls]) for name, cls in registered.items()}


def panel_files() -> set[str]:
    return {module for _, module in panels().values()}


def test_the_registration_lists_the_page_panels():
    names = set(panels())
    # The panels the issue names (menu and settings, typed formula, data card, runs, basins,
    # present mode) and the race's own controls are all in the one list.
    assert names >= {
        "controls",
        "expression",
        "dataPanel",
        "runsPanel",
        "basins",
        "present",
        "transport",
        "inspector",
    }
    assert not panel_files() & set(CORE)


@pytest.mark.parametrize("module", sorted({m for _, m in panels().values()}))
def test_no_panel_reaches_another_panel(module):
    reached = closure(module) & (panel_files() - {module})
    assert reached == set(), f"{module} imports the panel module(s) {sorted(reached)}"


@pytest.mark.parametrize("module", CORE)
def test_the_core_names_no_panel(module):
    assert not closure(module) & panel_files(), closure(module) & panel_files()
    text = code(JS / module)
    words = {name for name in panels()} | {cls for cls, _ in panels().values()} | {"views"}
    # A panel's name as a value (views.controls, controls.show(…)); `state.expression` is a key.
    named = sorted(w for w in words if re.search(rf"(?<![.\w$\"'-]){w}\b(?![\"'-])", text))
    assert named == []


def test_each_panel_is_built_by_the_registration_alone():
    main = code(JS / "main.js")
    for name, (cls, module) in panels().items():
        source = code(JS / module)
        # Built with no arguments: it finds its markup and hears the store, so main.js need
        # not hand it callbacks or other panels.
        constructor = re.search(rf"class {cls}\b[^{{]*\{{\s*constructor\(([^)]*)\)", source)
        assert constructor is not None and constructor.group(1).strip() == "", name
        for path in JS.glob("*.js"):
            assert f"new {cls}(" not in code(path), f"{path.name} builds {cls} itself"
        assert len(re.findall(rf"\b{cls}\b", main)) == 2, f"{cls}: one import, one registration"


def events(kind: str) -> dict[str, set[str]]:
    """Event name -> modules that `kind` it (emit, ask, request or on)."""
    found: dict[str, set[str]] = {}
    for path in JS.glob("*.js"):
        for event in re.findall(rf'store\.{kind}\("([a-z0-9-]+)"', code(path)):
            found.setdefault(event, set()).add(path.name)
    return found


def test_every_event_has_a_listener_and_every_listener_an_announcer():
    told = {**events("emit")}
    for kind in ("ask", "request"):
        for event, modules in events(kind).items():
            told.setdefault(event, set()).update(modules)
    heard = events("on")
    assert sorted(set(told) - set(heard)) == []  # announced to nobody (a typo?)
    assert sorted(set(heard) - set(told)) == []  # listening for what never comes


def test_the_session_names_no_panel_and_announces_the_race():
    text = code(JS / "session.js")
    for event in (
        "frame",
        "race",
        "race-data",
        "race-steps",
        "race-axes",
        "race-done",
        "problem",
        "clear-errors",
    ):
        assert f'store.emit("{event}"' in text, event
    for event in ("tick", "settings", "start-at"):  # what panels ask of it
        assert f'store.on("{event}"' in text, event


def test_no_module_reads_plotlys_private_layout():
    readers = [p.name for p in JS.glob("*.js") if "_fullLayout" in p.read_text()]
    assert readers == []


def test_the_page_exposes_the_registered_panels(app):
    app.open("?function=bowl&runs=adam(lr=0.1)")
    names = app.js("import('/static/js/main.js').then((m) => Object.keys(m.PANELS))")
    assert sorted(names) == sorted(panels())
    built = app.js(
        f"{names}.filter((n) => window.descent[n] && "
        "window.descent[n].constructor.name !== 'Object')"
    )
    assert sorted(built) == sorted(names)
