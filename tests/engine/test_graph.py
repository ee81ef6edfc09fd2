"""Computation graphs: the DAG of an expression, forward values, local derivatives, adjoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.engine.expressions import ExpressionError
from app.engine.expressions.parse import MAX_NAME_LENGTH, MAX_VARIABLES
from app.engine.graphs import build_graph

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures/graph_autograd.json").read_text())


def operations(graph):
    return [n for n in graph.nodes if n.op != "input"]


def test_the_lectures_graph_of_c_times_a_plus_2b():
    graph = build_graph("c*(a + 2*b)", {"a": 1, "b": 2, "c": 3})
    assert graph.value == 15
    assert graph.gradient == {"c": 5, "a": 3, "b": 6}
    assert [(n.op, n.definition) for n in operations(graph)] == [
        ("mul", "u_{1} = 2b"),
        ("add", "u_{2} = a + u_{1}"),
        ("mul", "L = c u_{2}"),
    ]
    local = {(graph.nodes[e.source].label, graph.nodes[e.target].label): e for e in graph.edges}
    assert local[("c", "L")].local_latex == r"\frac{\partial L}{\partial c} = u_{2}"
    assert local[("c", "L")].local == 5
    assert local[("b", "u_{1}")].contribution == 6


def test_a_shared_subexpression_is_one_node_whose_adjoint_sums_its_uses():
    graph = build_graph("(x + y)*(x + y)", {"x": 1, "y": 2})
    sums = [n for n in graph.nodes if n.op == "add"]
    assert len(sums) == 1 and sums[0].adjoint == 6  # d(u²)/du = 2u at u = 3
    assert graph.gradient == {"x": 6, "y": 6}


def test_layers_run_left_to_right_from_the_inputs():
    graph = build_graph("sin((x + y)*z)", {"x": 1, "y": 2, "z": 3})
    assert [n.layer for n in graph.nodes] == [0, 0, 0, 1, 2, 3]
    for node in graph.nodes:
        assert all(graph.nodes[i].layer < node.layer for i in node.inputs)


@pytest.mark.parametrize(
    ("text", "names"), [("c*(a + 2*b)", "abc"), ("exp(-x)*x^2 + x", "x"), ("(2*a+b)*(c*d)", "abcd")]
)
def test_each_adjoint_is_the_sum_of_what_its_edges_contribute(text, names):
    graph = build_graph(text, dict.fromkeys(names, 0.5))
    for node in graph.nodes:
        edges = [e for e in graph.edges if e.source == node.id]
        if node.id != graph.output:
            assert len(edges) >= 1
            assert node.adjoint == sum(e.contribution for e in edges)


def test_constants_are_part_of_their_operations_not_nodes():
    graph = build_graph("sin(pi/4)*x + 2", {"x": 1})
    assert [n.op for n in graph.nodes] == ["input", "mul", "add"]
    assert graph.nodes[1].definition == r"u_{1} = \sin\left(\frac{\pi}{4}\right) x"


def test_an_expression_without_variables_is_one_constant_node():
    graph = build_graph("2 + 3", {})
    assert [(n.op, n.value) for n in graph.nodes] == [("constant", 5.0)]


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["expression"][:40])
def test_values_and_adjoints_equal_torch_autograd(case):
    graph = build_graph(case["expression"], case["values"])
    assert graph.value == pytest.approx(case["value"], rel=1e-12, abs=1e-12)
    assert graph.gradient == pytest.approx(case["gradient"], rel=1e-12, abs=1e-12)
    ops = operations(graph)
    assert [n.op for n in ops] == [o["op"] for o in case["operations"]]
    assert [n.value for n in ops] == pytest.approx(
        [o["value"] for o in case["operations"]], rel=1e-12, abs=1e-12
    )
    assert [n.adjoint for n in ops] == pytest.approx(
        [o["adjoint"] for o in case["operations"]], rel=1e-12, abs=1e-12
    )


def test_the_fixture_covers_sharing_every_function_and_many_variables():
    ops = {o["op"] for case in FIXTURE["cases"] for o in case["operations"]}
    assert {"sin", "log", "sqrt", "pow", "div", "neg", "min", "max", "abs"} <= ops
    assert max(len(c["values"]) for c in FIXTURE["cases"]) >= 6
    shared = [c for c in FIXTURE["cases"] if len(c["operations"]) < c["expression"].count("(")]
    assert shared


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("a+b", {"a": 1}, "give a value for b"),
        ("a", {"a": 1, "q": 2}, "q not in the expression"),
        ("+".join(f"v{i}" for i in range(MAX_VARIABLES + 1)), {}, f"at most {MAX_VARIABLES}"),
        ("a" * (MAX_NAME_LENGTH + 1), {}, f"at most {MAX_NAME_LENGTH} characters"),
        ("foo(x)", {"x": 1}, "'foo' at column 1 is not a function"),
        ("x +", {"x": 1}, "ends too early"),
        ("pi(x)", {"x": 1}, "is not a function"),
    ],
)
def test_bad_graphs_are_refused_with_a_reason(text, values, message):
    with pytest.raises(ExpressionError, match=message):
        build_graph(text, values)


def test_typed_landscapes_still_allow_only_x_and_y():
    from app.engine.expressions import compile_expression

    with pytest.raises(ExpressionError, match="unknown name 'a'"):
        compile_expression("a + x")


def test_names_print_as_mathematics():
    graph = build_graph("theta*w_1 + lr", {"theta": 1, "w_1": 2, "lr": 3})
    assert graph.formula == r"\theta w_{1} + \mathrm{lr}"
