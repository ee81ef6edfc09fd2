"""The expression tree: small immutable nodes, shared by parser, differentiator and printers.

The parser builds nodes directly, so a tree mirrors what was typed; the differentiator builds
through the simplifying constructors of :mod:`expression_algebra`. Trees may share subtrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONSTANTS = {"pi": math.pi, "e": math.e}


class Node:
    """Base of every node; ``children`` lists the operands in order."""

    __slots__ = ()

    @property
    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Num(Node):
    value: float


@dataclass(frozen=True, slots=True)
class Const(Node):
    name: str  # "pi" or "e"

    @property
    def value(self) -> float:
        return CONSTANTS[self.name]


@dataclass(frozen=True, slots=True)
class Var(Node):
    name: str  # "x" or "y"


@dataclass(frozen=True, slots=True)
class Neg(Node):
    arg: Node

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # one of + - * / ^
    left: Node
    right: Node

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]

    @property
    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, slots=True)
class Select(Node):
    """``then`` where ``left op right`` holds, else ``other``; ``op`` is ``<=`` or ``>=``."""

    op: str
    left: Node
    right: Node
    then: Node
    other: Node

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right, self.then, self.other)


ZERO, ONE, TWO = Num(0.0), Num(1.0), Num(2.0)


def number(value: float) -> Num:
    return Num(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0


def is_num(node: Node, value: float | None = None) -> bool:
    return isinstance(node, Num) and (value is None or node.value == value)


def measure(root: Node) -> tuple[int, int]:
    """The size (node count with shared subtrees counted every time) and depth of ``root``."""
    sizes: dict[int, tuple[int, int]] = {}
    stack = [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        pending = [c for c in node.children if id(c) not in sizes]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        parts = [sizes[id(c)] for c in node.children]
        sizes[id(node)] = (
            1 + sum(size for size, _ in parts),
            1 + max((depth for _, depth in parts), default=0),
        )
    return sizes[id(root)]


def variables(root: Node) -> set[str]:
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            found.add(node.name)
        stack.extend(node.children)
    return found
