"""GraphExplorer (chapter 2): the graph's numbers against Value and central differences, the
controls, a learner's own expression, errors, and the front end in headless Chromium
(live kernel and static page, where the browser's numbers must equal Python's)."""

import numpy as np
import pytest
import traitlets
from explorer_harness import assert_same_state, fire_inputs, open_explorer, published

from backprop.gradcheck import numerical_gradient
from backprop.scalar import Value
from backprop.widgets.graph import EXAMPLES, GraphExplorer, _apply, local_gradients


def build(key, values):
    """The example built directly with Value (not through the explorer's template)."""
    leaves = {k: Value(v, name=k) for k, v in values.items()}
    out = EXAMPLES[key].build(**leaves)
    out.backward()
    return out, leaves


def f_of(key, names):
    return lambda arr: build(key, dict(zip(names, arr.tolist(), strict=True)))[0].data


def node(state, name):
    (found,) = [n for n in state["nodes"] if n["name"] == name]
    return found


# -- the numbers ------------------------------------------------------------------------------

def test_add_mul_numbers_of_the_note():
    st = GraphExplorer().state
    assert st["example"] == "add_mul"
    assert node(st, "q")["data"] == 3 and node(st, "f")["data"] == -12
    assert [node(st, k)["grad"] for k in "xyz"] == [-4, -4, 3]
    assert node(st, "q")["grad"] == -4 and node(st, "f")["grad"] == 1


def test_sigmoid_neuron_numbers_of_the_note():
    for key in ("neuron_gates", "neuron_sigmoid"):
        st = GraphExplorer(example=key).state
        out = st["nodes"][-1]
        assert round(out["data"], 2) == 0.73 and out["grad"] == 1
        grads = {n["name"]: n["grad"] for n in st["nodes"] if n["kind"] == "input"}
        s = 1 / (1 + np.exp(-1.0))                      # w·x + b = 1 at the note's point
        np.testing.assert_allclose([grads[k] for k in ("w0", "w1", "w2")],
                                   np.array([-1, -2, 1]) * s * (1 - s), rtol=1e-12)
        np.testing.assert_allclose([grads["x0"], grads["x1"]],
                                   np.array([2, -3]) * s * (1 - s), rtol=1e-12)
        assert [round(grads[k], 2) for k in ("w0", "w1", "w2", "x0", "x1")] == \
            [-0.2, -0.39, 0.2, 0.39, -0.59]
    gates = GraphExplorer(example="neuron_gates").state
    into_inverse = [e for e in gates["edges"] if e["target"] == len(gates["nodes"]) - 1]
    (edge,) = into_inverse                               # the input q = 1.37 of the 1/x gate
    assert round(edge["data"], 2) == 1.37 and round(edge["grad"], 2) == -0.53
    assert gates["nodes"][edge["source"]]["grad"] == pytest.approx(-1 / edge["data"] ** 2)


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_example_matches_value_and_central_differences(key, rng):
    names = list(EXAMPLES[key].inputs)
    for _ in range(3):
        values = dict(zip(names, rng.uniform(-3, 3, len(names)).round(1).tolist(), strict=True))
        st = GraphExplorer(example=key, inputs=values).state
        out, leaves = build(key, values)
        assert st["nodes"][-1]["data"] == pytest.approx(out.data, rel=1e-12)
        for name, leaf in leaves.items():
            assert node(st, name)["data"] == leaf.data
            assert node(st, name)["grad"] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-15)
        numeric = numerical_gradient(f_of(key, names), np.array([values[k] for k in names]))
        exact = np.array([node(st, k)["grad"] for k in names])
        np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_edges_carry_value_local_gradient_and_share(key):
    st = GraphExplorer(example=key).state
    nodes, edges = st["nodes"], st["edges"]
    for e in edges:
        src, dst = nodes[e["source"]], nodes[e["target"]]
        assert e["data"] == src["data"]
        assert e["grad"] == pytest.approx(e["local"] * dst["grad"], rel=1e-12)
        # the local gradient by central differences on the gate alone
        args = [nodes[f["source"]]["data"] for f in sorted(
            (f for f in edges if f["target"] == e["target"]), key=lambda f: f["slot"])]

        def gate(x, slot=e["slot"], args=args, op=dst["op"]):
            a = list(args)
            a[slot] = float(x[0])
            return _apply(op, [Value(v) for v in a]).data

        numeric = numerical_gradient(gate, np.array([args[e["slot"]]]))[0]
        assert e["local"] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    for i, n in enumerate(nodes[:-1]):                 # a node's gradient = Σ of its edges'
        assert n["grad"] == pytest.approx(sum(e["grad"] for e in edges if e["source"] == i),
                                          rel=1e-12, abs=1e-15)


