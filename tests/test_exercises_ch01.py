"""Chapter 1 exercise checkers: the references agree with the library, typical mistakes are
diagnosed (the contract every checker keeps is in test_exercise_contract.py)."""

from itertools import pairwise

import numpy as np
import pytest
from exercise_support import diagnosis, stub

from backprop.exercises import ch01
from backprop.layers import Linear, Sequential, Tanh
from backprop.network import ColumnNetwork


# -- the references agree with the library ------------------------------------------------------
def test_references_agree_with_the_library():
    rng = np.random.default_rng(3)
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    layer = Linear.from_weights(W, b)
    assert np.allclose(ch01.reference_dense_forward(X, W, b), layer.forward(X))
    # column convention: the same layer with W_col = Wᵀ and samples as columns
    assert np.allclose(ch01.reference_column_forward(X.T, W.T, b), layer.forward(X).T)
    col = ColumnNetwork([W.T], [b], "identity")
    assert np.allclose(ch01.reference_column_forward(X.T, W.T, b), col.forward(X.T))
    params = [(rng.standard_normal((3, 4)), rng.standard_normal(4)),
              (rng.standard_normal((4, 2)), rng.standard_normal(2))]
    net = Sequential(Linear.from_weights(*params[0]), Tanh(), Linear.from_weights(*params[1]))
    assert np.allclose(ch01.reference_network_forward(X, params), net.forward(X))
    shapes = ch01.reference_batch_shapes(5, [3, 4, 2])
    out = X
    for (w_shape, y_shape), layer in zip(shapes, [net[0], net[2]], strict=True):
        out = layer.forward(out if out.shape[1] == layer.in_features else np.tanh(out))
        assert layer.W.shape == w_shape and out.shape == y_shape


# -- typical mistakes and their diagnoses ---------------------------------------------------------
def _first_row(X, W, b):
    Y = X @ W
    Y[0] = Y[0] + b
    return Y


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda X, W, b: X @ W, "forgot the bias"),
        (lambda X, W, b: X @ W.T + b, "multiplied by Wᵀ"),
        (lambda X, W, b: W @ X + b, "computed W X"),
        (lambda X, W, b: X * W + b, "matrix product X @ W"),
        (lambda X, W, b: X @ W + b.reshape(-1, 1), "to row i"),
        (_first_row, "first sample only"),
        (lambda X, W, b: W.T @ X.T + b[:, None], "returned Zᵀ"),
        (lambda X, W, b: np.tanh(X @ W + b), "applied an activation"),
        (lambda X, W, b: 1 / (1 + np.exp(-(X @ W + b))), "applied an activation"),
        (lambda X, W, b: np.maximum(X @ W + b, 0), "applied an activation"),
        # right on the square first case only: the checker names the shape, and does not
        # raise while it tries the known mistakes (W @ X) on the later, non-square cases
        (lambda X, W, b: np.squeeze(X @ W + b), "right numbers, wrong shape"),
        (lambda X, W, b: -(X @ W + b), "sign is wrong"),
        (lambda X, W, b: 2 * (X @ W + b), "2 times"),
    ],
)
def test_dense_forward_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch01.check_dense_forward, answer)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda A, W, b: W @ A, "forgot the bias"),
        (lambda A, W, b: W @ A + b, "wrong axis"),
        (lambda A, W, b: W.T @ A + b[:, None], "multiplied by Wᵀ"),
        (lambda A, W, b: A.T @ W.T + b, "row-convention layout"),
        (lambda A, W, b: (W @ A + b[:, None]).ravel(), "wrong shape"),
        (lambda A, W, b: A @ W + b[:, None], "computed A W"),
    ],
)
def test_column_forward_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch01.check_column_forward, answer)


