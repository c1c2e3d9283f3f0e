"""ForwardNetworkExplorer (chapter 1): driven from code, and in headless Chromium.

From code: the state is the library's forward pass and MSE for the controls (checked against
plain NumPy and against the column-convention ``ColumnNetwork``), a learner's ``Sequential``
is shown and never modified, bad input shows an error. In the browser: it draws, a slider
moved with the keyboard updates the Python state (kernel) or is recomputed in JavaScript
(static page) to the same numbers as Python.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from explorer_harness import STATE_IS, open_explorer, published
from PIL import Image

from backprop.activations import ACTIVATIONS
from backprop.layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh
from backprop.losses import MSE
from backprop.network import ColumnNetwork
from backprop.widgets.forward_net import DEFAULT, ForwardNetworkExplorer


def numpy_forward(weights, biases, acts, x, target, reduction="mean"):
    """The forward pass written out in NumPy, independent of the library's layers."""
    a, zs, As = np.asarray(x, float), [], [np.asarray(x, float)]
    for W, b, f in zip(weights, biases, acts, strict=True):
        z = a @ np.asarray(W) + np.asarray(b)
        a = {"identity": z, "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z)),
             "relu": np.maximum(z, 0)}[f]
        zs.append(z)
        As.append(a)
    sq = np.sum((a - np.asarray(target)) ** 2)
    loss = {"mean": sq / a.size, "sum": sq, "half_sum": sq / 2}[reduction]
    return zs, As, loss


def assert_state_close(state, expected, rtol=1e-12, atol=1e-14):
    assert set(state) == set(expected)
    assert state["sizes"] == expected["sizes"]
    for key in ("z", "a"):
        assert len(state[key]) == len(expected[key])
        for got, want in zip(state[key], expected[key], strict=True):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    assert state["loss"] == pytest.approx(expected["loss"], rel=rtol, abs=atol)


# -- driven from code -------------------------------------------------------------------------
def test_default_state_is_the_forward_pass_and_the_loss():
    w = ForwardNetworkExplorer()
    assert w.error == ""
    zs, As, loss = numpy_forward(DEFAULT["weights"], DEFAULT["biases"], DEFAULT["activations"],
                                 DEFAULT["x"], DEFAULT["target"])
    assert w.state["sizes"] == [2, 3, 2]
    assert_state_close(w.state, {"sizes": [2, 3, 2], "z": zs, "a": As, "loss": loss})
    # hand-checked: z¹ = x W¹ + b¹ = [1·0.5 − 0.5·0.2 + 0.1, …] = [0.5, −0.8, 0.65]
    np.testing.assert_allclose(w.state["z"][0], [0.5, -0.8, 0.65], rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "half_sum"])