def test_reuse_example_adds_three_contributions():
    st = GraphExplorer(example="reuse").state
    a = 0
    shares = sorted(e["grad"] for e in st["edges"] if e["source"] == a)
    assert shares == [-9, -6, 3] and node(st, "a")["grad"] == -12 == sum(shares)
    assert node(st, "b")["grad"] == 9 and st["nodes"][-1]["data"] == -18
    # the graph keeps both edges of x·x (each gets x) and a + a (each gets 1)
    assert local_gradients("*", [1.5, 1.5]) == [1.5, 1.5]
    assert local_gradients("+", [2.0, 2.0]) == [1.0, 1.0]
    assert local_gradients("max", [2.0, 2.0]) == [1.0, 0.0]


# -- controls, a learner's expression, errors -------------------------------------------------

def test_controls_drive_the_state():
    w = GraphExplorer()
    w.inputs = {"x": 1.0}
    assert node(w.state, "q")["data"] == 6 and node(w.state, "z")["grad"] == 6
    assert [i["value"] for i in w.state["inputs"]] == [1.0, 5.0, -4.0]
    w.example = "reuse"
    assert w.state["example"] == "reuse" and [i["name"] for i in w.state["inputs"]] == ["a", "b"]
    controls = {"example": w.example, "inputs": w.inputs}
    assert_same_state(GraphExplorer(**controls).state, w.state, atol=1e-12)


def test_learner_expression():
    a, b = Value(3.0, name="a"), Value(-2.0, name="b")
    expr = (a * a + b).tanh() * 2 + a
    expr.backward()
    before = [(v.data, v.grad) for v in expr.topological_order()]
    w = GraphExplorer(expr)
    st = w.state
    assert st["example"] == "custom" and list(w.templates) == ["custom"]
    assert [i["name"] for i in st["inputs"]] == ["a", "b"]
    assert {n["kind"] for n in st["nodes"]} == {"input", "const", "op"}
    for got, v in zip(st["nodes"], expr.topological_order(), strict=True):
        assert got["data"] == pytest.approx(v.data, rel=1e-12)
        assert got["grad"] == pytest.approx(v.grad, rel=1e-12)
    w.inputs = {"a": 0.5}
    a2, b2 = Value(0.5), Value(-2.0)
    out = (a2 * a2 + b2).tanh() * 2 + a2
    out.backward()
    assert node(w.state, "a")["grad"] == pytest.approx(a2.grad, rel=1e-12)
    assert [(v.data, v.grad) for v in expr.topological_order()] == before   # untouched
    assert st["formula"] == "f = tanh(a·a + b)·2 + a"


def test_unnamed_leaves_all_become_inputs():
    x = Value(2.0)
    st = GraphExplorer(x * x + x).state
    assert [i["name"] for i in st["inputs"]] == ["v0"] and st["nodes"][-1]["grad"] == 1
    assert node(st, "v0")["grad"] == 5


def test_errors_are_shown_in_the_widget():
    w = GraphExplorer()
    w.example = "nope"
    assert "unknown example 'nope'" in w.error
    w.example = "add_mul"
    assert w.error == ""
    x = Value(2.0, name="x")
    w = GraphExplorer(x.log())
    w.inputs = {"x": -1.0}
    assert "ValueError" in w.error and "log" in w.error
    assert node(w.state, "x")["data"] == 2.0                          # last good state kept
    for bad, message in [(float("nan"), "x must be a finite number"),
                         (float("inf"), "x must be a finite number"),
                         ("abc", "x must be a number, got 'abc'")]:
        with pytest.raises(traitlets.TraitError, match=message):
            w.inputs = {"x": bad}
    assert w.inputs == {"x": -1.0}
    with pytest.raises(TypeError, match="must be a Value"):
        GraphExplorer(3.0)
    # any exponent survives the round trip through the template, digit for digit
    w = GraphExplorer(Value(2.0, name="x") ** 0.123456789, inputs={"x": 3.0})
    assert w.error == "" and w.state["nodes"][-1]["data"] == 3.0 ** 0.123456789
    assert node(w.state, "x")["grad"] == pytest.approx(0.123456789 * 3.0 ** -0.876543211)


# -- the front end in headless Chromium -------------------------------------------------------

