"""Tests of backprop.train: real training runs reach a stated accuracy, fit's history and
progress bar, Trainer's batching, predict and accuracy."""

import numpy as np
import pytest

from backprop import data
from backprop.layers import Layer, Linear, Sequential, Sigmoid, mlp
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.optim import SGD
from backprop.train import History, Trainer, TrainingDiverged, accuracy, fit, predict


def test_xor_with_a_tanh_hidden_layer():
    X, y = data.xor(200, seed=0)
    X_test, y_test = data.xor(200, seed=1)
    net = mlp([2, 8, 2], "tanh", seed=0)
    history = fit(net, SoftmaxCrossEntropy(), X, y, epochs=30, batch_size=16, lr=0.2, seed=0,
                  progress=False)
    assert accuracy(net, X, y) >= 0.97
    assert accuracy(net, X_test, y_test) >= 0.97
    assert history.loss[-1] < 0.1 < history.loss[0]


def test_xor_is_not_learnable_without_a_hidden_layer():
    """The control experiment: a linear model cannot separate XOR."""
    X, y = data.xor(200, seed=0)
    net = Sequential(Linear(2, 2, seed=0))
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=30, batch_size=16, lr=0.2, progress=False)
    assert accuracy(net, X, y) < 0.8


@pytest.fixture(scope="module")
def digits_split():
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=0)
    X_train, X_test = data.standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test


def test_digits_mlp(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net = mlp([64, 32, 10], "tanh", seed=0)
    history = fit(net, SoftmaxCrossEntropy(), X_train, y_train, epochs=20, batch_size=32,
                  lr=0.02, momentum=0.9, seed=0, progress=False, validation=(X_test, y_test))
    assert accuracy(net, X_test, y_test) >= 0.95
    assert history.accuracy[-1] >= 0.99  # training accuracy
    assert history.val_accuracy[-1] == accuracy(net, X_test, y_test)


def test_fit_is_reproducible_for_a_seed():
    X, y = data.moons(100, seed=0)
    runs = []
    for seed in (0, 0, 1):
        net = mlp([2, 6, 2], "tanh", seed=0)
        runs.append(fit(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=10, seed=seed,
                        progress=False).loss)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]  # another shuffling seed gives other batches


def test_history_lengths():
    X, y = data.blobs(60, seed=0)
    X_val, y_val = data.blobs(20, seed=1)
    history = fit(mlp([2, 4, 2], seed=0), SoftmaxCrossEntropy(), X, y, epochs=7,
                  validation=(X_val, y_val), progress=False)
    assert isinstance(history, History)
    assert [len(h) for h in (history.loss, history.accuracy, history.val_loss,
                             history.val_accuracy)] == [7, 7, 7, 7]
    regression = fit(mlp([2, 4, 1], seed=0), MSE(), X, y[:, None].astype(float), epochs=4,
                     progress=False)
    assert len(regression.loss) == 4 and regression.accuracy == []  # no accuracy for MSE
    assert regression.val_loss == []


def test_fit_without_progress_prints_nothing(capfd):
    X, y = data.blobs(40, seed=0)
    fit(mlp([2, 3, 2], seed=0), SoftmaxCrossEntropy(), X, y, epochs=3, progress=False)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_fit_with_progress_shows_a_bar(capfd):
    X, y = data.blobs(40, seed=0)
    fit(mlp([2, 3, 2], seed=0), SoftmaxCrossEntropy(), X, y, epochs=3, progress=True)
    out, err = capfd.readouterr()
    assert "training" in out + err


def test_fit_with_an_optimizer():
    # the optimizer given is the one that steps: momentum 0.9 at α = 0.5, not the default SGD
    X, y = data.blobs(40, seed=0)
    given, default = mlp([2, 3, 2], seed=0), mlp([2, 3, 2], seed=0)
    fit(given, SoftmaxCrossEntropy(), X, y, epochs=2, optimizer=SGD(given, lr=0.5, momentum=0.9),
        progress=False)
    fit(default, SoftmaxCrossEntropy(), X, y, epochs=2, progress=False)
    by_hand = mlp([2, 3, 2], seed=0)
    trainer = Trainer(by_hand, SoftmaxCrossEntropy(), X, y, lr=0.5, momentum=0.9)
    for _ in range(2):
        trainer.epoch()
    assert np.allclose(given[0].W, by_hand[0].W) and not np.allclose(given[0].W, default[0].W)


