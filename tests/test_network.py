"""Tests of backprop.network: the column-convention δ recursion against numerical gradients
and against the row-convention ``Sequential`` on the same weights."""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from backprop.losses import MSE
from backprop.network import BackwardResult, ColumnNetwork

TOL = 1e-7
ACTS = ["sigmoid", "tanh", "relu", "identity"]


def random_network(rng, sizes, activations):
    """Weights ~ N(0, 1/N^{l-1}) (so units do not all saturate), biases ~ N(0, 0.1²)."""
    weights = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
               for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [0.1 * rng.standard_normal(n_out) for n_out in sizes[1:]]
    return ColumnNetwork(weights, biases, activations)


def half_sum_loss(net, X, T):
    """L = ½ Σ (a^L − T)², so ∂L/∂a^L = a^L − T."""
    return 0.5 * float(np.sum((net.forward(X) - T) ** 2))


def loss_from_z(net, l, z, T):
    """L as a function of z^l alone (layers l+1 … L recomputed from it); l counts from 1."""
    a = net.f[l - 1].f(z)
    for W, b, f in zip(net.W[l:], net.b[l:], net.f[l:], strict=True):
        a = f.f(W @ a + b[:, None])
    return 0.5 * float(np.sum((a - T) ** 2))


def test_forward_hand_worked():
    net = ColumnNetwork([[[1.0, -1.0]], [[2.0]]], [[0.5], [-1.0]], ["relu", "identity"])
    X = np.array([[1.0, 0.0], [2.0, -1.0]])  # two samples as columns: (1, 2) and (0, -1)
    # z^1 = [1 − 2 + 0.5, 0 + 1 + 0.5] = [−0.5, 1.5], a^1 = [0, 1.5], a^2 = 2 a^1 − 1
    np.testing.assert_allclose(net.forward(X), [[-1.0, 2.0]])
    np.testing.assert_allclose(net.z[0], [[-0.5, 1.5]])
    assert net.sizes == [2, 1, 1]


@pytest.mark.parametrize("activation", ACTS)
def test_gradients_match_numerical_fixed(activation, rng):
    net = random_network(rng, [3, 4, 2], activation)
    X, T = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    result = net.backward(net.forward(X) - T)
    assert isinstance(result, BackwardResult)
    for l in range(2):
        numeric_W = numerical_gradient(lambda _: half_sum_loss(net, X, T), net.W[l])
        numeric_b = numerical_gradient(lambda _: half_sum_loss(net, X, T), net.b[l])
        assert result.dW[l].shape == net.W[l].shape and result.db[l].shape == net.b[l].shape
        assert relative_error(result.dW[l], numeric_W) < TOL
        assert relative_error(result.db[l], numeric_b) < TOL


NET_EPS = 1e-5  # near the best step ε_mach^(1/3) for central differences through deep chains


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=5), n=st.integers(1, 4),
       activations=st.lists(st.sampled_from(ACTS), min_size=4, max_size=4),
       seed=st.integers(0, 10**6))
def test_deltas_are_dL_dz(sizes, n, activations, seed, floored_relative_error):
    """δ^l from the recursion equals the numerical ∂L/∂z^l for every layer l."""
    rng = np.random.default_rng(seed)
    net = random_network(rng, sizes, activations[:len(sizes) - 1])
    X, T = rng.standard_normal((sizes[0], n)), rng.standard_normal((sizes[-1], n))
    dL_daL = net.forward(X) - T
    # a ReLU pre-activation within the central differences' step of 0 straddles the kink
    assume(all(np.abs(z).min() > 100 * NET_EPS for f, z in zip(net.f, net.z, strict=True)
               if f.name == "relu"))
    result = net.backward(dL_daL)
    for l in range(1, len(sizes)):
        z = net.z[l - 1].copy()
        numeric = numerical_gradient(lambda z_, l=l: loss_from_z(net, l, z_, T), z, NET_EPS)
        assert result.deltas[l - 1].shape == (sizes[l], n)
        error = floored_relative_error(result.deltas[l - 1], numeric, np.linalg.norm(dL_daL))
        assert error < TOL, l


