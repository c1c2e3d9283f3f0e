"""Errors of ``ColumnNetwork`` and of the explorers that edit a network (chapters 1 and 4).

A learner may reassign ``ColumnNetwork.W``/``b`` after building it, call ``backward`` after a
forward that failed, or pass a wrong index to an explorer's ``set_weight``: each gets an error
naming the class or function, the expected and the actual shapes or values, and what to do;
valid use after such a mistake still gives the right numbers.
"""

import copy
import re

import numpy as np
import pytest

from backprop.activations import ACTIVATIONS
from backprop.layers import Linear, Sequential, Sigmoid
from backprop.network import ColumnNetwork
from backprop.widgets.delta_steps import BackwardStepper
from backprop.widgets.forward_net import DEFAULT, ForwardNetworkExplorer

sigmoid = ACTIVATIONS["sigmoid"].f


def two_layer_net() -> ColumnNetwork:
    """2 → 3 → 1, sigmoid everywhere, all weights one, biases zero."""
    return ColumnNetwork([np.ones((3, 2)), np.ones((1, 3))])


# -- ColumnNetwork: parameters assigned after __init__ are checked at each forward -------------

@pytest.mark.parametrize(("layer", "name", "value", "error", "message"), [
    (0, "b", np.array([[0.1], [0.2], [0.3]]), ValueError,
     "ColumnNetwork.forward: b^1 must have shape (3,), got (3, 1) (a column bias: use "
     "b.ravel())"),
    (0, "b", 0.5, TypeError, "ColumnNetwork.forward: b^1 must be a NumPy array of shape (N^1,), "
     "got float; assign an array, e.g. np.array(...)"),
    (0, "b", np.array(["a", "b", "c"]), TypeError,
     "ColumnNetwork.forward: b^1 must hold real numbers, got dtype <U1"),
    (0, "W", np.ones((4, 2)), ValueError,
     "ColumnNetwork.forward: W^2 has shape (1, 3), so it expects N^1 = 3 inputs, but W^1 has "
     "shape (4, 2) (N^1 = 4)"),
    (1, "W", np.ones((1, 4)), ValueError,
     "ColumnNetwork.forward: W^2 has shape (1, 4), so it expects N^1 = 4 inputs, but W^1 has "
     "shape (3, 2) (N^1 = 3)"),
    (0, "W", [[1, 1]] * 3, TypeError,
     "ColumnNetwork.forward: W^1 must be a NumPy array of shape (N^1, N^0), got list; "
     "assign an array, e.g. np.array(...)"),
    (0, "W", np.array([["a", "b"]] * 3), TypeError,
     "ColumnNetwork.forward: W^1 must hold real numbers, got dtype <U1"),
    (1, "W", np.ones(3), ValueError,
     "ColumnNetwork.forward: W^2 must be a non-empty 2-D array (N^2, N^1), got shape (3,)"),
])
def test_parameters_assigned_after_init_are_checked_at_forward(layer, name, value, error,
                                                               message):
    """What is not an array of numbers is a TypeError, a wrong shape a ValueError."""
    net = two_layer_net()
    getattr(net, name)[layer] = value
    with pytest.raises(error, match=re.escape(message)):
        net.forward(np.ones((2, 5)))


def test_a_layer_appended_without_a_bias_is_named():
    net = two_layer_net()
    net.W.append(np.ones((2, 1)))
    with pytest.raises(ValueError, match=re.escape("ColumnNetwork.forward: 3 weight matrices "
                                                   "but 2 bias vectors")):
        net.forward(np.ones((2, 5)))


