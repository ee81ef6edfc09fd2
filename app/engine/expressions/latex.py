r"""LaTeX for expression trees, with only the parentheses the precedence needs.

``x^2/(1+y)`` prints as ``\frac{x^{2}}{1 + y}``, ``2*pi*x`` as ``2\pi x``, ``abs(u)`` as
``\left|u\right|`` and ``log`` as ``\ln``. A factor or a right-hand term that starts with a
minus sign is parenthesised: ``x*(-y)`` prints as ``x \left(-y\right)``.
"""

from __future__ import annotations

from app.engine.expressions.tree import Binary, Call, Const, Neg, Node, Num, Select, Var

ADD, MUL, NEG, POW, ATOM = 1, 2, 3, 4, 5

_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\ln",
    "log10": r"\log_{10}",
    "sign": r"\operatorname{sign}",
    "min": r"\min",
    "max": r"\max",
}
_COMPARISONS = {"<=": r"\le", ">=": r"\ge"}


def to_latex(node: Node) -> str:
    return _render(node)[0]


def format_number(value: float) -> str:
    text = format(value, ".15g")
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    if mantissa in ("1", "-1"):
        return mantissa[:-1] + power
    return rf"{mantissa} \times {power}"


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
          "tau", "phi", "omega"}  # fmt: skip


def variable_latex(name: str) -> str:
    """A variable's name: ``x`` as is, ``theta`` as θ, ``lr`` upright, ``w_1`` subscripted."""
    head, _, tail = name.partition("_")
    if not head:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    text = rf"\{head}" if head in _GREEK else head if len(head) <= 1 else rf"\mathrm{{{head}}}"
    return f"{text}_{{{tail}}}" if tail else text


def _parens(text: str) -> str:
    return rf"\left({text}\right)"


def _operand(node: Node, least: int, leading_sign_ok: bool = True) -> str:
    """``node`` rendered for a place that needs precedence ``least`` or tighter."""
    text, precedence = _render(node)
    if precedence < least or (not leading_sign_ok and text.startswith("-")):
        return _parens(text)
    return text


def _product(left: str, right: str) -> str:
    if right[0].isdigit() or right.startswith((r"\frac", r"\begin")):
        return rf"{left} \cdot {right}"
    if left[-1].isdigit() and (right[0].isalpha() or right[0] == "\\"):
        return left + right
    return f"{left} {right}"


def _render(node: Node) -> tuple[str, int]:
    match node:
        case Num(value):
            text = format_number(value)
            precedence = MUL if r"\times" in text else NEG if text.startswith("-") else ATOM
            return text, precedence
        case Const(name):
            return (r"\pi" if name == "pi" else name), ATOM
        case Var(name):
            return variable_latex(name), ATOM
        case Neg(arg):
            return "-" + _operand(arg, MUL, leading_sign_ok=False), NEG
        case Binary("+" | "-" as op, left, right):
            least = ADD if op == "+" else MUL
            return f"{_operand(left, ADD)} {op} {_operand(right, least, False)}", ADD
        case Binary("*", left, right):
            return _product(_operand(left, MUL), _operand(right, MUL, False)), MUL
        case Binary("/", left, right):
            return rf"\frac{{{to_latex(left)}}}{{{to_latex(right)}}}", MUL
        case Binary("^", left, right):
            return f"{_operand(left, ATOM)}^{{{to_latex(right)}}}", POW
        case Call("sqrt", (arg,)):
            return rf"\sqrt{{{to_latex(arg)}}}", ATOM
        case Call("abs", (arg,)):
            return rf"\left|{to_latex(arg)}\right|", ATOM
        case Call(name, args):
            return _FUNCTIONS[name] + _parens(", ".join(to_latex(a) for a in args)), ATOM
        case Select(op, left, right, then, other):
            condition = f"{to_latex(left)} {_COMPARISONS[op]} {to_latex(right)}"
            return (
                rf"\begin{{cases}} {to_latex(then)} & {condition} \\ "
                rf"{to_latex(other)} & \text{{otherwise}} \end{{cases}}",
                ATOM,
            )
    raise TypeError(f"not an expression node: {node!r}")
