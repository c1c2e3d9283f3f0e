"""Tests of backprop.losses: values, gradients vs central differences, stability, errors."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.gradcheck import check_loss, numerical_gradient, relative_error
from backprop.losses import MSE, SoftmaxCrossEntropy

TOL = 1e-7
REDUCTIONS = ["mean", "sum", "half_sum"]
FINITE = {"over": "raise", "divide": "raise", "invalid": "raise"}


# -- MSE -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("reduction", "value", "grad"), [
    ("mean", 14 / 4, [[0.5, 0.0], [1.0, 1.5]]),
    ("sum", 14.0, [[2.0, 0.0], [4.0, 6.0]]),
    ("half_sum", 7.0, [[1.0, 0.0], [2.0, 3.0]]),
])
def test_mse_hand_worked(reduction, value, grad):
    pred, target = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])
    loss = MSE(reduction)  # differences 1, 0, 2, 3: Σ d² = 14 over N = 4 elements
    assert loss.forward(pred, target) == pytest.approx(value, rel=1e-15)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-15)


def test_mse_default_is_mean():
    assert MSE().reduction == "mean"
    assert MSE()(np.array([[3.0]]), np.array([[1.0]])) == 4.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_gradient_fixed(reduction, rng):
    pred, target = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert check_loss(MSE(reduction), pred, target) < TOL


@settings(max_examples=25, deadline=None)
@given(reduction=st.sampled_from(REDUCTIONS), shape=st.lists(st.integers(1, 5), min_size=1,
                                                              max_size=3),
       seed=st.integers(0, 10**6))
def test_mse_gradient_random(reduction, shape, seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss = MSE(reduction)
    loss.forward(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda p: loss.forward(p, target), pred)
    assert analytic.shape == pred.shape
    assert relative_error(analytic, numeric) < TOL


def test_mse_reductions_are_consistent(rng):
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    mean, total, half = (MSE(r).forward(pred, target) for r in REDUCTIONS)
    assert total == pytest.approx(12 * mean, rel=1e-14)
    assert half == pytest.approx(total / 2, rel=1e-14)


# -- softmax cross-entropy -----------------------------------------------------------------

def test_cross_entropy_hand_worked():
    ce = SoftmaxCrossEntropy()
    assert ce.forward(np.zeros((1, 2)), np.array([0])) == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_allclose(ce.backward(), [[-0.5, 0.5]], rtol=1e-15)
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = (np.log(np.exp([1.0, 2.0, 3.0]).sum()) - 3.0 + np.log(3)) / 2
    assert ce.forward(logits, np.array([2, 1])) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(ce.probs.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(ce.probs[1], [1 / 3] * 3, rtol=1e-15)


def random_labels(rng, n, C, kind):
    idx = rng.integers(0, C, size=n)
    if kind == "index":
        return idx
    if kind == "one_hot":
        return np.eye(C)[idx]
    soft = rng.uniform(0.1, 1.0, size=(n, C))
    return soft / soft.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["index", "one_hot", "soft"])
def test_cross_entropy_gradient_fixed(kind, rng):
    logits = 3 * rng.standard_normal((6, 4))
    assert check_loss(SoftmaxCrossEntropy(), logits, random_labels(rng, 6, 4, kind)) < TOL


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(["index", "one_hot", "soft"]), n=st.integers(1, 6),
       C=st.integers(2, 5), scale=st.sampled_from([0.1, 1.0, 5.0]), seed=st.integers(0, 10**6))
def test_cross_entropy_gradient_random(kind, n, C, scale, seed):
    rng = np.random.default_rng(seed)
    logits = scale * rng.standard_normal((n, C))
    labels = random_labels(rng, n, C, kind)
    ce = SoftmaxCrossEntropy()
    ce.forward(logits, labels)
    analytic = ce.backward()
    numeric = numerical_gradient(lambda z: ce.forward(z, labels), logits)
    # with a single class the loss is identically 0 and so is its gradient
    assert np.linalg.norm(analytic - numeric) <= TOL * max(np.linalg.norm(numeric), 1e-8)


def test_index_and_one_hot_labels_agree(rng):
    logits, idx = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    a, b = SoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    assert a.forward(logits, idx) == b.forward(logits, np.eye(3)[idx])
    np.testing.assert_array_equal(a.backward(), b.backward())
    assert np.array_equal(a.forward(logits, idx.astype(np.uint8)), a.forward(logits, idx))


def test_cross_entropy_stable_for_logits_of_1e4():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, 1e4, 1e4]])
    ce = SoftmaxCrossEntropy()
    with np.errstate(**FINITE):
        value = ce.forward(logits, np.array([0, 0, 2]))
        grad = ce.backward()
    # row 0: right with certainty, loss 0; row 1: −log softmax = 2e4 + log 2; row 2: log 3
    assert value == pytest.approx((0.0 + 2e4 + np.log(2) + np.log(3)) / 3, rel=1e-15)
    expected = np.array([[0, 0, 0], [-1, 0.5, 0.5], [1 / 3, 1 / 3, -2 / 3]]) / 3
    np.testing.assert_allclose(grad, expected, atol=1e-15)
    assert np.all(np.isfinite(ce.probs))


def test_cross_entropy_of_a_certain_right_answer_is_plus_zero():
    # printed as "0.0", not "-0.0", in a learning curve or a progress bar
    value = SoftmaxCrossEntropy().forward(np.array([[1e4, -1e4]]), np.array([0]))
    assert value == 0.0 and not np.signbit(value)


def test_float32_logits_keep_float32():
    ce = SoftmaxCrossEntropy()
    ce.forward(np.array([[1e4, -1e4]], dtype=np.float32), np.array([1]))
    assert ce.backward().dtype == np.float32 and np.all(np.isfinite(ce.backward()))
    loss = MSE()
    loss.forward(np.ones((2, 2), dtype=np.float32), np.zeros((2, 2)))
    assert loss.backward().dtype == np.float32


def test_integer_inputs_give_float64_gradients():
    loss = MSE("half_sum")
    loss.forward(np.array([[3, 1]]), np.array([[1, 1]]))
    grad = loss.backward()
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad, [[2.0, 0.0]])
    ce = SoftmaxCrossEntropy()
    ce.forward(np.array([[0, 0]]), np.array([1]))
    assert ce.backward().dtype == np.float64


# -- the contract --------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [MSE(), SoftmaxCrossEntropy()])
def test_forward_does_not_modify_inputs_and_backward_returns_a_copy(loss, rng):
    pred = rng.standard_normal((4, 3))
    target = (np.array([0, 1, 2, 1]) if isinstance(loss, SoftmaxCrossEntropy)
              else rng.standard_normal((4, 3)))
    before = pred.copy(), target.copy()
    loss.forward(pred, target)
    np.testing.assert_array_equal(pred, before[0])
    np.testing.assert_array_equal(target, before[1])
    grad = loss.backward()
    grad[:] = 0.0
    assert np.any(loss.backward() != 0.0)


def test_repr():
    assert repr(MSE("sum")) == "MSE(reduction='sum')"


# -- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("loss", "args"), [(MSE(), "pred, target"),
                                            (SoftmaxCrossEntropy(), "logits, labels")])
def test_backward_before_forward(loss, args):
    with pytest.raises(RuntimeError, match=re.escape(
            f"{loss.name}.backward called before forward (or after a forward that failed): "
            f"run forward({args}) first")):
        loss.backward()


def test_unknown_reduction():
    with pytest.raises(ValueError, match=r"MSE: unknown reduction 'avg'; expected one of "
                                         r"'mean', 'sum', 'half_sum'"):
        MSE("avg")


@pytest.mark.parametrize(("pred", "target", "hint"), [
    ((4, 1), (4,), " (use target.reshape(4, 1))"),
    ((4, 2), (4, 3), ""),
    ((3,), (3, 1), " (use target.reshape(3,))"),
])
def test_mse_mismatched_shapes(pred, target, hint):
    message = (f"MSE.forward: pred has shape {pred} but target has shape {target}; "
               f"they must match{hint}")
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        MSE().forward(np.ones(pred), np.ones(target))


def test_mse_empty():
    with pytest.raises(ValueError, match=r"MSE.forward: pred and target are empty"):
        MSE().forward(np.ones((0, 2)), np.ones((0, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["pred", "target"])
def test_mse_non_finite(bad, where):
    pred, target = np.ones((2, 2)), np.zeros((2, 2))
    (pred if where == "pred" else target)[1, 0] = bad
    cause = "a diverging learning rate" if where == "pred" else "check the data given as target"
    with pytest.raises(ValueError, match=f"MSE.forward: {where} contains 1 NaN or inf.*{cause}"):
        MSE().forward(pred, target)


def test_losses_take_an_object_array_of_numbers_and_refuse_one_with_none():
    mixed = np.array([[1, 2.5], [np.int64(3), np.float32(-1.0)]], dtype=object)
    assert MSE().forward(mixed, np.zeros((2, 2))) == MSE().forward(mixed.astype(float),
                                                                   np.zeros((2, 2)))
    with pytest.raises(TypeError, match=r"MSE.forward: target must hold real numbers, but it "
                                        r"holds None"):
        MSE().forward(np.zeros((2, 1)), np.array([[1.0], [None]], dtype=object))


@pytest.mark.parametrize(("loss", "pred", "target", "what"), [
    (MSE(), np.full((2, 1), "1"), np.ones((2, 1)), "pred"),
    (MSE(), np.ones((2, 1)), np.full((2, 1), "a"), "target"),
    (SoftmaxCrossEntropy(), np.full((2, 2), "1"), np.array([0, 1]), "logits"),
    (SoftmaxCrossEntropy(), np.ones((2, 2)), np.full((2, 2), "a"), "labels"),
])
def test_losses_refuse_text(loss, pred, target, what):
    with pytest.raises(TypeError, match=rf"{loss.name}.forward: {what} must hold real numbers "
                                        r"\(float, int or bool\), got dtype <U1"):
        loss.forward(pred, target)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cross_entropy_non_finite(bad):
    logits = np.zeros((3, 2))
    logits[0, 1] = bad
    with pytest.raises(ValueError, match="SoftmaxCrossEntropy.forward: logits contains 1 NaN"):
        SoftmaxCrossEntropy().forward(logits, np.array([0, 1, 0]))
    labels = np.eye(2)[[0, 1, 0]]
    labels[2, 1] = bad
    with pytest.raises(ValueError, match="SoftmaxCrossEntropy.forward: labels contains 1 NaN"):
        SoftmaxCrossEntropy().forward(np.zeros((3, 2)), labels)


@pytest.mark.parametrize("labels", [[0, 3, 1], [-1, 0, 1]])
def test_labels_out_of_range(labels):
    lo, hi = min(labels), max(labels)
    message = (f"SoftmaxCrossEntropy.forward: labels must lie in [0, 2] for 3 classes, "
               f"got values from {lo} to {hi}")
    with pytest.raises(ValueError, match=re.escape(message)):
        SoftmaxCrossEntropy().forward(np.zeros((3, 3)), np.array(labels))


@pytest.mark.parametrize("labels", [np.array([0.0, 1.0, 2.0]), np.array([True, False, True])])
def test_labels_of_the_wrong_dtype(labels):
    with pytest.raises(ValueError, match=f"class-index labels must be integers, got dtype "
                                         f"{labels.dtype}"):
        SoftmaxCrossEntropy().forward(np.zeros((3, 3)), labels)


@pytest.mark.parametrize("shape", [(3, 1), (4,), (3, 4), (1, 3)])
def test_labels_of_the_wrong_shape(shape):
    message = (f"SoftmaxCrossEntropy.forward: labels must have shape (3,) (class indices) or "
               f"(3, 3) (one-hot) for logits of shape (3, 3), got {shape}")
    with pytest.raises(ValueError, match=re.escape(message)):
        SoftmaxCrossEntropy().forward(np.zeros((3, 3)), np.zeros(shape, dtype=int))


def test_one_hot_rows_must_be_distributions():
    with pytest.raises(ValueError, match=r"one-hot labels of shape \(2, 2\) must be "
                                         r"non-negative with rows that sum to 1"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 2)), np.array([[1.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        SoftmaxCrossEntropy().forward(np.zeros((1, 2)), np.array([[2.0, -1.0]]))


def test_one_hot_rows_are_checked_row_by_row_not_by_their_total():
    """Rows [2, 0] and [0, 0] add up to n = 2 in total, yet neither row sums to 1."""
    with pytest.raises(ValueError, match="rows that sum to 1"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 2)), np.array([[2.0, 0.0], [0.0, 0.0]]))


@pytest.mark.parametrize("shape", [(3,), (2, 3, 1), (0, 3)])
def test_logits_of_the_wrong_shape(shape):
    with pytest.raises(ValueError, match=re.escape(f"expected logits of shape (n, C) with "
                                                   f"n, C >= 1, got {shape}")):
        SoftmaxCrossEntropy().forward(np.zeros(shape), np.zeros(shape[0], dtype=int))


def test_mse_hint_for_a_transposed_target():
    P = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"is target transposed\? target.T has pred's shape"):
        MSE().forward(P, P.T)
    with pytest.raises(ValueError, match=r"use target.reshape\(4, 3\)"):
        MSE().forward(P, np.ones(12))


def test_a_failed_forward_leaves_no_stale_gradient():
    loss = MSE()
    loss.forward(np.ones((2, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError):
        loss.forward(np.ones((3, 1)), np.zeros((4, 1)))
    with pytest.raises(RuntimeError, match=r"backward called before forward \(or after a "
                                           r"forward that failed\)"):
        loss.backward()


def test_softmax_over_one_class_is_refused():
    with pytest.raises(ValueError, match="one logit per sample: a softmax over one class"):
        SoftmaxCrossEntropy().forward(np.ones((3, 1)), np.zeros(3, dtype=int))