def test_new_weights_of_new_shapes_give_the_right_numbers(rng):
    net = two_layer_net()
    W1, b1, W2, b2 = (rng.standard_normal(s) for s in [(4, 2), (4,), (1, 4), (1,)])
    net.W[0] = W1
    with pytest.raises(ValueError, match="W\\^1 has shape \\(4, 2\\)"):
        net.forward(np.ones((2, 5)))             # half done: W^2 and the biases are stale
    net.W[1], net.b[0], net.b[1] = W2, b1, b2
    X = rng.standard_normal((2, 5))
    expected = sigmoid(W2 @ sigmoid(W1 @ X + b1[:, None]) + b2[:, None])
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-14)
    rows = Sequential(Linear.from_weights(W1.T, b1), Sigmoid(), Linear.from_weights(W2.T, b2),
                      Sigmoid())
    np.testing.assert_allclose(net.forward(X), rows.forward(X.T).T, rtol=1e-14)
    assert net.backward(np.ones((1, 5))).dW[0].shape == (4, 2)


# -- ColumnNetwork: backward after a failed forward, wrong argument types ----------------------

@pytest.mark.parametrize(("break_it", "why"), [
    (lambda net: net.forward(np.ones((3, 5))), "expected X of shape (2, n)"),
    (lambda net: (net.b.__setitem__(0, np.ones((3, 1))), net.forward(np.ones((2, 5)))),
     "b^1 must have shape (3,), got (3, 1)"),
])
def test_backward_after_a_failed_forward_is_refused(break_it, why):
    net = two_layer_net()
    net.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape(why)):
        break_it(net)
    with pytest.raises(RuntimeError, match=re.escape("ColumnNetwork.backward called before "
                                                     "forward (or after a forward that "
                                                     "failed)")):
        net.backward(np.ones((1, 4)))


@pytest.mark.parametrize(("net", "got"), [(Linear(2, 2), "Linear"), ([Linear(2, 2)], "list")])
def test_from_sequential_wants_a_sequential(net, got):
    with pytest.raises(TypeError, match=re.escape(f"ColumnNetwork.from_sequential: net must be "
                                                  f"a Sequential of Linear and activation "
                                                  f"layers, got {got}")):
        ColumnNetwork.from_sequential(net)


@pytest.mark.parametrize(("activations", "got"), [(None, "None"), (3, "3")])
def test_activations_must_be_names(activations, got):
    with pytest.raises(TypeError, match=re.escape(f"ColumnNetwork: activations must be one "
                                                  f"name or a list of one name per layer "
                                                  f"(e.g. 'sigmoid' or ['tanh', 'sigmoid']), "
                                                  f"got {got}")):
        ColumnNetwork([np.ones((3, 2)), np.ones((1, 3))], activations=activations)


# -- set_weight / set_bias of the explorers: indices in range, conventions kept ----------------

@pytest.mark.parametrize(("index", "message"), [
    ((0, 1, 1), "l must be an integer from 1 to 3 (the layer: W^1 (3, 2), W^2 (2, 3), "
                "W^3 (1, 2)), got 0"),
    ((4, 1, 1), "l must be an integer from 1 to 3"),
    ((1, 0, 1), "i must be an integer from 1 to 3 (a row of W^1, shape (3, 2)), got 0"),
    ((1, 4, 1), "i must be an integer from 1 to 3 (a row of W^1, shape (3, 2)), got 4"),
    ((3, 1, 3), "j must be an integer from 1 to 2 (a column of W^3, shape (1, 2)), got 3"),
    ((1.0, 1, 1), "l must be an integer from 1 to 3"),
])
def test_stepper_set_weight_refuses_indices_out_of_range(index, message):
    """An index out of range is a ValueError; one that is no integer (1.0) a TypeError."""
    w = BackwardStepper()
    before = copy.deepcopy(w.weights)          # w.weights is the stored list itself
    error = TypeError if isinstance(index[0], float) else ValueError
    with pytest.raises(error, match=re.escape(f"BackwardStepper.set_weight: {message}")
                       + ".*; l, i, j are 1-based, as in the notes$"):
        w.set_weight(*index, 9.0)
    assert w.weights == before and w.error == ""


