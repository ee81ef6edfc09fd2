"""The computation-graph lesson's presets: the lecture's examples and its homework."""

from __future__ import annotations

from app.engine.lessons import DOSAGE


def _number(v: float) -> str:
    return format(v, "g")


def mse_expression(x: list[float], y: list[float]) -> str:
    """The mean squared error of ŷ = m·x + b on the points, written out term by term."""
    terms = []
    for xi, yi in zip(x, y, strict=True):
        slope = "" if xi == 0 else "m + " if xi == 1 else f"{_number(xi)}*m + "
        sign = "-" if yi >= 0 else "+"
        terms.append(f"({slope}b {sign} {_number(abs(yi))})^2")
    return f"({' + '.join(terms)})/{len(x)}"


PRESETS = (
    {"id": "lecture", "title": "c(a + 2b)", "expression": "c*(a + 2*b)",
     "values": {"a": 1.0, "b": 2.0, "c": 3.0},
     "note": "The lecture's example: L = c·(a + 2b)."},
    {"id": "sine", "title": "sin((x + y)·z)", "expression": "sin((x+y)*z)",
     "values": {"x": 1.0, "y": 2.0, "z": 0.5},
     "note": "A function of a product of a sum: the chain rule three times."},
    {"id": "homework", "title": "(2a + b)(cd)", "expression": "(2*a+b)*(c*d)",
     "values": {"a": 1.0, "b": -1.0, "c": 2.0, "d": 3.0},
     "note": "The homework: two branches that meet in one product."},
    {"id": "sigmoid", "title": "σ(x) = 1/(1 + e⁻ˣ)", "expression": "1/(1+exp(-x))",
     "values": {"x": 0.5},
     "note": "The sigmoid: its derivative is σ(x)(1 − σ(x)), read off the backward pass."},
    {"id": "mse-dosage", "title": "MSE of m·x + b on the dosage data",
     "expression": mse_expression(*DOSAGE), "values": {"m": 0.0, "b": 0.0},
     "note": "The loss of a line over a data set: the adjoints of m and b are the gradient "
     "the data-fit lesson (Line fit: dosage) descends at that point.",
     "function": "linreg-dosage"},
)  # fmt: skip
