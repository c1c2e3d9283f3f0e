"""Chapter 3 exercise checkers: references checked, typical mistakes diagnosed (the contract
every checker keeps is in test_exercise_contract.py)."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.exercises import ch03
from backprop.gradcheck import numerical_gradient
from backprop.layers import Linear
from backprop.losses import MSE
from backprop.widgets.descent import DescentExplorer


# -- 1. chain_grads ----------------------------------------------------------------------------
def chain(x, t, w1, w2, *, scale=None, fprime=lambda a1, z1: 1 - a1**2, w2_factor=True,
          input_w2=None):
    z1 = w1 * x
    a1 = np.tanh(z1)
    dy = (2 / x.size if scale is None else scale(x)) * (w2 * a1 - t)
    dw2 = np.sum(dy * (a1 if input_w2 is None else x))
    dw1 = np.sum(dy * (w2 if w2_factor else 1) * fprime(a1, z1) * x)
    return float(dw1), float(dw2)


@pytest.mark.parametrize("wrong, expected", [
    (lambda x, t, w1, w2: chain(x, t, w1, w2, scale=lambda x: 1 / x.size),
     "dw1: you forgot the 2 of the square"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, scale=lambda x: 2.0),
     "dw1: you forgot the 1/n of the mean"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, fprime=lambda a1, z1: 1.0),
     "dw1: you forgot the activation's derivative"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, fprime=lambda a1, z1: a1),
     "where the derivative tanh′(z1) = 1 − a1² belongs"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, fprime=lambda a1, z1: 1 - z1**2),
     "not 1 − z²"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, scale=lambda x: 1.0),
     "dw1: y − t is the gradient of ½ Σ (y − t)², the notes' loss"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, w2_factor=False), "you left out w2"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2, input_w2=True), "dw2: ∂y/∂w2 is a1"),
    (lambda x, t, w1, w2: tuple(-g for g in chain(x, t, w1, w2)), "the sign is wrong"),
    (lambda x, t, w1, w2: chain(x, t, w1, w2)[0], "return a tuple of 2 values"),
])
def test_chain_grads_diagnoses(wrong, expected):
    assert expected in diagnosis(ch03.check_chain_grads, wrong)


def test_chain_grads_reference_is_the_numerical_gradient():
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal(4), rng.standard_normal(4)
    w = np.array([0.7, -1.3])

    def loss(v):
        return np.mean((v[1] * np.tanh(v[0] * x) - t) ** 2)

    assert np.allclose(ch03.reference_chain_grads(x, t, *w), numerical_gradient(loss, w),
                       rtol=1e-6)
    # and the explorer of the chapter gives the same ∂L/∂w1
    widget = DescentExplorer(weights=list(w), x=list(x), t=list(t), which=0)
    assert np.isclose(widget.state["grad"], ch03.reference_chain_grads(x, t, *w)[0])


# -- 2. mse_grad -------------------------------------------------------------------------------
def mse(scales):
    return lambda y, t, r: scales.get(r, {"mean": 2 / y.size, "sum": 2.0,
                                          "half_sum": 1.0}[r]) * (y - t)


@pytest.mark.parametrize("wrong, expected", [
    (lambda y, t, r: 2 * (y - t) / len(y), "not by the number of rows"),
    (lambda y, t, r: (y - t) / y.size, "you forgot the 2 of the square"),
    (lambda y, t, r: np.mean(2 * (y - t)) + 0 * y, "the values differ"),
    (lambda y, t, r: 2 * (y - t) / y.size, "you used the mean's 2 (y − t)/N for "
                                           "reduction='half_sum'"),
    (lambda y, t, r: 2 * (y - t), "has the 1/N of the mean"),
    (lambda y, t, r: 2 * (t - y) / y.size, "the sign is wrong"),
    (lambda y, t, r: {"mean": 2 / y.size, "half_sum": 2.0}.get(r, 2.0) * (y - t),
     "the ½ cancels the 2"),
    (lambda y, t, r: {"mean": 2 / y.size, "half_sum": 1 / y.size}.get(r, 2.0) * (y - t),
     "'half_sum' has no 1/N"),
    (lambda y, t, r: {"sum": 2 / y.size, "half_sum": 1.0}.get(r, 2 / y.size) * (y - t),
     "for reduction='sum'"),
])
def test_mse_grad_diagnoses(wrong, expected):
    assert expected in diagnosis(ch03.check_mse_grad, wrong)


@pytest.mark.parametrize("reduction", ["mean", "sum", "half_sum"])
def test_mse_grad_reference_matches_the_library(reduction):
    rng = np.random.default_rng(2)
    y, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = MSE(reduction)
    loss.forward(y, t)
    assert np.allclose(ch03.reference_mse_grad(y, t, reduction), loss.backward())


@pytest.mark.parametrize(("reduction", "loss"), [
    ("mean", lambda d: np.mean(d**2)), ("sum", lambda d: np.sum(d**2)),
    ("half_sum", lambda d: 0.5 * np.sum(d**2)),
], ids=["mean", "sum", "half_sum"])
def test_mse_grad_reference_is_the_numerical_gradient(reduction, loss):
    # independent of the library's MSE: each loss written out from the exercise's text
    rng = np.random.default_rng(5)
    y, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    numeric = numerical_gradient(lambda v: loss(v - t), y.copy())
    assert np.allclose(ch03.reference_mse_grad(y, t, reduction), numeric, rtol=1e-6, atol=1e-9)


# -- 3. gd_steps -------------------------------------------------------------------------------
def gd(update, first=True):
    def fn(grad_fn, w0, lr, steps):
        ws, g0 = [w0], grad_fn(w0)
        for _ in range(steps):
            ws.append(update(ws[-1], grad_fn(ws[-1]), g0, lr))
        return np.array(ws if first else ws[1:])
    return fn


@pytest.mark.parametrize("wrong, expected", [
    (gd(lambda w, g, g0, lr: w + lr * g), "your steps go uphill"),
    (gd(lambda w, g, g0, lr: w - g), "you forgot the learning rate"),
    (gd(lambda w, g, g0, lr: w - lr * g0), "recompute ∂L/∂w at each new w"),
    (gd(lambda w, g, g0, lr: w - lr * g, first=False), "start the list with w0"),
    (lambda grad_fn, w0, lr, steps: gd(lambda w, g, g0, lr: w - lr * g)(grad_fn, w0, lr,
                                                                         steps)[-1],
     "not just the last one"),
    (gd(lambda w, g, g0, lr: w - lr * g / 2), "the values differ"),
])
def test_gd_steps_diagnoses(wrong, expected):
    assert expected in diagnosis(ch03.check_gd_steps, wrong)


def test_gd_steps_reference_is_the_explorers_path():
    widget = DescentExplorer(which=2, lr=0.4, steps=6)
    w = DescentExplorer(which=2)

    def grad_fn(v):
        w.weights = [0.8, -1.2, v]
        return w.state["grad"]

    assert np.allclose(ch03.reference_gd_steps(grad_fn, 1.5, 0.4, 6),
                       widget.state["path"]["w"])


# -- 4. weight_grad ----------------------------------------------------------------------------
@pytest.mark.parametrize("wrong, expected", [
    (lambda a, dy: dy.T @ a, "you computed dyᵀ a_prev, the transpose"),
    (lambda a, dy: a.T @ dy / len(a), "you averaged over the batch"),
    (lambda a, dy: a * dy, "element-wise product"),
    (lambda a, dy: np.outer(a[0], dy[0]), "you used the first sample only"),
    (lambda a, dy: a[:, :, None] * dy[:, None, :], "one outer product per sample"),
    (lambda a, dy: -(a.T @ dy), "the sign is wrong"),
])
def test_weight_grad_diagnoses(wrong, expected):
    assert expected in diagnosis(ch03.check_weight_grad, wrong)


def test_weight_grad_overwritten_in_the_loop():
    def wrong(a_prev, dy):
        for i in range(len(a_prev)):
            g = np.outer(a_prev[i], dy[i])
        return g

    message = diagnosis(ch03.check_weight_grad, wrong)
    assert "last sample" in message and "+=" in message, message


def test_weight_grad_reference_matches_linear_and_numerical():
    rng = np.random.default_rng(4)
    a, W, R = rng.standard_normal((5, 3)), rng.standard_normal((3, 2)), rng.standard_normal((5, 2))
    layer = Linear.from_weights(W)
    layer.forward(a)
    layer.backward(R)
    assert np.allclose(ch03.reference_weight_grad(a, R), layer.dW)
    numeric = numerical_gradient(lambda V: np.sum((a @ V) * R), W.copy())
    assert np.allclose(ch03.reference_weight_grad(a, R), numeric, rtol=1e-6)


# -- 5. alpha_max ---------------------------------------------------------------------------
def test_alpha_max():
    right = ch03.reference_alpha_max()
    assert np.isclose(right, 3 / 1.15)
    assert ch03.check_alpha_max(round(right, 3)).status == "pass"
    assert ch03.check_alpha_max(...).status == "todo"
    assert ch03.check_alpha_max(None).status == "todo"
    assert "1/L''" in ch03.check_alpha_max(right / 2).message
    assert "dropped the 1/n" in ch03.check_alpha_max(1 / 1.15).message
    assert "dropped the 2" in ch03.check_alpha_max(2 * right).message
    assert "curvature L'' itself" in ch03.check_alpha_max(2 * np.mean(ch03.LR_A2**2)).message
    assert ch03.check_alpha_max(2.28).message.endswith("2.28 is too small")
    assert ch03.check_alpha_max(1e-310).message.endswith("1e-310 is too small")
    assert ch03.check_alpha_max(1.0).status == "fail"
    assert ch03.check_alpha_max("2.6").status == "fail"
    # the right number as text is still no number
    assert "not text" in ch03.check_alpha_max(str(round(right, 4))).message


# α* and the one-step rate 1/L'' = α*/2, as a learner rounds them to three digits
ALPHA_MAX = ch03.reference_alpha_max()
ALPHA_MAX_ROUNDED = round(ALPHA_MAX, 2)


@pytest.mark.parametrize("value", [round(ALPHA_MAX / 2, 2), round(ALPHA_MAX / 2, 3),
                                   round(ALPHA_MAX_ROUNDED / 2 + 1e-9, 2)])
def test_alpha_max_one_step_rate_at_three_digits(value):
    assert "1/L''" in diagnosis(ch03.check_alpha_max, value)


def test_alpha_max_still_rejects_a_wrong_third_digit():
    assert ch03.check_alpha_max(ALPHA_MAX_ROUNDED).passed
    assert not ch03.check_alpha_max(ALPHA_MAX_ROUNDED - 0.01).passed
    assert not ch03.check_alpha_max(ALPHA_MAX_ROUNDED + 0.01).passed


def test_mse_grad_transposed_blames_no_matrix_product():
    message = diagnosis(ch03.check_mse_grad, lambda y, t, r: ch03.reference_mse_grad(y, t, r).T)
    assert "is the transpose of the right answer" in message
    assert "matrix product" not in message


def test_alpha_max_is_where_the_explorer_starts_to_diverge():
    # a chain whose a2 are LR_A2: identity activations, w1 = w2 = 1, x = a2
    x, t = list(ch03.LR_A2), [0.2, -0.1, 0.4]
    right = ch03.reference_alpha_max()
    w = DescentExplorer(weights=[1.0, 1.0, 1.5], which=2, activation="identity", x=x, t=t,
                        steps=40, lr=0.99 * right)
    assert w.state["status"] == "descends"
    w.lr = 1.01 * right
    assert w.state["status"] == "diverges"
