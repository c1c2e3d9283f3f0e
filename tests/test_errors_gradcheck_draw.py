"""Bad input to backprop.gradcheck, backprop.draw and GradCheckExplorer gets a clear error that
names the function, what was expected and what was given; valid input still works."""

import re

import numpy as np
import pytest
from draw_support import close_figures  # noqa: F401 (autouse: Agg, and figures closed)

from backprop import draw
from backprop.gradcheck import (
    check_layer,
    check_loss,
    check_network,
    numerical_gradient,
    relative_error,
)
from backprop.layers import Linear, Sequential, Tanh
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.train import History
from backprop.widgets.gradcheck_view import GradCheckExplorer


class BuggyLayer(Linear):
    """dW twice too large: a check on any real batch sees it."""

    def _backward(self, dY):
        dX = super()._backward(dY)
        self.dW = 2 * self.dW
        return dX


def _net():
    return Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 2, seed=1))


X4 = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [1.0, 1.0]])
Y4 = np.array([0, 1, 1, 0])


# -- 1. an empty batch or x has nothing to check --------------------------------------------

def test_check_layer_and_check_network_refuse_an_empty_batch():
    with pytest.raises(ValueError, match=r"check_layer: X is empty \(shape \(0, 3\)\): it has "
                                         r"no entry.*give it at least one row"):
        check_layer(BuggyLayer(3, 2, seed=0), np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"check_layer: X is empty \(shape \(3, 0\)\): it has "
                                         r"no entry"):          # three rows of nothing
        check_layer(Tanh(), np.ones((3, 0)))
    with pytest.raises(ValueError, match=r"check_network: X is empty \(shape \(0, 2\)\)"):
        check_network(_net(), SoftmaxCrossEntropy(), np.ones((0, 2)), np.array([], int))
    assert check_layer(BuggyLayer(3, 2, seed=0), np.ones((2, 3)))["W"] > 0.1  # still caught


def test_numerical_gradient_refuses_an_empty_x():
    with pytest.raises(ValueError, match=r"numerical_gradient: x is empty \(shape \(0,\)\): "
                                         r"there is no entry to perturb"):
        numerical_gradient(lambda v: 0.0, np.array([]))


# -- 2. a non-finite f, a step that rounds away ---------------------------------------------

@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_numerical_gradient_refuses_a_non_finite_f(value):
    with pytest.raises(ValueError, match=rf"numerical_gradient: f returned {value} at x \+ ε "
                                         r".* perturbing x\[0\] = 1; f must return a finite"):
        numerical_gradient(lambda x: value, np.array([1.0, 2.0]))


def test_numerical_gradient_names_the_entry_where_f_stops_being_finite():
    x = np.array([[1.0, 2.0], [0.0, 3.0]])                 # √(0 − ε) is NaN

    def f(v):
        with np.errstate(invalid="ignore"):
            return float(np.sum(np.sqrt(v)))

    with pytest.raises(ValueError, match=r"f returned \S+ at x \+ ε and nan at x − ε when "
                                         r"perturbing x\[1, 0\] = 0"):
        numerical_gradient(f, x)


