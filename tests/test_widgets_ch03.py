"""Chapter 3's explorer: gradient descent on one weight of a one-neuron chain.

Driven from code (the state against numerical gradients and an independent NumPy forward
pass) and in headless Chromium (live kernel and static page; the JS twin against Python).
"""

import json

import numpy as np
import pytest
from explorer_harness import (
    CONTROLS_ARE,
    STATE_IS,
    assert_same_state,
    fire_inputs,
    open_explorer,
    published,
)

from backprop.gradcheck import numerical_gradient
from backprop.layers import Linear, ReLU, Sequential, Tanh
from backprop.losses import MSE
from backprop.widgets.descent import (
    CURVE_POINTS,
    W_LIMIT,
    DescentExplorer,
    chain_weights,
    one_neuron_chain,
)

ACT = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
       "relu": lambda z: np.maximum(z, 0), "identity": lambda z: z}
SCALE = {"mean": lambda n: 1 / n, "sum": lambda n: 1.0, "half_sum": lambda n: 0.5}


def direct_loss(weights, x, t, activation="tanh", reduction="mean"):
    """The chain's loss written out with NumPy, independently of the library."""
    a = np.asarray(x, dtype=float)
    for w in weights[:-1]:
        a = ACT[activation](w * a)
    y = weights[-1] * a
    return SCALE[reduction](len(x)) * np.sum((y - np.asarray(t)) ** 2)


CASES = [
    dict(),
    dict(which=1, activation="sigmoid", reduction="half_sum"),
    dict(which=2, activation="relu", reduction="sum", weights=[1.1, 0.7, -0.4]),
    dict(which=0, x=[1.0, -0.5, 2.0], t=[0.3, 0.1, -0.4], weights=[0.5, 1.5, -1.0, 0.8]),
    dict(which=3, x=[1.0, -0.5, 2.0], t=[0.3, 0.1, -0.4], weights=[0.5, 1.5, -1.0, 0.8],
         activation="identity"),
]


@pytest.mark.parametrize("kw", CASES)
def test_gradient_is_the_numerical_slope_and_the_product_of_factors(kw):
    w = DescentExplorer(**kw)
    st = w.state
    assert w.error == ""
    k = w.which
    weights = np.array(w.weights)

    def f(v):
        return direct_loss(v, w.x, w.t, w.activation, w.reduction)

    assert np.isclose(st["loss"], f(weights), rtol=1e-12)
    numeric = numerical_gradient(f, weights.copy())[k]
    assert np.isclose(st["grad"], numeric, rtol=1e-6, atol=1e-9)
    # ∂L/∂w_k = Σ over samples of the product of the local derivatives listed
    assert np.isclose(sum(st["factors"]["products"]), st["grad"], rtol=1e-12, atol=1e-15)
    assert np.allclose(np.prod(st["factors"]["values"], axis=1), st["factors"]["products"])
    L = len(weights)
    assert len(st["factors"]["labels"]) == 2 * (L - k)
    assert len(st["factors"]["values"]) == len(w.x)


def test_factor_labels_and_values_of_the_first_weight():
    st = DescentExplorer().state
    assert st["factors"]["labels"] == ["∂L/∂y", "w3", "f′(z2)", "w2", "f′(z1)", "x"]
    (dLdy, w3, df2, w2, df1, x), = st["factors"]["values"]
    z1 = 0.8 * 1.0
    z2 = -1.2 * np.tanh(z1)
    y = 1.5 * np.tanh(z2)
    assert np.allclose([dLdy, w3, df2, w2, df1, x],
                       [2 * (y - 0.5), 1.5, 1 - np.tanh(z2) ** 2, -1.2, 1 - np.tanh(z1) ** 2, 1])
    assert st["nodes"]["labels"] == ["x", "z1", "a1", "z2", "a2", "y"]
    assert np.allclose(np.array(st["nodes"]["values"])[:, 0],
                       [1, z1, np.tanh(z1), z2, np.tanh(z2), y])


def test_curve_and_tangent():
    w = DescentExplorer(which=1, x=[1.0, -0.5], t=[0.5, 0.1])
    st = w.state
    ws, ls = np.array(st["curve"]["w"]), np.array(st["curve"]["loss"])
    assert ws.shape == ls.shape == (CURVE_POINTS,)
    assert ws[0] == w.w_range[0] and ws[-1] == w.w_range[1]
    for i in (0, 37, CURVE_POINTS - 1):
        weights = list(w.weights)
        weights[1] = ws[i]
        assert np.isclose(ls[i], direct_loss(weights, w.x, w.t), rtol=1e-12)
    (a, b), (la, lb) = st["tangent"]["w"], st["tangent"]["loss"]
    assert np.isclose((lb - la) / (b - a), st["grad"])
    assert np.isclose((la + lb) / 2, st["loss"]) and np.isclose((a + b) / 2, st["w"])
    assert st["ylim"][0] == 0 and st["ylim"][1] >= ls.max()


