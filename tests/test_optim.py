"""Tests of backprop.optim.SGD: hand-worked updates, momentum, convergence, errors."""

import numpy as np
import pytest

from backprop.layers import Linear, Sequential, Tanh
from backprop.losses import MSE
from backprop.optim import SGD


def tiny_layer():
    """W = [[1], [2]], b = [0.5]; on X = [[1, 2]], Y = 1 + 4 + 0.5 = 5.5."""
    return Linear.from_weights([[1.0], [2.0]], [0.5])


def test_plain_step_hand_worked():
    layer = tiny_layer()
    loss = MSE("half_sum")
    loss.forward(layer.forward(np.array([[1.0, 2.0]])), np.array([[0.5]]))
    layer.backward(loss.backward())  # ∂L/∂Y = 5.5 − 0.5 = 5: dW = [[5], [10]], db = [5]
    W, b = layer.W, layer.b
    SGD(layer, lr=0.1).step()
    assert layer.W is W and layer.b is b  # updated in place
    np.testing.assert_allclose(layer.W, [[0.5], [1.0]], rtol=1e-15)
    np.testing.assert_allclose(layer.b, [0.0], atol=1e-15)


def test_momentum_with_a_constant_gradient():
    """v₁ = g, v₂ = 0.9 g + g = 1.9 g, v₃ = 0.9·1.9 g + g = 2.71 g; w moves by −α Σ v."""
    layer = tiny_layer()
    layer.dW, layer.db = np.array([[1.0], [-2.0]]), np.array([4.0])
    opt = SGD(layer, lr=0.1, momentum=0.9)
    for step, total in enumerate([1.0, 2.9, 5.61], start=1):
        opt.step()
        np.testing.assert_allclose(layer.W, [[1.0 - 0.1 * total], [2.0 + 0.2 * total]],
                                   rtol=1e-14, err_msg=f"step {step}")
        np.testing.assert_allclose(layer.b, [0.5 - 0.4 * total], rtol=1e-14)


def test_zero_momentum_repeats_the_plain_step():
    layer = tiny_layer()
    layer.dW, layer.db = np.array([[1.0], [1.0]]), np.array([1.0])
    opt = SGD(layer, lr=0.5)
    opt.step()
    opt.step()
    np.testing.assert_allclose(layer.W, [[0.0], [1.0]])


def regression_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((64, 3)) * [1.0, 3.0, 0.3]  # an ill-conditioned quadratic
    w_star, b_star = np.array([[1.5], [-2.0], [0.5]]), np.array([0.7])
    return X, X @ w_star + b_star, w_star, b_star


def steps_to_converge(momentum, lr, max_steps=5000):
    X, y, w_star, b_star = regression_problem()
    layer, loss = Linear(3, 1, init="zeros"), MSE()
    opt = SGD(layer, lr=lr, momentum=momentum)
    for step in range(1, max_steps + 1):
        loss.forward(layer.forward(X), y)
        layer.backward(loss.backward())
        opt.step()
        if np.allclose(layer.W, w_star, atol=1e-8) and np.allclose(layer.b, b_star, atol=1e-8):
            return step
    raise AssertionError(f"no convergence in {max_steps} steps: W = {layer.W.ravel()}")


def test_converges_to_the_known_optimum_of_a_quadratic():
    """Noise-free least squares: the minimum of the MSE is exactly (w*, b*)."""
    plain = steps_to_converge(momentum=0.0, lr=0.05)
    heavy = steps_to_converge(momentum=0.9, lr=0.05)
    assert heavy < plain / 3  # momentum speeds up the slow, flat direction


def test_float32_parameters_stay_float32():
    layer = Linear(2, 2, seed=0, dtype=np.float32)
    layer.forward(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    opt = SGD(layer, lr=0.1, momentum=0.5)
    opt.step()
    opt.step()
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32


def test_step_before_backward():
    net = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=0))
    with pytest.raises(RuntimeError, match=r"SGD.step: Sequential parameter layers\[0\].W has "
                                           r"no gradient yet: call backward before step"):
        SGD(net, lr=0.1).step()


def test_bad_hyperparameters():
    layer = tiny_layer()
    for lr in (0.0, -0.1, float("nan"), float("inf"), "0.1", None, True):
        with pytest.raises(ValueError, match="SGD: learning rate must be a positive finite"):
            SGD(layer, lr=lr)
    with pytest.raises(TypeError, match=r"PyTorch's SGD\(model.parameters\(\)\) is SGD\(model\)"):
        SGD(layer.parameters())
    for momentum in (-0.1, 1.0, "0.9", None, True):
        with pytest.raises(ValueError, match=r"SGD: momentum must be a number in \[0, 1\)"):
            SGD(layer, lr=0.1, momentum=momentum)
    with pytest.raises(ValueError, match="SGD: Tanh has no parameters to optimise"):
        SGD(Tanh(), lr=0.1)


def test_a_gradient_of_the_wrong_shape_is_named():
    # a layer of one's own whose db sums everything: NumPy would broadcast it silently
    layer = tiny_layer()
    X = np.ones((4, layer.in_features))
    layer.backward(layer.forward(X))
    layer.db = layer.db.sum()
    with pytest.raises(ValueError, match=r"gradient of .* parameter b has shape \(\), the "
                                         r"parameter \(\d+,\)"):
        SGD(layer, lr=0.1).step()