def test_numerical_gradient_refuses_a_float64_step_that_rounds_back_to_x():
    x = np.array([3.0])
    with pytest.raises(ValueError, match=r"numerical_gradient: ε = 1e-17 is too small for "
                                         r"x\[0\] = 3: in float64 x ± ε rounds back to x.*"
                                         r"pass eps=1e-06"):
        numerical_gradient(lambda v: float(np.sum(v**3)), x, eps=1e-17)
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v**3)), x), [27.0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_the_suggested_step_for_a_coarse_dtype_is_accepted(dtype):
    x = np.array([1.0, 3.0], dtype=dtype)

    def f(v):
        return float(np.sum(v.astype(np.float64) ** 2))

    with pytest.raises(ValueError, match=rf"x is {np.dtype(dtype)}, too coarse") as err:
        numerical_gradient(f, x, eps=1e-4)
    suggested = float(re.search(r"pass eps=(\S+)$", str(err.value))[1])
    np.testing.assert_allclose(numerical_gradient(f, x, eps=suggested), [2.0, 6.0], rtol=1e-2)


# -- 3. a class, a function or swapped arguments instead of a layer or a loss ----------------

@pytest.mark.parametrize("call, message", [
    (lambda: check_layer(Linear, X4),
     r"check_layer: layer must be a layer object such as Linear\(3, 2\).*got the class Linear: "
     r"make one, with the parentheses, Linear\(\.\.\.\)"),
    (lambda: check_layer(np.tanh, X4),
     r"check_layer: layer must be a layer object .* got the function tanh, which has no "
     r"backward"),
    (lambda: check_layer([Linear(2, 3), Tanh()], X4),
     r"check_layer: .* got a list: put the layers in Sequential\(\.\.\.\)"),
    (lambda: check_loss(MSE, X4, X4),
     r"check_loss: loss must be a loss object such as MSE\(\) or SoftmaxCrossEntropy\(\), got "
     r"the class MSE: make one, with the parentheses"),
    (lambda: check_loss(lambda a, b: 0.0, X4, X4),
     r"check_loss: loss must be a loss object .* got the function <lambda>"),
    (lambda: check_network(_net(), SoftmaxCrossEntropy, X4, Y4),
     r"check_network: loss must be a loss object .* got the class SoftmaxCrossEntropy"),
    (lambda: check_network(SoftmaxCrossEntropy(), _net(), X4, Y4),
     r"check_network: the network comes first and the loss second, check_network\(net, loss, "
     r"X, target\); got the loss SoftmaxCrossEntropy\(\) first"),
    (lambda: check_layer(Linear(2, 3), [["a", "b"]]),
     r"check_layer: X must hold real numbers \(float, int or bool\), got dtype <U1"),
    (lambda: GradCheckExplorer(layer=Linear),
     r"GradCheckExplorer\(layer=\.\.\.\): Linear is a class; pass a layer object, made with "
     r"the parentheses, such as Linear\(\.\.\.\), or one of the names \['linear'"),
])
def test_wrong_kind_of_argument_gets_a_clear_type_error(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_the_explorer_still_passes_a_correct_layer_object():
    assert max(GradCheckExplorer(Linear(3, 2, seed=1)).state["errors"].values()) < 1e-7


# -- 4. NaN and inf in the data --------------------------------------------------------------

def test_check_layer_refuses_a_non_finite_batch():
    with pytest.raises(ValueError, match=r"check_layer: X must hold finite numbers, but "
                                         r"X\[0, 0\] is nan \(4 NaN or inf in all\)"):
        check_layer(Linear(2, 3, seed=0), np.full((2, 2), np.nan))


@pytest.mark.parametrize("a, b, bad", [
    (np.array([np.inf]), np.array([1.0]), r"a must hold finite numbers, but a\[0\] is inf"),
    (np.ones((2, 2)), np.array([[1.0, 1.0], [1.0, np.nan]]),
     r"b must hold finite numbers, but b\[1, 1\] is nan"),
])
def test_relative_error_refuses_non_finite_arrays(a, b, bad):
    with pytest.raises(ValueError, match=r"relative_error: " + bad + r".*find where it comes"):
        relative_error(a, b)


# -- 5. decision_boundary --------------------------------------------------------------------

def _two_classes(P):
    """Scores (m, 2): class 1 right of x₁ = 0.5."""
    right = P[:, 0] > 0.5
    return np.column_stack([~right, right]).astype(float)


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((_two_classes, X4[:, 0], Y4), {}, ValueError,
     r"X must have shape \(n, 2\) with n ≥ 1 .*got \(4,\)"),
    ((_two_classes, np.ones((4, 3)), Y4), {}, ValueError,
     r"X must have shape \(n, 2\).*got \(4, 3\): pick two features, e.g. X\[:, :2\]"),
    ((_two_classes, np.ones((0, 2)), np.array([], int)), {}, ValueError,
     r"X must have shape \(n, 2\) with n ≥ 1 .*got \(0, 2\)"),
    ((_two_classes, X4, Y4[:3]), {}, ValueError, r"X has 4 points but y has 3 labels"),
    ((X4, _two_classes, Y4), {}, TypeError,
     r"predict_proba must be a function .*got ndarray \(it comes first: "
     r"decision_boundary\(predict_proba, X, y\)\)"),
    ((lambda P: _two_classes(P)[:5], X4, Y4), {}, ValueError,
     r"predict_proba must return one row per grid point of P \(400, 2\).*got shape \(5, 2\)"),
    ((lambda P: None, X4, Y4), {}, TypeError, r"predict_proba returned None"),
    ((_two_classes, X4, Y4), {"resolution": 1}, ValueError,
     r"resolution is the number of grid points along each axis, a whole number ≥ 2 .*got 1"),
    ((_two_classes, X4, np.array([0, 0.5, 1, 1])), {}, ValueError,
     r"y must hold class indices \(n,\), whole numbers ≥ 0.*dtype float64"),
    ((_two_classes, X4, np.array([0, -1, 1, 1])), {}, ValueError,
     r"y must hold class indices .* values from -1 to 1"),
    ((lambda P: np.full(len(P), -1), X4, Y4), {}, ValueError,
     r"predict_proba returned the class label -1"),
    ((lambda P: np.full(len(P), "a"), X4, Y4), {}, TypeError,
     r"predict_proba must return numbers, got dtype <U1"),
    ((_two_classes, X4, np.array(list("abab"))), {}, TypeError,
     r"y must hold class indices or one-hot rows, got dtype <U1"),
])
def test_decision_boundary_says_what_it_expected(args, kwargs, error, message):
    kwargs = {"resolution": 20} | kwargs
    with pytest.raises(error, match=r"draw.decision_boundary: " + message):
        draw.decision_boundary(*args, **kwargs)


