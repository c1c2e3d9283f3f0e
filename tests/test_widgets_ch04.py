"""Chapter 4's explorers: the step-through backward pass and the size of δ per layer.

Driven from code (every δ against numerical ∂L/∂z^l, every dW, db against central differences
of an independent NumPy forward pass; the norms against their own recursion and the bound
‖δ^l‖ ≤ max f′ ‖W^{l+1}‖₂ ‖δ^{l+1}‖) and in headless Chromium (live kernel and static page;
the JS twin against Python, the JS random generator against its NumPy twin).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from explorer_harness import (
    CONTROLS_ARE,
    STATE_IS,
    assert_same_state,
    open_explorer,
    published,
)

import backprop.widgets
from backprop.gradcheck import numerical_gradient
from backprop.network import ColumnNetwork
from backprop.widgets.delta_norms import (
    ACTIVATIONS,
    SAMPLES,
    DeltaNormExplorer,
    mulberry32_normals,
    random_network,
)
from backprop.widgets.delta_steps import BackwardStepper

F = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
     "relu": lambda z: np.maximum(z, 0), "identity": lambda z: z}
MAX_FPRIME = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


# ---- BackwardStepper from code -----------------------------------------------------------

def direct_loss(weights, biases, acts, x, y, *, start=0, z_start=None):
    """½‖a^L − y‖² with plain NumPy; from ``z^start`` (1-based layer) when ``z_start`` is given."""
    a = np.asarray(x, dtype=float)
    for l, (W, b, f) in enumerate(zip(weights, biases, acts, strict=True), start=1):
        if l < start:
            continue
        z = z_start if l == start else np.asarray(W) @ a + np.asarray(b)
        a = F[f](z)
    return 0.5 * np.sum((a - np.asarray(y)) ** 2)


STEPPER_CASES = [
    dict(),
    dict(activation="tanh", output_activation="identity", x=[0.3, 1.2], y=[-0.4]),
    dict(activation="relu", output_activation="sigmoid"),
    dict(weights=[[[0.5, -1.0, 0.2, 0.7], [1.1, 0.4, -0.3, 0.9]], [[0.6, -0.8], [1.2, 0.3]],
                  [[-0.7, 0.5], [0.4, 1.0], [0.9, -1.1]]],
         biases=[[0.1, -0.1], [0.0, 0.2], [0.3, -0.2, 0.1]], x=[1.0, -0.5, 0.25, 2.0],
         y=[0.1, 0.9, 0.5], activation="tanh", output_activation="sigmoid"),
]


@pytest.mark.parametrize("kw", STEPPER_CASES)
def test_stepper_deltas_are_numerical_dL_dz_and_grads_numerical(kw):
    w = BackwardStepper(**kw)
    st = w.state
    assert w.error == ""
    L = len(w.weights)
    acts = [w.activation] * (L - 1) + [w.output_activation]
    Ws = [np.array(W) for W in w.weights]
    bs = [np.array(b) for b in w.biases]
    assert np.isclose(st["loss"], direct_loss(Ws, bs, acts, w.x, w.y), rtol=1e-12)
    for l in range(1, L + 1):
        z = np.array(st["z"][l - 1])
        num_delta = numerical_gradient(
            lambda v, l=l: direct_loss(Ws, bs, acts, w.x, w.y, start=l, z_start=v), z.copy())
        assert np.allclose(st["deltas"][l - 1], num_delta, rtol=1e-6, atol=1e-9), l
        num_W = numerical_gradient(lambda _: direct_loss(Ws, bs, acts, w.x, w.y), Ws[l - 1])
        num_b = numerical_gradient(lambda _: direct_loss(Ws, bs, acts, w.x, w.y), bs[l - 1])
        assert np.allclose(st["dW"][l - 1], num_W, rtol=1e-6, atol=1e-9), l
        assert np.allclose(st["db"][l - 1], num_b, rtol=1e-6, atol=1e-9), l
        # the pieces the front end shows: δ = upstream ⊙ f′(z), dW = δ aᵀ, db = δ
        assert np.allclose(st["deltas"][l - 1],
                           np.array(st["upstream"][l - 1]) * np.array(st["fprime"][l - 1]))
        assert np.allclose(st["dW"][l - 1], np.outer(st["deltas"][l - 1], st["a"][l - 1]))
        assert st["db"][l - 1] == st["deltas"][l - 1]
        if l < L:
            assert np.allclose(st["upstream"][l - 1], Ws[l].T @ np.array(st["deltas"][l]))
    assert np.allclose(st["upstream"][-1], np.array(st["a"][-1]) - np.array(w.y))


def test_stepper_output_delta_is_the_notes_formula_only_for_identity():
    st = BackwardStepper(output_activation="identity").state
    assert np.allclose(st["deltas"][-1], np.array(st["a"][-1]) - st["y"])
    st = BackwardStepper().state                     # sigmoid output
    note = np.array(st["a"][-1]) - st["y"]
    assert not np.allclose(st["deltas"][-1], note)
    assert np.allclose(st["deltas"][-1], note * np.array(st["fprime"][-1]))


def test_stepper_steps_sizes_and_step_control():
    w = BackwardStepper()
    st = w.state
    assert st["sizes"] == [2, 3, 2, 1] and st["activations"] == ["sigmoid"] * 3
    kinds = [(s["kind"], s["layer"]) for s in st["steps"]]
    assert kinds == [("forward", 3), ("delta", 3), ("grads", 3), ("delta", 2), ("grads", 2),
                     ("delta", 1), ("grads", 1)]
    w.step = 6
    assert w.error == "" and w.state == st           # the step does not change the numbers
    w.step = 7
    assert "step must be between 0 and 6" in w.error and w.state == st
    w.step = 2
    assert w.error == ""


def test_stepper_from_a_network_and_set_weight():
    net = ColumnNetwork([[[1.0, 2.0]], [[0.5], [-1.0]]], [[0.0], [0.1, 0.2]], ["tanh", "relu"])
    w = BackwardStepper(network=net, x=[0.5, -0.25], y=[1.0, 0.0])
    assert w.weights == [[[1.0, 2.0]], [[0.5], [-1.0]]] and w.activation == "tanh"
    assert w.output_activation == "relu" and w.state["sizes"] == [2, 1, 2]
    before = w.state["deltas"]
    w.set_weight(2, 1, 1, 0.75)                      # W²₁₁ in the notes' 1-based indices
    assert w.weights[1][0][0] == 0.75 and w.state["deltas"] != before
    assert BackwardStepper(network=net).x == [1.0, 0.0]
    with pytest.raises(ValueError, match="share one activation"):
        BackwardStepper(network=ColumnNetwork([np.eye(2)] * 3, None, ["tanh", "relu", "tanh"]))


@pytest.mark.parametrize("change, message", [
    ({"weights": [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.0, 2.0]], [[1.0]]]},
     "expects N^1 = 2 inputs"),
    ({"y": [0.1, 0.2]}, "target y must have N^L = 1"),
    ({"x": [1.0]}, "expected X of shape (2, n)"),
    ({"activation": "softplus"}, "unknown activation"),
])
def test_stepper_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = BackwardStepper()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error
    assert w.state == before


# ---- DeltaNormExplorer from code ---------------------------------------------------------

def test_mulberry32_normals_are_standard_normal_and_seeded():
    g = mulberry32_normals(7, 20000)
    assert g.shape == (20000,) and abs(g.mean()) < 0.03 and abs(g.std() - 1) < 0.03
    assert np.array_equal(g[:100], mulberry32_normals(7, 100))
    assert not np.allclose(g[:100], mulberry32_normals(8, 100))
    # the first numbers of rngFrom(0).normal() in mlmath.js (checked in the browser below too)
    assert np.allclose(mulberry32_normals(0, 3),
                       [0.7871846599200555, 0.43143961704601397, -1.0777012643800048],
                       rtol=1e-15)


def own_norms(weights, X, Y, act):
    """‖δ^l‖ (RMS over the batch) with a hand-written recursion, not ColumnNetwork."""
    f = F[act]
    df = {"sigmoid": lambda z: f(z) * (1 - f(z)), "tanh": lambda z: 1 - np.tanh(z) ** 2,
          "relu": lambda z: (z > 0) * 1.0}[act]
    zs, a = [], X
    for W in weights:
        zs.append(W @ a)
        a = f(zs[-1])
    delta = (a - Y) * df(zs[-1])
    norms = [delta]
    for W, z in zip(weights[:0:-1], zs[-2::-1], strict=True):
        delta = (W.T @ delta) * df(z)
        norms.append(delta)
    return [np.linalg.norm(d) / np.sqrt(X.shape[1]) for d in norms[::-1]], zs


@pytest.mark.parametrize("kw", [dict(), dict(depth=5, width=3, weight_scale=2.5, seed=4),
                                dict(depth=24, width=32, weight_scale=1.4, seed=11)])
def test_norms_follow_the_recursion_and_the_max_fprime_bound(kw):
    w = DeltaNormExplorer(**kw)
    st = w.state
    assert w.error == "" and st["layers"] == list(range(1, w.depth + 1))
    assert st["samples"] == SAMPLES
    weights, X, Y = random_network(w.depth, w.width, w.weight_scale, w.seed)
    assert X.shape == Y.shape == (w.width, SAMPLES)
    for act in ACTIVATIONS:
        norms, zs = own_norms(weights, X, Y, act)
        assert np.allclose(st["norms"][act], norms, rtol=1e-10)
        # each sample's δ^l is at most max f′ · ‖W^{l+1}‖₂ · ‖δ^{l+1}‖, so the RMS is too
        for l in range(w.depth - 1):
            bound = MAX_FPRIME[act] * np.linalg.norm(weights[l + 1], 2) * norms[l + 1]
            assert norms[l] <= bound * (1 + 1e-12)
        assert st["ratio"][act] == pytest.approx(norms[0] / norms[-1], rel=1e-10)
        assert len(st["mean_fprime"][act]) == w.depth
    # σ′ ≤ 1/4: the mean slope of a sigmoid layer is below a quarter
    assert max(st["mean_fprime"]["sigmoid"]) <= 0.25


def test_deep_sigmoid_vanishes_and_he_scaled_relu_does_not():
    st = DeltaNormExplorer(depth=20, width=32, weight_scale=1.0, seed=0).state
    assert st["ratio"]["sigmoid"] < 1e-8             # about 0.25 per layer over 19 layers
    he = DeltaNormExplorer(depth=20, width=32, weight_scale=np.sqrt(2), seed=0).state
    assert 1e-2 < he["ratio"]["relu"] < 1e2 and he["ratio"]["sigmoid"] < 1e-6


@pytest.mark.parametrize("change, message", [
    ({"depth": 1}, "need depth ≥ 2"),
    ({"width": 0}, "width ≥ 1"),
    ({"activation": "softplus"}, "activation must be one of"),
    ({"weight_scale": 0.0}, "weight_scale must be positive"),
])
def test_norms_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = DeltaNormExplorer()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error and w.state == before


# ---- in headless Chromium ----------------------------------------------------------------



@pytest.mark.browser
def test_stepper_live_kernel(browser):  # noqa: F811
    w = BackwardStepper()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("svg.bp-bs-net circle").count() == 8
    assert f"{w.state['loss']:.4g}" in page.locator(".bp-bs-calc").inner_text()   # 0.05585
    assert page.locator("input[type=range]").count() == 14 + 3           # weights, x, y
    page.locator("input[aria-label='W¹₁₁']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{CONTROLS_ARE}.weights[0][0][0] > 0.52")
    assert w.weights[0][0][0] == pytest.approx(0.55)
    page.wait_for_function(f"{STATE_IS}.loss === {json.dumps(w.state['loss'])}")
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_role("button", name="Next ▶").click()
    page.wait_for_function(f"{CONTROLS_ARE}.step === 2")
    assert w.step == 2
    assert "∂L/∂W³ = δ³ (a²)ᵀ" in page.locator(".bp-bs-eq-title").inner_text()
    page.get_by_role("button", name="◀ Prev").click()
    page.wait_for_function(f"{CONTROLS_ARE}.step === 1")
    assert w.step == 1
    _, state = published(page)
    assert_same_state(state, w.state, atol=1e-300)
    assert not page.errors


@pytest.mark.browser
def test_stepper_static_page_recomputes_like_python(browser):  # noqa: F811
    w = BackwardStepper()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    page.locator("input[aria-label='W²₁₂']").focus()
    page.keyboard.press("ArrowRight")
    controls, state = published(page)
    assert controls["weights"][1][0][1] == pytest.approx(-1.05) and w.weights[1][0][1] == -1.1
    assert_same_state(state, BackwardStepper(**controls).state, atol=1e-300)
    page.locator("input[aria-label='x₂']").focus()
    page.keyboard.press("ArrowLeft")
    page.locator("select[aria-label='output f']").select_option("identity")
    page.locator("select[aria-label='hidden f']").select_option("tanh")
    controls, state = published(page)
    assert controls["output_activation"] == "identity" and controls["activation"] == "tanh"
    assert controls["x"][1] == pytest.approx(-0.55)
    assert_same_state(state, BackwardStepper(**controls).state, atol=1e-300)
    assert np.allclose(state["deltas"][-1], np.array(state["a"][-1]) - state["y"])
    titles, notes = [], []
    for k in range(7):
        page.get_by_role("button", name=f"step {k}").click()
        titles.append(page.locator(".bp-bs-eq-title").inner_text())
        notes.append(page.locator(".bp-bs-note").inner_text())
        assert published(page)[0]["step"] == k
    assert titles[0].startswith("Forward pass") and "δ³ = ∂L/∂a³ ⊙ f′(z³)" in titles[1]
    assert "δ² = (W³)ᵀ δ³ ⊙ f′(z²)" in titles[3] and "δ¹ = (W²)ᵀ δ² ⊙ f′(z¹)" in titles[5]
    assert "∂L/∂W¹ = δ¹ (a⁰)ᵀ" in titles[6]
    assert "the note's formula holds here" in notes[1]
    assert page.get_by_role("button", name="Next ▶").is_disabled()
    assert w.step == 0                                   # Python untouched
    assert not page.errors


@pytest.mark.browser
def test_norms_live_kernel(browser):  # noqa: F811
    w = DeltaNormExplorer()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("svg.bp-dn-plot polyline").count() == 3
    assert page.locator("svg.bp-dn-plot circle").count() == 10
    page.locator("input[aria-label='depth L']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{STATE_IS}.layers.length === 11")
    assert w.depth == 11
    assert_same_state(published(page)[1], w.state, atol=1e-300)
    page.get_by_role("radio", name="tanh").check()
    page.wait_for_function(f"{CONTROLS_ARE}.activation === 'tanh'")
    assert w.activation == "tanh"
    assert page.locator("svg.bp-dn-plot circle").count() == 11
    assert not page.errors


@pytest.mark.browser
def test_norms_static_page_recomputes_like_python(browser):  # noqa: F811
    w = DeltaNormExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    # the JS generator is the twin of mulberry32_normals (also for a seed that wraps)
    src = (Path(backprop.widgets.__file__).parent / "mlmath.js").read_text(encoding="utf-8")
    js = page.evaluate("""async (src) => {
      const url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
      const { rngFrom } = await import(url);
      return [123, 4294967295].map((seed) => {
        const r = rngFrom(seed);
        return Array.from({length: 300}, () => r.normal());
      });
    }""", src)
    assert np.allclose(js[0], mulberry32_normals(123, 300), rtol=1e-14, atol=0)
    assert np.allclose(js[1], mulberry32_normals(4294967295, 300), rtol=1e-14, atol=0)
    for label, key in (("depth L", "depth"), ("width N", "width"), ("σ_w", "weight_scale")):
        page.locator(f"input[aria-label='{label}']").focus()
        page.keyboard.press("ArrowRight")
        controls, state = published(page)
        assert controls[key] != getattr(w, key)
        assert_same_state(state, DeltaNormExplorer(**controls).state, atol=1e-300)
    page.get_by_role("button", name="New random network").click()
    page.get_by_role("radio", name="relu").check()
    controls, state = published(page)
    assert controls["seed"] == 1 and controls["activation"] == "relu"
    assert controls == {"depth": 11, "width": 17, "weight_scale": 1.05, "seed": 1,
                        "activation": "relu"}
    assert_same_state(state, DeltaNormExplorer(**controls).state, atol=1e-300)
    assert "relu" in page.locator("tr.bp-dn-on").inner_text()
    assert w.depth == 10 and w.seed == 0                   # Python untouched
    assert not page.errors


def test_stepper_set_weight_uses_row_i_column_j():
    """W¹ is (3, 2) in the column convention: w¹₃₁ is row 3, column 1 (1-based). A NumPy
    integer is an index too."""
    w = BackwardStepper()
    first_row = list(w.weights[0][0])
    w.set_weight(np.int64(1), 3, 1, 0.25)
    assert w.weights[0][2][0] == 0.25 and list(w.weights[0][0]) == first_row and not w.error


def test_norms_network_is_drawn_from_the_seed():
    """The first weight is the seed's first normal times σ/√width (2/√4 = 1), and another
    seed gives another network."""
    weights, _, _ = random_network(3, 4, 2.0, seed=7)
    assert weights[0][0, 0] == pytest.approx(mulberry32_normals(7, 1)[0], rel=1e-15)
    assert not np.allclose(DeltaNormExplorer(depth=3, width=4, seed=7).state["norms"]["tanh"],
                           DeltaNormExplorer(depth=3, width=4, seed=8).state["norms"]["tanh"])