def test_every_reduction_is_the_library_mse(reduction):
    w = ForwardNetworkExplorer(reduction=reduction)
    out = np.asarray(w.state["a"][-1])[None, :]
    assert w.state["loss"] == pytest.approx(
        MSE(reduction).forward(out, np.asarray([DEFAULT["target"]])), rel=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_learners_sequential_is_shown_and_not_modified(seed):
    rng = np.random.default_rng(seed)
    net = Sequential(Linear(3, 4, rng=rng), Sigmoid(), Linear(4, 2, rng=rng), ReLU(),
                     Linear(2, 2, rng=rng))
    for layer in (net[0], net[2], net[4]):
        layer.b = rng.standard_normal(layer.b.shape)
    before = [p.copy() for p, _ in net.parameters()]
    x, t = rng.standard_normal(3), rng.standard_normal(2)
    w = ForwardNetworkExplorer(net, x=x, target=t)
    assert w.error == "" and w.activations == ["sigmoid", "relu", "identity"]
    assert w.state["a"][-1] == pytest.approx(net.forward(x[None, :])[0], rel=1e-12)
    # the column convention (note 001) gives the same z^l, transposed: W_col = W_rowᵀ
    col = ColumnNetwork.from_sequential(net)
    col.forward(x[:, None])
    for z_row, z_col in zip(w.state["z"], col.z, strict=True):
        np.testing.assert_allclose(z_row, z_col[:, 0], rtol=1e-12)
    w.set_weight(0, 2, 1, 1.75)
    w.set_bias(2, 0, -0.5)
    assert all(np.array_equal(p, q) for (p, _), q in zip(net.parameters(), before, strict=True))
    shown = w.to_sequential()
    assert shown[0].W[2, 1] == 1.75 and shown[4].b[0] == -0.5
    assert w.state["a"][-1] == pytest.approx(shown.forward(x[None, :])[0], rel=1e-12)
    assert w.limit >= 2 and w.limit >= np.max(np.abs(np.concatenate(
        [p.ravel() for p in before])))


def test_a_weight_only_changes_what_lies_downstream():
    w = ForwardNetworkExplorer()
    z1, z2 = w.state["z"]
    w.set_weight(1, 0, 1, 0.0)            # W²[0, 1]: from hidden neuron 1 to output 2
    assert w.state["z"][0] == z1
    assert w.state["z"][1][0] == z2[0] and w.state["z"][1][1] != z2[1]
    a1 = w.state["a"][1][0]               # z²_2 dropped the term a¹_1 · w²_12 = a¹_1 · (−0.5)
    assert w.state["z"][1][1] == pytest.approx(z2[1] + 0.5 * a1, rel=1e-12)
    w.set_bias(0, 2, 1.0)                 # b¹_3 changes z¹_3 by exactly +1
    assert w.state["z"][0][2] == pytest.approx(z1[2] + 1.0, rel=1e-12)


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_activation_choice(act):
    w = ForwardNetworkExplorer(activations=[act, "identity"])
    z1 = np.asarray(w.state["z"][0])
    np.testing.assert_allclose(w.state["a"][1], ACTIVATIONS[act].f(z1), rtol=1e-14)


def test_numpy_arrays_are_accepted_and_synced_as_lists():
    W1, W2 = np.full((2, 2), 0.5), np.ones((2, 1))
    w = ForwardNetworkExplorer(weights=[W1, W2], x=np.array([1.0, 2.0]), target=np.zeros(1))
    assert w.biases == [[0.0, 0.0], [0.0]] and w.activations == ["tanh", "identity"]
    w.x = np.array([2.0, 0.0])
    assert w.x == [2.0, 0.0] and isinstance(w.x[0], float)
    json.dumps(w.get_state(["weights", "biases", "x", "target", "state"]))
    assert w.state["a"][-1] == pytest.approx([2 * np.tanh(1.0)], rel=1e-14)


def test_bad_input_is_shown_in_the_widget_and_the_state_kept():
    w = ForwardNetworkExplorer()
    good = w.state
    w.x = [1.0, 2.0, 3.0]
    assert "x has shape (3,)" in w.error and "2 inputs" in w.error and w.state == good
    w.x = [1.0, -0.5]
    assert w.error == ""
    w.activations = ["softplus", "identity"]
    assert "unknown activation 'softplus'" in w.error
    w.activations = ["tanh", "identity"]
    w.weights = [DEFAULT["weights"][0], [[1.0, 0.0], [2.0, 0.0]]]  # W² has 2 rows, a¹ has 3
    assert "widths do not chain" in w.error
    w.weights = DEFAULT["weights"]
    w.target = [1.0]
    assert "target has shape (1,)" in w.error
    w.target = DEFAULT["target"]
    w.reduction = "median"
    assert "unknown reduction" in w.error
    w.reduction = "mean"
    assert w.error == "" and w.state == good


def test_a_bias_that_does_not_fit_its_layer_is_named_by_the_explorer():
    w = ForwardNetworkExplorer()
    w.biases = [[0.0, 0.0], DEFAULT["biases"][1]]             # b¹ needs one bias per neuron: 3
    assert w.error == ("ValueError: ForwardNetworkExplorer: biases[0] has shape (2,), but "
                       "weights[0] (2, 3) has 3 columns: one bias per neuron of the layer "
                       "(is weights[0] transposed? its rows are the inputs, its columns the "
                       "neurons)"), w.error
    w.biases = DEFAULT["biases"]
    w.activations = ["tanh", "softplus"]
    assert "ForwardNetworkExplorer: unknown activation 'softplus' in activations[1]" in w.error


def test_constructor_rejects_what_it_cannot_show():
    with pytest.raises(ValueError, match="cannot place"):
        ForwardNetworkExplorer(Sequential(Tanh(), Linear(2, 2)))
    with pytest.raises(ValueError, match="either net or weights"):
        ForwardNetworkExplorer(Sequential(Linear(2, 2)), weights=[[[1.0]]])


def test_diagram_mode_and_identity_layers():
    net = Sequential(Linear(2, 3, seed=0), Identity(), Linear(3, 3, seed=1), Linear(3, 3, seed=2))
    w = ForwardNetworkExplorer(net, show_controls=False)
    assert w.activations == ["identity"] * 3 and not w.show_controls
    x = np.asarray(w.x)[None, :]
    assert w.state["a"][-1] == pytest.approx(net.forward(x)[0], rel=1e-12)


# -- in headless Chromium ---------------------------------------------------------------------
def loss_text(page) -> str:
    return page.locator(".fwdnet-loss").text_content()


def press_right(page, path: str) -> None:
    handle = page.locator(f"input[data-path='{path}']")
    handle.focus()
    page.keyboard.press("ArrowRight")


@pytest.mark.browser
def test_browser_draws_and_follows_the_kernel(browser):  # noqa: F811
    w = ForwardNetworkExplorer()
    page = open_explorer(browser, w, kernel=True)
    assert page.locator("svg.fwdnet-svg line[data-edge]").count() == 6 + 6
    assert page.locator("svg.fwdnet-svg circle.fwdnet-node").count() == 2 + 3 + 2
    assert page.locator("input[type=range]").count() == 2 + 2 + 6 + 3 + 6 + 2
    start = f"L = {w.state['loss']:.4f}"
    assert loss_text(page) == start
    assert "0.462" in page.locator(".fwdnet-readout").text_content()   # a¹_1 = tanh(0.5)
    page.wait_for_timeout(50)
    press_right(page, "weights,0,0,1")                      # w¹_12: −0.40 → −0.35
    page.wait_for_function(f"document.querySelector('.fwdnet-loss').textContent !== '{start}'")
    assert w.weights[0][0][1] == pytest.approx(-0.35)
    assert loss_text(page) == f"L = {w.state['loss']:.4f}"
    controls, state = published(page)
    assert controls["weights"] == w.weights and state == w.state
    assert page.locator(".bp-static-note").is_hidden()
    page.select_option("select[aria-label='activation of layer 1']", "relu")
    page.wait_for_function(f"{STATE_IS}.a[1][1] === 0")
    assert w.activations == ["relu", "identity"] and w.state["a"][1][1] == 0.0
    assert not page.errors, page.errors


@pytest.mark.browser
@pytest.mark.parametrize("which", ["default", "learner"])
def test_browser_recomputes_without_a_kernel(browser, which):  # noqa: F811
    if which == "default":
        w = ForwardNetworkExplorer(reduction="half_sum")
    else:
        net = Sequential(Linear(3, 2, seed=4), Sigmoid(), Linear(2, 2, seed=5), ReLU(),
                         Linear(2, 1, seed=6))
        w = ForwardNetworkExplorer(net, target=[0.3])
    initial = {k: getattr(w, k) for k in w._controls}
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=4000)
    for path in ("weights,0,1,0", "weights,1,0,1", "biases,1,0", "x,0", "target,0"):
        before = loss_text(page)
        press_right(page, path)
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        controls, state = published(page)
        assert controls != initial
        # the page's numbers are Python's numbers for the same controls
        assert_state_close(state, ForwardNetworkExplorer(**controls).state, rtol=1e-9,
                           atol=1e-12)
        assert loss_text(page) == f"L = {state['loss']:.4f}".replace("-", "−")
        if which == "default":            # every one of these numbers moves the loss
            assert loss_text(page) != before
    page.select_option("select[aria-label='loss reduction']", "sum")
    controls, state = published(page)
    assert controls["reduction"] == "sum"
    assert_state_close(state, ForwardNetworkExplorer(**controls).state, rtol=1e-9, atol=1e-12)
    assert {k: getattr(w, k) for k in w._controls} == initial     # no kernel: Python untouched
    assert not page.errors, page.errors


