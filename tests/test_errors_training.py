"""Errors of the losses, the layers and the training functions for bad input (and float16).

Each mistake (logits given to ``softmax_jacobian``, a model passed in the wrong place, labels
out of range, a negative seed, an empty batch, a dtype that is no dtype) gets an error naming
the class or function, what was expected and what was given, and what to do; float16 losses
are summed in float64, so they match a float64 computation instead of overflowing.
"""

import re

import numpy as np
import pytest

from backprop.activations import softmax, softmax_jacobian
from backprop.layers import Linear, ReLU, Sequential, mlp
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.train import Trainer, accuracy, fit, predict


def net_2_3_3() -> Sequential:
    return Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 3, seed=1))


# -- 1. float16 losses are summed in float64 -------------------------------------------------

def test_float16_mse_matches_float64_instead_of_overflowing():
    pred = np.full((1000, 1), 10, np.float16)   # Σ (ŷ − y)² = 100 000 > 65504, float16's max
    loss = MSE()
    assert loss.forward(pred, np.zeros((1000, 1))) == pytest.approx(100.0, rel=1e-3)
    assert loss.backward().dtype == np.float16


def test_float16_cross_entropy_matches_float64_instead_of_overflowing():
    logits = np.tile(np.array([[0, 0, 20]], np.float16), (5000, 1))
    labels = np.zeros(5000, int)
    ce = SoftmaxCrossEntropy()
    value = ce.forward(logits, labels)
    reference = SoftmaxCrossEntropy().forward(logits.astype(np.float64), labels)
    assert value == pytest.approx(reference, rel=1e-3) and reference == pytest.approx(20.0)
    assert ce.backward().dtype == np.float16


@pytest.mark.parametrize("reduction", MSE.REDUCTIONS)
def test_float16_mse_agrees_with_float64_on_random_data(rng, reduction):
    pred = rng.normal(0, 30, (400, 3)).astype(np.float16)
    target = rng.normal(0, 1, (400, 3))
    reference = MSE(reduction).forward(pred.astype(np.float64), target)
    assert MSE(reduction).forward(pred, target) == pytest.approx(reference, rel=2e-3)


def test_float16_cross_entropy_agrees_with_float64_on_random_data(rng):
    logits = rng.normal(0, 30, (4000, 3)).astype(np.float16)
    labels = rng.integers(0, 3, 4000)
    reference = SoftmaxCrossEntropy().forward(logits.astype(np.float64), labels)
    assert SoftmaxCrossEntropy().forward(logits, labels) == pytest.approx(reference, rel=2e-3)


def test_fit_of_a_float16_model_does_not_diverge_on_a_large_batch():
    """A loss of about 20 per sample used to overflow on the batch's sum: fit then said
    TrainingDiverged before the first step."""
    net = Sequential(Linear.from_weights(np.diag([1.0, 1.0, 20.0]).astype(np.float16)))
    X = np.tile([[0.0, 0.0, 1.0]], (5000, 1))
    history = fit(net, SoftmaxCrossEntropy(), X, np.zeros(5000, int), epochs=1,
                  batch_size=5000, lr=1e-6, progress=False)
    assert history.loss[0] == pytest.approx(20.0, rel=1e-3)
    assert net[0].W.dtype == np.float16


# -- 2. accuracy checks its model, its data and its labels -----------------------------------

X10 = np.linspace(-1, 1, 20).reshape(10, 2)


@pytest.mark.parametrize(("y", "message"), [
    (np.full(10, 7), r"accuracy: y must lie in [0, 2] for 3 classes, got values from 7 to 7"),
    (np.full(10, -1), r"accuracy: y must lie in [0, 2] for 3 classes"),
    (np.full(10, 0.5), "accuracy: class-index y must be integers, got dtype float64 (they "
                       "hold non-whole values, as regression targets do"),
    (np.zeros(10), "accuracy: class-index y must be integers, got dtype float64 (use "
                   "y.astype(int)"),
    (np.eye(5)[np.zeros(10, int)], "accuracy: y must have shape (10,) (class indices) or "
                                   "(10, 3) (one-hot) for the model's outputs of shape (10, 3), "
                                   "got (10, 5)"),
    (np.full((10, 3), 0.5), "accuracy: one-hot y of shape (10, 3) must be non-negative "
                            "with rows that sum to 1"),
])
def test_accuracy_checks_its_labels(y, message):
    """The messages name accuracy's own argument, y."""
    with pytest.raises(ValueError, match=re.escape(message)):
        accuracy(net_2_3_3(), X10, y)


