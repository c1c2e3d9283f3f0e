"""``GraphExplorer``: a scalar computational graph with its values and gradients (chapter 2).

The explorer draws the graph of a :class:`~backprop.scalar.Value` expression in layers, inputs
on the left and the output ``f`` on the right. Every node shows its value (forward pass) and
its gradient ``∂f/∂node`` (backward pass); every edge ``u → v`` carries the value of ``u``, the
local gradient ``∂v/∂u`` and the gradient it sends back,

    contribution(u → v) = ∂f/∂v · ∂v/∂u        (upstream × local),

so a node used several times visibly *sums* the contributions of its edges. The inputs are
sliders; the graph is recomputed (forward, then ``backward()``) on every change.

The graph is one of the chapter's examples (:data:`EXAMPLES`) or a learner's own expression
(``GraphExplorer(expr)``): its named leaves become sliders and its unnamed leaves (numbers
such as the ``1`` of ``1 + e``) stay constants. Either way the expression is kept as a
*template* (nodes in topological order, edges with input slots, as in
:meth:`Value.to_graph`) and re-evaluated with ``Value`` for the current inputs; in a page with
no kernel the front end evaluates the same template with ``evalGraph`` of ``mlmath.js``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import traitlets

from backprop.scalar import Value
from backprop.widgets._base import Explorer

Number = int | float


@dataclass(frozen=True)
class Example:
    """A graph of the chapter: ``build(**inputs)`` returns the output ``Value``."""

    title: str
    formula: str
    inputs: dict[str, float]
    build: Callable[..., Value]


def _add_mul(x: Value, y: Value, z: Value) -> Value:
    q = x + y
    q.name = "q"
    return q * z


def _neuron_gates(w0: Value, x0: Value, w1: Value, x1: Value, w2: Value) -> Value:
    dot = w0 * x0 + w1 * x1 + w2
    return (1 + (-dot).exp()) ** -1          # 1/x as the last gate, as in the notes


def _neuron_sigmoid(w0: Value, x0: Value, w1: Value, x1: Value, w2: Value) -> Value:
    return (w0 * x0 + w1 * x1 + w2).sigmoid()


def _patterns(x: Value, y: Value, z: Value, w: Value) -> Value:
    return 2 * (x * y + z.max(w))


def _reuse(a: Value, b: Value) -> Value:
    e = a * b
    e.name = "e"
    s = e + a
    s.name = "s"
    return s * a


_NEURON = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}

#: the chapter's graphs, by key (the first is the default)
EXAMPLES: dict[str, Example] = {
    "add_mul": Example("f = (x + y) z", "q = x + y,  f = q·z",
                       {"x": -2.0, "y": 5.0, "z": -4.0}, _add_mul),
    "neuron_gates": Example("sigmoid neuron, gate by gate",
                            "f = 1 / (1 + exp(−(w0·x0 + w1·x1 + w2)))", _NEURON, _neuron_gates),
    "neuron_sigmoid": Example("sigmoid neuron, one σ gate", "f = σ(w0·x0 + w1·x1 + w2)",
                              _NEURON, _neuron_sigmoid),
    "patterns": Example("add, multiply and max gates", "f = 2·(x·y + max(z, w))",
                        {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}, _patterns),
    "reuse": Example("a value used three times", "e = a·b,  s = e + a,  f = s·a",
                     {"a": 3.0, "b": -3.0}, _reuse),
}

#: the operations of ``Value`` that a template may contain (``"**k"`` for any number ``k``)
_OPS: dict[str, Callable[..., Value]] = {
    "+": operator.add,
    "*": operator.mul,
    "max": Value.max,
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "σ": Value.sigmoid,
    "relu": Value.relu,
    "1/x": lambda a: a**-1,
}

#: slider half-width: inputs move in [−SLIDER_LIMIT, SLIDER_LIMIT] (wider if a value needs it);
#: 6 leaves room on both sides of every example's inputs (note 002's y = 5)
SLIDER_LIMIT = 6.0
SLIDER_STEP = 0.1


def _apply(op: str, args: list[Value]) -> Value:
    """The node ``op(*args)`` built with ``Value``'s own operation (so its own derivative)."""
    if op in _OPS:
        return _OPS[op](*args)
    if op.startswith("**"):
        return args[0] ** float(op[2:])
    raise ValueError(f"GraphExplorer cannot evaluate the operation {op!r}; it knows "
                     f"{', '.join(_OPS)} and **k")


