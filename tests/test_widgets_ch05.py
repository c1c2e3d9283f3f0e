"""Chapter 5's explorers: the shapes of a layer's products and the gradient check.

Driven from code (every backward product the shapes explorer shows, evaluated on arrays of the
shapes it lists, equals central differences of the probe ``L = Σ Y ⊙ R``; the gradient check's
analytic gradients against central differences of an independent NumPy forward pass, its
numerical gradients against the definition) and in headless Chromium (live kernel and static
page: the JS twins in mlmath.js against the Python state after moving each control).
"""

import re

import numpy as np
import pytest
from explorer_harness import (
    CONTROLS_ARE,
    STATE_IS,
    assert_same_state,
    open_explorer,
    published,
)

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.layers import Linear, Sequential, Sigmoid, Tanh, mlp
from backprop.widgets.delta_norms import mulberry32_normals
from backprop.widgets.gradcheck_view import (
    CURVE,
    LAYERS,
    GradCheckExplorer,
    random_case,
)
from backprop.widgets.shapes import CONVENTIONS, ShapesExplorer, layer_shapes

# ---- ShapesExplorer from code ------------------------------------------------------------

def arrays_for(convention, n, n_in, n_out, rng):
    """Arrays of the shapes the explorer lists, the probe ``L = Σ Y ⊙ R`` and its ``Y``."""
    if convention == "row":
        X, W, b = rng.standard_normal((n, n_in)), rng.standard_normal((n_in, n_out)), \
            rng.standard_normal(n_out)
        R = rng.standard_normal((n, n_out))
        arrays = {"X": X, "W": W, "b": b, "Wᵀ": W.T, "Xᵀ": X.T, "∂L/∂Y": R,
                  "1ᵀ": np.ones((1, n))}

        def forward():
            return X @ W + b
    else:
        W, X = rng.standard_normal((n_out, n_in)), rng.standard_normal((n_in, n))
        b = rng.standard_normal(n_out) if convention == "network" else np.zeros(n_out)
        R = rng.standard_normal((n_out, n))
        x, g = ("X", "∂L/∂Y") if convention == "column" else ("a", "δ")
        arrays = {"W": W, x: X, "b": b, "Wᵀ": W.T, f"{x}ᵀ": X.T, g: R, "1": np.ones((n, 1))}

        def forward():
            return W @ X + b[:, None]
    return arrays, R, forward


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("sizes", [(4, 3, 2), (1, 1, 1), (5, 2, 7), (8, 8, 3)])
def test_every_shown_product_is_the_numerical_gradient(convention, sizes, rng):
    n, n_in, n_out = sizes
    st = ShapesExplorer(batch=n, n_in=n_in, n_out=n_out, convention=convention).state
    assert st["sizes"] == {"n": n, "in": n_in, "out": n_out} and st["convention"] == convention
    arrays, R, forward = arrays_for(convention, n, n_in, n_out, rng)
    expected = {"row": ["∂L/∂X", "∂L/∂W", "∂L/∂b"], "column": ["∂L/∂X", "∂L/∂W"],
                "network": ["∂L/∂a", "∂L/∂W", "∂L/∂b"]}[convention]
    assert [p["label"] for p in st["backward"]] == expected
    for p in st["forward"] + st["backward"]:
        A, B = (arrays[f["name"]] for f in p["factors"])
        assert [list(A.shape), list(B.shape)] == [f["shape"] for f in p["factors"]]
        assert list((A @ B).shape) == p["shape"]
        assert p["inner"] == A.shape[1] and p["madds"] == A.shape[0] * A.shape[1] * B.shape[1]
    Y = forward()
    assert list(Y.shape) == st["forward"][0]["shape"] == st["matrices"][st["forward"][0]["label"]]
    for p in st["backward"]:
        A, B = (arrays[f["name"]] for f in p["factors"])
        target = arrays[p["matches"]]
        # a gradient has its array's shape
        assert list(target.shape) == st["matrices"][p["matches"]] == st["matrices"][p["label"]]
        num = numerical_gradient(lambda _: np.sum(forward() * R), target)
        if target.ndim == 1:      # the bias (out,): its product gives it as a row or a column
            assert p["shape"] == ([1, n_out] if convention == "row" else [n_out, 1])
        else:
            assert p["shape"] == list(target.shape)
        assert np.allclose((A @ B).reshape(target.shape), num, rtol=1e-6, atol=1e-8), p["label"]


