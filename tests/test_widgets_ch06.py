"""Chapter 6's explorer: softmax, cross-entropy and the gradients of two losses after a softmax.

Driven from code (probabilities against an independent NumPy softmax, the loss against
−log p_t, both gradients and the Jacobian against central differences, the saturation of
the squared error when confidently wrong) and in headless Chromium (live kernel and static
page; the JS twin against the Python state to 1e-9 after moving each control).
"""

import json

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
from backprop.widgets.softmax import SoftmaxExplorer, softmax_state


def naive_ce(z, t, T):
    """−log softmax(z/T)_t straight from the definition (fine for moderate logits)."""
    s = np.asarray(z, dtype=float) / T
    return -(s[t] - np.log(np.sum(np.exp(s))))


def naive_sq(z, t, T):
    s = np.asarray(z, dtype=float) / T
    p = np.exp(s) / np.sum(np.exp(s))
    y = np.eye(len(s))[t]
    return 0.5 * np.sum((p - y) ** 2)


CASES = [dict(), dict(logits=[0.5, -1.2, 3.0, 0.0], target=2, temperature=0.7),
         dict(logits=[1.0, 1.0], target=1, temperature=2.5),
         dict(logits=[-4.0, 4.0, 0.0, 1.5, -2.0, 0.3], target=0, temperature=1.0)]


# ---- from code ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw", CASES)
def test_state_matches_definitions_and_numerical_gradients(kw):
    w = SoftmaxExplorer(**kw)
    st = w.state
    assert w.error == ""
    z, t, T = np.array(w.logits), w.target, w.temperature
    e = np.exp(z / T)
    assert np.allclose(st["probs"], e / e.sum(), rtol=1e-12)
    assert np.isclose(sum(st["probs"]), 1.0)
    assert st["classes"] == len(z) and st["predicted"] == int(np.argmax(z))
    assert st["onehot"] == list(np.eye(len(z))[t])
    assert np.isclose(st["loss"], naive_ce(z, t, T), rtol=1e-12)
    assert np.isclose(st["mse_loss"], naive_sq(z, t, T), rtol=1e-12)
    num = numerical_gradient(lambda v: naive_ce(v, t, T), z.copy())
    assert np.allclose(st["grad"], num, rtol=1e-6, atol=1e-9)
    num_sq = numerical_gradient(lambda v: naive_sq(v, t, T), z.copy())
    assert np.allclose(st["mse_grad"], num_sq, rtol=1e-6, atol=1e-9)
    # the Jacobian of p with respect to s = z/T, column by column by central differences
    s = z / T
    eps = 1e-6
    num_J = np.column_stack([
        (np.exp(s + eps * d) / np.exp(s + eps * d).sum()
         - np.exp(s - eps * d) / np.exp(s - eps * d).sum()) / (2 * eps)
        for d in np.eye(len(s))])
    assert np.allclose(st["jacobian"], num_J, rtol=1e-6, atol=1e-9)
    assert np.allclose(np.sum(st["jacobian"], axis=1), 0, atol=1e-15)


def test_gradient_is_p_minus_y_over_T():
    for kw in CASES:
        st = SoftmaxExplorer(**kw).state
        T = kw.get("temperature", 1.0)
        assert np.allclose(st["grad"], (np.array(st["probs"]) - st["onehot"]) / T, rtol=1e-12)


def test_confidently_wrong_squared_error_vanishes_cross_entropy_does_not():
    st = SoftmaxExplorer(logits=[-4.0, 4.0, 0.0], target=0).state
    assert st["probs"][0] < 1e-3 and st["predicted"] == 1
    assert st["grad"][0] < -0.999                    # cross-entropy pushes z_t up with ≈ −1
    assert abs(st["mse_grad"][0]) < 1e-3             # the squared error barely moves it
    assert np.linalg.norm(st["grad"]) > 100 * np.linalg.norm(st["mse_grad"][:1])