def _shapes(w, y):
    return lambda n, sizes: [(w(a, b), y(n, a, b)) for a, b in pairwise(sizes)]


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_shapes(lambda a, b: (b, a), lambda n, a, b: (n, b)), "column convention of note 001"),
        (_shapes(lambda a, b: (a, b), lambda n, a, b: (b, n)), "samples are rows"),
        (_shapes(lambda a, b: (b, a), lambda n, a, b: (b, n)), "for both W and Y"),
        (_shapes(lambda a, b: (a, b), lambda n, a, b: (n, a)), "width of the layer's input"),
        (_shapes(lambda a, b: (a, b), lambda n, a, b: (1, b)), "single sample"),
        (lambda n, sizes: [(a, b) for a, b in pairwise(sizes)],
         "layer 1: expected (W^1 shape, Y^1 shape) = ((2, 4), (5, 4)), got (2, 4): give both"),
        (lambda n, sizes: (((a, b), (n, b)) for a, b in pairwise(sizes)), "return a list"),
        (lambda n, sizes: [((a, b), (n, b)) for a, b in pairwise([*sizes, 1])],
         "has 4 entries, expected 3"),
    ],
)
def test_batch_shapes_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch01.check_batch_shapes, answer)


def _forward(step):
    def fn(X, params):
        a = X
        for l, (W, b) in enumerate(params, start=1):
            a = step(a, W, b, l == len(params))
        return a
    return fn


def _every_layer(X, params):
    outputs, a = [], X
    for l, (W, b) in enumerate(params, start=1):
        a = a @ W + b if l == len(params) else np.tanh(a @ W + b)
        outputs.append(a)
    return outputs


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_forward(lambda a, W, b, last: a @ W + b), "forgot the activation"),
        (_forward(lambda a, W, b, last: np.tanh(a @ W + b)), "tanh to the output too"),
        (_forward(lambda a, W, b, last: np.tanh(a @ W + b) if last else a @ W + b),
         "put it on the output"),
        (_forward(lambda a, W, b, last: np.tanh(a) @ W + b), "before the product"),
        (_forward(lambda a, W, b, last: a @ W if last else np.tanh(a @ W)), "forgot the biases"),
        (_forward(lambda a, W, b, last: a @ W.T + b if last else np.tanh(a @ W.T + b)),
         "multiplied by Wᵀ"),
        (_every_layer, "output of every layer"),
        (_forward(lambda a, W, b, last: a @ W if last else np.tanh(a @ W + b)),
         "you forgot the output layer's bias"),
        (_forward(lambda a, W, b, last: a @ W + b if last else 1 / (1 + np.exp(-(a @ W + b)))),
         "your hidden layers use the sigmoid; this network's hidden activation is tanh"),
        (_forward(lambda a, W, b, last: a @ W + b if last else np.maximum(a @ W + b, 0)),
         "your hidden layers use ReLU"),
        (lambda X, params: _forward(lambda a, W, b, last: np.tanh(a @ W + b))(X, params[:-1]),
         "you stopped one layer early: your result is the last hidden layer's a^{L-1}"),
        (lambda X, params: _forward(lambda a, W, b, last: a @ W + b if last
                                    else np.tanh(a @ W + b))(X, params[:-1]),
         "you stopped one layer early: your result is z^{L-1}"),
    ],
)
def test_network_forward_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch01.check_network_forward, answer)


def test_changing_the_input_in_place_is_reported():
    def in_place(X, W, b):
        Z = X @ W + b
        X[:] = 0.0
        return Z

    result = ch01.check_dense_forward(in_place)
    assert result.status == "fail" and "in place" in result.message


def test_results_print_one_friendly_line():
    text = str(ch01.check_dense_forward(lambda X, W, b: X @ W))
    assert text.startswith("✗ dense_forward:") and "\n" not in text
    assert "dense_forward" in ch01.check_dense_forward(stub)._repr_html_()