@pytest.mark.parametrize("convention", ["row", "network"])
def test_shapes_bias_is_a_vector_as_in_the_library(convention):
    """b and ∂L/∂b are (out,), the shape of ``Linear.b`` and of the glossary, not (1, out)."""
    st = layer_shapes(4, 3, 2, convention)
    assert st["matrices"]["b"] == st["matrices"]["∂L/∂b"] == [2]
    assert list(Linear(3, 2).b.shape) == [2]


def test_shapes_dW_sums_over_the_batch():
    st = layer_shapes(4, 3, 2, "row")
    dW = st["backward"][1]
    (r, k), (k2, c) = (f["shape"] for f in dW["factors"])
    assert (r, c) == (3, 2) and k == k2 == 4 and dW["sums_over"].startswith("n")


@pytest.mark.parametrize("change, message", [
    ({"batch": 0}, "batch must be an integer from 1 to 8"),
    ({"n_in": 9}, "n_in must be an integer from 1 to 8"),
    ({"convention": "diagonal"}, "convention must be one of row, column, network"),
])
def test_shapes_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = ShapesExplorer()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error and w.state == before


# ---- GradCheckExplorer from code ---------------------------------------------------------

F = {"linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
     "relu": lambda z: np.maximum(z, 0), "linear+tanh": np.tanh}


def own_probe(layer, arrays):
    """``L = Σ f(X W + b) ⊙ R`` (or ``Σ f(X) ⊙ R``) with plain NumPy, not the library."""
    X, R = arrays["X"], arrays["R"]
    Z = X @ arrays["W"] + arrays["b"] if "W" in arrays else X
    return float(np.sum(F[layer](Z) * R))


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("sizes, seed", [((4, 3, 2), 0), ((1, 5, 1), 3), ((6, 6, 6), 11)])
def test_gradcheck_analytic_is_the_numerical_gradient(layer, sizes, seed):
    n, n_in, n_out = sizes
    w = GradCheckExplorer(layer=layer, batch=n, n_in=n_in, n_out=n_out, seed=seed)
    st = w.state
    assert w.error == ""
    arrays = random_case(layer, n, n_in, n_out, seed)
    assert st["loss"] == pytest.approx(own_probe(layer, arrays), rel=1e-12)
    param = "W" if layer in ("linear", "linear+tanh") else "X"
    assert st["param"] == param and st["shape"] == list(arrays[param].shape)
    assert set(st["errors"]) == ({"X", "W", "b"} if param == "W" else {"X"})
    num = numerical_gradient(lambda _: own_probe(layer, arrays), arrays[param], 1e-6)
    assert np.allclose(st["analytic"], num, rtol=1e-6, atol=1e-8)
    assert np.allclose(st["numerical"], num, rtol=1e-6, atol=1e-8)    # ε = 10⁻⁵ vs 10⁻⁶
    assert st["rel_error"] < 1e-8 and max(st["errors"].values()) < 1e-8
    assert st["curve"]["log_eps"] == list(CURVE) and len(st["curve"]["rel_error"]) == 10