def text_overlaps(page):
    """Pairs of text labels of the drawing whose boxes overlap (by more than 1 px)."""
    return page.evaluate("""() => {
      const boxes = [...document.querySelectorAll('svg.bp-gx-svg text')].map((t) => {
        const r = t.getBoundingClientRect(); return [t.textContent, r]; });
      const out = [];
      boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) out.push([a, b]);
      }));
      return out; }""")


@pytest.mark.browser
def test_live_kernel_slider_updates_python(browser):  # noqa: F811
    w = GraphExplorer()
    page = open_explorer(browser, w, kernel=True)
    assert page.locator("svg.bp-gx-svg g.bp-gx-node").count() == 5
    assert page.locator("[data-node-grad='0']").text_content() == "−4.00"
    page.wait_for_timeout(50)                          # the kernel answers the ping
    # JupyterLab's notebook cancels the default action of arrow keys inside outputs; the
    # sliders must step anyway
    page.evaluate("document.addEventListener('keydown', (e) => e.preventDefault())")
    page.locator(".bp-gx-sliders input[type=range]").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector(\"[data-node-value='0']\")"
                           ".textContent === '−1.90'")
    assert w.inputs == {"x": -1.9}
    assert node(w.state, "q")["data"] == pytest.approx(3.1)
    controls, state = published(page)
    assert_same_state(state, w.state, atol=1e-12)
    assert page.locator(".bp-static-note").is_hidden()
    page.locator(".bp-gx-select").select_option("neuron_gates")
    page.wait_for_function("document.querySelectorAll('.bp-gx-sliders input').length === 5")
    assert w.example == "neuron_gates" and not page.errors
    page.close()


@pytest.mark.browser
def test_static_page_recomputes_like_python(browser):  # noqa: F811
    w = GraphExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=4000)
    for key in EXAMPLES:
        page.locator(".bp-gx-select").select_option(key)
        for k, _name in enumerate(EXAMPLES[key].inputs):
            page.locator(".bp-gx-sliders input[type=range]").nth(k).focus()
            for _ in range(k + 1):
                page.keyboard.press("ArrowRight" if k % 2 else "ArrowLeft")
        controls, state = published(page)
        assert state["example"] == key and controls["example"] == key
        assert_same_state(state, GraphExplorer(**controls).state, atol=1e-12)
        for local in (True, False):
            page.locator(".bp-gx-check").set_checked(local)
            assert text_overlaps(page) == [], key
    assert w.inputs == {} and w.example == "add_mul"       # Python was not asked
    assert not page.errors
    page.close()


@pytest.mark.browser
def test_static_page_learner_expression_and_error(browser):  # noqa: F811
    a, x = Value(3.0, name="a"), Value(-1.5, name="x")
    w = GraphExplorer(a * a + a + (x * x).exp() * a + (a + 1).log())
    page = open_explorer(browser, w, kernel=False)
    assert page.locator(".bp-gx-select").is_hidden() or page.locator(".bp-gx-select").count() == 0
    page.locator(".bp-gx-sliders input[type=range]").nth(1).focus()
    page.keyboard.press("ArrowRight")
    controls, state = published(page)
    w.inputs = controls["inputs"]
    assert_same_state(state, w.state, atol=1e-12)
    for local in (False, True):
        page.locator(".bp-gx-check").set_checked(local)
        assert text_overlaps(page) == []
    slider = page.locator(".bp-gx-sliders input[type=range]").first
    slider.fill("-4")                                    # log(a + 1) has no value at a = −4
    assert "ValueError" in page.locator(".bp-error").text_content()
    slider.fill("2")
    assert page.locator(".bp-error").is_hidden()
    assert not page.errors
    page.close()


@pytest.mark.browser
def test_static_page_takes_a_burst_of_input_events(browser):  # noqa: F811
    w = GraphExplorer(example="neuron_gates")
    page = open_explorer(browser, w, kernel=False)      # computes in the page at once
    fire_inputs(page, ".bp-gx-sliders input[type=range]", [-2 + i * 0.1 for i in range(30)])
    controls, state = published(page)                   # the last event, 0.9, is the one shown
    assert controls["inputs"]["w0"] == pytest.approx(0.9)
    assert_same_state(state, GraphExplorer(**controls).state, atol=1e-12)
    assert not page.errors
    page.close()