def test_steps_follow_the_update_rule():
    w = DescentExplorer(which=0, lr=0.3, steps=6)
    p = w.state["path"]
    assert len(p["w"]) == 7
    for i in range(6):
        assert np.isclose(p["w"][i + 1], p["w"][i] - 0.3 * p["grad"][i], rtol=1e-12)
        weights = list(w.weights)
        weights[0] = p["w"][i + 1]
        assert np.isclose(p["loss"][i + 1], direct_loss(weights, w.x, w.t))
    assert w.state["status"] == "descends" and p["loss"][-1] < p["loss"][0]
    w.steps = 0
    assert w.state["status"] == "" and w.state["path"]["w"] == [w.weights[0]]


def test_a_relu_that_is_off_everywhere_leaves_the_weight_stuck():
    w = DescentExplorer(activation="relu", which=0, lr=0.5)  # z2 = −0.96: a2 = 0 for all x
    p = w.state["path"]
    assert w.state["status"] == "stuck" and set(p["grad"]) == {0.0}
    assert len(set(p["w"])) == 1 and len(set(p["loss"])) == 1
    # the level loss curve sits at two thirds of the plot's height, not under its top edge
    assert w.state["ylim"][1] == pytest.approx(1.5 * max(w.state["curve"]["loss"]))
    w.weights = [0.8, 0.5, 1.5]                              # the neuron back on
    assert w.state["status"] == "descends"


def test_last_weight_diverges_exactly_beyond_the_quadratic_threshold():
    # L(w3) = (1/n) Σ (w3 a2 − t)² is a parabola with L'' = (2/n) Σ a2², so gradient descent
    # on w3 converges for α < 2 / L'' and diverges for α > 2 / L''.
    w = DescentExplorer(which=2, steps=30, x=[1.0, -0.5], t=[0.5, 0.1])
    a2 = np.array(w.state["factors"]["values"])[:, -1]
    threshold = 2 / (2 * np.mean(a2 ** 2))
    w.lr = 0.98 * threshold
    assert w.state["status"] == "descends"
    w.lr = 1.02 * threshold
    assert w.state["status"] == "diverges"
    w.lr = 50 * threshold  # grows past W_LIMIT: stops early
    st = w.state
    assert st["status"] == "diverges" and len(st["path"]["w"]) < 31
    assert abs(st["path"]["w"][-1] - st["path"]["grad"][-1] * w.lr) > W_LIMIT


def test_the_normalisation_only_rescales_the_learning_rate():
    x, t = [1.0, -0.5, 0.25], [0.5, 0.1, 0.0]
    mean = DescentExplorer(reduction="mean", lr=0.4, x=x, t=t, steps=5)
    half = DescentExplorer(reduction="half_sum", lr=0.4 * 2 / 3, x=x, t=t, steps=5)
    assert np.isclose(half.state["grad"], mean.state["grad"] * 3 / 2)
    assert np.allclose(half.state["path"]["w"], mean.state["path"]["w"], rtol=1e-12)


@pytest.mark.parametrize("change, message", [
    ({"which": 3}, "choose a weight index from 0 to 2"),
    ({"x": [1.0, 2.0]}, "x and t need the same number"),
    ({"activation": "softplus"}, "unknown activation"),
    ({"reduction": "median"}, "unknown reduction"),
    ({"w_range": [2.0, -2.0]}, "w_range must be [lo, hi]"),
    ({"lr": -0.1}, "learning rate must be"),
    ({"lr": 0.0}, "the learning rate must be > 0, got 0.0"),
])
def test_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = DescentExplorer()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error
    assert w.state == before


def test_accepts_a_learners_chain_and_rejects_other_models():
    net = Sequential(Linear.from_weights([[0.5]]), ReLU(), Linear.from_weights([[2.0]]))
    w = DescentExplorer(model=net, which=1)
    assert w.weights == [0.5, 2.0] and w.activation == "relu" and w.error == ""
    assert chain_weights(one_neuron_chain([0.3, -0.2, 1.0], "tanh")) == ([0.3, -0.2, 1.0],
                                                                        "tanh")
    with pytest.raises(ValueError, match="Linear"):
        DescentExplorer(model=Sequential(Linear(2, 1, seed=0), Tanh(), Linear(1, 1, seed=0)))
    with pytest.raises(ValueError, match="no biases"):
        DescentExplorer(model=Sequential(Linear.from_weights([[1.0]], [0.5])))