@pytest.mark.parametrize("y", [Y4, Y4.astype(float), np.eye(2)[Y4]])
def test_decision_boundary_still_draws(y):
    fig = draw.decision_boundary(_two_classes, X4, y, resolution=20)
    labels = [c.get_label() for c in fig.axes[0].collections if c.get_label().startswith("c")]
    assert labels == ["class 0", "class 1"]


# -- 6. curves and heatmaps ------------------------------------------------------------------

def test_curves_ask_for_a_list_not_a_history():
    history = History(loss=[1.0, 0.5])
    with pytest.raises(TypeError, match=r"draw.curves: curve 'loss' is a whole History; pass "
                                        r"history.loss \(a list\)"):
        draw.curves({"loss": history})
    with pytest.raises(TypeError, match=r"draw.curves: curve 'a' is None"):
        draw.curves({"a": None})
    with pytest.raises(ValueError, match=r"draw.curves: curve 'a' must be a list of numbers.*"
                                         r"shape \(2, 2\)"):
        draw.curves({"a": np.ones((2, 2))})
    (line,) = draw.curves({"loss": history.loss}).axes[0].lines
    assert list(line.get_ydata()) == [1.0, 0.5]


def test_heatmaps_want_outline_as_a_list_of_cells():
    with pytest.raises(TypeError, match=r"draw.heatmaps: outline is a list of \(i, j\) cells.*"
                                        r"got \(1, 1\) \(for the one cell \(1, 1\) write "
                                        r"outline=\[\(1, 1\)\]\)"):
        draw.heatmaps({"a": np.ones((2, 2))}, outline=(1, 1))
    fig = draw.heatmaps({"a": np.eye(2)}, outline=np.argwhere(np.eye(2)))
    assert len(fig.axes[0].patches) == 2


@pytest.mark.parametrize("matrix, error, message", [
    (np.ones((0, 2)), ValueError, r"must be a non-empty 2-D array .*got shape \(0, 2\)"),
    (np.array([]), ValueError, r"must be a non-empty 2-D array .*got shape \(0,\)"),
    (np.ones((2, 2, 2)), ValueError, r"must be a non-empty 2-D array .*got shape \(2, 2, 2\)"),
    (None, TypeError, r"is None"),
])
def test_heatmaps_refuse_what_is_not_a_matrix(matrix, error, message):
    with pytest.raises(error, match=r"draw.heatmaps: matrix 'a' " + message):
        draw.heatmaps({"a": matrix})


def test_heatmaps_still_draw_a_vector_as_one_row():
    fig = draw.heatmaps({"db": np.array([1.0, 2.0, 3.0])})
    assert fig.axes[0].images[0].get_array().shape == (1, 3)