def test_fit_refuses_an_optimizer_of_another_model():
    X, y = data.blobs(40, seed=0)
    net, other = mlp([2, 3, 2], seed=0), mlp([2, 3, 2], seed=1)
    with pytest.raises(ValueError, match="optimizer updates another model"):
        fit(net, SoftmaxCrossEntropy(), X, y, optimizer=SGD(other), progress=False)


class RecordingTrainer(Trainer):
    """Keeps the rows of every batch it is given."""

    def step(self, Xb, yb):
        self.batches.append(Xb)
        return super().step(Xb, yb)


def test_trainer_batches():
    X, y = data.blobs(50, seed=0)
    net = mlp([2, 3, 2], seed=0)
    trainer = RecordingTrainer(net, SoftmaxCrossEntropy(), X, y, batch_size=16, seed=0)
    trainer.batches = []
    trainer.epoch()
    assert trainer.steps == 4
    assert [len(b) for b in trainer.batches] == [16, 16, 16, 2]
    seen = np.concatenate(trainer.batches)
    assert not np.array_equal(seen, X)  # shuffled ...
    np.testing.assert_array_equal(np.unique(seen, axis=0), np.unique(X, axis=0))  # ... each once


class TimesTwo(Layer):
    """A user's layer with its own backward(dY), which takes no input_grad keyword."""

    def forward(self, X):
        return 2 * np.asarray(X, dtype=float)

    def backward(self, dY):
        return 2 * dY


class LinearOwnBackward(Linear):
    def backward(self, dY):
        return super().backward(dY)


class CallableBackward:
    """A backward that is a callable object without a hash (the call passes on its
    arguments, so the keyword is not in its signature)."""

    __hash__ = None

    def __init__(self, layer):
        self.layer = layer

    def __call__(self, *args, **kwargs):
        return Linear.backward(self.layer, *args)


def linear_with_a_callable_backward():
    layer = Linear(2, 2, rng=np.random.default_rng(0))
    layer.backward = CallableBackward(layer)
    return layer


@pytest.mark.parametrize("build", [
    lambda: Sequential(TimesTwo(), Linear(2, 2, rng=np.random.default_rng(0))),
    lambda: LinearOwnBackward(2, 2, rng=np.random.default_rng(0)),
    linear_with_a_callable_backward,
], ids=["first layer", "whole model", "callable object"])
def test_training_takes_a_backward_without_the_input_grad_keyword(build):
    X, y = data.blobs(20, seed=0)
    model, reference = build(), build()
    loss = SoftmaxCrossEntropy()
    loss.forward(reference.forward(X), y)
    reference.backward(loss.backward())
    expected = [p - 0.1 * g for p, g in reference.parameters()]
    Trainer(model, SoftmaxCrossEntropy(), X, y, lr=0.1).step(X, y)
    for (p, _), e in zip(model.parameters(), expected, strict=True):
        np.testing.assert_allclose(p, e, rtol=1e-12)


def test_one_full_batch_epoch_reports_the_loss_before_its_update():
    X, y = data.blobs(30, seed=0)
    net = mlp([2, 3, 2], seed=0)
    loss = SoftmaxCrossEntropy()
    initial = loss.forward(net.forward(X), y)  # the batch's order does not change the mean
    trainer = Trainer(net, loss, X, y, batch_size=len(X), lr=0.5)
    assert trainer.epoch() == pytest.approx(initial, rel=1e-12)
    assert trainer.evaluate(X, y)[0] < initial


def test_epoch_loss_is_the_sample_mean_with_a_partial_last_batch():
    """50 samples in batches of 16 (16, 16, 16, 2): the last batch counts for 2 samples.
    With a learning rate of 1e-12 the parameters stay put, so the epoch's loss is the loss
    of the whole set, taken by one forward pass."""
    X, y = data.blobs(50, seed=0)
    trainer = Trainer(mlp([2, 3, 2], seed=0), SoftmaxCrossEntropy(), X, y, batch_size=16,
                      lr=1e-12)
    whole_set = trainer.evaluate(X, y)[0]
    assert trainer.epoch() == pytest.approx(whole_set, rel=1e-9)