def test_the_library_chain_matches_the_state():
    w = DescentExplorer(activation="sigmoid", which=1)
    net = one_neuron_chain(w.weights, "sigmoid")
    loss = MSE("mean")
    value = loss.forward(net.forward(np.array([w.x]).T), np.array([w.t]).T)
    net.backward(loss.backward())
    assert np.isclose(w.state["loss"], value) and np.isclose(w.state["grad"], net[2].dW[0, 0])


# ---- in headless Chromium ----------------------------------------------------------------

@pytest.mark.browser
def test_live_kernel_redraws_from_python(browser):  # noqa: F811
    w = DescentExplorer()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("svg.descent-chain circle").count() == 7
    assert page.locator("svg.bp-plot polyline").count() == 1
    assert f"{w.state['grad']:.4f}" in page.locator(".descent-readout").inner_text()   # 1.6874
    slider = page.locator("input[aria-label='w1']")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{CONTROLS_ARE}.weights[0] > 0.805")
    assert np.isclose(w.weights[0], 0.81)
    page.wait_for_function(f"{STATE_IS}.grad === {json.dumps(w.state['grad'])}")
    page.get_by_role("button", name="w3").click()
    page.wait_for_function(f"{STATE_IS}.factors.labels.length === 2")
    assert w.which == 2
    assert not page.errors


@pytest.mark.browser
@pytest.mark.parametrize("activation", ["identity", "relu"])
def test_a_weight_at_a_zero_loss_minimum_is_not_called_stuck(browser, activation):  # noqa: F811
    """w3 = 0.5 fits x = 1 to t = 0.5 exactly: the gradient is 0 because the loss is, not
    because a ReLU is off."""
    w = DescentExplorer(weights=[1.0, 1.0, 0.5], activation=activation, which=2)
    assert w.state["status"] == "stuck" and w.state["loss"] == 0.0
    page = open_explorer(browser, w, kernel=False)
    assert page.locator(".descent-status").inner_text() == (
        "at a minimum: L = 0, so ∂L/∂w3 = 0 and no step moves w3")
    assert not page.errors


@pytest.mark.browser
def test_static_page_recomputes_like_python(browser):  # noqa: F811
    w = DescentExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    page.locator("input[aria-label='w1']").focus()
    page.keyboard.press("ArrowRight")
    controls, state = published(page)
    assert np.isclose(controls["weights"][0], 0.81) and w.weights[0] == 0.8  # Python untouched
    assert_same_state(state, DescentExplorer(**controls).state, atol=1e-12)
    # the last weight with a rate beyond 2 / L'' = 2.28: diverges
    page.get_by_role("button", name="w3").click()
    page.locator("input[aria-label='α (rate)']").fill("2.9")
    page.locator("input[aria-label='steps']").fill("20")
    controls, state = published(page)
    assert controls["which"] == 2 and controls["lr"] == 2.9 and controls["steps"] == 20
    assert_same_state(state, DescentExplorer(**controls).state, atol=1e-12)
    assert state["status"] == "diverges"
    assert page.locator(".descent-diverges-label").text_content() == "diverges"
    assert "diverges" in page.locator(".descent-status").inner_text()
    # another activation and normalisation
    page.locator("select[aria-label='f']").select_option("sigmoid")
    page.locator("select[aria-label='loss']").select_option("half_sum")
    controls, state = published(page)
    assert controls["activation"] == "sigmoid" and controls["reduction"] == "half_sum"
    assert_same_state(state, DescentExplorer(**controls).state, atol=1e-12)
    # ReLU with the default weights switches the second neuron off: nothing can move
    page.locator("select[aria-label='f']").select_option("relu")
    controls, state = published(page)
    assert_same_state(state, DescentExplorer(**controls).state, atol=1e-12)
    assert state["status"] == "stuck"
    assert page.locator(".descent-status").inner_text() == (
        "stuck: ∂L/∂w3 = 0 at every step, so no step moves w3 (a ReLU is off for every input)")
    assert not page.errors


@pytest.mark.browser
def test_static_page_follows_a_burst_of_input_events(browser):  # noqa: F811
    w = DescentExplorer(steps=30)
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    fire_inputs(page, "input[aria-label='w1']", [-2 + 0.1 * i for i in range(40)])
    _, state = published(page)
    assert np.isclose(state["w"], 1.9)
