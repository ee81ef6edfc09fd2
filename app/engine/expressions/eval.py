"""Vectorised evaluation: trees become a flat list of numpy ufunc steps, compiled once.

Compilation walks the trees without recursion and merges identical subtrees, so a value and
its partial derivatives share work (``cos(x*y)`` is computed once per call). A call is one
numpy operation per step on whole arrays, under ``np.errstate(all="ignore")``: points where
the expression is undefined give NaN, overflows give inf, and nothing warns or raises.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.engine.expressions.tree import Binary, Call, Const, Neg, Node, Num, Select, Var

Array = np.ndarray

_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
_FUNCTIONS = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "min": np.minimum,  # NaN in either argument gives NaN
    "max": np.maximum,
}


def _select_le(left, right, then, other):
    return np.where(left <= right, then, other)


def _select_ge(left, right, then, other):
    return np.where(left >= right, then, other)


def _operation(node: Node):
    match node:
        case Neg():
            return np.negative
        case Binary(op):
            return _BINARY[op]
        case Call(name):
            return _FUNCTIONS[name]
        case Select(op):
            return _select_le if op == "<=" else _select_ge
    raise TypeError(f"not an expression node: {node!r}")


class Program:
    """Straight-line code for some trees over the named variables."""

    def __init__(self, roots: Sequence[Node]):
        # A step is ("const", value), ("var", name) or (ufunc, argument slots).
        self.steps: list[tuple] = []
        slot_of_node: dict[int, int] = {}
        slot_of_key: dict[tuple, int] = {}
        keep_alive = []  # ids stay valid only while their nodes exist
        stack = list(roots)
        while stack:
            node = stack[-1]
            if id(node) in slot_of_node:
                stack.pop()
                continue
            pending = [c for c in node.children if id(c) not in slot_of_node]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            key = self._key(node, tuple(slot_of_node[id(c)] for c in node.children))
            if key not in slot_of_key:
                slot_of_key[key] = len(self.steps)
                self.steps.append(key)
            slot_of_node[id(node)] = slot_of_key[key]
            keep_alive.append(node)
        self.outputs = tuple(slot_of_node[id(root)] for root in roots)

    @staticmethod
    def _key(node: Node, slots: tuple[int, ...]) -> tuple:
        match node:
            case Num(value) | Const(value=value):
                return ("const", np.float64(value))
            case Var(name):
                return ("var", name)
        return (_operation(node), slots)

    def __call__(self, variables: dict[str, Array]) -> list[Array]:
        values: list = []
        with np.errstate(all="ignore"):
            for head, tail in self.steps:
                if head == "const":
                    values.append(tail)
                elif head == "var":
                    values.append(variables[tail])
                else:
                    values.append(head(*(values[i] for i in tail)))
        return [values[i] for i in self.outputs]