def test_accuracy_of_a_one_output_model_refuses_regression_targets():
    one_output = Sequential(Linear(2, 1, seed=0))
    one_class = "accuracy: a model with one output predicts class 0 or 1 (output > 0.5), so y "
    with pytest.raises(ValueError, match=re.escape(one_class + "must hold 0s and 1s, got values "
                                                   "from 0.0 to 3.0")):
        accuracy(one_output, X10, np.linspace(0, 3, 10).reshape(-1, 1))
    with pytest.raises(ValueError, match=re.escape(one_class + "must hold 0s and 1s, got values "
                                                   "from 0 to 2")):
        accuracy(one_output, X10, np.arange(10) % 3)
    with pytest.raises(TypeError, match=re.escape("accuracy: y must hold class indices or "
                                                  "one-hot rows, got dtype <U1")):
        accuracy(net_2_3_3(), X10, np.array(list("abcabcabca")))


@pytest.mark.parametrize(("X", "y", "error", "message"), [
    (X10, np.array(list("abcabcabca")), TypeError, "y must hold numbers, got dtype <U1"),
    (X10.astype(str), np.zeros(10, int), TypeError, "X must hold real numbers"),
    (X10, np.full(10, np.nan), ValueError, "the data y must hold finite numbers (a NaN or an "
                                           "inf is in it)"),
])
def test_trainer_refuses_data_that_are_not_numbers(X, y, error, message):
    """Not numbers at all: a TypeError; NaN or inf: a ValueError."""
    with pytest.raises(error, match=re.escape(f"Trainer: {message}")):
        Trainer(net_2_3_3(), SoftmaxCrossEntropy(), X, y)


def test_accuracy_refuses_an_empty_batch_and_a_missing_y():
    with pytest.raises(ValueError, match=re.escape("accuracy: X has no rows (an empty batch), "
                                                   "shape (0, 2); pass at least one sample")):
        accuracy(net_2_3_3(), np.ones((0, 2)), np.zeros(0, int))
    with pytest.raises(TypeError, match="accuracy: y is None; pass an array"):
        accuracy(net_2_3_3(), X10, None)


@pytest.mark.parametrize(("call", "order"), [
    (lambda net: accuracy(X10, np.zeros(10, int), net), "accuracy(model, X, y)"),
    (lambda net: predict(X10, net), "predict(model, X)"),
])
def test_a_model_in_the_wrong_place_names_the_order(call, order):
    where = order.split("(")[0]
    with pytest.raises(TypeError, match=re.escape(
            f"{where}: model must be a layer such as Sequential(...) or mlp([...]), got "
            f"ndarray; the order is {order}")):
        call(net_2_3_3())


# -- 3. predict ------------------------------------------------------------------------------

@pytest.mark.parametrize(("model", "got"), [
    ("net", "got str; the order is predict(model, X)"),
    ([Linear(2, 2)], "got list: put the layers in Sequential(...)"),
])
def test_predict_refuses_what_is_not_a_layer(model, got):
    with pytest.raises(TypeError, match=re.escape(f"predict: model must be a layer such as "
                                                  f"Sequential(...) or mlp([...]), {got}")):
        predict(model, X10)


def test_predict_refuses_nan_outputs_instead_of_answering_class_0():
    with pytest.raises(ValueError, match=re.escape("predict: the model's outputs (3, 3) hold NaN "
                                                   "or inf, so no class can be read")):
        predict(net_2_3_3(), np.full((3, 2), np.nan))


# -- 4. softmax_jacobian wants probabilities -------------------------------------------------