def test_gradcheck_numerical_is_the_central_difference_at_the_chosen_eps():
    w = GradCheckExplorer(layer="tanh", log_eps=-1.0)
    arrays = random_case("tanh", 4, 3, 2, 0)
    X = arrays["X"]
    i, j, eps = 2, 1, 0.1
    plus, minus = X.copy(), X.copy()
    plus[i, j] += eps
    minus[i, j] -= eps
    by_hand = (own_probe("tanh", {**arrays, "X": plus})
               - own_probe("tanh", {**arrays, "X": minus})) / (2 * eps)
    assert w.state["numerical"][i][j] == pytest.approx(by_hand, rel=1e-9)
    assert w.state["eps"] == pytest.approx(0.1)
    assert 1e-4 < w.state["rel_error"] < 1e-2          # truncation error ∝ ε² at ε = 0.1


def test_gradcheck_error_curve_truncation_and_rounding():
    st = GradCheckExplorer(layer="tanh").state
    curve = np.array(st["curve"]["rel_error"])
    best = int(np.argmin(curve))
    assert 2 <= best <= 8                                 # the minimum sits in between
    assert curve[-1] > 1e3 * curve[best] and curve[0] > 1e3 * curve[best]
    # on the right the error falls like ε²: two decades of ε, four of error
    assert 3 < np.log10(curve[-1] / curve[-3]) < 5
    lin = np.array(GradCheckExplorer(layer="linear").state["curve"]["rel_error"])
    assert lin[-1] < 1e-13 and lin[0] > 1e-9              # linear probe: no truncation error


def test_gradcheck_relu_kink_fools_a_large_step():
    # with ε = 0.1 some inputs cross 0: the numerical slope is a secant over the kink
    st = GradCheckExplorer(layer="relu", batch=6, n_in=6, log_eps=-1).state
    arrays = random_case("relu", 6, 6, 2, 0)
    near = np.abs(arrays["X"]) < 0.1
    assert near.any() and st["rel_error"] > 1e-3
    a, nm = np.array(st["analytic"]), np.array(st["numerical"])
    assert np.allclose(a[~near], nm[~near]) and not np.allclose(a[near], nm[near])


@pytest.mark.parametrize("change, message", [
    ({"layer": "conv"}, "layer must be one of"),
    ({"batch": 7}, "batch must be an integer from 1 to 6"),
    ({"batch": 0}, "batch must be an integer from 1 to 6"),
    ({"n_in": 7}, "n_in must be an integer from 1 to 6"),
    ({"log_eps": 1}, "log_eps must be an integer from −10 to −1"),
    ({"log_eps": 0}, "log_eps must be an integer from −10 to −1"),
    ({"log_eps": -11}, "log_eps must be an integer from −10 to −1"),
])
def test_gradcheck_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = GradCheckExplorer()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error and w.state == before


# ---- GradCheckExplorer with a learner's own layer ----------------------------------------

class MeanLinear(Linear):
    """Averages dW and db over the batch where backward must sum (dX is right)."""

    def _backward(self, dY):
        n = len(dY)
        self.dW = self._X.T @ dY / n
        self.db = dY.sum(axis=0) / n
        return dY @ self.W.T


class NoTranspose(Linear):
    """dX = dY W instead of dY Wᵀ (square W only); dW and db are right."""

    def _backward(self, dY):
        self._set_gradients(dY)
        return dY @ self.W


class DuckLinear:
    """Not a library Layer: plain W, b, dW, db, as a learner writes one from scratch."""

    def __init__(self, n_in, n_out, seed):
        rng = np.random.default_rng(seed)
        self.W, self.b = rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)

    def forward(self, X):
        self.X = X
        return X @ self.W + self.b

    def backward(self, dY):
        self.dW, self.db = self.X.T @ dY, dY.sum(axis=0)
        return dY @ self.W.T


def own_backward(layer, n, n_in, n_out, seed):
    """A fresh copy's own forward and backward on the explorer's X and R."""
    import copy

    layer = copy.deepcopy(layer)
    case = random_case("linear", n, n_in, n_out, seed)
    layer.forward(case["X"])
    return layer, case, layer.backward(case["R"])


