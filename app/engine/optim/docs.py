"""The README's optimizer and scheduler tables, generated from the registries.

``python -m app.engine.optim.docs`` rewrites the blocks between the ``<!-- optimizers -->``
and ``<!-- schedulers -->`` markers of README.md; a test checks that the README holds
exactly what this module generates, so a default or a bound is never retyped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from app.engine.optim import describe
from app.engine.optim.schedules import REQUIRED, SCHEDULERS
from app.engine.optim.specs import SPECS, ParamSpec

README = Path(__file__).resolve().parents[3] / "README.md"


def _value(value) -> str:
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param(p: ParamSpec) -> str:
    return f"`{p.name}` {_value(p.default)}"


def optimizer_table() -> str:
    header = "| name | class (torch's, else the reference package's) | parameters (its defaults) |"
    lines = [header + " state |", "|---|---|---|---|"]
    for name, spec in SPECS.items():
        params = ", ".join(_param(p) for p in spec.params)
        state = ", ".join(f"`{s}`" for s in describe(name)["state"])
        lines.append(f"| `{name}` | `{spec.torch_class}` | {params} | {state} |")
    return "\n".join(lines)


def scheduler_table() -> str:
    lines = ["| name | kwargs (torch's defaults; * required) | what it does |", "|---|---|---|"]
    for name, spec in SCHEDULERS.items():
        params = ", ".join(
            f"`{p.name}`*" if p.default is REQUIRED else f"`{p.name}` {_value(p.default)}"
            for p in spec.params
        )
        lines.append(f"| `{name}` | {params} | {spec.description} |")
    return "\n".join(lines)


BLOCKS = {"optimizers": optimizer_table, "schedulers": scheduler_table}


def block(name: str) -> str:
    return f"<!-- {name} -->\n{BLOCKS[name]()}\n<!-- /{name} -->"


def render(text: str) -> str:
    for name in BLOCKS:
        pattern = re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->", re.S)
        text = pattern.sub(lambda _, name=name: block(name), text)
    return text


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    sys.stdout.write(f"rewrote the generated tables of {README}\n")