def test_stable_for_huge_logits():
    st = softmax_state([1e4, -1e4, 0.0], 1, 1.0)
    assert np.isfinite(st["loss"]) and np.isclose(st["loss"], 2e4)
    assert np.allclose(st["probs"], [1.0, 0.0, 0.0])
    assert np.allclose(st["grad"], [1.0, -1.0, 0.0])
    st = softmax_state([30.0, 0.0, 0.0], 0, 0.1)     # p_t = 1 − 2e^{−300}: loss 2e^{−300}
    assert 0 < st["loss"] < 1e-128 and np.isclose(st["loss"], 2 * np.exp(-300.0), rtol=1e-12)


@pytest.mark.parametrize("change, message", [
    ({"logits": [1.0]}, "need between 2 and 6 logits"),
    ({"logits": [1.0] * 7}, "need between 2 and 6 logits"),
    ({"target": 3}, "target must be a class index in 0 … 2"),
    ({"target": -1}, "target must be a class index"),
    ({"temperature": 0.0}, "temperature must be positive"),
    ({"temperature": float("inf")}, "temperature must be"),
    ({"logits": [1.0, float("nan"), 0.0]}, "finite"),
])
def test_bad_controls_show_an_error_and_keep_the_state(change, message):
    w = SoftmaxExplorer()
    before = w.state
    for k, v in change.items():
        setattr(w, k, v)
    assert message in w.error and w.state == before


# ---- in headless Chromium ----------------------------------------------------------------

LOOSE_CONTROLS = """() => Array.from(document.querySelectorAll(
  '.bp-explorer input, .bp-explorer select, .bp-explorer button')).filter(
  (c) => !c.closest('[data-lm-suppress-shortcuts="true"]')).length"""
LEAKED_KEYS = """() => {
  let n = 0;
  document.addEventListener("keydown", () => { n += 1; });
  for (const c of document.querySelectorAll('.bp-explorer select, .bp-explorer input')) {
    c.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowDown", bubbles: true}));
  }
  return n;
}"""


@pytest.mark.browser
def test_live_kernel(browser):
    w = SoftmaxExplorer()
    page = open_explorer(browser, w, kernel=True)
    page.wait_for_timeout(100)
    assert page.locator("input[type=range]").count() == 3 + 1
    assert f"{w.state['loss']:.5f}" in page.locator(".bp-sm-readout").inner_text()  # 0.41703
    page.locator("input[aria-label='z₂']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{CONTROLS_ARE}.logits[1] > 1.05")
    assert w.logits[1] == pytest.approx(1.1)
    page.wait_for_function(f"{STATE_IS}.loss === {json.dumps(w.state['loss'])}")
    page.locator("select[aria-label='target class']").select_option("2")
    page.wait_for_function(f"{CONTROLS_ARE}.target === 2")
    assert w.target == 2
    page.locator("select[aria-label='classes']").select_option("5")
    page.wait_for_function(f"{STATE_IS}.classes === 5")
    assert w.logits == pytest.approx([2.0, 1.1, 0.1, 0.0, 0.0]) and w.error == ""
    page.locator("select[aria-label='classes']").select_option("2")   # the target 2 is clamped
    page.wait_for_function(f"{STATE_IS}.classes === 2")
    assert w.target == 1 and w.error == ""
    assert_same_state(published(page)[1], w.state, rtol=0)
    assert not page.errors