@pytest.mark.parametrize("make", [
    lambda: Linear(3, 2, seed=1),
    lambda: Linear(5, 4, seed=2),
    lambda: DuckLinear(2, 3, seed=3),
], ids=["Linear(3, 2)", "Linear(5, 4)", "DuckLinear(2, 3)"])
@pytest.mark.parametrize("batch, seed", [(4, 0), (1, 5), (6, 2)])
def test_a_learners_correct_layer_agrees_and_shows_its_own_backward(make, batch, seed):
    layer = make()
    W_before = layer.W.copy()
    w = GradCheckExplorer(layer, batch=batch, seed=seed, log_eps=-6)
    st = w.state
    assert w.error == "" and w.layer == "custom" and w.layer_class == type(layer).__name__
    assert (w.n_in, w.n_out) == layer.W.shape and w.fixed_sizes
    assert st["param"] == "W" and st["shape"] == list(layer.W.shape)
    assert set(st["errors"]) == {"X", "W", "b"} and max(st["errors"].values()) < 1e-8
    copy_, case, dX = own_backward(layer, batch, *layer.W.shape, seed)
    assert np.array_equal(st["analytic"], copy_.dW)          # exactly what its backward set
    assert st["loss"] == pytest.approx(np.sum(copy_.forward(case["X"]) * case["R"]),
                                       rel=1e-12)
    # the numerical gradient is central differences of that probe, by an independent route
    num = numerical_gradient(lambda _: np.sum(case["X"] @ copy_.W * case["R"]), copy_.W, 1e-6)
    assert np.allclose(st["numerical"], num, rtol=1e-6, atol=1e-8)
    assert st["errors"]["X"] == pytest.approx(relative_error(
        dX, numerical_gradient(lambda X: np.sum((X @ copy_.W + copy_.b) * case["R"]),
                               case["X"].copy())), abs=1e-8)
    assert len(st["curve"]["rel_error"]) == len(CURVE)
    # the explorer works on a copy: the learner's layer is as it was
    assert np.array_equal(layer.W, W_before) and getattr(layer, "dW", None) is None


def test_a_learners_layer_sees_the_built_in_linears_x_and_r():
    # the same seeded batch and R as layer="linear": with the same W and b, the same numbers
    case = random_case("linear", 4, 3, 2, 7)
    mine = GradCheckExplorer(Linear.from_weights(case["W"], case["b"]), seed=7).state
    built_in = GradCheckExplorer(layer="linear", seed=7).state
    assert mine["loss"] == pytest.approx(built_in["loss"], rel=1e-12)
    assert np.allclose(mine["analytic"], built_in["analytic"], rtol=1e-12, atol=1e-15)


def test_a_learners_sequential_shows_its_first_weights_and_checks_every_parameter():
    net = Sequential(Linear(3, 4, seed=0), Tanh(), Linear(4, 2, seed=1), Sigmoid())
    w = GradCheckExplorer(net, batch=5)
    st = w.state
    assert w.error == "" and w.layer_class == "Sequential" and (w.n_in, w.n_out) == (3, 2)
    assert st["param"] == "layers[0].W" and st["shape"] == [3, 4]
    assert set(st["errors"]) == {"X", "layers[0].W", "layers[0].b", "layers[2].W",
                                 "layers[2].b"}
    assert max(st["errors"].values()) < 1e-8
    copy_, _, _ = own_backward(net, 5, 3, 2, 0)
    assert np.array_equal(st["analytic"], copy_[0].dW)


def test_a_learners_activation_layer_shows_dx_and_takes_n_in_from_the_controls():
    w = GradCheckExplorer(Sigmoid(), batch=3, n_in=5)
    st = w.state
    assert w.error == "" and not w.fixed_sizes
    assert st["param"] == "X" and st["shape"] == [3, 5] and set(st["errors"]) == {"X"}
    built_in = GradCheckExplorer(layer="sigmoid", batch=3, n_in=5).state
    assert np.allclose(st["analytic"], built_in["analytic"], rtol=1e-12, atol=1e-15)
    assert st["rel_error"] < 1e-8
    w.n_in = 2
    assert w.error == "" and w.state["shape"] == [3, 2]


