"""Chapter 5 exercise checkers: shape hints, references checked, typical mistakes diagnosed
(the contract every checker keeps is in test_exercise_contract.py)."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.activations import sigmoid
from backprop.exercises import ch05
from backprop.gradcheck import numerical_gradient
from backprop.layers import Linear, ReLU, Sequential, Sigmoid
from backprop.losses import MSE

EXERCISES = {
    "linear_backward": (ch05.check_linear_backward, ch05.LINEAR_BACKWARD),
    "column_backward": (ch05.check_column_backward, ch05.COLUMN_BACKWARD),
    "mse_linear_grads": (ch05.check_mse_linear_grads, ch05.MSE_LINEAR),
    "sigmoid_layer": (ch05.check_sigmoid_layer, ch05.SIGMOID_LAYER),
    "relu_net_grads": (ch05.check_relu_net_grads, ch05.RELU_NET),
}


@pytest.mark.parametrize("name", EXERCISES)
def test_a_shape_mismatch_gets_a_hint_on_shapes(name):
    check, _ = EXERCISES[name]

    def bad(*args):
        return np.ones((2, 3)) @ np.ones((4, 5))

    result = check(bad)
    assert result.status == "error" and "shape mismatch" in result.message


def replace_output(ex, name, wrong):
    """The reference answer with output ``name`` taken from ``wrong`` (which may return all)."""
    k = ex.outputs.index(name)

    def answer(*args):
        right = list(ex.reference(*args))
        value = wrong(*args)
        right[k] = value[k] if isinstance(value, tuple) else value
        return tuple(right)
    return answer


CASES = [(name, i) for name, (_, ex) in EXERCISES.items() for i in range(len(ex.diagnoses))]


@pytest.mark.parametrize(("name", "i"), CASES)
def test_every_typical_mistake_gets_its_own_diagnosis(name, i):
    check, ex = EXERCISES[name]
    diag = ex.diagnoses[i]
    result = check(replace_output(ex, diag.output, diag.wrong))
    assert result.status == "fail", result
    first = next(d for d in ex.diagnoses if d.output == diag.output
                 and _same(d.wrong, diag.wrong, ex))
    assert result.message == f"{diag.output}: {first.message}"


def _same(wrong_a, wrong_b, ex):
    """Do two wrong answers give the same numbers on the first case (so the first one wins)?"""
    a, b = wrong_a(*ex.cases[0]), wrong_b(*ex.cases[0])
    if a is None or b is None:
        return a is b
    return all(np.shape(x) == np.shape(y) and np.allclose(x, y) for x, y in zip(a, b, strict=True)
               ) if isinstance(a, tuple) and isinstance(b, tuple) else (
        np.shape(a) == np.shape(b) and np.allclose(a, b))


@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda X, W, dY: (dY @ W, X.T @ dY, dY.sum(axis=0)), "W instead of Wᵀ"),
    (lambda X, W, dY: (dY @ W.T, dY.T @ X, dY.sum(axis=0)), "column convention's δ aᵀ"),
    (lambda X, W, dY: (dY @ W.T, X.T @ dY, dY.sum(axis=1)), "axis 1"),
    (lambda X, W, dY: (W @ dY.T, X.T @ dY, dY.sum(axis=0)), "column convention's"),
])
def test_linear_backward_names_the_mistake_and_the_convention(answer, fragment):
    assert fragment in diagnosis(ch05.check_linear_backward, answer)


# the typical mistakes written as a learner writes them (not the diagnoses' own functions, whose
# numbers the checker would find even if a diagnosis computed the wrong mistake)
@pytest.mark.parametrize(("answer", "start"), [
    (lambda X, W, dY: (dY @ W.T, X.T @ dY / len(X), dY.sum(axis=0)),
     "dW: you divided by the batch size n"),
    (lambda X, W, dY: (dY @ W.T, X.T @ dY / X.shape[0], dY.sum(axis=0)),
     "dW: you divided by the batch size n"),
    (lambda X, W, dY: (dY @ W.T, dY @ X.T, dY.sum(axis=0)),
     "dW: the order of the factors is swapped"),
    (lambda X, W, dY: (dY @ W.T, X.T @ dY, dY), "db: ∂L/∂b has the shape of b, (out,)"),
    (lambda X, W, dY: (dY @ W.T, X.T @ dY, np.mean(dY, axis=0)),
     "db: you averaged over the batch"),
], ids=["divided_by_len", "divided_by_shape0", "swapped_factors", "db_not_summed", "db_mean"])
def test_linear_backward_hand_written_mistakes(answer, start):
    assert diagnosis(ch05.check_linear_backward, answer).startswith(start)


def test_linear_backward_overwritten_in_the_loop():
    def wrong(X, W, dY):
        for i in range(len(X)):
            dW = np.outer(X[i], dY[i])
        return dY @ W.T, dW, dY.sum(axis=0)

    message = diagnosis(ch05.check_linear_backward, wrong)
    assert message.startswith("dW:") and "last sample" in message and "+=" in message, message


@pytest.mark.parametrize(("answer", "start"), [
    (lambda X, W, b, T: (X.T @ (X @ W + b - T) / len(X), (X @ W + b - T).sum(axis=0)),
     "db: the 1/n is missing"),
    (lambda X, W, b, T: (2 * X.T @ (X @ W + b - T) / len(X), (X @ W + b - T).mean(axis=0)),
     "dW: a factor 2 too many"),
    (lambda X, W, b, T: (X.T @ (T - X @ W - b) / len(X), (X @ W + b - T).mean(axis=0)),
     "dW: the sign is wrong"),
    (lambda X, W, b, T: (X.T @ (X @ W + b - T) / len(X), ((X @ W + b - T) / len(X)).sum(1)),
     "db: you summed (Y − T)/n over axis 1"),
    (lambda X, W, b, T: (X.T @ ((X @ W + b - T) / len(X)) / len(X),
                         (X @ W + b - T).mean(axis=0)),
     "dW: you divided by n twice"),
], ids=["db_without_1_over_n", "factor_2", "sign", "db_axis_1", "n_twice"])
def test_mse_linear_grads_hand_written_mistakes(answer, start):
    assert diagnosis(ch05.check_mse_linear_grads, answer).startswith(start)


def _with_library_mse(reduction):
    """The gradients through the library's MSE, whose reductions are not this exercise's."""
    def mse_linear_grads(X, W, b, T):
        loss = MSE(reduction)
        loss.forward(X @ W + b, T)
        dY = loss.backward()
        return X.T @ dY, dY.sum(axis=0)
    return mse_linear_grads


def test_library_mse_mean_is_named():
    message = diagnosis(ch05.check_mse_linear_grads, _with_library_mse("mean"))
    assert "MSE(\"mean\")" in message and "n·m" in message, message
    assert "Dividing by 3" not in message


def test_library_mse_sum_is_named():
    message = diagnosis(ch05.check_mse_linear_grads, _with_library_mse("sum"))
    assert "MSE(\"sum\")" in message, message


def test_sigmoid_layer_hand_written_mistakes():
    def slope_at_the_output(X, W, b, label):
        Z = 1 / (1 + np.exp(-(X @ W + b)))
        S = 1 / (1 + np.exp(-Z))                # σ(Z), not Z
        A = (Z - label) * S * (1 - S)
        return X.T @ A, A.sum(axis=0), A @ W.T

    def no_slope(X, W, b, label):
        A = 1 / (1 + np.exp(-(X @ W + b))) - label
        return X.T @ A, A.sum(axis=0), A @ W.T

    def dX_without_transpose(X, W, b, label):
        Z = 1 / (1 + np.exp(-(X @ W + b)))
        A = (Z - label) * Z * (1 - Z)
        return X.T @ A, A.sum(axis=0), A @ W

    assert diagnosis(ch05.check_sigmoid_layer, slope_at_the_output).startswith(
        "dW: you evaluated the sigmoid's slope at the output")
    assert diagnosis(ch05.check_sigmoid_layer, no_slope).startswith(
        "dW: the sigmoid's slope is missing")
    assert diagnosis(ch05.check_sigmoid_layer, dX_without_transpose).startswith(
        "dX: you multiplied by W instead of Wᵀ")


def test_sigmoid_layer_db_over_the_wrong_axis():
    def wrong(X, W, b, label):
        Z = sigmoid(X @ W + b)
        A = (Z - label) * Z * (1 - Z)
        return X.T @ A, A.sum(axis=1), A @ W.T

    message = diagnosis(ch05.check_sigmoid_layer, wrong)
    assert message.startswith("db:") and "axis 0" in message, message


def test_relu_net_uses_a1_for_the_first_layer_input():
    def a1_for_x(X, W1, W2, W3, T):           # note 003's summary: dW₁ = A₁ᵀ dz₁
        H1 = X @ W1
        A1 = np.maximum(H1, 0)
        H2 = A1 @ W2
        A2 = np.maximum(H2, 0)
        dz3 = A2 @ W3 - T
        dz2 = (dz3 @ W3.T) * (H2 > 0)
        dz1 = (dz2 @ W2.T) * (H1 > 0)
        return A1.T @ dz1, A1.T @ dz2, A2.T @ dz3
    assert diagnosis(ch05.check_relu_net_grads, a1_for_x).startswith(
        "dW1: you used A₁ where the first layer's input belongs")


def test_column_backward_names_the_row_convention():
    result = ch05.check_column_backward(lambda W, X, dY: (X @ dY.T, W.T @ dY))
    assert "row convention" in result.message and "dW" in result.message
    result = ch05.check_column_backward(lambda W, X, dY: (dY @ X.T, dY.T @ W))
    assert "row convention" in result.message and "dX" in result.message


def test_column_backward_without_the_transpose():
    # runs on the square first case only; the checker must name it, not raise on the others
    result = ch05.check_column_backward(lambda W, X, dY: (dY @ X, W.T @ dY))
    assert result.status == "fail" and "dW: you forgot the transpose" in result.message


def _sigmoid_layer_without_bias(X, W, b, label):
    Z = 1 / (1 + np.exp(-(X @ W)))
    A = (Z - label) * Z * (1 - Z)
    return X.T @ A, A.sum(axis=0), A @ W.T


@pytest.mark.parametrize(("check", "answer", "message"), [
    (ch05.check_mse_linear_grads,
     lambda X, W, b, T: (X.T @ (X @ W - T) / len(X), (X @ W - T).sum(axis=0) / len(X)),
     "dW: you left out the bias: Y = X W + b, so ∂L/∂Y = (X W + b − T)/n."),
    (ch05.check_mse_linear_grads,      # the bias only in dW
     lambda X, W, b, T: (X.T @ (X @ W + b - T) / len(X), (X @ W - T).sum(axis=0) / len(X)),
     "db: you left out the bias"),
    (ch05.check_sigmoid_layer, _sigmoid_layer_without_bias,
     "dW: you left out the bias in the forward pass: Z = σ(XW + b)."),
])
def test_a_forgotten_bias_is_named(check, answer, message):
    assert diagnosis(check, answer).startswith(message)


def test_sigmoid_layer_slope_written_with_the_pre_activation():
    def answer(X, W, b, label):
        Y = X @ W + b
        Z = 1 / (1 + np.exp(-Y))
        A = (Z - label) * Y * (1 - Y)
        return X.T @ A, A.sum(axis=0), A @ W.T
    assert "Y(1 − Y), with the pre-activation" in diagnosis(ch05.check_sigmoid_layer, answer)


def test_relu_net_names_the_layer_whose_mask_is_missing():
    # in the first case every H₁ > 0: a missing layer-2 mask must not be blamed on layer 1
    def only_mask1(X, W1, W2, W3, T):
        H1 = X @ W1
        A1 = np.maximum(H1, 0)
        A2 = np.maximum(A1 @ W2, 0)
        dz3 = A2 @ W3 - T
        dz2 = dz3 @ W3.T                        # [H₂ > 0] forgotten
        dz1 = (dz2 @ W2.T) * (H1 > 0)
        return X.T @ dz1, A1.T @ dz2, A2.T @ dz3
    assert np.all(ch05.RELU_NET.cases[0][0] @ ch05.RELU_NET.cases[0][1] > 0)
    message = diagnosis(ch05.check_relu_net_grads, only_mask1)
    assert message.startswith("dW1: the mask of layer 2 is missing")


def test_mse_missing_one_over_n():
    result = ch05.check_mse_linear_grads(
        lambda X, W, b, T: (X.T @ (X @ W + b - T), (X @ W + b - T).sum(axis=0)))
    assert "1/n is missing" in result.message


def test_mse_transposed_square_dW_is_named():
    def transposed(X, W, b, T):
        dW, db = ch05.reference_mse_linear_grads(X, W, b, T)
        return dW.T, db

    assert "dW: your result is the transpose of the right one" in diagnosis(
        ch05.check_mse_linear_grads, transposed)


# -- the references are right: against central differences and the library ---------------------
def test_linear_reference_is_the_numerical_gradient_and_the_library(rng):
    X, W, b, R = (rng.standard_normal(s) for s in ((5, 3), (3, 2), (2,), (5, 2)))
    dX, dW, db = ch05.reference_linear_backward(X, W, R)

    def probe(*_):
        return np.sum((X @ W + b) * R)

    for got, arr in ((dX, X), (dW, W), (db, b)):
        assert np.allclose(got, numerical_gradient(probe, arr), rtol=1e-6, atol=1e-9)
    layer = Linear.from_weights(W, b)
    layer.forward(X)
    assert np.allclose(layer.backward(R), dX) and np.allclose(layer.dW, dW)


def test_column_reference_is_the_numerical_gradient(rng):
    W, X, R = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    dW, dX = ch05.reference_column_backward(W, X, R)
    for got, arr in ((dW, W), (dX, X)):
        assert np.allclose(got, numerical_gradient(lambda _: np.sum((W @ X) * R), arr))


def test_mse_reference_is_the_numerical_gradient(rng):
    X, W, b, T = (rng.standard_normal(s) for s in ((6, 3), (3, 2), (2,), (6, 2)))
    dW, db = ch05.reference_mse_linear_grads(X, W, b, T)

    def loss(*_):
        return np.sum((X @ W + b - T) ** 2) / (2 * len(X))

    assert np.allclose(dW, numerical_gradient(loss, W))
    assert np.allclose(db, numerical_gradient(loss, b))
    assert np.allclose(loss(), MSE("mean").forward(X @ W + b, T) * T.shape[1] / 2)


def test_sigmoid_reference_is_the_numerical_gradient_and_the_library(rng):
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    label = rng.uniform(size=(4, 2))
    dW, db, dX = ch05.reference_sigmoid_layer(X, W, b, label)
    net = Sequential(Linear.from_weights(W, b), Sigmoid())
    loss = MSE("half_sum")

    def total(*_):
        return loss.forward(net.forward(X), label)

    for got, arr in ((dW, net[0].W), (db, net[0].b), (dX, X)):
        assert np.allclose(got, numerical_gradient(total, arr), rtol=1e-6, atol=1e-9)


def test_relu_reference_is_the_numerical_gradient_and_the_library(rng):
    X, T = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    Ws = [rng.standard_normal((2, 2)) for _ in range(3)]
    grads = ch05.reference_relu_net_grads(X, *Ws, T)
    net = Sequential(Linear.from_weights(Ws[0]), ReLU(), Linear.from_weights(Ws[1]), ReLU(),
                     Linear.from_weights(Ws[2]))
    loss = MSE("half_sum")
    loss.forward(net.forward(X), T)
    net.backward(loss.backward())
    for got, layer in zip(grads, (net[0], net[2], net[4]), strict=True):
        num = numerical_gradient(lambda _: loss.forward(net.forward(X), T), layer.W)
        assert np.allclose(got, num, rtol=1e-6, atol=1e-9) and np.allclose(got, layer.dW)