def odd_expressions():
    x, y = Value(0.7, name="x"), Value(-1.2, name="y")
    return {
        "leaf": x,
        "a+a": x + x,
        "x*x": x * x,
        "max tie": x.max(x) + y.max(x),
        "relu tanh": (x * y).relu() + (x - y).tanh(),
        "log pow": (x * x + 1).log() + (x + 2) ** 0.5 - y**3,
        "div sigmoid": x / (y - 3) + (x * y).sigmoid().exp(),
    }


@pytest.mark.parametrize("key", list(odd_expressions()))
def test_every_operation_in_python(key):
    expr = odd_expressions()[key]
    expr.backward()
    st = GraphExplorer(expr).state
    for got, v in zip(st["nodes"], expr.topological_order(), strict=True):
        assert got["data"] == pytest.approx(v.data, rel=1e-12)
        assert got["grad"] == pytest.approx(v.grad, rel=1e-12, abs=1e-15)


@pytest.mark.browser
def test_static_page_every_operation(browser):  # noqa: F811
    x, y = Value(0.7, name="x"), Value(-1.2, name="y")
    together = [x,                                                     # a graph of one node
                x + x + x * x + x.max(x) + y.max(x),                   # twins and ties
                (x * y).relu() + (x - y).tanh() + (x * x + 1).log() + (x + 2) ** 0.5
                - y**3 + x / (y - 3) + (x * y).sigmoid().exp()]
    for expr in together:
        w = GraphExplorer(expr)
        page = open_explorer(browser, w, kernel=False)
        page.locator(".bp-gx-sliders input[type=range]").first.focus()
        page.keyboard.press("ArrowRight")
        controls, state = published(page)
        w.inputs = controls["inputs"]
        assert w.error == ""
        assert_same_state(state, w.state, atol=1e-12)
        assert not page.errors
        page.close()


def test_a_learners_graph_is_rebuilt_from_its_templates():
    # A static page publishes the templates with the controls: they must suffice to recompute.
    x = Value(1.5, name="x")
    w = GraphExplorer(x * x + x + 1, inputs={"x": 2.0})
    again = GraphExplorer(templates=w.templates, example=w.example, inputs=w.inputs)
    assert_same_state(again.state, w.state, atol=1e-12)
    (leaf,) = [n for n in again.state["nodes"] if n["name"] == "x"]
    assert leaf["grad"] == pytest.approx(2 * 2.0 + 1)          # d(x² + x + 1)/dx


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_every_example_starts_with_room_to_move_each_input_both_ways(key):
    for slider in GraphExplorer(example=key).templates[key]["inputs"]:
        assert slider["min"] < slider["value"] < slider["max"], (key, slider)


def test_slider_range_covers_a_large_negative_input():
    """A leaf beyond the default range ±6 gets a slider that reaches it: ⌈7.3⌉ = 8."""
    (slider,) = GraphExplorer(Value(-7.3, name="a") * 2).templates["custom"]["inputs"]
    assert (slider["min"], slider["max"]) == (-8, 8)


def test_template_edges_are_placed_by_slot_not_by_list_order():
    """A template whose edges come in another order (JSON reordered by hand, say) gives the
    same graph: each gate takes its inputs by their slot, as the browser's twin does."""
    template = GraphExplorer().templates["add_mul"]
    reordered = {**template, "edges": template["edges"][::-1]}
    st = GraphExplorer(templates={"add_mul": reordered}, example="add_mul").state
    names = [n["name"] for n in st["nodes"]]
    local = {(names[e["source"]], names[e["target"]]): e["local"] for e in st["edges"]}
    # note 002: f = q·z, q = x + y at x = −2, y = 5, z = −4, so ∂f/∂q = z = −4, ∂f/∂z = q = 3
    assert local[("q", "f")] == -4.0 and local[("z", "f")] == 3.0


@pytest.mark.browser
@pytest.mark.parametrize("width", [900, 620])
def test_readout_entries_never_break_inside(browser, width):  # noqa: F811
    """Each "∂f/∂x = …" of the readout stays on one line (a line may otherwise break after
    "/"), and the readout's text keeps its spacing."""
    w = GraphExplorer(example="neuron_sigmoid")
    page = open_explorer(browser, w, kernel=False, width=width)
    page.wait_for_selector(".bp-gx-entry")
    lines = page.evaluate("""() => [...document.querySelectorAll('.bp-gx-entry')]
        .map((e) => e.getClientRects().length)""")
    assert len(lines) == 1 + len(w.state["inputs"]) and set(lines) == {1}
    text = page.locator(".bp-gx-readout").text_content()
    assert text.startswith(w.state["formula"] + "\n") and "    ∂f/∂w0 = " in text
