"""The vocabulary and tokenizer of typed landscapes, and the error every refusal raises."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from app.engine.expressions.tree import CONSTANTS

VARIABLES = ("x", "y")
FUNCTIONS = {  # name -> number of arguments
    **dict.fromkeys(("sin", "cos", "tan", "asin", "acos", "atan"), 1),
    **dict.fromkeys(("sinh", "cosh", "tanh", "exp", "log", "log10", "sqrt", "abs"), 1),
    "min": 2,
    "max": 2,
}
_ALIASES = {
    "ln": "log",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "X": "x",
    "Y": "y",
    "PI": "pi",
    "Pi": "pi",
    "E": "e",
}
_UNICODE_HINTS = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "^2", "³": "^3"}
_TOKEN = re.compile(
    r"(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),])"
)


class ExpressionError(ValueError):
    """Why a typed expression (or its domain) was refused.

    ``message`` is a sentence for the user; ``column`` is the 1-based position in the text,
    or ``None`` when the problem has no single place (the domain, or an overall limit).
    """

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "name", "op" or "end"
    text: str
    column: int


def _names_hint(variables: tuple[str, ...] | None = VARIABLES) -> str:
    named = ", ".join(variables) + ", " if variables else ""
    return f"use {named}pi, e or one of: " + ", ".join(FUNCTIONS)


def unknown_name(token: Token, variables: tuple[str, ...] | None = VARIABLES) -> ExpressionError:
    """``variables`` None: any name may be a variable, so only a call can be unknown."""
    name = token.text
    suggestion = _ALIASES.get(name)
    if suggestion is not None and variables is None and suggestion not in FUNCTIONS:
        suggestion = None  # with free names, 'X' is a variable of its own
    if suggestion is None:
        known = [*(variables or ()), *CONSTANTS, *FUNCTIONS]
        close = difflib.get_close_matches(name, known, n=1)
        suggestion = close[0] if close else None
    did_you_mean = f" (did you mean '{suggestion}'?)" if suggestion else ""
    return ExpressionError(
        f"unknown name '{name}' at column {token.column}{did_you_mean}; {_names_hint(variables)}",
        token.column,
    )


def tokenize(text: str) -> list[Token]:
    tokens = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = f"; write '{_UNICODE_HINTS[char]}' instead" if char in _UNICODE_HINTS else ""
            raise ExpressionError(
                f"unexpected character {char!r} at column {pos + 1}{hint}; "
                "expressions use numbers, x, y, pi, e, functions and + - * / ^ ( ) ,",
                pos + 1,
            )
        kind = match.lastgroup
        assert kind is not None
        tokens.append(Token(kind, match.group(), pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def normalize(text: str) -> str:
    """The text as shown back: surrounding whitespace dropped, inner runs collapsed."""
    return " ".join(text.split())
