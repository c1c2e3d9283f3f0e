"""Tests of backprop.gradcheck: numerical_gradient on functions with known gradients,
restoring x, relative_error, and the checks catching deliberately wrong layers."""

import numpy as np
import pytest

from backprop.gradcheck import (
    check_layer,
    check_loss,
    check_network,
    numerical_gradient,
    relative_error,
)
from backprop.layers import Linear, Sequential, Sigmoid, Tanh
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.scalar import Value


def test_known_gradients(rng):
    x = rng.standard_normal((3, 4))
    g = numerical_gradient(lambda v: np.sum(v**3), x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    A, v = rng.standard_normal((5, 5)), rng.standard_normal(5)
    np.testing.assert_allclose(numerical_gradient(lambda u: u @ A @ u, v), (A + A.T) @ v,
                               rtol=1e-8)


def test_error_is_second_order_in_eps():
    x = np.array([0.7])
    exact = np.cos(0.7)
    errors = [abs(numerical_gradient(lambda v: np.sin(v).sum(), x, eps)[0] - exact)
              for eps in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)  # O(ε²)


def test_restores_x_exactly(rng):
    x = rng.standard_normal((4, 3))
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert np.array_equal(x, before)  # bit for bit


def test_restores_x_when_f_raises(rng):
    x = rng.standard_normal(5)
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:  # fails while entry 1 is perturbed
            raise ArithmeticError("boom")
        return float(v.sum())

    with pytest.raises(ArithmeticError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_perturbs_x_in_place_so_closures_see_it(rng):
    """f may ignore its argument and read the array it closes over (e.g. a layer's W)."""
    W = rng.standard_normal((2, 3))
    g = numerical_gradient(lambda _: float(np.sum(W**2)), W)
    np.testing.assert_allclose(g, 2 * W, rtol=1e-8)


@pytest.mark.parametrize("view", ["transposed", "strided"])
def test_non_contiguous_views(view, rng):
    base = rng.standard_normal((4, 6))
    x = base.T if view == "transposed" else base[:, ::2]
    base_before = base.copy()
    g = numerical_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8)
    assert np.array_equal(base, base_before)


def test_float32_is_accepted():
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, eps=1e-2)
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-3)


@pytest.mark.parametrize("bad", [[1.0, 2.0], np.array([1, 2]), 3.0])
def test_rejects_non_float_arrays(bad):
    with pytest.raises(TypeError, match="x must be a float NumPy array"):
        numerical_gradient(lambda v: 0.0, bad)


def test_rejects_read_only_arrays():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="x must be writeable"):
        numerical_gradient(lambda v: 0.0, x)


def test_relative_error():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3)
    b = a + 1e-9
    assert relative_error(a, b) == relative_error(b, a)
    with pytest.raises(ValueError, match=r"shapes differ: \(3,\) vs \(1, 3\)"):
        relative_error(a, a[None])


@pytest.mark.parametrize("scale", [1e-8, 1e-150, 1e-200, 1e200])
def test_relative_error_is_scale_free_for_tiny_and_huge_arrays(scale):
    """The floor on the denominator only guards 0/0: for tiny arrays, ‖a − 2a‖ / (‖a‖ + ‖2a‖)
    is still ‖a‖ / 3‖a‖ = 1/3, and tiny opposite arrays still give 1; at 1e-200 the squares
    inside the norms would underflow to 0, at 1e200 overflow to inf."""
    a = scale * np.array([1.0, -2.0, 3.0])
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3)
    assert relative_error(a, -a) == pytest.approx(1.0)


# -- the checks catch wrong gradients -------------------------------------------------------

class LinearForgotTranspose(Linear):
    """dX = dY W instead of dY Wᵀ (square W, so the shapes still fit)."""

    def _backward(self, dY):
        super()._backward(dY)
        return dY @ self.W


class LinearMeanBias(Linear):
    """db averaged instead of summed over the batch."""

    def _backward(self, dY):
        dX = super()._backward(dY)
        self.db = dY.mean(axis=0)
        return dX


class SigmoidForgotDerivative(Sigmoid):
    """Passes dY through without f'."""

    def _backward(self, dY):
        return dY.copy()


class MSEWrongSign(MSE):
    def backward(self):
        return -super().backward()


