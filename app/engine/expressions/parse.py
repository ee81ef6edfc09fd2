"""A strict recursive-descent parser for typed landscapes; user text is never evaluated.

Grammar (precedence and associativity as in Python, ``^`` is a synonym of ``**``)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary | power)*   the bare power: see implicit()
    unary  := ("-" | "+") unary | power          -x^2 is -(x^2)
    power  := atom (("^" | "**") unary)?         2^3^2 is 2^(3^2); 2^-1 is allowed
    atom   := number | x | y | pi | e | function "(" expr ("," expr)* ")" | "(" expr ")"

Variables are ``x`` and ``y`` for typed landscapes; a computation graph passes
``variables=None``, and then any other name is a variable (at most ``MAX_VARIABLES``
distinct names of at most ``MAX_NAME_LENGTH`` characters), with the same grammar and limits.

Numbers are decimal floats (``3``, ``.5``, ``1e-3``). A number written right against a
name multiplies it, as textbooks (and our catalog) write ``4x^2`` or ``2sin(x)``: ``4x^2`` is
``4*(x^2)``; nothing else is an implicit product (``x y``, ``2 x``, ``(x)2``). Anything else is an
:class:`ExpressionError` that names the 1-based column of the problem.
"""

from __future__ import annotations

import math

from app.engine.expressions.tokens import (
    FUNCTIONS,
    VARIABLES,
    ExpressionError,
    Token,
    tokenize,
    unknown_name,
)
from app.engine.expressions.tree import CONSTANTS, Binary, Call, Const, Neg, Node, Num, Var

MAX_LENGTH = 500  # characters
MAX_DEPTH = 50  # nested parentheses, calls, signs and exponents
MAX_NODES = 200  # numbers, names and operators
MAX_VARIABLES = 8  # distinct names, with free variables
MAX_NAME_LENGTH = 16