@pytest.mark.parametrize("batch", [2, 4, 6])
def test_a_layer_that_averages_where_it_must_sum_is_caught_in_dw_and_db(batch):
    st = GradCheckExplorer(MeanLinear(3, 2, seed=1), batch=batch).state
    # the analytic gradient is the numerical one over n: ‖N − N/n‖ / (‖N/n‖ + ‖N‖)
    expected = (batch - 1) / (batch + 1)
    assert st["errors"]["W"] == pytest.approx(expected, rel=1e-6)
    assert st["errors"]["b"] == pytest.approx(expected, rel=1e-6)
    assert st["errors"]["X"] < 1e-8                             # what it passes down is right
    assert np.allclose(np.array(st["analytic"]) * batch, st["numerical"], rtol=1e-6)


def test_a_layer_that_forgets_the_transpose_is_caught_in_dx_only():
    st = GradCheckExplorer(NoTranspose(3, 3, seed=4)).state
    assert st["errors"]["X"] > 0.1
    assert st["errors"]["W"] < 1e-8 and st["errors"]["b"] < 1e-8 and st["rel_error"] < 1e-8


class Raises(Linear):
    def _backward(self, dY):
        raise ZeroDivisionError("my bug")


class WrongShape(Linear):
    def _forward(self, X):
        return X @ self.W[:, :1]


class NaNOut(Linear):
    def _forward(self, X):
        return X @ self.W + np.log(-1.0 - self.b * 0)


class ForgetsDW(Linear):
    def _backward(self, dY):
        self.db = dY.sum(axis=0)
        return dY @ self.W.T


class ForgetsReturn(DuckLinear):
    def backward(self, dY):
        super().backward(dY)


@pytest.mark.parametrize("layer, message", [
    (Raises(3, 2), "LayerError: your Raises.backward(dY) raised ZeroDivisionError: my bug"),
    (WrongShape(3, 2), "LayerError: your WrongShape.forward(X) returned shape (4, 1); "
                       "expected (4, 2)"),
    (NaNOut(3, 2), "LayerError: your NaNOut.forward(X) returned nan at [0, 0]"),
    (ForgetsDW(3, 2), "LayerError: your ForgetsDW.backward(dY) did not set the gradient of W "
                      "(dW, shape (3, 2))"),
    (ForgetsReturn(3, 2, seed=0), "your ForgetsReturn.backward(dY) returned None (did it forget "
                          "`return`?)"),
], ids=lambda v: type(v).__name__ if not isinstance(v, str) else "")
@pytest.mark.filterwarnings("ignore:invalid value encountered in log")
def test_a_learners_broken_layer_shows_a_clear_error_in_the_widget(layer, message):
    w = GradCheckExplorer(layer)                   # never raises: the widget says what failed
    assert message in w.error, w.error
    assert w.state == {}


class FailsOnBatch5(Linear):
    """A learner's layer that works until the batch has five rows."""

    def _forward(self, X):
        if len(X) == 5:
            raise RuntimeError("batch of five")
        return super()._forward(X)


def test_a_learners_layer_that_fails_later_keeps_the_last_state():
    w = GradCheckExplorer(FailsOnBatch5(3, 2, seed=0))
    before = w.state
    w.batch = 5
    assert w.error == ("LayerError: your FailsOnBatch5.forward(X) raised RuntimeError: batch "
                       "of five") and w.state == before
    w.batch = 6
    assert w.error == "" and w.state["shape"] == [3, 2] and w.state != before


@pytest.mark.parametrize("change, message", [
    ({"layer": "tanh"}, "this explorer shows your Linear (layer 'custom')"),
    ({"n_in": 4}, "n_in and n_out are fixed by the weights of your Linear: 3 and 2"),
    ({"batch": 7}, "batch must be an integer from 1 to 6"),
])
def test_a_learners_layer_cannot_be_switched_or_resized(change, message):
    w = GradCheckExplorer(Linear(3, 2, seed=0))
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error and w.state == before


