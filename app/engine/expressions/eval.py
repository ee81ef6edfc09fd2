"""Vectorised evaluation: trees become a flat list of numpy ufunc steps, compiled once.

Compilation walks the trees without recursion and merges identical subtrees, so a value and
its partial derivatives share work (``cos(x*y)`` is computed once per call). A call is one
numpy operation per step on whole arrays, under ``np.errstate(all="ignore")``: points where
the expression is undefined give NaN, overflows give inf, and nothing warns or raises.

Large inputs are evaluated ``BLOCK_POINTS`` points at a time and every intermediate is
dropped after its last use, so a formula of hundreds of operations over a million points
needs a few megabytes of temporaries, not gigabytes (and they stay in cache).

``cost`` says what one call costs, for callers that budget CPU: numpy calls made, and
nanoseconds per point (each operation weighted by its measured cost per element; sin and
cos are about ten times dearer than the rest, see bench/README.md).
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


BLOCK_POINTS = 16_384
# Nanoseconds per element of each operation on the reference machine, rounded up.
_SLOW = {np.sin: 14, np.cos: 14, np.tan: 2, np.power: 4}
_MEDIUM = {np.arcsin, np.arccos, np.arctan, np.sinh, np.cosh, np.tanh, np.exp, np.log,
           np.log10, np.sqrt}  # fmt: skip


def element_cost(operation) -> int:
    if operation in _SLOW:
        return _SLOW[operation]
    return 2 if operation in _MEDIUM else 1


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
        # After step i, the slots no later step reads (outputs are kept).
        last_use = {}
        for i, (head, tail) in enumerate(self.steps):
            if head not in ("const", "var"):
                for slot in tail:
                    last_use[slot] = i
        self.free_after: list[list[int]] = [[] for _ in self.steps]
        for slot, i in last_use.items():
            if slot not in self.outputs:
                self.free_after[i].append(slot)
        operations = [head for head, _ in self.steps if head not in ("const", "var")]
        self.calls = len(operations)
        self.nanoseconds_per_point = sum(element_cost(op) for op in operations)

    @staticmethod
    def _key(node: Node, slots: tuple[int, ...]) -> tuple:
        match node:
            case Num(value) | Const(value=value):
                return ("const", np.float64(value))
            case Var(name):
                return ("var", name)
        return (_operation(node), slots)

    def __call__(self, variables: dict[str, Array]) -> list[Array]:
        shape = np.broadcast_shapes(*(np.shape(v) for v in variables.values()))
        size = int(np.prod(shape))
        if size <= BLOCK_POINTS:
            return self._run(variables)
        flat = {name: np.broadcast_to(v, shape).reshape(-1) for name, v in variables.items()}
        outputs = [np.empty(size) for _ in self.outputs]
        for start in range(0, size, BLOCK_POINTS):
            block = slice(start, start + BLOCK_POINTS)
            parts = self._run({name: v[block] for name, v in flat.items()})
            for out, part in zip(outputs, parts):
                out[block] = part
        return [out.reshape(shape) for out in outputs]

    def _run(self, variables: dict[str, Array]) -> list[Array]:
        values: list = []
        with np.errstate(all="ignore"):
            for (head, tail), done in zip(self.steps, self.free_after):
                if head == "const":
                    values.append(tail)
                elif head == "var":
                    values.append(variables[tail])
                else:
                    if len(tail) == 2:  # most steps: no generator, no star-args
                        values.append(head(values[tail[0]], values[tail[1]]))
                    elif len(tail) == 1:
                        values.append(head(values[tail[0]]))
                    else:
                        values.append(head(*[values[i] for i in tail]))
                    for i in done:
                        values[i] = None
        return [values[i] for i in self.outputs]