@pytest.mark.parametrize("p", [[-1.0, 2.0, 3.0], [0.2, 0.3, 0.4], [np.nan, 0.5, 0.5]])
def test_softmax_jacobian_refuses_what_is_not_a_distribution(p):
    with pytest.raises(ValueError, match=r"softmax_jacobian: p must be probabilities, entries "
                                         r"in \[0, 1\] that sum to 1, got .*; pass p = "
                                         r"softmax\(z\), not the logits z"):
        softmax_jacobian(np.array(p))


def test_softmax_jacobian_takes_float32_probabilities():
    z = np.linspace(-3, 3, 1000)
    J = softmax_jacobian(softmax(z.astype(np.float32)))
    assert J.shape == (1000, 1000)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-6)
    # and it is the Jacobian: J v is the derivative of softmax along v (float64 differences)
    v, h = np.random.default_rng(0).standard_normal(1000), 1e-6
    np.testing.assert_allclose(J @ v, (softmax(z + h * v) - softmax(z - h * v)) / (2 * h),
                               atol=1e-6)


# -- 5. seeds are checked as data's generators check them ------------------------------------

@pytest.mark.parametrize(("make", "where"), [
    (lambda seed: Linear(3, 2, seed=seed), "Linear"),
    (lambda seed: mlp([2, 3, 1], seed=seed), "mlp"),
    (lambda seed: fit(mlp([2, 2], seed=0), SoftmaxCrossEntropy(), X10, np.zeros(10, int),
                      seed=seed, progress=False), "fit"),
    (lambda seed: Trainer(mlp([2, 2], seed=0), SoftmaxCrossEntropy(), X10, np.zeros(10, int),
                          seed=seed), "Trainer"),
])
@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_a_bad_seed_names_the_caller(make, where, seed):
    """A negative seed is a ValueError, one that is no whole number a TypeError."""
    error = ValueError if seed == -1 else TypeError
    with pytest.raises(error, match=re.escape(f"{where}: seed must be a whole number ≥ 0 "
                                                   f"or None, got {seed!r}")):
        make(seed)


def test_good_seeds_still_work():
    np.testing.assert_array_equal(Linear(3, 2, seed=np.int64(4)).W, Linear(3, 2, seed=4).W)
    assert Linear(3, 2, seed=None).W.shape == (3, 2)
    assert Trainer(mlp([2, 2], seed=0), MSE(), X10, np.zeros((10, 2)), seed=None).steps == 0


# -- 6. empty batches ------------------------------------------------------------------------

@pytest.mark.parametrize(("layer", "name"), [
    (Linear(3, 2, seed=0), "Linear(3→2)"),
    (Sequential(Linear(3, 2, seed=0), ReLU()), "Sequential"),
    (ReLU(), "ReLU"),
])
def test_an_empty_batch_is_refused(layer, name):
    with pytest.raises(ValueError, match=re.escape(f"{name}.forward: X has no rows (an empty "
                                                   "batch), shape (0, 3); pass at least one "
                                                   "sample")):
        layer.forward(np.ones((0, 3)))


def test_predict_refuses_an_empty_batch():
    with pytest.raises(ValueError, match=re.escape("predict: X has no rows (an empty batch)")):
        predict(net_2_3_3(), np.ones((0, 2)))


def test_a_batch_of_one_row_still_works():
    assert Linear(3, 2, seed=0).forward(np.ones((1, 3))).shape == (1, 2)
    assert predict(net_2_3_3(), [[0.5, -0.5]]).shape == (1,)


# -- 7. a dtype that is no dtype -------------------------------------------------------------

def test_linear_names_itself_for_a_bad_dtype():
    """What is no dtype at all is a TypeError (an int dtype, a ValueError: test_layers)."""
    with pytest.raises(TypeError, match=re.escape("Linear: dtype must be a float type, got "
                                                  "'bogus' (use np.float64")):
        Linear(3, 2, dtype="bogus")
    with pytest.raises(TypeError, match=re.escape("Linear: dtype must be a float type, got "
                                                  "'bogus'")):
        mlp([2, 3, 1], dtype="bogus")


@pytest.mark.parametrize("dtype", ["float32", np.float16, np.dtype("float64")])
def test_float_dtypes_still_work(dtype):
    assert Linear(3, 2, seed=0, dtype=dtype).W.dtype == np.dtype(dtype)