@pytest.mark.parametrize(("index", "message"), [
    ((-1, 0, 0), "layer must be an integer from 0 to 1 (the layer: weights[0] (2, 3), "
                 "weights[1] (3, 2)), got -1"),
    ((2, 0, 0), "layer must be an integer from 0 to 1"),
    ((0, 2, 0), "i must be an integer from 0 to 1 (a row of weights[0], shape (2, 3)), got 2"),
    ((1, 0, -1), "j must be an integer from 0 to 1 (a column of weights[1], shape (3, 2)), "
                 "got -1"),
])
def test_explorer_set_weight_refuses_indices_out_of_range(index, message):
    w = ForwardNetworkExplorer()
    with pytest.raises(ValueError, match=re.escape(f"ForwardNetworkExplorer.set_weight: "
                                                   f"{message}") + ".*; layer, i, j are 0-based$"):
        w.set_weight(*index, 9.0)
    assert w.weights == DEFAULT["weights"] and w.error == ""


@pytest.mark.parametrize(("index", "message"), [
    ((-1, 0), "layer must be an integer from 0 to 1 (the layer: biases[0] (3,), biases[1] "
              "(2,)), got -1"),
    ((0, 3), "j must be an integer from 0 to 2 (an entry of biases[0], shape (3,)), got 3"),
])
def test_explorer_set_bias_refuses_indices_out_of_range(index, message):
    w = ForwardNetworkExplorer()
    with pytest.raises(ValueError, match=re.escape(f"ForwardNetworkExplorer.set_bias: {message}")
                       + ".*; layer, j are 0-based$"):
        w.set_bias(*index, 9.0)
    assert w.biases == DEFAULT["biases"]


def test_explorer_set_weight_and_set_bias_still_edit_the_0_based_entry():
    w = ForwardNetworkExplorer()
    w.set_weight(1, 2, 1, 0.0)
    w.set_bias(np.int64(1), 1, 0.5)
    assert w.weights[1][2] == [0.6, 0.0] and w.biases[1] == [0.0, 0.5] and w.error == ""


# -- ForwardNetworkExplorer: non-finite numbers, column-convention weights ---------------------

@pytest.mark.parametrize(("kwargs", "where"), [
    ({"weights": [np.full((2, 2), np.nan)]}, "weights[0][0][0] is nan"),
    ({"x": [np.inf, 1.0]}, "x[0] is inf"),
    ({"biases": [[0.0, 0.0, 0.0], [0.0, -np.inf]]}, "biases[1][1] is -inf"),
])
def test_non_finite_numbers_are_named_in_the_widget(kwargs, where):
    w = ForwardNetworkExplorer(**{"weights": DEFAULT["weights"], **kwargs})
    assert w.error == (f"ValueError: ForwardNetworkExplorer: {where}; every weight, bias, input "
                       "and target must be a finite number")
    assert w.limit == 2.0 and w.state == {}


def test_column_convention_weights_are_named_with_a_hint_to_transpose(rng):
    W1, W2, b1, b2 = (rng.standard_normal(s) for s in [(3, 2), (1, 3), (3,), (1,)])
    w = ForwardNetworkExplorer(weights=[W1, W2], biases=[b1, b2], x=[1.0, -0.5], target=[0.0])
    assert w.error == ("ValueError: ForwardNetworkExplorer: widths do not chain: W^2 has shape "
                       "(1, 3), so it expects N^1 = 1 inputs, but W^1 has shape (3, 2) (N^1 = "
                       "2); row-convention weights W^l are (N^{l-1}, N^l): transpose "
                       "column-convention weights (W.T)")
    w.weights = [W1.T, W2.T]
    column = ColumnNetwork([W1, W2], [b1, b2], ["tanh", "identity"])
    assert w.error == ""
    np.testing.assert_allclose(w.state["a"][-1], column.forward([1.0, -0.5])[:, 0], rtol=1e-14)