@pytest.mark.parametrize("activation", ACTS)
def test_deltas_are_dL_dz_fixed(activation, rng):
    net = random_network(rng, [3, 4, 3, 2], activation)
    X, T = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    result = net.backward(net.forward(X) - T)
    for l in (1, 2, 3):
        numeric = numerical_gradient(lambda z_, l=l: loss_from_z(net, l, z_, T),
                                     net.z[l - 1].copy())
        assert relative_error(result.deltas[l - 1], numeric) < TOL, l


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), n=st.integers(1, 4),
       activations=st.lists(st.sampled_from(ACTS), min_size=3, max_size=3),
       reduction=st.sampled_from(["mean", "sum", "half_sum"]), seed=st.integers(0, 10**6))
def test_column_and_row_conventions_agree(sizes, n, activations, reduction, seed):
    """Same weights: the same loss, and the row gradients are the column ones transposed."""
    rng = np.random.default_rng(seed)
    col = random_network(rng, sizes, activations[:len(sizes) - 1])
    row = col.to_sequential()
    X, T = rng.standard_normal((n, sizes[0])), rng.standard_normal((n, sizes[-1]))

    loss = MSE(reduction)
    row_value = loss.forward(row.forward(X), T)
    dX_row = row.backward(loss.backward())
    col_value = loss.forward(col.forward(X.T).T, T)
    result = col.backward(loss.backward().T)

    assert col_value == pytest.approx(row_value, rel=1e-12)
    linears = [layer for layer in row if isinstance(layer, Linear)]
    assert len(linears) == len(col.W)
    for l, layer in enumerate(linears):
        np.testing.assert_allclose(layer.W, col.W[l].T, rtol=0)
        np.testing.assert_allclose(layer.dW, result.dW[l].T, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.db, result.db[l], rtol=1e-12, atol=1e-14)
    # ∂L/∂X (row) is (W^1)ᵀ δ^1 (column), transposed
    np.testing.assert_allclose(dX_row, (col.W[0].T @ result.deltas[0]).T, rtol=1e-12,
                               atol=1e-14)


def test_round_trip_between_conventions(rng):
    row = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng), Sigmoid(),
                     Linear(2, 1, rng=rng))
    col = ColumnNetwork.from_sequential(row)
    assert [f.name for f in col.f] == ["tanh", "sigmoid", "identity"]
    X = rng.standard_normal((5, 3))
    np.testing.assert_allclose(col.forward(X.T).T, row.forward(X), rtol=1e-14)
    back = col.to_sequential()
    for a, b in zip(row.parameters(), back.parameters(), strict=True):
        np.testing.assert_array_equal(a[0], b[0])
    row[0].W[0, 0] += 1.0  # from_sequential copies: the column net is not affected
    assert col.W[0][0, 0] != row[0].W[0, 0]


def test_one_dimensional_input_is_one_column(rng):
    net = random_network(rng, [3, 2], "tanh")
    x = rng.standard_normal(3)
    np.testing.assert_allclose(net.forward(x), net.forward(x[:, None]))
    assert net.forward(x).shape == (2, 1)


def test_backward_does_not_modify_its_argument(rng):
    net = random_network(rng, [2, 3, 2], "sigmoid")
    net.forward(rng.standard_normal((2, 4)))
    g = rng.standard_normal((2, 4))
    before = g.copy()
    result = net.backward(g)
    np.testing.assert_array_equal(g, before)
    assert not np.shares_memory(result.deltas[-1], g)


def test_default_biases_are_zero(rng):
    net = ColumnNetwork([rng.standard_normal((2, 3))], activations="identity")
    np.testing.assert_array_equal(net.b[0], [0.0, 0.0])


# -- errors --------------------------------------------------------------------------------

def test_weights_must_chain():
    message = ("ColumnNetwork: W^2 has shape (2, 4), so it expects N^1 = 4 inputs, "
               "but W^1 has shape (3, 2) (N^1 = 3)")
    with pytest.raises(ValueError, match=re.escape(message)):
        ColumnNetwork([np.ones((3, 2)), np.ones((2, 4))])