def test_what_is_not_a_layer_is_refused_with_what_it_needs():
    class OnlyForward:
        def forward(self, X):
            return X

    with pytest.raises(TypeError, match=r"needs the methods forward\(X\).*backward\(dY\).*"
                                        r"OnlyForward has no backward"):
        GradCheckExplorer(OnlyForward())
    with pytest.raises(TypeError, match="has no forward and no backward"):
        GradCheckExplorer(layer=np.eye(3))
    assert "layer must be one of" in GradCheckExplorer(layer="custom").error


# ---- in headless Chromium ----------------------------------------------------------------

#: what tests/browser/test_static_explorers.py demands of every explorer: 1e-9, relative
RELATIVE = lambda path: (1e-9, 0.0)  # noqa: E731


@pytest.mark.browser
def test_shapes_live_kernel(browser):  # noqa: F811
    w = ShapesExplorer()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("g.bp-sh-product").count() == 4
    assert "Xᵀ ∂L/∂Y" in page.locator("svg.bp-sh-svg").inner_html()
    page.locator("input[aria-label='batch n']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{STATE_IS}.sizes.n === 5")
    assert w.batch == 5
    page.get_by_label("network: z = Wa + b").check()
    page.wait_for_function(f"{CONTROLS_ARE}.convention === 'network'")
    page.wait_for_function(f"{STATE_IS}.convention === 'network'")
    assert w.convention == "network"
    assert_same_state(published(page)[1], w.state, atol=1e-9)
    assert "δ aᵀ" in page.locator("svg.bp-sh-svg").inner_html()
    assert not page.errors


@pytest.mark.browser
def test_shapes_static_page_recomputes_like_python(browser):  # noqa: F811
    w = ShapesExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    for label in ("batch n", "in", "out"):
        page.locator(f"input[aria-label='{label}']").focus()
        page.keyboard.press("ArrowRight")
        controls, state = published(page)
        assert_same_state(state, ShapesExplorer(**controls).state, atol=1e-9)
    for text, conv in (("column: Y = WX", "column"), ("network: z = Wa + b", "network"),
                       ("row: Y = XW + b", "row")):
        page.get_by_label(text).check()
        controls, state = published(page)
        assert controls["convention"] == conv
        assert_same_state(state, ShapesExplorer(**controls).state, atol=1e-9)
        assert page.locator("g.bp-sh-product").count() == (3 if conv == "column" else 4)
        output = "z" if conv == "network" else "Y"          # the heading names the gradient
        assert page.locator(".bp-sh-pass").nth(1).text_content() == (
            f"backward pass (given ∂L/∂{output}, the gradient of the output)")
        # NumPy broadcasts b (out,) along rows only: a column convention needs b[:, None]
        drawing = page.locator("svg.bp-sh-svg").text_content()
        bias = {"row": "every row of XW (broadcasting)",
                "network": "every column of Wa, as the column b[:, None]"}.get(conv)
        assert (bias in drawing) if bias else ("is added" not in drawing), (conv, drawing)
    assert controls == {"batch": 5, "n_in": 4, "n_out": 3, "convention": "row"}
    assert w.batch == 4 and w.convention == "row"           # Python untouched
    assert not page.errors


@pytest.mark.browser
def test_gradcheck_live_kernel(browser):  # noqa: F811
    w = GradCheckExplorer()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("svg.bp-gc-map rect").count() == 2 * 6
    page.locator("select[aria-label='layer']").select_option("tanh")
    page.wait_for_function(f"{STATE_IS}.param === 'X'")
    assert w.layer == "tanh"
    assert page.locator("svg.bp-gc-map rect").count() == 2 * 12
    page.locator("input[aria-label='log₁₀ ε']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{CONTROLS_ARE}.log_eps === -4")
    page.wait_for_function(f"{STATE_IS}.eps === 1e-4")
    assert w.log_eps == -4
    assert_same_state(published(page)[1], w.state, rtol=0, atol=0)
    assert "agree ✓" in page.locator(".bp-gc-readout").inner_text()
    assert not page.errors