def test_batch_shapes_are_explained_layer_by_layer():
    def y_first(n, sizes):
        return [((n, b), (a, b)) for a, b in pairwise(sizes)]

    def text(n, sizes):
        return [((str(a), str(b)), (str(n), str(b))) for a, b in pairwise(sizes)]

    def last_layer_wrong(n, sizes):
        shapes = ch01.reference_batch_shapes(n, sizes)
        return [*shapes[:-1], (shapes[-1][0], (n + 1, sizes[-1]))]

    message = diagnosis(ch01.check_batch_shapes, y_first)
    assert message.startswith("layer 1: expected (W^1 shape, Y^1 shape) = ((2, 4), (5, 4)), "
                              "got ((5, 4), (2, 4))") and "W's shape first" in message
    assert "not text" in diagnosis(ch01.check_batch_shapes, text)
    assert diagnosis(ch01.check_batch_shapes, last_layer_wrong).startswith(
        "layer 3: expected (W^3 shape, Y^3 shape) = ((3, 1), (5, 1)), got ((3, 1), (6, 1))")


def test_parameters_in_another_order_are_mentioned():
    # def f(W, X, b) computes X @ W + b with the arrays swapped: W X, for the checker
    def w_first(W, X, b):
        return X @ W + b

    def w_first_column(W, A, b):
        return W @ A + b[:, None]

    assert "(or your parameters are not in the order X, W, b)" in diagnosis(
        ch01.check_dense_forward, w_first)
    assert "(or your parameters are not in the order A, W, b)" in diagnosis(
        ch01.check_column_forward, w_first_column)


def test_batch_shapes_are_whole_numbers():
    def divided(n, sizes):                   # / gives floats: 2.0, not 2
        return [((a / 1, b / 1), (n / 1, b / 1)) for a, b in pairwise(sizes)]

    def last_float(n, sizes):
        shapes = ch01.reference_batch_shapes(n, sizes)
        return [*shapes[:-1], (shapes[-1][0], (n, float(sizes[-1])))]

    assert diagnosis(ch01.check_batch_shapes, divided) == (
        "layer 1: you gave ((2.0, 4.0), (5.0, 4.0)), but shapes are whole numbers: write "
        "((2, 4), (5, 4)) (int(...), or // rather than /).")
    assert diagnosis(ch01.check_batch_shapes, last_float).startswith(
        "layer 3: you gave ((3, 1), (5, 1.0)), but shapes are whole numbers")
    # NumPy's integers are whole numbers too
    assert ch01.check_batch_shapes(
        lambda n, sizes: np.array(ch01.reference_batch_shapes(n, sizes))).passed


def test_dense_forward_in_float32_is_almost_right():
    def float32(X, W, b):
        return (X.astype(np.float32) @ W.astype(np.float32) + b.astype(np.float32)).astype(float)

    message = diagnosis(ch01.check_dense_forward, float32)
    assert message.startswith("almost right") and "float32" in message


def test_network_forward_returning_every_pre_activation_is_no_missing_sum():
    def pre_activations(X, params):
        outputs, a = [], X
        for W, b in params:
            outputs.append(a @ W + b)
            a = np.tanh(outputs[-1])
        return outputs

    message = diagnosis(ch01.check_network_forward, pre_activations)
    assert "you returned a list of 3 arrays of shape (3, 3)" in message
    assert "sum" not in message


def test_network_forward_transposed_on_the_square_case_is_named():
    message = diagnosis(ch01.check_network_forward,
                        lambda X, params: ch01.reference_network_forward(X, params).T)
    assert "transpose of the right one" in message


def test_network_forward_changing_the_parameters_is_reported():
    def zeroes_the_weights(X, params):
        y = ch01.reference_network_forward(X, params)
        params[0][0][:] = 0.0
        return y

    assert "in place" in diagnosis(ch01.check_network_forward, zeroes_the_weights)


def test_network_forward_replacing_a_parameter_by_another_shape_is_reported():
    # the copy can no longer be compared entry by entry (a ragged structure): still "changed"
    def swaps_a_weight(X, params):
        y = ch01.reference_network_forward(X, params)
        params[0] = np.zeros(3)
        return y

    assert "in place" in diagnosis(ch01.check_network_forward, swaps_a_weight)


def test_shapes_almost_whole_are_rounded_in_the_suggestion_not_truncated():
    result = ch01.check_batch_shapes(
        lambda n, s: [((a * (1 - 1e-9), b), (n, b)) for a, b in pairwise(s)])
    assert result.status == "fail" and "write ((2, 4), (5, 4))" in result.message