def test_check_layer_passes_correct_layers(rng):
    errors = check_layer(Linear(3, 3, rng=rng), rng.standard_normal((4, 3)))
    assert set(errors) == {"X", "W", "b"} and max(errors.values()) < 1e-7


@pytest.mark.parametrize(("layer", "wrong"), [
    (LinearForgotTranspose(3, 3, seed=0), "X"),
    (LinearMeanBias(3, 3, seed=0), "b"),
    (SigmoidForgotDerivative(), "X"),
])
def test_check_layer_catches_wrong_layers(layer, wrong, rng):
    errors = check_layer(layer, rng.standard_normal((4, 3)))
    assert errors[wrong] > 0.1
    assert all(err < 1e-7 for name, err in errors.items() if name != wrong)


def test_check_loss(rng):
    pred, target = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    assert check_loss(MSE("sum"), pred, target) < 1e-7
    assert check_loss(MSEWrongSign("sum"), pred, target) == pytest.approx(1.0)
    assert check_loss(SoftmaxCrossEntropy(), pred, np.array([0, 1, 1])) < 1e-7


def test_check_network_names_each_parameter(rng):
    net = Sequential(Linear(2, 3, rng=rng), Tanh(), Linear(3, 3, rng=rng), Sigmoid(),
                     LinearMeanBias(3, 2, seed=0))
    X, y = rng.standard_normal((5, 2)), np.array([0, 1, 1, 0, 1])
    errors = check_network(net, SoftmaxCrossEntropy(), X, y)
    assert list(errors) == ["layers[0].W", "layers[0].b", "layers[2].W", "layers[2].b",
                            "layers[4].W", "layers[4].b"]
    assert errors["layers[4].b"] > 0.1
    assert max(err for name, err in errors.items() if name != "layers[4].b") < 1e-7


def test_check_network_leaves_parameters_unchanged(rng):
    net = Sequential(Linear(2, 3, rng=rng), Tanh(), Linear(3, 1, rng=rng))
    before = [p.copy() for p, _ in net.parameters()]
    check_network(net, MSE(), rng.standard_normal((4, 2)), rng.standard_normal((4, 1)))
    for p, b in zip((p for p, _ in net.parameters()), before, strict=True):
        assert np.array_equal(p, b)


def test_float32_with_the_float64_step_is_refused():
    x = np.array([10.0, 20.0], dtype=np.float32)          # 10 + 1e-6 rounds back to 10
    with pytest.raises(ValueError, match="x is float32, too coarse for ε = 1e-06"):
        numerical_gradient(lambda v: float(np.sum(v**2)), x)


def test_f_must_return_one_number():
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"f must return one number .* shape \(3, 2\)"):
        numerical_gradient(lambda v: v * 2, x)
    assert numerical_gradient(lambda v: np.array([np.sum(v)]), x).shape == (3, 2)


@pytest.mark.parametrize("eps", [0, -1e-6, float("nan"), float("inf")])
def test_numerical_gradient_refuses_a_step_that_is_not_a_positive_number(eps):
    """ε = 0 used to evaluate f 2n times and then divide by zero; NaN gave NaN, silently."""
    with pytest.raises(ValueError, match=r"numerical_gradient: eps must be a positive number"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3), eps=eps)


@pytest.mark.parametrize("f, message", [
    (lambda v: None, r"f returned None; .*forget `return`"),
    (lambda v: Value(float(v.sum())), r"f returned a Value; return its number, e.g. `out.data`"),
    (lambda v: "loss", r"f must return one number \(a loss\), got 'loss'"),
])
def test_numerical_gradient_names_what_f_returned_instead_of_a_number(f, message):
    with pytest.raises(TypeError, match=r"numerical_gradient: " + message):
        numerical_gradient(f, np.ones(3))


def test_numerical_gradient_takes_another_library_s_scalar_that_converts_to_float():
    """Only backprop's own Value is refused: a PyTorch tensor also has .data and .grad."""

    class Scalar:                      # a 0-d tensor of another library, as float() sees it
        grad = None

        def __init__(self, number):
            self.data = number

        def __float__(self):
            return float(self.data)

    g = numerical_gradient(lambda v: Scalar(float((v ** 2).sum())), np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-6)
