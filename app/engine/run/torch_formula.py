"""A typed formula as torch source, printed from its parse tree (``POST /api/v1/code``)."""

from __future__ import annotations

from app.engine.expressions import parse_expression
from app.engine.expressions.tree import Binary, Call, Const, Neg, Num, Select, Var

_CALLS = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "min": "minimum",
          "max": "maximum"}  # fmt: skip
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


class NotExportable(ValueError):
    """A run the script cannot reproduce (field, reason)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _print(node) -> tuple[str, int]:
    """torch source of an expression node and its precedence."""
    if isinstance(node, Num):
        return repr(node.value), 9
    if isinstance(node, Const):
        return f"math.{node.name}", 9
    if isinstance(node, Var):
        return node.name, 9
    if isinstance(node, Neg):
        text, level = _print(node.arg)
        return f"-{text if level >= 3 else f'({text})'}", 3
    if isinstance(node, Binary):
        level = _PRECEDENCE[node.op]
        left, ll = _print(node.left)
        right, rl = _print(node.right)
        if node.op == "^":  # right-associative, binds tighter than unary minus on its left
            left = left if ll > 4 else f"({left})"
            right = right if rl >= 4 else f"({right})"
            return f"{left} ** {right}", 4
        left = left if ll >= level else f"({left})"
        right = right if rl > level or (rl == level and node.op in "+*") else f"({right})"
        return f"{left} {node.op} {right}", level
    if isinstance(node, Call):
        args = ", ".join(_print(a)[0] for a in node.args)
        return f"torch.{_CALLS.get(node.name, node.name)}({args})", 9
    if isinstance(node, Select):
        parts = [_print(n)[0] for n in (node.left, node.right, node.then, node.other)]
        return f"torch.where({parts[0]} {node.op} {parts[1]}, {parts[2]}, {parts[3]})", 9
    raise NotExportable("function", f"cannot print {type(node).__name__}")


def formula_loss(text: str, dims: int) -> str:
    args = "x, y" if dims == 2 else "x"
    body = _print(parse_expression(text))[0]
    # a constant formula is a float: as a tensor of the parameters' dtype it can backward
    return f"def f({args}):\n    return {body} + 0 * ({' + '.join(args.split(', '))})\n"
