"""Chapter 5's explorers: the shapes of a layer's products and the gradient check.

Driven from code (every backward product the shapes explorer shows, evaluated on arrays of the
shapes it lists, equals central differences of the probe ``L = Σ Y ⊙ R``; the gradient check's
analytic gradients against central differences of an independent NumPy forward pass, its
numerical gradients against the definition) and in headless Chromium (live kernel and static
page: the JS twins in mlmath.js against the Python state after moving each control).
"""

import numpy as np
import pytest
from explorer_harness import (
    CONTROLS_ARE,
    STATE_IS,
    assert_same_state,
    open_explorer,
    published,
)

from backprop.gradcheck import numerical_gradient
from backprop.layers import Linear
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
    ({"batch": 0}, "n must be an integer from 1 to 8"),
    ({"n_in": 9}, "in must be an integer from 1 to 8"),
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
    ({"batch": 7}, "n must be an integer from 1 to 6"),
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