@pytest.mark.parametrize("W", [np.ones(3), np.ones((0, 2)), np.ones((2, 2, 2))])
def test_weights_must_be_non_empty_matrices(W):
    with pytest.raises(ValueError, match=re.escape(f"W^1 must be a non-empty 2-D array "
                                                   f"(N^1, N^0), got shape {W.shape}")):
        ColumnNetwork([W])


def test_bias_errors():
    with pytest.raises(ValueError, match=re.escape("b^1 must have shape (3,), got (2,)")):
        ColumnNetwork([np.ones((3, 2))], [np.ones(2)])
    with pytest.raises(ValueError, match="2 weight matrices but 1 bias vectors"):
        ColumnNetwork([np.ones((3, 2)), np.ones((1, 3))], [np.ones(3)])


def test_activation_errors():
    with pytest.raises(ValueError, match="ColumnNetwork: 2 layers but 1 activations"):
        ColumnNetwork([np.ones((3, 2)), np.ones((1, 3))], activations=["tanh"])
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        ColumnNetwork([np.ones((3, 2))], activations="softmax")
    with pytest.raises(ValueError, match="ColumnNetwork needs at least one weight matrix"):
        ColumnNetwork([])


@pytest.mark.parametrize("shape", [(3, 5), (5, 2), (2, 2, 2)])
def test_wrong_input_shape(shape):
    net = ColumnNetwork([np.ones((3, 2))])
    with pytest.raises(ValueError, match=re.escape(f"ColumnNetwork.forward: expected X of "
                                                   f"shape (2, n) (samples as columns), got "
                                                   f"{shape}")):
        net.forward(np.ones(shape))


def test_backward_errors():
    net = ColumnNetwork([np.ones((3, 2))])
    with pytest.raises(RuntimeError, match="ColumnNetwork.backward called before forward"):
        net.backward(np.ones((3, 4)))
    net.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape("ColumnNetwork.backward: expected ∂L/∂a^L "
                                                   "of shape (3, 4), got (4, 3)")):
        net.backward(np.ones((4, 3)))


@pytest.mark.parametrize("layers", [(Tanh(), Linear(2, 2)),
                                    (Linear(2, 2), Tanh(), ReLU()),
                                    (Sequential(Linear(2, 2)),)])
def test_from_sequential_rejects_other_structures(layers):
    with pytest.raises(ValueError, match="ColumnNetwork.from_sequential: cannot place"):
        ColumnNetwork.from_sequential(Sequential(*layers))


def test_one_weight_matrix_instead_of_a_list_is_explained():
    with pytest.raises(TypeError, match=r"weights is one array of shape \(3, 2\); pass a list"):
        ColumnNetwork(np.ones((3, 2)))


@pytest.mark.parametrize(("make", "message"), [
    (lambda: ColumnNetwork([[[1.0, None]]]), r"ColumnNetwork: W\^1 must hold real numbers, but "
                                             r"it holds None"),
    (lambda: ColumnNetwork([[[1.0, 2.0]]], [["b"]]), r"ColumnNetwork: b\^1 must hold real "
                                                     r"numbers \(float, int or bool\), got "
                                                     r"dtype <U1"),
    (lambda: ColumnNetwork([[[1.0, 2.0]]]).forward([[1.0], [None]]),
     r"ColumnNetwork.forward: X must hold real numbers, but it holds None"),
])
def test_none_and_strings_are_refused_not_turned_into_nan(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_samples_as_rows_and_an_unknown_activation_are_named():
    net = ColumnNetwork([np.ones((3, 2)), np.ones((1, 3))])
    with pytest.raises(ValueError, match=r"expected X of shape \(2, n\) \(samples as columns\), "
                                         r"got \(5, 2\); samples as rows\? pass X.T"):
        net.forward(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"ColumnNetwork: unknown activation 'ReLU'; expected "
                                         r"one of: identity, relu"):
        ColumnNetwork([np.ones((3, 2))], activations="ReLU")