def parse_expression(text: str, variables: tuple[str, ...] | None = VARIABLES) -> Node:
    """Parse ``text`` into a tree, or raise :class:`ExpressionError`. ``variables``: the
    names allowed as variables, or None for any name that is not a constant or function."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text", None)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long: {len(text)} characters, at most {MAX_LENGTH}",
            MAX_LENGTH + 1,
        )
    return _Parser(tokenize(text), variables).parse()


class _Parser:
    def __init__(self, tokens: list[Token], variables: tuple[str, ...] | None = VARIABLES):
        self.tokens = tokens
        self.variables = variables
        self.seen: list[str] = []  # free variables met so far
        self.operand = "a number, x, y" if variables == VARIABLES else "a number, a name"
        self.i = 0
        self.depth = 0
        self.nodes = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "end":
            self.i += 1
        return token

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in ops

    def made(self, node: Node, token: Token) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(
                f"the expression is too long at column {token.column}: "
                f"at most {MAX_NODES} numbers, names and operators",
                token.column,
            )
        return node

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested too deeply at column {token.column}: at most "
                f"{MAX_DEPTH} levels of parentheses, function calls, signs and powers",
                token.column,
            )

    def leave(self) -> None:
        self.depth -= 1

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExpressionError("the expression is empty; type something like x^2 + y^2", 1)
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise self.stray(token)
        return node

    def stray(self, token: Token) -> ExpressionError:
        """The error for a token left over after a complete expression."""
        if token.text == ")":
            return ExpressionError(f"unmatched ')' at column {token.column}", token.column)
        if token.text == ",":
            return ExpressionError(
                f"unexpected ',' at column {token.column}; commas only separate the "
                "two arguments of min and max",
                token.column,
            )
        known = self.is_variable(token.text) or token.text in (*CONSTANTS, *FUNCTIONS)
        if token.kind == "name" and not known:
            return unknown_name(token, self.variables)
        return ExpressionError(
            f"missing operator before '{token.text}' at column {token.column}; "
            "write * for a product, as in x*y or 2*x (a number may touch a name: 2x)",
            token.column,
        )

    def expr(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            token = self.take()
            node = self.made(Binary(token.text, node, self.term()), token)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*", "/") or self.implicit():
            if self.implicit():
                token = self.peek()
                node = self.made(Binary("*", node, self.power()), token)
                continue
            token = self.take()
            node = self.made(Binary(token.text, node, self.unary()), token)
        return node

    def implicit(self) -> bool:
        """Is the next token a name touching the number just read (``4x``, ``2pi``)?"""
        if self.i == 0:
            return False
        before, token = self.tokens[self.i - 1], self.peek()
        return (
            before.kind == "num"
            and token.kind == "name"
            and token.column == before.column + len(before.text)
        )

    def unary(self) -> Node:
        if not self.at("-", "+"):
            return self.power()
        token = self.take()
        self.enter(token)
        operand = self.unary()
        self.leave()
        return operand if token.text == "+" else self.made(Neg(operand), token)

    def power(self) -> Node:
        base = self.atom()
        if not self.at("^", "**"):
            return base
        token = self.take()
        self.enter(token)
        exponent = self.unary()
        self.leave()
        return self.made(Binary("^", base, exponent), token)

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "num":
            value = float(token.text)
            if not math.isfinite(value):
                raise ExpressionError(
                    f"the number {token.text} at column {token.column} is too large",
                    token.column,
                )
            return self.made(Num(value), token)
        if token.kind == "name":
            return self.name(token)
        if token.text == "(":
            self.enter(token)
            node = self.expr()
            self.close(token)
            self.leave()
            return node
        if token.kind == "end":
            raise ExpressionError(
                f"the expression ends too early at column {token.column}; "
                f"expected {self.operand}, a constant or a function call",
                token.column,
            )
        raise ExpressionError(
            f"expected {self.operand}, a constant or a function call at column "
            f"{token.column}, found '{token.text}'",
            token.column,
        )

    def close(self, opening: Token) -> None:
        token = self.peek()
        if token.text == ")" and token.kind == "op":
            self.take()
            return
        if token.kind == "end":
            raise ExpressionError(
                f"missing ')' at column {token.column} to close the '(' at column {opening.column}",
                token.column,
            )
        raise self.stray(token)

    def name(self, token: Token) -> Node:
        name = token.text
        if self.at("("):
            if name in FUNCTIONS:
                return self.call(token)
            if self.is_variable(name) or name in CONSTANTS:
                raise ExpressionError(
                    f"'{name}' at column {token.column} is not a function; "
                    f"write {name}*(...) for a product",
                    token.column,
                )
            raise unknown_name(token, self.variables)
        if self.is_variable(name):
            self.count_variable(token)
            return self.made(Var(name), token)
        if name in CONSTANTS:
            return self.made(Const(name), token)
        if name in FUNCTIONS:
            raise ExpressionError(
                f"'{name}' at column {token.column} is a function; call it like {name}(x)",
                token.column,
            )
        raise unknown_name(token, self.variables)

    def is_variable(self, name: str) -> bool:
        if self.variables is not None:
            return name in self.variables
        return name not in CONSTANTS and name not in FUNCTIONS

    def count_variable(self, token: Token) -> None:
        if self.variables is not None or token.text in self.seen:
            return
        if len(token.text) > MAX_NAME_LENGTH:
            raise ExpressionError(
                f"the name '{token.text[:MAX_NAME_LENGTH]}…' at column {token.column} is too "
                f"long: at most {MAX_NAME_LENGTH} characters",
                token.column,
            )
        self.seen.append(token.text)
        if len(self.seen) > MAX_VARIABLES:
            raise ExpressionError(
                f"too many variables at column {token.column} ('{token.text}'): at most "
                f"{MAX_VARIABLES} different names",
                token.column,
            )

    def call(self, token: Token) -> Node:
        opening = self.take()
        self.enter(opening)
        args = [self.expr()]
        while self.at(","):
            self.take()
            args.append(self.expr())
        self.close(opening)
        self.leave()
        wanted = FUNCTIONS[token.text]
        if len(args) != wanted:
            plural = "argument" if wanted == 1 else "arguments"
            raise ExpressionError(
                f"{token.text} at column {token.column} takes {wanted} {plural}, got {len(args)}",
                token.column,
            )
        return self.made(Call(token.text, tuple(args)), token)
