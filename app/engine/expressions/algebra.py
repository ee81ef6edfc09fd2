"""Constructors that simplify lightly, so derivatives stay small and read well.

They drop zeros and ones, gather the numeric factors of a product or quotient into one
fraction (``2x * 1/(2 sqrt(u))`` becomes ``x / sqrt(u)``), fold ``+ - * /`` of numbers and
keep a numeric denominator visible (``x/3`` rather than ``0.333…x``). All number arithmetic
is float arithmetic and is only kept when finite; powers of numbers fold only to integers,
through numpy, so ``9^9^9`` stays symbolic instead of becoming a huge Python integer.
``0 * u`` is 0 even where ``u`` is not finite, the usual convention of symbolic algebra.
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.expressions.tree import ONE, ZERO, Binary, Call, Const, Neg, Node, Num, Select
from app.engine.expressions.tree import is_num as is_num
from app.engine.expressions.tree import number as number

Coefficient = tuple[float, float, Node | None]  # numerator, denominator, the non-numeric rest


def _split(node: Node) -> tuple[Node, Node | None]:
    if isinstance(node, Binary) and node.op == "/":
        return node.left, node.right
    return node, None


def _join(a: Node | None, b: Node | None) -> Node | None:
    if a is None or is_num(a, 1.0):
        return b
    if b is None or is_num(b, 1.0):
        return a
    return Binary("*", a, b)


def _product(a: Node, b: Node) -> Node:
    """``a * b`` of non-numeric parts, as one fraction when either is a fraction."""
    na, da = _split(a)
    nb, db = _split(b)
    numerator = _join(na, nb) or ONE
    denominator = _join(da, db)
    return numerator if denominator is None else Binary("/", numerator, denominator)


def _inverse(node: Node) -> Node:
    n, d = _split(node)
    return Binary("/", ONE, n) if d is None else _product(d, Binary("/", ONE, n))


def _factor(node: Node) -> tuple[float, Node | None]:
    """Split off a numeric factor: ``-3x`` -> (-3, x); ``2`` -> (2, None)."""
    sign = 1.0
    while isinstance(node, Neg):
        sign, node = -sign, node.arg
    if isinstance(node, Num):
        return sign * node.value, None
    if isinstance(node, Binary) and node.op == "*" and isinstance(node.left, Num):
        return sign * node.left.value, node.right
    return sign, node


def _coefficient(node: Node) -> Coefficient:
    """Split ``node`` into a numeric fraction and the rest: ``-3x/4`` -> (-3, 4, x)."""
    sign = 1.0
    while isinstance(node, Neg):
        sign, node = -sign, node.arg
    if isinstance(node, Binary) and node.op == "/":
        n1, top = _factor(node.left)
        n2, bottom = _factor(node.right)
        if n2 != 0:
            rest = top if bottom is None else _product(top or ONE, _inverse(bottom))
            return sign * n1, n2, rest
    n, rest = _factor(node)
    return sign * n, 1.0, rest


def _times(k: float, node: Node | None) -> Node:
    if node is None:
        return number(k)
    if k == 1.0:
        return node
    if isinstance(node, Num) and math.isfinite(k * node.value):
        return number(k * node.value)
    return Binary("*", number(k), node)


def _scaled(n: float, d: float, rest: Node | None) -> Node:
    """``(n / d) * rest``, with an integer-looking fraction and a visible denominator."""
    if d < 0:
        n, d = -n, -d
    if n == 0:
        return ZERO
    if n < 0:
        return neg(_scaled(-n, d, rest))
    if (n / d).is_integer():
        n, d = n / d, 1.0
    elif (d / n).is_integer():
        n, d = 1.0, d / n
    top, bottom = _split(rest) if rest is not None else (None, None)
    numerator = _times(n, top)
    if bottom is None and d == 1.0:
        return numerator
    return Binary("/", numerator, _times(d, bottom))


def neg(a: Node) -> Node:
    if isinstance(a, Num):
        return number(-a.value)
    if isinstance(a, Neg):
        return a.arg
    if isinstance(a, Binary) and a.op == "-":
        return Binary("-", a.right, a.left)
    return Neg(a)


def _numeric_sum(a: Node, b: Node, sign: float) -> Node | None:
    n1, d1, r1 = _coefficient(a)
    n2, d2, r2 = _coefficient(b)
    if r1 is not None or r2 is not None:
        return None
    n, d = n1 * d2 + sign * n2 * d1, d1 * d2
    return _scaled(n, d, None) if math.isfinite(n) and math.isfinite(d) and d != 0 else None


def add(a: Node, b: Node) -> Node:
    if is_num(a, 0.0):
        return b
    if is_num(b, 0.0):
        return a
    if (total := _numeric_sum(a, b, 1.0)) is not None:
        return total
    if isinstance(b, Neg):
        return sub(a, b.arg)
    if isinstance(b, Num) and b.value < 0:
        return sub(a, number(-b.value))
    return Binary("+", a, b)


def sub(a: Node, b: Node) -> Node:
    if is_num(b, 0.0):
        return a
    if is_num(a, 0.0):
        return neg(b)
    if (total := _numeric_sum(a, b, -1.0)) is not None:
        return total
    if isinstance(b, Neg):
        return add(a, b.arg)
    if isinstance(b, Num) and b.value < 0:
        return add(a, number(-b.value))
    return Binary("-", a, b)


def mul(a: Node, b: Node) -> Node:
    n1, d1, r1 = _coefficient(a)
    n2, d2, r2 = _coefficient(b)
    if n1 == 0 or n2 == 0:
        return ZERO
    n, d = n1 * n2, d1 * d2
    if not (math.isfinite(n) and math.isfinite(d) and d != 0):
        return Binary("*", a, b)  # the numbers overflow together: keep them apart
    rest = r2 if r1 is None else r1 if r2 is None else _product(r1, r2)
    return _scaled(n, d, rest)


def div(a: Node, b: Node) -> Node:
    n1, d1, r1 = _coefficient(a)
    n2, d2, r2 = _coefficient(b)
    if n1 == 0:
        return ZERO
    n, d = n1 * d2, d1 * n2
    if n2 == 0 or not (math.isfinite(n) and math.isfinite(d) and d != 0):
        return Binary("/", a, b)  # x/0 and overflowing numbers are left to evaluation
    rest = r1 if r2 is None else _product(r1 or ONE, _inverse(r2))
    return _scaled(n, d, rest)


def power(a: Node, b: Node) -> Node:
    if is_num(b, 0.0) or is_num(a, 1.0):
        return ONE
    if is_num(b, 1.0):
        return a
    if isinstance(a, Num) and isinstance(b, Num):
        with np.errstate(all="ignore"):
            folded = float(np.power(np.float64(a.value), np.float64(b.value)))
        if math.isfinite(folded) and folded.is_integer():
            return number(folded)
    return Binary("^", a, b)


def call(name: str, *args: Node) -> Node:
    if name == "log" and args[0] == Const("e"):
        return ONE
    if name == "log" and is_num(args[0], 1.0):
        return ZERO
    return Call(name, args)


def select(op: str, left: Node, right: Node, then: Node, other: Node) -> Node:
    if isinstance(then, Num) and isinstance(other, Num) and then.value == other.value:
        return then
    return Select(op, left, right, then, other)
