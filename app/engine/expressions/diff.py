"""Exact symbolic derivatives of expression trees.

Conventions where the calculus has a choice: ``abs'(u) = sign(u)`` (0 at 0); ``min`` and
``max`` follow the branch they take (the first argument on a tie). Where the derivative is
infinite or undefined (``sqrt`` at 0, ``log`` at 0) evaluation gives inf or NaN, which the
runner treats as divergence. The constructors of :mod:`expression_algebra` keep results small;
shared subtrees are reused rather than copied.
"""

from __future__ import annotations

from app.engine.expressions.algebra import (
    add,
    call,
    div,
    is_num,
    mul,
    neg,
    number,
    power,
    select,
    sub,
)
from app.engine.expressions.tree import (
    ONE,
    TWO,
    ZERO,
    Binary,
    Call,
    Const,
    Neg,
    Node,
    Num,
    Select,
    Var,
)


def derivative(node: Node, var: str) -> Node:
    """∂node/∂var as a new tree."""
    match node:
        case Num() | Const():
            return ZERO
        case Var(name):
            return ONE if name == var else ZERO
        case Neg(arg):
            return neg(derivative(arg, var))
        case Binary(op, left, right):
            return _binary(node, op, left, right, var)
        case Call(name, args):
            return _call(node, name, args, var)
        case Select(op, left, right, then, other):
            return select(op, left, right, derivative(then, var), derivative(other, var))
    raise TypeError(f"not an expression node: {node!r}")


def _binary(node: Node, op: str, u: Node, v: Node, var: str) -> Node:
    du, dv = derivative(u, var), derivative(v, var)
    if op == "+":
        return add(du, dv)
    if op == "-":
        return sub(du, dv)
    if op == "*":
        return add(mul(du, v), mul(u, dv))
    if op == "/":
        if is_num(dv, 0.0):
            return div(du, v)
        return div(sub(mul(du, v), mul(u, dv)), power(v, TWO))
    # op == "^". A zero derivative means the operand does not depend on var.
    if is_num(dv, 0.0):
        if is_num(du, 0.0):
            return ZERO
        exponent = sub(v, ONE)
        return mul(mul(v, power(u, exponent)), du)
    if is_num(du, 0.0):
        return mul(mul(dv, node), call("log", u))
    return mul(node, add(mul(dv, call("log", u)), div(mul(v, du), u)))


def _call(node: Node, name: str, args: tuple[Node, ...], var: str) -> Node:
    if name in ("min", "max"):
        a, b = args
        return select("<=" if name == "min" else ">=", a, b, derivative(a, var), derivative(b, var))
    (u,) = args
    du = derivative(u, var)
    if is_num(du, 0.0):
        return ZERO
    return mul(du, _outer(node, name, u))


def _outer(node: Node, name: str, u: Node) -> Node:
    """The derivative of the function ``name`` at ``u``, where ``node`` is ``name(u)``."""
    match name:
        case "sin":
            return call("cos", u)
        case "cos":
            return neg(call("sin", u))
        case "tan":
            return div(ONE, power(call("cos", u), TWO))
        case "asin":
            return div(ONE, call("sqrt", sub(ONE, power(u, TWO))))
        case "acos":
            return neg(div(ONE, call("sqrt", sub(ONE, power(u, TWO)))))
        case "atan":
            return div(ONE, add(ONE, power(u, TWO)))
        case "sinh":
            return call("cosh", u)
        case "cosh":
            return call("sinh", u)
        case "tanh":
            return div(ONE, power(call("cosh", u), TWO))
        case "exp":
            return node
        case "log":
            return div(ONE, u)
        case "log10":
            return div(ONE, mul(u, call("log", number(10.0))))
        case "sqrt":
            return div(ONE, mul(TWO, node))
        case "abs":
            return call("sign", u)
        case "sign":
            return ZERO
    raise ValueError(f"no derivative rule for {name}")