def test_predict_and_accuracy():
    net = Sequential(Linear.from_weights(np.eye(2)))
    X = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0]])
    np.testing.assert_array_equal(predict(net, X), [0, 1, 0])
    assert accuracy(net, X, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(net, X, np.eye(2)[[0, 1, 1]]) == pytest.approx(2 / 3)  # one-hot labels
    one_output = Sequential(Linear.from_weights([[1.0], [0.0]]))  # class 1 when output > 0.5
    np.testing.assert_array_equal(predict(one_output, [[0.2, 9.0], [0.9, 0.0], [0.5, 0.0]]),
                                  [0, 1, 0])
    # bool labels are the classes 0 and 1 (outputs 2, 0, 5: classes 1, 0, 1)
    assert accuracy(one_output, X, np.array([True, False, False])) == pytest.approx(2 / 3)


def test_accuracy_reads_n_by_1_targets_as_0_1_classes():
    """A one-output model predicts class 1 when its output is > 0.5; (n, 1) targets of 0s and
    1s are those classes themselves (one column is not a one-hot row, whose argmax is always 0)."""
    one_output = Sequential(Linear.from_weights([[1.0], [0.0]]))
    X = [[0.2, 9.0], [0.9, 0.0], [0.5, 0.0], [2.0, 0.0]]  # outputs 0.2, 0.9, 0.5, 2.0: 0, 1, 0, 1
    y = np.array([[0], [1], [1], [1]])  # right, right, wrong, right
    assert accuracy(one_output, X, y) == pytest.approx(3 / 4)
    assert accuracy(one_output, X, y.astype(float)) == pytest.approx(3 / 4)


def _gradients_of_a_step(evaluate_between: bool) -> list[np.ndarray]:
    """Gradients of one forward/backward on a batch, optionally evaluating other data between."""
    X, y = data.blobs(12, seed=0)
    X_other, y_other = data.blobs(12, seed=1)  # the same shape: a mix-up would pass silently
    net = Sequential(Linear(2, 4, seed=0), Sequential(Sigmoid(), Linear(4, 3, seed=1)))
    loss = SoftmaxCrossEntropy()
    trainer = Trainer(net, loss, X, y)
    loss.forward(net.forward(X), y)
    if evaluate_between:
        predict(net, X_other[:5])
        accuracy(net, X_other, y_other)
        trainer.evaluate(X_other, y_other)
    net.backward(loss.backward())
    return [grad.copy() for _, grad in net.parameters()]


class Residual(Layer):
    """A block of one's own: ``Y = X + inner(X)``, its sublayer an attribute, a dict cache."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.inner = Sequential(Linear(width, width, seed=2), Sigmoid())
        self.cache: dict[str, np.ndarray] = {}

    def _forward(self, X):
        self.cache["X"] = X
        return X + self.inner.forward(X)

    def _backward(self, dY):
        assert self.cache["X"] is self._X
        return dY + self.inner.backward(dY)

    def parameters(self):
        yield from self.inner.parameters()


def _gradients_with_a_block(evaluate_between: bool) -> list[np.ndarray]:
    X, y = data.blobs(12, seed=0)
    X_other, y_other = data.blobs(12, seed=1)
    net = Sequential(Linear(2, 3, seed=0), Residual(3), Linear(3, 3, seed=1))
    loss = SoftmaxCrossEntropy()
    loss.forward(net.forward(X), y)
    if evaluate_between:
        accuracy(net, X_other, y_other)
    net.backward(loss.backward())
    return [grad.copy() for _, grad in net.parameters()]


def test_evaluating_keeps_the_state_of_a_block_of_ones_own():
    for plain, interrupted in zip(_gradients_with_a_block(False), _gradients_with_a_block(True),
                                  strict=True):
        np.testing.assert_array_equal(interrupted, plain)


def test_evaluating_between_forward_and_backward_changes_no_gradient():
    # predict, accuracy and evaluate run forward passes of their own; they put back what the
    # training step's backward needs (the layers' inputs, the sigmoid's output, the loss's
    # gradient)
    for plain, interrupted in zip(_gradients_of_a_step(False), _gradients_of_a_step(True),
                                  strict=True):
        np.testing.assert_array_equal(interrupted, plain)


def test_trainer_errors():
    X, y = np.ones((4, 2)), np.zeros(3, dtype=int)
    with pytest.raises(ValueError, match="Trainer: X has 4 rows but y has 3"):
        Trainer(mlp([2, 2]), SoftmaxCrossEntropy(), X, y)
    with pytest.raises(ValueError, match="Trainer: X has no rows"):
        fit(mlp([2, 2]), SoftmaxCrossEntropy(), np.ones((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="batch_size must be a positive whole number, got 0"):
        Trainer(mlp([2, 2]), SoftmaxCrossEntropy(), X, np.zeros(4, dtype=int), batch_size=0)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(X=np.arange(8.0)), r"X must have shape \(n, features\), got \(8,\) "
                             r"\(use X.reshape\(-1, 1\)"),
    (dict(X=np.ones((8, 3))), "X has 3 features per row, but Sequential expects 2"),
    (dict(batch_size=4.0), "batch_size must be a positive whole number, got 4.0"),
    (dict(epochs=0), "fit: epochs must be a positive whole number, got 0"),
])
def test_fit_checks_its_arguments_up_front(kwargs, message):
    args = dict(X=np.ones((8, 2)), y=np.zeros(8, dtype=int), progress=False) | kwargs
    with pytest.raises(ValueError, match=message):
        fit(mlp([2, 3, 2], seed=0), SoftmaxCrossEntropy(), **args)


def test_accuracy_needs_one_label_per_row():
    with pytest.raises(ValueError, match="accuracy: X has 4 rows but y has 3 labels"):
        accuracy(mlp([2, 3, 2], seed=0), np.ones((4, 2)), np.zeros(3, dtype=int))


@pytest.mark.parametrize(("loss", "X", "message"), [
    (SoftmaxCrossEntropy, np.ones((4, 2)), r"loss must be a loss object .*with the parentheses"),
    ("mse", np.ones((4, 2)), "loss must be a loss object"),
    (SoftmaxCrossEntropy(), np.array([[1.0, np.nan]] * 4), "the data X must hold finite numbers"),
    (SoftmaxCrossEntropy(), np.array([[1.0, None]] * 4),
     r"Trainer: X must hold real numbers, but it holds None \(dtype object\)"),
])
def test_trainer_checks_the_loss_and_the_data(loss, X, message):
    with pytest.raises((TypeError, ValueError), match=message):
        Trainer(mlp([2, 3, 2], seed=0), loss, X, np.zeros(4, dtype=int))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    (dict(model=None), TypeError, "model must be a layer such as Sequential.*got NoneType$"),
    (dict(model=[Linear(2, 2)]), TypeError, r"got list: put the layers in Sequential\(\.\.\.\)"),
    (dict(optimizer="adam"), TypeError, "optimizer must be an optimizer object .* got 'adam'"),
    (dict(validation=np.ones((4, 2))), TypeError,
     r"validation must be a pair \(X_val, y_val\), got ndarray"),
    (dict(validation=(np.ones((4, 2)), np.zeros(4, int), 1)), TypeError, "a sequence of 3"),
    (dict(validation=(np.ones((4, 2)), np.zeros(3, int))), ValueError,
     "fit: validation set: X has 4 rows but y has 3"),
    (dict(validation=(np.ones((4, 3)), np.zeros(4, int))), ValueError,
     "fit: validation set: X has 3 features per row, but Sequential expects 2"),
    (dict(validation=(np.ones((4, 2)), np.full(4, 7))), ValueError,
     r"fit: validation set: SoftmaxCrossEntropy.forward: labels must lie in \[0, 1\]"),
    # a bad label in the training set, past the first batch: refused before any step
    (dict(y=np.r_[np.zeros(7, int), 2], batch_size=4), ValueError,
     r"Trainer: training set: SoftmaxCrossEntropy.forward: labels must lie in \[0, 1\] for 2 "
     r"classes, got values from 0 to 2"),
])
def test_fit_names_the_argument_that_is_wrong(kwargs, error, message):
    model = kwargs.get("model", mlp([2, 3, 2], seed=0))
    before = [p.copy() for p, _ in model.parameters()] if hasattr(model, "parameters") else []
    args = dict(model=model, loss=SoftmaxCrossEntropy(), X=np.ones((8, 2)),
                y=np.zeros(8, dtype=int), progress=False) | kwargs
    with pytest.raises(error, match=message):
        fit(**args)
    after = [p for p, _ in model.parameters()] if hasattr(model, "parameters") else []
    assert all(np.array_equal(p, q) for p, q in zip(after, before, strict=True)), (
        "the model was trained before the error")


def test_mse_targets_need_the_shape_of_the_output_before_training_starts():
    net = mlp([2, 3, 1], seed=0)
    before = [p.copy() for p, _ in net.parameters()]
    with pytest.raises(ValueError, match=r"y has shape \(8,\): use y.reshape\(-1, 1\)"):
        fit(net, MSE(), np.ones((8, 2)), np.zeros(8), progress=False)
    assert all(np.array_equal(p, q) for (p, _), q in zip(net.parameters(), before, strict=True))
    history = fit(net, MSE(), np.ones((8, 2)), np.zeros((8, 1)), epochs=2, progress=False)
    assert len(history.loss) == 2


def test_a_diverging_run_stops_with_the_epoch_step_and_history_so_far():
    """Learning rate 10 on a tanh network with MSE: the loss grows until the output is NaN."""
    X, y = data.xor(64, noise=0.1, seed=0)
    net = mlp([2, 8, 1], "tanh", seed=0)
    with pytest.raises(TrainingDiverged) as caught:
        fit(net, MSE(), X, y.reshape(-1, 1).astype(float), lr=1e3, epochs=200, batch_size=16,
            progress=False)
    message = str(caught.value)
    epoch = int(message.split("epoch ")[1].split(" ")[0])
    assert 1 < epoch <= 200 and message.startswith(f"fit: epoch {epoch} of 200: Trainer.step ")
    assert "training diverged (learning rate 1000 too large?)" in message
    assert len(caught.value.history.loss) == epoch - 1      # the epochs before, to plot
    assert isinstance(caught.value, ValueError)


def test_a_loss_that_overflows_stops_the_step_before_the_update():
    net = Sequential(Linear.from_weights([[1e150]]))    # loss 1e300 on the training set: finite
    trainer = Trainer(net, MSE(), np.ones((2, 1)), np.zeros((2, 1)), lr=0.1)
    trainer.step(trainer.X, trainer.y)
    W = net[0].W.copy()
    with pytest.raises(TrainingDiverged, match=r"Trainer.step 2: the loss overflowed to inf: "
                                               r"training diverged \(learning rate 0.1 too "
                                               r"large\?\)"):
        trainer.step(np.full((2, 1), 1e10), trainer.y)
    assert np.array_equal(net[0].W, W) and trainer.steps == 1


def test_nan_weights_are_named_before_training_not_blamed_on_the_learning_rate():
    net = Sequential(Linear.from_weights([[np.nan]]))
    with pytest.raises(TrainingDiverged, match=r"^fit: epoch 1 of 2: Trainer.step 1: the model's "
                                               r"output holds NaN or inf values before any "
                                               r"training step: check the weights and the data"):
        fit(net, MSE(), np.ones((2, 1)), np.zeros((2, 1)), epochs=2, progress=False)


def test_making_a_trainer_runs_no_forward_pass():
    """The targets are checked against the output width, not the model's outputs: making a
    trainer for a large data set costs no pass over it."""

    class Counting(Linear):
        calls = 0

        def _forward(self, X):
            Counting.calls += 1
            return super()._forward(X)

    Trainer(Sequential(Counting(2, 3, seed=0)), SoftmaxCrossEntropy(), np.ones((8, 2)),
            np.zeros(8, dtype=int))
    assert Counting.calls == 0


def test_a_step_that_makes_the_weights_nan_is_caught_by_the_epoch_s_evaluation():
    """The last update of an epoch can overflow the weights: fit's evaluation then names it."""
    net = Sequential(Linear.from_weights([[1.0]]))
    with pytest.raises(TrainingDiverged, match=r"^fit: epoch 1 of 3: Trainer.evaluate after 1 "
                                               r"step: .*training diverged \(learning rate "
                                               r"1e\+300 too large\?\)"):
        fit(net, MSE(), np.ones((2, 1)), np.zeros((2, 1)), lr=1e300, batch_size=2, epochs=3,
            progress=False)


def test_evaluate_reads_loss_and_accuracy_off_one_forward_pass():
    class Counting(Linear):
        calls = 0

        def _forward(self, X):
            Counting.calls += 1
            return super()._forward(X)

    X, y = data.xor(16, seed=0)
    net = Sequential(Counting(2, 2, seed=0))
    trainer = Trainer(net, SoftmaxCrossEntropy(), X, y)
    value, acc = trainer.evaluate(X, y)
    assert Counting.calls == 1
    assert acc == accuracy(net, X, y) and value == SoftmaxCrossEntropy().forward(net(X), y)