@pytest.mark.browser
def test_browser_diagram_mode_has_no_sliders(browser):  # noqa: F811
    diagram = open_explorer(browser, ForwardNetworkExplorer(show_controls=False), kernel=False)
    assert diagram.locator("input[type=range]").first.is_hidden()
    assert diagram.locator("svg.fwdnet-svg circle.fwdnet-node").count() == 7
    assert not diagram.errors


@pytest.mark.browser
def test_browser_follows_a_deeper_network_set_one_control_at_a_time(browser):  # noqa: F811
    # Python code that adds a layer sets weights, biases and activations one after the other;
    # the page receives each change separately and must end with every layer's sliders
    w = ForwardNetworkExplorer()
    page = open_explorer(browser, w, kernel=True)
    weights = [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
               [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
               [[0.7, 0.1], [0.8, 0.2]]]
    changes = {"weights": weights, "biases": [[0.0] * 3, [0.0] * 2, [0.0] * 2],
               "activations": ["tanh", "tanh", "identity"]}
    for key, value in changes.items():
        setattr(w, key, value)
        page.evaluate("([k, v]) => window.__model.set(k, v)", [key, value])
    page.evaluate("(s) => window.__model.set('state', s)", json.loads(json.dumps(w.state)))
    assert w.error == "" and w.state["sizes"] == [2, 3, 2, 2]
    assert page.locator("input[type=range]").count() == 2 + 2 + 6 + 3 + 6 + 2 + 4 + 2
    assert page.locator(".fwdnet-card-title").count() == 2 + 3
    assert not page.errors, page.errors


@pytest.mark.browser
def test_browser_hover_and_keyboard_focus_highlight_apart(browser):  # noqa: F811
    # the mouse passing over another slider must not take the highlight from the focused one
    page = open_explorer(browser, ForwardNetworkExplorer(), kernel=False)
    label = page.locator("svg.fwdnet-svg .fwdnet-edge-label")
    redraws = page.evaluate("""() => { window.__redraws = 0;
      new MutationObserver((rs) => rs.forEach((r) => { if (r.removedNodes.length)
        window.__redraws += 1; })).observe(document.querySelector("svg.fwdnet-svg"),
        { childList: true }); }""")
    assert redraws is None
    page.locator("input[data-path='weights,0,0,0']").focus()
    assert label.text_content().startswith("w¹₁₁ =")
    page.locator("input[data-path='weights,0,0,1']").hover()
    assert label.text_content().startswith("w¹₁₂ =")       # the hovered one, meanwhile
    page.mouse.move(5, 5)                                    # the mouse leaves: back to w¹₁₁
    assert label.text_content().startswith("w¹₁₁ =")
    assert page.evaluate("window.__redraws") == 3           # focus, hover, leave: once each
    page.locator("input[data-path='weights,0,0,0']").hover()  # hovering the focused one
    assert page.evaluate("window.__redraws") == 3           # changes nothing: no redraw
    assert not page.errors, page.errors
    page.close()


@pytest.mark.browser
def test_a_card_too_narrow_for_its_explorer_shows_a_shadow_where_it_scrolls(browser):
    """At a phone's width the network explorer scrolls inside its card: a shadow marks the
    edge that hides more of it, and goes once that edge is reached (explorer.css)."""
    page = open_explorer(browser, ForwardNetworkExplorer(), kernel=False, width=420)
    card = page.locator(".bp-explorer").first
    page.wait_for_selector(".bp-explorer svg")

    def edge_shades():
        image = Image.open(io.BytesIO(card.screenshot())).convert("L")
        width, height = image.size
        rows = range(height // 4, height // 2)             # the diagram, not the readout
        return (min(image.getpixel((3, y)) for y in rows),
                min(image.getpixel((width - 4, y)) for y in rows))

    assert card.evaluate("(e) => e.scrollWidth > e.clientWidth + 100")
    left, right = edge_shades()
    assert left == 255 and right < 240                     # more to see on the right
    card.evaluate("(e) => { e.scrollLeft = e.scrollWidth; }")
    left, right = edge_shades()
    assert left < 240 and right == 255