@pytest.mark.browser
def test_a_busy_kernel_that_answers_late_takes_over(browser):
    # Run All in a notebook: the kernel runs the cells below before it answers the explorer's
    # ping (after 1.5 s the page computes itself); its late answer must make the explorer live
    w = SoftmaxExplorer()
    page = open_explorer(browser, w, kernel=True, busy_ms=4000)
    page.wait_for_selector(".bp-explorer[data-mode='static']", timeout=3000)
    assert page.locator(".bp-static-note").is_visible()
    page.locator("input[aria-label='z₂']").focus()
    page.keyboard.press("ArrowRight")                      # moved while the page is static
    page.wait_for_function(f"{CONTROLS_ARE}.logits[1] > 1.05")
    assert w.logits[1] == pytest.approx(1.0)               # the kernel has not heard of it
    page.wait_for_selector(".bp-explorer[data-mode='kernel']", timeout=8000)
    assert page.locator(".bp-static-note").is_hidden()
    moved = SoftmaxExplorer(logits=[2.0, 1.1, 0.1]).state["loss"]
    page.wait_for_function(f"{STATE_IS}.loss === {json.dumps(moved)}")   # drawn from Python
    assert w.logits == pytest.approx([2.0, 1.1, 0.1])     # the move was sent on
    page.locator("select[aria-label='target class']").select_option("2")
    retargeted = SoftmaxExplorer(logits=[2.0, 1.1, 0.1], target=2).state["loss"]
    page.wait_for_function(f"{STATE_IS}.loss === {json.dumps(retargeted)}")
    assert w.target == 2                                   # and so is every change after it
    assert_same_state(published(page)[1], w.state, rtol=0)
    assert not page.errors


@pytest.mark.browser
def test_static_page_recomputes_like_python(browser):
    w = SoftmaxExplorer()
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    moves = [("slider", "z₁", "ArrowRight"), ("slider", "z₃", "ArrowLeft"),
             ("slider", "temperature T", "ArrowLeft"), ("select", "target class", "1"),
             ("select", "classes", "5"), ("slider", "z₅", "ArrowRight"),
             ("select", "classes", "4"), ("button", "Confidently wrong", None),
             ("slider", "temperature T", "ArrowRight")]
    for kind, label, action in moves:
        if kind == "slider":
            page.locator(f"input[aria-label='{label}']").focus()
            page.keyboard.press(action)
        elif kind == "select":
            page.locator(f"select[aria-label='{label}']").select_option(action)
        else:
            page.get_by_role("button", name=label).click()
        controls, state = published(page)
        assert_same_state(state, SoftmaxExplorer(**controls).state)
    assert controls["logits"] == [0, -4, 4, 0] and controls["target"] == 1
    assert controls["temperature"] == pytest.approx(1.0)
    assert state["mse_grad"][1] == pytest.approx(0, abs=1e-3) and state["grad"][1] < -0.99
    assert page.locator("svg.bp-sm-bars text.bp-sm-target").count() == 1
    # JupyterLab: every control suppresses its shortcuts, and keys do not leave the control
    assert page.evaluate(LOOSE_CONTROLS) == 0
    assert page.evaluate(LEAKED_KEYS) == 0
    assert w.logits == [2.0, 1.0, 0.1] and w.target == 0       # Python untouched
    assert not page.errors


@pytest.mark.browser
@pytest.mark.parametrize("logits, target, T", [
    ([30.0, 0.0, -5.0], 0, 0.1),          # p_t = 1 − e^{−300}: a tiny loss and gradient
    ([1e4, -1e4, 0.0, 5.0], 1, 1.0),      # the ±1e4 logits of the chapter
    ([-10.0, 10.0, 9.9, 0.0, 3.0, -7.5], 2, 0.35),
])
def test_js_twin_for_extreme_logits(browser, logits, target, T):
    w = SoftmaxExplorer(logits=logits, target=target, temperature=T)
    page = open_explorer(browser, w, kernel=False)
    page.wait_for_selector(".bp-static-note", state="visible", timeout=3000)
    page.locator("input[aria-label='temperature T']").evaluate(
        f"(s) => {{ s.value = '{T}'; s.dispatchEvent(new Event('input')); }}")
    controls, state = published(page)
    assert controls["logits"] == logits and controls["temperature"] == T
    assert_same_state(state, w.state)
    assert np.isfinite(state["loss"])
    assert not page.errors


