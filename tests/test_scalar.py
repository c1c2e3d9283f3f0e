"""Tests of backprop.scalar.Value: random expressions against finite differences, the
circuits of note 002 with their numbers, re-used nodes, a second backward(), the graph."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.scalar import Value

# -- random expression trees ---------------------------------------------------------------
# A tree is ("var", i), ("const", c), (unary_op, tree) or (binary_op, tree, tree). It is
# evaluated twice by the same code: once on Values (autograd) and once on floats (for finite
# differences). Constants stay plain numbers, which exercises the reflected operators.
# Every operation is kept inside its domain (log of a² + 1, division by b² + 1, exp of tanh).


def _is_value(a):
    return isinstance(a, Value)


def _tanh(a):
    return a.tanh() if _is_value(a) else math.tanh(a)


def _sigmoid(a):
    return a.sigmoid() if _is_value(a) else 1.0 / (1.0 + math.exp(-a))


def _relu(a):
    return a.relu() if _is_value(a) else max(a, 0.0)


def _exp(a):
    return a.exp() if _is_value(a) else math.exp(a)


def _log(a):
    return a.log() if _is_value(a) else math.log(a)


def _max(a, b):
    if _is_value(a):
        return a.max(b)
    return b.max(a) if _is_value(b) else max(a, b)


UNARY = {
    "neg": lambda a: -a,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "exp": lambda a: _exp(_tanh(a)),
    "log": lambda a: _log(a * a + 1),
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "rsqrt": lambda a: (a * a + 1) ** -0.5,
    "radd": lambda a: 2 + a,
    "rsub": lambda a: 2 - a,
    "rmul": lambda a: 3 * a,
    "rdiv": lambda a: 3 / (a * a + 1),
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1),
    "max": _max,
}
N_VARS = 3

leaves = st.one_of(
    st.tuples(st.just("var"), st.integers(0, N_VARS - 1)),
    st.tuples(st.just("const"), st.sampled_from([-2.0, -0.5, 0.5, 1.5, 3.0])),
)
trees = st.recursive(
    leaves,
    lambda sub: st.one_of(st.tuples(st.sampled_from(sorted(UNARY)), sub),
                          st.tuples(st.sampled_from(sorted(BINARY)), sub, sub)),
    max_leaves=8,
)


def evaluate(tree, xs):
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "const":
        return tree[1]
    if kind in UNARY:
        return UNARY[kind](evaluate(tree[1], xs))
    return BINARY[kind](evaluate(tree[1], xs), evaluate(tree[2], xs))


def uses_a_variable(tree):
    return tree[0] == "var" or (tree[0] != "const" and any(map(uses_a_variable, tree[1:])))


def central_differences(f, xs, h=1e-6):
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return np.array(grads)


@settings(max_examples=60, deadline=None)
@given(tree=trees.filter(uses_a_variable), seed=st.integers(0, 10**6))
def test_random_expressions_match_finite_differences(tree, seed):
    # Inputs come from a seeded generator, not from hypothesis: no input sits exactly on a
    # kink of relu or max.
    xs = list(np.random.default_rng(seed).uniform(-2, 2, size=N_VARS))
    vs = [Value(x, name=f"x{i}") for i, x in enumerate(xs)]
    out = evaluate(tree, vs)
    out.backward()
    value = evaluate(tree, xs)
    assert out.data == pytest.approx(value, rel=1e-12, abs=1e-12)
    numeric = central_differences(lambda p: evaluate(tree, p), xs)
    analytic = np.array([v.grad for v in vs])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8 * (1 + abs(value)))


@settings(max_examples=40, deadline=None)
@given(tree=trees.filter(uses_a_variable), seed=st.integers(0, 10**6))
def test_topological_order_of_random_graphs(tree, seed):
    xs = [Value(x) for x in np.random.default_rng(seed).uniform(-2, 2, size=N_VARS)]
    out = evaluate(tree, xs)
    order = out.topological_order()
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)  # every node once
    assert order[-1] is out
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]
    graph = out.to_graph()
    assert len(graph["nodes"]) == len(order)
    assert len(graph["edges"]) == sum(len(node.children) for node in order)


# -- the circuits of note 002 --------------------------------------------------------------

def test_note_002_circuit_f_is_x_plus_y_times_z():
    x, y, z = Value(-2.0, name="x"), Value(5.0, name="y"), Value(-4.0, name="z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert q.grad == -4.0 and f.grad == 1.0


def sigmoid_neuron(one_gate: bool):
    w = [Value(2.0, name="w0"), Value(-3.0, name="w1"), Value(-3.0, name="w2")]
    x = [Value(-1.0, name="x0"), Value(-2.0, name="x1")]
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    if one_gate:
        return w, x, None, dot.sigmoid()
    q = (-dot).exp() + 1  # the gates of note 002: *(-1), exp, +1, 1/x
    return w, x, q, q**-1


def test_note_002_sigmoid_neuron_from_elementary_gates():
    w, x, q, f = sigmoid_neuron(one_gate=False)
    f.backward()
    assert f.op == "1/x"
    assert round(f.data, 2) == 0.73 and round(q.data, 2) == 1.37
    # the 1/x gate's local gradient -1/q², with ∂f/∂f = 1: -1/1.37² = -0.53
    assert q.grad == pytest.approx(-1 / q.data**2, rel=1e-15)
    assert round(q.grad, 2) == -0.53
    assert [round(v.grad, 2) for v in w] == [-0.20, -0.39, 0.20]
    assert [round(v.grad, 2) for v in x] == [0.39, -0.59]
    s = 1 / (1 + math.exp(-1.0))  # w·x + w2 = 1, so f = σ(1) and σ' = σ(1 − σ)
    assert f.data == pytest.approx(s, rel=1e-15)
    np.testing.assert_allclose([v.grad for v in w], np.array([-1.0, -2.0, 1.0]) * s * (1 - s),
                               rtol=1e-12)
    np.testing.assert_allclose([v.grad for v in x], np.array([2.0, -3.0]) * s * (1 - s),
                               rtol=1e-12)


def test_note_002_sigmoid_neuron_one_gate_agrees_with_elementary_gates():
    w1, x1, _, f1 = sigmoid_neuron(one_gate=False)
    w2, x2, _, f2 = sigmoid_neuron(one_gate=True)
    f1.backward()
    f2.backward()
    assert f2.op == "σ"
    assert f2.data == pytest.approx(f1.data, rel=1e-15)
    np.testing.assert_allclose([v.grad for v in w1 + x1], [v.grad for v in w2 + x2], rtol=1e-12)
    assert len(f2.topological_order()) < len(f1.topological_order())


def test_reciprocal_via_division_is_the_same_gate():
    a, b = Value(1.37), Value(1.37)
    f1, f2 = a**-1, 1 / b
    f1.backward()
    f2.backward()
    assert f1.data == f2.data and a.grad == b.grad == pytest.approx(-1 / 1.37**2, rel=1e-15)


# -- accumulation: a node used several times ------------------------------------------------

def test_a_plus_a():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert b.data == 6.0 and a.grad == 2.0


def test_x_times_x():
    x = Value(-1.5)
    y = x * x
    y.backward()
    assert y.data == 2.25 and x.grad == -3.0


def test_a_node_used_three_times():
    x = Value(0.5)
    q = x + 1  # q feeds three uses
    f = q * q + q.tanh()
    f.backward()
    expected = 2 * 1.5 + (1 - math.tanh(1.5) ** 2)  # ∂f/∂q, and ∂q/∂x = 1
    assert q.grad == pytest.approx(expected, rel=1e-15)
    assert x.grad == pytest.approx(expected, rel=1e-15)
    y = Value(2.0)
    cube = y * y * y
    cube.backward()
    assert y.grad == pytest.approx(12.0, rel=1e-15)


# -- a second backward ----------------------------------------------------------------------

def test_second_backward_gives_the_same_gradients():
    """Documented choice: backward() zeroes the graph's gradients first, so calling it
    again reproduces the gradients instead of doubling them."""
    w, x, q, f = sigmoid_neuron(one_gate=False)
    f.backward()
    first = [v.grad for v in (*w, *x, q)]
    f.backward()
    assert [v.grad for v in (*w, *x, q)] == first


def test_backward_of_another_output_does_not_accumulate():
    a = Value(2.0)
    f, g = a * 3, a * a
    f.backward()
    assert a.grad == 3.0
    g.backward()
    assert a.grad == 4.0  # ∂g/∂a only: gradients of f were zeroed
    g.zero_grad()
    assert a.grad == 0.0 and g.grad == 0.0


# -- every operation ------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "value", "grad"), [
    (lambda a: a + 2, 3.5, 1.0),
    (lambda a: 2 + a, 3.5, 1.0),
    (lambda a: a - 2, -0.5, 1.0),
    (lambda a: 2 - a, 0.5, -1.0),
    (lambda a: a * 4, 6.0, 4.0),
    (lambda a: 4 * a, 6.0, 4.0),
    (lambda a: a / 4, 0.375, 0.25),
    (lambda a: 3 / a, 2.0, -3 / 1.5**2),
    (lambda a: a**3, 3.375, 3 * 1.5**2),
    (lambda a: a**0.5, 1.5**0.5, 0.5 * 1.5**-0.5),
    (lambda a: -a, -1.5, -1.0),
    (lambda a: a.exp(), math.exp(1.5), math.exp(1.5)),
    (lambda a: a.log(), math.log(1.5), 1 / 1.5),
    (lambda a: a.tanh(), math.tanh(1.5), 1 - math.tanh(1.5) ** 2),
    (lambda a: a.sigmoid(), 1 / (1 + math.exp(-1.5)),
     math.exp(-1.5) / (1 + math.exp(-1.5)) ** 2),
    (lambda a: a.relu(), 1.5, 1.0),
    (lambda a: (-a).relu(), 0.0, 0.0),
    (lambda a: (a - 1.5).relu(), 0.0, 0.0),   # at the kink: the subgradient 0, as relu_prime
    (lambda a: a.max(1.0), 1.5, 1.0),
    (lambda a: a.max(2.0), 2.0, 0.0),
])
def test_each_operation(build, value, grad):
    a = Value(1.5)
    out = build(a)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-14)
    assert a.grad == pytest.approx(grad, rel=1e-14)


def test_max_routes_a_tie_to_its_first_input():
    x, y = Value(2.0), Value(2.0)
    x.max(y).backward()
    assert (x.grad, y.grad) == (1.0, 0.0)


def test_sigmoid_gate_stable_far_out():
    for x, s in [(-1000.0, 0.0), (1000.0, 1.0)]:
        v = Value(x)
        out = v.sigmoid()
        out.backward()
        assert out.data == s and v.grad == 0.0      # σ′ = s(1 − s) underflows to 0, no NaN


def test_children_are_ordered_tuples_with_op_and_name():
    a, b = Value(1.0, name="a"), Value(2.0, name="b")
    c = a - b
    d = b * a
    assert isinstance(d.children, tuple) and d.children == (b, a) and d.op == "*"
    assert c.op == "+" and c.children[0] is a
    assert a.name == "a" and repr(a) == "Value(a=1, grad=0)"


def test_to_graph_of_note_002_circuit():
    x, y, z = Value(-2.0, name="x"), Value(5.0, name="y"), Value(-4.0, name="z")
    f = (x + y) * z
    f.backward()
    graph = f.to_graph()
    assert [n["name"] for n in graph["nodes"]] == ["x", "y", "", "z", ""]
    assert [n["op"] for n in graph["nodes"]] == ["", "", "+", "", "*"]
    assert [n["data"] for n in graph["nodes"]] == [-2.0, 5.0, 3.0, -4.0, -12.0]
    assert [n["grad"] for n in graph["nodes"]] == [-4.0, -4.0, -4.0, 3.0, 1.0]
    assert graph["edges"] == [
        {"source": 0, "target": 2, "slot": 0}, {"source": 1, "target": 2, "slot": 1},
        {"source": 2, "target": 4, "slot": 0}, {"source": 3, "target": 4, "slot": 1},
    ]


def test_a_plus_a_has_two_edges():
    a = Value(1.0)
    graph = (a + a).to_graph()
    assert len(graph["nodes"]) == 2
    assert [e["slot"] for e in graph["edges"]] == [0, 1]


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    out = x
    for _ in range(5000):
        out = out * 1.0001
    out.backward()
    assert x.grad == pytest.approx(1.0001**5000, rel=1e-9)


# -- errors --------------------------------------------------------------------------------

def test_errors():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="data must be a number, got str 'a'"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="data must be a number, got list"):
        Value([1.0])
    with pytest.raises(TypeError, match="the exponent must be a number, got str '2'"):
        Value(3.0) ** "2"
    with pytest.raises(TypeError, match="the exponent must be a number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="log of a non-positive number"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="negative base -4.0 with a fractional exponent"):
        Value(-4.0) ** 0.5
    with pytest.raises(ValueError, match="zero to a negative power"):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError, match=r"Value division by zero: 1.0 / 0$"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"Value division by zero: 2 / Value\(0\)"):
        2 / Value(0.0)
    with pytest.raises(TypeError, match=r"2 \*\* Value is not supported: .* write "
                                        r"\(x \* math.log\(b\)\).exp\(\)"):
        2 ** Value(3.0)
    with pytest.raises(ValueError, match="the exponent must be a finite number"):
        Value(2.0) ** float("inf")
    assert (Value(-2.0) ** 2).data == 4.0  # integer powers of negatives are fine


def test_a_value_holds_one_number():
    with pytest.raises(TypeError, match=r"must be one number, got an array of shape \(1,\)"):
        Value(np.array([3.0]))
    assert Value(np.array(3.0)).data == 3.0 and Value(np.float32(0.5)).data == 0.5


def test_overflow_is_named():
    with pytest.raises(OverflowError, match=r"Value.exp: e\^1000 is larger than the largest"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match=r"Value \*\* 1000: 10 \*\* 1000 is larger"):
        Value(10.0) ** 1000
    assert Value(709.0).exp().data == math.exp(709.0)
    tiny = Value(1e-200)
    with pytest.raises(OverflowError, match=r"Value \*\* -1, backward: the derivative"):
        (1 / tiny).backward()
    # a sum or a product past the largest float is refused as exp is, naming the operation
    with pytest.raises(OverflowError, match=r"Value \*: the result of \(1e\+308, 10\) is inf"):
        Value(1e308) * 10
    with pytest.raises(OverflowError, match=r"Value \+: the result of \(-1e\+308, -1e\+308\) "
                                            r"is -inf, beyond the largest float"):
        Value(-1e308) - 1e308
    assert (Value(1e308) * 1.5).data == 1.5e308          # near the limit is still a number
    # a node built by hand from a NumPy result: nan is not an overflow
    with pytest.raises(ValueError, match=r"Value log: the result of \(-1\) is not a number"):
        with np.errstate(invalid="ignore"):
            Value(np.log(-1.0), (Value(-1.0),), "log")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_a_value_is_a_finite_number(bad):
    with pytest.raises(ValueError, match=r"Value\(data\): data must be a finite number, got"):
        Value(bad)
    with pytest.raises(ValueError, match=r"must be a finite number"):
        Value(1.0) + bad                                  # a number lifted to a Value as well


@pytest.mark.parametrize("exponent, slope", [(0, 0.0), (0.5, math.inf), (1, 1.0), (2, 0.0)])
def test_powers_at_zero(exponent, slope):
    """The one-sided slope of x**e at 0 (x**0 is constant; √x starts vertical), as PyTorch."""
    x = Value(0.0)
    (x**exponent).backward()
    assert x.grad == slope
    h = 1e-12  # the slope from the right, where a finite one exists
    if math.isfinite(slope):
        assert ((h**exponent) - 0**exponent) / h == pytest.approx(slope, abs=1e-9)
    else:
        assert h**exponent / h > 1e5