@pytest.mark.browser
def test_gradcheck_static_page_recomputes_like_python(browser):  # noqa: F811
    w = GradCheckExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    controls, state = published(page)
    for layer in LAYERS:
        page.locator("select[aria-label='layer']").select_option(layer)
        for label in ("batch n", "in", "out"):
            page.locator(f"input[aria-label='{label}']").focus()
            page.keyboard.press("ArrowRight" if layer != "relu" else "ArrowLeft")
        controls, state = published(page)
        assert controls["layer"] == layer
        assert_same_state(state, GradCheckExplorer(**controls).state, tol=RELATIVE)
    page.locator("input[aria-label='log₁₀ ε']").focus()
    for k in range(5):                                         # down to ε = 10⁻¹⁰
        page.keyboard.press("ArrowLeft")
        controls, state = published(page)
        assert controls["log_eps"] == -6 - k
        # the rounding noise of central differences is the same: the twins round alike
        assert_same_state(state, GradCheckExplorer(**controls).state, tol=RELATIVE)
    page.get_by_role("button", name="New random batch").click()
    controls, state = published(page)
    assert controls["seed"] == 1
    assert_same_state(state, GradCheckExplorer(**controls).state, tol=RELATIVE)
    assert w.layer == "linear" and w.seed == 0                 # Python untouched
    # the relative errors as powers of ten with a minus sign, not a hyphen: "1.23e−11"
    readout = page.locator(".bp-gc-readout").inner_text()
    assert "e−" in readout and "e-" not in readout, readout
    assert not page.errors


@pytest.mark.browser
def test_gradcheck_learners_layer_live_kernel(browser):  # noqa: F811
    w = GradCheckExplorer(MeanLinear(3, 2, seed=1))
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_selector(".bp-explorer[data-mode='kernel']")
    select = page.locator("select[aria-label='layer']")
    assert select.locator("option").all_inner_texts() == ["your MeanLinear"]
    assert select.is_disabled()                      # no switch that would lose the layer
    assert page.locator("svg.bp-gc-map rect").count() == 2 * 6
    assert page.locator("svg.bp-gc-map text").count() == 2 * 6
    assert "DISAGREE" in page.locator(".bp-gc-readout").inner_text()
    assert "∂L/∂W" in page.locator(".bp-gc-map-title").first.inner_text()
    assert page.locator("input[aria-label='in']").is_disabled()      # fixed by its W
    assert page.locator(".bp-gc-kernel-note").is_hidden()
    page.locator("input[aria-label='batch n']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{STATE_IS}.errors.W > 0.65")          # (5 − 1)/(5 + 1)
    assert w.batch == 5
    assert_same_state(published(page)[1], w.state, rtol=0, atol=0)
    assert page.locator(".bp-error").is_hidden() and not page.errors, page.errors


@pytest.mark.browser
def test_gradcheck_learners_failing_layer_shows_its_error_in_the_page(browser):  # noqa: F811
    w = GradCheckExplorer(FailsOnBatch5(3, 2, seed=0))
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_selector(".bp-explorer[data-mode='kernel']")
    page.locator("input[aria-label='batch n']").focus()
    page.keyboard.press("ArrowRight")
    error = page.locator(".bp-error")
    error.wait_for(state="visible")
    assert error.inner_text() == ("LayerError: your FailsOnBatch5.forward(X) raised "
                                  "RuntimeError: batch of five")
    assert "Traceback" not in page.content()
    assert page.locator("svg.bp-gc-map rect").count() == 2 * 6      # the last state stays
    page.keyboard.press("ArrowRight")
    error.wait_for(state="hidden")
    assert not page.errors, page.errors