def template_of(out: Value, output_name: str = "f") -> dict:
    """The graph of ``out`` as a template: plain data the explorer (and its JS twin) evaluates.

    Returns ``{"nodes": [...], "edges": [...], "inputs": [...]}``: nodes in topological order
    (output last), each ``{"name", "op", "kind", "data"}`` with ``kind`` ``"input"`` (a named
    leaf: a slider), ``"const"`` (an unnamed leaf) or ``"op"``; edges ``{"source", "target",
    "slot"}``; inputs ``{"name", "value", "min", "max", "step"}`` in the order of the nodes.
    When no leaf has a name, every leaf becomes an input, called ``v0, v1, …``.
    """
    graph = out.to_graph()
    nodes = [{"name": n["name"], "op": n["op"], "data": n["data"]} for n in graph["nodes"]]
    leaves = [n for n in nodes if not n["op"]]
    if leaves and not any(n["name"] for n in leaves):
        for k, n in enumerate(leaves):
            n["name"] = f"v{k}"
    seen: set[str] = set()
    inputs = []
    for n in nodes:
        if n["op"]:
            n["kind"] = "op"
        elif n["name"]:
            n["kind"] = "input"
            while n["name"] in seen:             # two leaves with one name: keep them apart
                n["name"] += "′"
            seen.add(n["name"])
            limit = max(SLIDER_LIMIT, math.ceil(abs(n["data"])))
            inputs.append({"name": n["name"], "value": n["data"], "min": -limit, "max": limit,
                           "step": SLIDER_STEP})
        else:
            n["kind"] = "const"
    if nodes[-1]["kind"] == "op" and not nodes[-1]["name"]:
        nodes[-1]["name"] = output_name
    edges = [{"source": e["source"], "target": e["target"], "slot": e["slot"]}
             for e in graph["edges"]]
    return {"nodes": nodes, "edges": edges, "inputs": inputs}


def evaluate(template: dict, values: dict[str, Number]) -> list[Value]:
    """Rebuild the template with ``Value`` for the inputs ``values``, then ``backward()``.

    Returns the nodes (``Value`` objects, in the template's order); inputs missing from
    ``values`` keep the template's value.
    """
    built: list[Value] = []
    for node, args in zip(template["nodes"], _sources(template), strict=True):
        if node["kind"] == "op":
            v = _apply(node["op"], [built[j] for j in args])
            v.name = node["name"]
        else:
            data = values.get(node["name"], node["data"]) if node["kind"] == "input" else None
            v = Value(float(node["data"] if data is None else data), name=node["name"])
        built.append(v)
    built[-1].backward()
    return built


def local_gradients(op: str, inputs: list[float]) -> list[float]:
    """``∂op/∂input_k`` for each input slot ``k``, from ``Value``'s own ``backward``.

    Each input is a fresh leaf, so ``x·x`` gets ``x`` on each of its two edges (their sum is
    the node's ``2x``), and ``max`` on a tie routes to the first input, as ``Value.max`` does.
    """
    leaves = [Value(x) for x in inputs]
    _apply(op, leaves).backward()
    return [leaf.grad for leaf in leaves]


