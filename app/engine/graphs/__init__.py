r"""Computation graphs: a typed expression as the DAG backpropagation walks.

::

    g = build_graph("c*(a + 2*b)", {"a": 1, "b": 2, "c": 3})
    g.value                       # 15.0
    g.gradient                    # {"a": 3.0, "b": 6.0, "c": 5.0}

The text goes through the same safe parser, grammar and limits as typed landscapes
(:mod:`app.engine.expressions`), with free variable names (at most 8). Nodes are the inputs
(the variables) and every operation that depends on one; a subtree without variables
(``2``, ``pi/4``) is a constant inside its parent's definition, not a node. Identical
subexpressions are one node (a DAG): ``(x+y)*(x+y)`` has one ``x + y``.

Each operation gets a short name (``u_1``, ``u_2``, …; the output ``L``) and a definition in
the names of its operands (``u_2 = c u_1``). Its **local derivatives** are the exact
derivatives of that definition (:mod:`expressions.diff`), as LaTeX and as values at the
forward values. The **adjoint** ∂L/∂node is accumulated in reverse topological order,
L̄ = 1 and ū += v̄ · ∂v/∂u for every edge u → v, which is what ``torch.autograd`` computes
(``tests/fixtures/make_graph_autograd.py`` checks it on generated expressions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.expressions.diff import derivative
from app.engine.expressions.eval import Program
from app.engine.expressions.latex import to_latex, variable_latex
from app.engine.expressions.parse import parse_expression
from app.engine.expressions.tokens import ExpressionError
from app.engine.expressions.tree import Binary, Call, Neg, Node, Var, variables

__all__ = ["Graph", "GraphEdge", "GraphNode", "build_graph"]

_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow"}


@dataclass(frozen=True)
class GraphNode:
    id: int
    op: str  # "input", "add", "sub", "mul", "div", "pow", "neg" or a function's name
    label: str  # the short name (LaTeX)
    latex: str  # the subexpression it computes, in the inputs
    definition: str  # label = the operation on its operands' labels
    inputs: tuple[int, ...]
    layer: int  # 0 for inputs; 1 + the deepest operand otherwise
    value: float
    adjoint: float  # ∂L/∂node


@dataclass(frozen=True)
class GraphEdge:
    source: int  # the operand
    target: int  # the operation using it
    local: float  # ∂target/∂source at the forward values
    local_latex: str  # \frac{\partial target}{\partial source} = …
    contribution: float  # adjoint(target) × local: what this edge adds to adjoint(source)


@dataclass(frozen=True)
class Graph:
    formula: str
    variables: tuple[str, ...]
    nodes: tuple[GraphNode, ...]  # in topological order: operands before their uses
    edges: tuple[GraphEdge, ...]  # in the order backpropagation visits them
    output: int

    @property
    def value(self) -> float:
        return self.nodes[self.output].value

    @property
    def gradient(self) -> dict[str, float]:
        return {name: self.nodes[i].adjoint for i, name in enumerate(self.variables)}


def _operation(node: Node) -> str:
    match node:
        case Neg():
            return "neg"
        case Binary(op):
            return _OPS[op]
        case Call(name):
            return name
    raise TypeError(f"not an operation: {node!r}")


def _rebuild(node: Node, children: tuple[Node, ...]) -> Node:
    match node:
        case Neg():
            return Neg(*children)
        case Binary(op):
            return Binary(op, *children)
        case Call(name):
            return Call(name, children)
    raise TypeError(f"not an operation: {node!r}")


class _Builder:
    def __init__(self, names: list[str]):
        self.names = names
        prefix = next(
            p for p in ("u", "v", "h", "t") if not any(n.startswith(p + "_") for n in names)
        )
        self.prefix = prefix
        self.index: dict[tuple, int] = {}
        self.ops: list[tuple[str, Node, Node, tuple[int, ...]]] = []  # op, local tree, whole, ins

    def visit(self, node: Node, constant: dict[int, bool]) -> int | None:
        """The node id of ``node``, or None for a constant subtree."""
        if isinstance(node, Var):
            return self.names.index(node.name)
        if constant[id(node)]:
            return None
        kids = [self.visit(c, constant) for c in node.children]
        key = (
            _operation(node),
            tuple(k if k is not None else c for k, c in zip(kids, node.children)),
        )
        if key not in self.index:
            local = _rebuild(node, tuple(
                c if k is None else Var(self.label(k)) for k, c in zip(kids, node.children)
            ))  # fmt: skip
            inputs = tuple(dict.fromkeys(k for k in kids if k is not None))
            self.index[key] = len(self.names) + len(self.ops)
            self.ops.append((_operation(node), local, node, inputs))
        return self.index[key]

    def label(self, i: int) -> str:
        return self.names[i] if i < len(self.names) else f"{self.prefix}_{i - len(self.names) + 1}"


def _constants(root: Node) -> dict[int, bool]:
    """For each node of the tree: does it contain no variable?"""
    out: dict[int, bool] = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out[id(node)] = not isinstance(node, Var) and all(out[id(c)] for c in node.children)
        elif id(node) not in out:
            stack.append((node, True))
            stack.extend((c, False) for c in node.children)
    return out


def _number(value) -> float:
    return float(np.asarray(value, dtype=np.float64))


def build_graph(text: str, values: dict[str, float]) -> Graph:
    """The computation graph of ``text`` at ``values`` (one number per variable)."""
    tree = parse_expression(text, variables=None)
    names = _ordered_variables(tree)
    missing = [n for n in names if n not in values]
    if missing:
        raise ExpressionError(f"give a value for {', '.join(missing)}", None)
    extra = [n for n in values if n not in names]
    if extra:
        raise ExpressionError(f"{', '.join(extra)} not in the expression; its variables are "
                              f"{', '.join(names) or 'none'}", None)  # fmt: skip
    builder = _Builder(names)
    root = builder.visit(tree, _constants(tree))
    if root is None:  # no variable at all: the whole expression is one constant node
        builder.index[("const",)] = len(names)
        builder.ops.append(("constant", tree, tree, ()))
        root = len(names)
    return _evaluate(builder, names, values, root, to_latex(tree))


def _ordered_variables(tree: Node) -> list[str]:
    """The variables in order of first appearance, left to right."""
    found = variables(tree)
    order: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Var) and node.name not in order:
            order.append(node.name)
        stack.extend(reversed(node.children))
    return [n for n in order if n in found]


def _evaluate(builder: _Builder, names, values, root: int, formula: str) -> Graph:
    n_in = len(names)
    total = n_in + len(builder.ops)
    label = [builder.label(i) for i in range(total)]
    if root >= n_in:
        label[root] = next(c for c in ("L", "f", "J", "F") if c not in names)
    value = [float(values[n]) for n in names] + [0.0] * len(builder.ops)
    layer = [0] * total
    locals_: dict[tuple[int, int], tuple[float, str]] = {}
    with np.errstate(all="ignore"):
        for j, (_, local, _, inputs) in enumerate(builder.ops):
            i = n_in + j
            env = {builder.label(k): np.float64(value[k]) for k in inputs}
            partials = [derivative(local, builder.label(k)) for k in inputs]
            results = Program((local, *partials))(env) if env else Program((local,))({})
            value[i] = _number(results[0])
            layer[i] = 1 + max((layer[k] for k in inputs), default=0)
            for k, partial, result in zip(inputs, partials, results[1:]):
                locals_[(k, i)] = (_number(result), to_latex(partial))
    nodes_latex = {i: (variable_latex(names[i]), "") for i in range(n_in)}
    adjoint = [0.0] * total
    adjoint[root] = 1.0
    edges = []
    with np.errstate(all="ignore"):
        for j in reversed(range(len(builder.ops))):
            i = n_in + j
            for k in builder.ops[j][3]:
                local, latex = locals_[(k, i)]
                share = _number(np.float64(adjoint[i]) * np.float64(local))
                adjoint[k] = _number(np.float64(adjoint[k]) + np.float64(share))
                fraction = rf"\frac{{\partial {_tex(label[i])}}}{{\partial {_tex(label[k])}}}"
                edges.append(GraphEdge(k, i, local, f"{fraction} = {latex}", share))
    nodes = []
    for i in range(total):
        if i < n_in:
            whole, definition, op, inputs = nodes_latex[i][0], "", "input", ()
        else:
            op, local, node, inputs = builder.ops[i - n_in]
            whole = to_latex(node)
            definition = f"{_tex(label[i])} = {to_latex(local)}"
        nodes.append(GraphNode(i, op, _tex(label[i]), whole, definition, inputs, layer[i],
                               value[i], adjoint[i]))  # fmt: skip
    return Graph(formula, tuple(names), tuple(nodes), tuple(edges), root)


def _tex(name: str) -> str:
    return variable_latex(name)