@pytest.mark.browser
def test_gradcheck_learners_layer_static_page_keeps_the_built_state(browser):  # noqa: F811
    w = GradCheckExplorer(Sequential(Linear(3, 4, seed=0), Tanh(), Linear(4, 2, seed=1)))
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-explorer[data-kernel-only='true']", timeout=3000)
    note = page.locator(".bp-gc-kernel-note")
    assert note.is_visible() and "Your Sequential runs in Python only" in note.inner_text()
    assert page.locator("select[aria-label='layer']").input_value() == "custom"
    for label in ("batch n", "in", "out", "log₁₀ ε"):
        assert page.locator(f"input[aria-label='{label}']").is_disabled(), label
    assert page.get_by_role("button", name="New random batch").is_disabled()
    controls, state = published(page)
    assert controls["layer"] == "custom" and state == w.state
    assert page.locator("svg.bp-gc-map rect").count() == 2 * 12       # layers[0].W : 3 × 4
    assert "agree ✓" in page.locator(".bp-gc-readout").inner_text()
    assert not page.errors, page.errors


def test_the_twins_exp_and_activations_are_accurate():
    from backprop.activations import ACTIVATIONS
    from backprop.widgets.gradcheck_view import act_twin, exp_twin

    x = np.linspace(-40, 40, 20001)
    assert np.allclose(exp_twin(x), np.exp(x), rtol=1e-14, atol=0)
    z = np.linspace(-12, 12, 4801)
    for name in ("sigmoid", "tanh", "relu", "identity"):
        assert np.allclose(act_twin(name, z), ACTIVATIONS[name].f(z), rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_sums_over_names_the_contracted_dimension(convention):
    """With n, in, out = 4, 3, 2 (all different), the dimension a product sums over is the
    one whose size is its inner length."""
    size = {"n (the batch)": 4, "in": 3, "out": 2}
    shapes = layer_shapes(4, 3, 2, convention)
    for product in shapes["forward"] + shapes["backward"]:
        assert size[product["sums_over"]] == product["inner"], product


def test_gradcheck_case_follows_the_seed_and_scales_w_by_root_in():
    """X, then W (divided by √in), are the seed's normals in order (rounded to 2⁻²⁰)."""
    case = random_case("linear", 2, 4, 3, 5)        # n = 2, in = 4, out = 3, seed 5
    normals = mulberry32_normals(5, 2 * 4 + 4 * 3)
    assert abs(case["X"][0, 0] - normals[0]) <= 2**-21
    assert abs(case["W"][0, 0] - normals[8] / 2) <= 2**-21
    assert GradCheckExplorer(seed=1).state["loss"] != GradCheckExplorer(seed=2).state["loss"]


class Accumulates(DuckLinear):
    """Adds to its gradients, as PyTorch's layers do, from zeros it sets up itself."""

    def __init__(self, n_in, n_out, seed):
        super().__init__(n_in, n_out, seed)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)

    def backward(self, dY):
        self.dW += self.X.T @ dY
        self.db += dY.sum(axis=0)
        return dY @ self.W.T


def test_a_layer_that_adds_to_its_gradients_is_checked_from_zero_at_every_change():
    w = GradCheckExplorer(Accumulates(3, 2, seed=0))
    for batch in (4, 5, 4):                # without zeroing, the second check would add up
        w.batch = batch
        assert w.error == "" and max(w.state["errors"].values()) < 1e-8, w.state["errors"]


@pytest.mark.parametrize("layer, message", [
    (mlp([64, 32, 10], seed=0), "your Sequential maps 64 inputs to 10 outputs; the explorer "
                                "shows layers up to 6 wide"),
    (Linear(8, 2, seed=0), "try a small one, such as Linear(3, 2)"),
    (Linear(3, 2, seed=0, dtype=np.float32), "its parameter W is float32; central differences "
                                             "need float64"),
])
def test_a_learners_layer_the_explorer_cannot_show_is_refused_with_the_reason(layer, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        GradCheckExplorer(layer)