class GraphExplorer(Explorer):
    """A computational graph with a slider per input; values and gradients on every node.

    Parameters
    ----------
    expr : a ``Value`` (the output of your own expression) to show instead of the chapter's
        examples. Leaves with a ``name`` (``Value(2.0, name="a")``) become sliders, unnamed
        leaves are constants; with no named leaf every leaf is a slider. The graph is copied:
        the sliders do not change your ``Value`` objects.
    example : which graph to show, a key of :data:`EXAMPLES` (``"add_mul"``, ``"neuron_gates"``,
        ``"neuron_sigmoid"``, ``"patterns"``, ``"reuse"``), or ``"custom"`` for ``expr``.
    inputs : ``{name: value}`` for the sliders (missing names keep the graph's own values).
    templates : the graphs as data (``{key: template}``, what :attr:`templates` holds), instead
        of ``expr`` or the examples; a page publishes them with the controls.
    title : the heading shown above the explorer.

    State (``compute()``)
    ---------------------
    ``example``, ``title``, ``formula``; ``inputs`` ``[{"name", "value"}]``; ``nodes`` in
    topological order (the output last), ``{"id", "name", "op", "kind", "data", "grad"}`` with
    ``grad = ∂f/∂node``; ``edges`` ``{"source", "target", "slot", "data", "local", "grad"}``
    where ``data`` is the value carried forward, ``local = ∂target/∂source`` through this
    input slot and ``grad = local · ∂f/∂target`` the gradient sent back along the edge (a
    node's ``grad`` is the sum over its outgoing edges).
    """

    _front_end = "graph.js"
    _controls: ClassVar[tuple[str, ...]] = ("example", "inputs")

    example = traitlets.Unicode("add_mul").tag(sync=True)
    inputs = traitlets.Dict().tag(sync=True)
    #: the graphs the explorer can show: ``{key: {title, formula, nodes, edges, inputs}}``
    templates = traitlets.Dict().tag(sync=True)
    title = traitlets.Unicode(
        "Computational graph: values flow forward, gradients flow back").tag(sync=True)

    def __init__(self, expr: Value | None = None, *, example: str | None = None,
                 inputs: dict[str, Number] | None = None, templates: dict | None = None,
                 **kwargs: Any) -> None:
        if templates is not None:           # graphs already as templates (what a page shows)
            example = next(iter(templates)) if example is None else example
        elif expr is not None:
            if not isinstance(expr, Value):
                raise TypeError(f"GraphExplorer(expr): expr must be a Value, got "
                                f"{type(expr).__name__}")
            templates = {"custom": _custom_template(expr)}
            example = "custom" if example is None else example
        else:
            templates = {}
            for key, ex in EXAMPLES.items():
                leaves = {name: Value(v, name=name) for name, v in ex.inputs.items()}
                tpl = template_of(ex.build(**leaves))
                templates[key] = {"title": ex.title, "formula": ex.formula, **tpl}
            example = "add_mul" if example is None else example
        super().__init__(templates=templates, example=example,
                         inputs={k: float(v) for k, v in (inputs or {}).items()}, **kwargs)

    @traitlets.validate("inputs")
    def _inputs_are_floats(self, proposal: Any) -> dict[str, float]:
        inputs = {}
        for name, value in proposal["value"].items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise traitlets.TraitError(f"inputs: {name} must be a number, got "
                                           f"{value!r}") from None
            if not math.isfinite(number):
                raise traitlets.TraitError(f"inputs: {name} must be a finite number, got "
                                           f"{value!r}")
            inputs[str(name)] = number
        return inputs

    def template(self) -> dict:
        """The template of the graph shown (``example``)."""
        if self.example not in self.templates:
            raise ValueError(f"unknown example {self.example!r}; choose one of "
                             f"{', '.join(self.templates)}")
        return self.templates[self.example]

    def values(self) -> dict[str, float]:
        """The input values used: ``inputs`` where given, the graph's own values elsewhere."""
        return {i["name"]: float(self.inputs.get(i["name"], i["value"]))
                for i in self.template()["inputs"]}

    def compute(self) -> dict:
        """Forward and backward through the graph with ``Value``, for the current inputs."""
        tpl = self.template()
        values = self.values()
        built = evaluate(tpl, values)
        local = [local_gradients(n["op"], [built[j].data for j in args]) if args else []
                 for n, args in zip(tpl["nodes"], _sources(tpl), strict=True)]
        edges = []
        for e in tpl["edges"]:
            d = local[e["target"]][e["slot"]]          # ∂target/∂source through this slot
            edges.append({**e, "data": built[e["source"]].data, "local": d,
                          "grad": d * built[e["target"]].grad})
        nodes = [{"id": i, "name": n["name"], "op": n["op"], "kind": n["kind"],
                  "data": v.data, "grad": v.grad}
                 for i, (n, v) in enumerate(zip(tpl["nodes"], built, strict=True))]
        return {"example": self.example, "title": tpl["title"], "formula": tpl["formula"],
                "inputs": [{"name": k, "value": v} for k, v in values.items()],
                "nodes": nodes, "edges": edges}


def _custom_template(expr: Value) -> dict:
    """The template of a learner's expression, checked to re-evaluate to the same numbers."""
    tpl = template_of(expr)
    rebuilt = evaluate(tpl, {})
    for node, v in zip(tpl["nodes"], rebuilt, strict=True):
        if not math.isclose(node["data"], v.data, rel_tol=1e-12, abs_tol=1e-12):
            raise ValueError(f"GraphExplorer: the node {node['op'] or node['name']!r} "
                             f"re-evaluates to {v.data!r}, not {node['data']!r}")
    return {"title": "your expression", "formula": _formula(tpl), **tpl}


def _sources(template: dict) -> list[list[int]]:
    """For each node, the indices of its inputs in slot order."""
    sources: list[list[int]] = [[] for _ in template["nodes"]]
    for e in sorted(template["edges"], key=lambda e: (e["target"], e["slot"])):
        sources[e["target"]].append(e["source"])
    return sources


def _formula(tpl: dict) -> str:
    """A readable formula of the template, e.g. ``f = (a·b + a)·a``."""
    infix = {"+": (" + ", 1), "*": ("·", 2)}
    text: list[tuple[str, int]] = []          # (text, precedence): 1 sum, 2 product, 3 atom
    for node, args in zip(tpl["nodes"], _sources(tpl), strict=True):
        parts = [text[j] for j in args]
        op = node["op"]
        if node["kind"] == "input":
            text.append((node["name"], 3))
        elif node["kind"] == "const":
            text.append((f"{node['data']:g}", 3 if node["data"] >= 0 else 1))
        elif op in infix:
            sep, prec = infix[op]
            text.append((sep.join(t if p >= prec else f"({t})" for t, p in parts), prec))
        elif op.startswith("**") or op == "1/x":
            base = parts[0][0] if parts[0][1] == 3 else f"({parts[0][0]})"
            text.append((f"1/{base}" if op == "1/x" else f"{base}^{op[2:]}", 2))
        else:
            text.append((f"{op}({', '.join(t for t, _ in parts)})", 3))
    return f"{tpl['nodes'][-1]['name'] or 'f'} = {text[-1][0]}"
