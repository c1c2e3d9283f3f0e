"""The training loop: mini-batches, shuffling, history and a progress bar."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from tqdm.auto import tqdm

from backprop._arrays import check_rows, check_seed, float_array, positive_whole, shape_text, table
from backprop.layers import Layer, backward_parameters_only
from backprop.losses import MSE, Loss, SoftmaxCrossEntropy, class_labels
from backprop.optim import SGD

Array = np.ndarray


def _layers_within(layer: Layer, seen: set[int] | None = None) -> Iterator[Layer]:
    """``layer`` and every layer it holds, at any depth: a ``Sequential``'s layers, and any
    attribute (or list or tuple in an attribute) that is a layer, as a block of one's own has."""
    seen = set() if seen is None else seen
    if id(layer) in seen:
        return
    seen.add(id(layer))
    yield layer
    for value in vars(layer).values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, Layer):
                yield from _layers_within(item, seen)


@contextmanager
def _backward_state_kept(model: Layer, *losses: Loss) -> Iterator[None]:
    """Forward passes inside the block leave ``model`` (and ``losses``) as they found them.

    A ``forward`` stores what the next ``backward`` needs (the input ``X``, a sigmoid's
    output, a loss's gradient, a layer's own cache). Evaluating on other data between a
    training step's forward and backward would silently replace it; every attribute of every
    layer is put back on exit (dicts and lists as they were, one level deep). The parameters
    are the same arrays before and after, so nothing is lost.
    """
    objects = [*_layers_within(model), *losses]
    saved = [{name: value.copy() if isinstance(value, (dict, list)) else value
              for name, value in vars(obj).items()} for obj in objects]
    try:
        yield
    finally:
        for obj, attributes in zip(objects, saved, strict=True):
            vars(obj).clear()
            vars(obj).update(attributes)


def _check_model(where: str, model: object, call: str | None = None) -> None:
    """A ``TypeError`` naming ``where`` unless ``model`` is a layer; ``call`` shows the order
    of the arguments, "accuracy(model, X, y)", for a model passed in another place."""
    if not isinstance(model, Layer):
        hint = (": put the layers in Sequential(...)" if isinstance(model, (list, tuple))
                else f"; the order is {call}" if call else "")
        raise TypeError(f"{where}: model must be a layer such as Sequential(...) or "
                        f"mlp([...]), got {type(model).__name__}{hint}")


def _outputs(where: str, model: object, X: object, call: str) -> Array:
    """The outputs ``(n, C)`` of ``model`` for a batch ``X : (n, in)`` of at least one row,
    keeping the model's state for ``backward``; refused when NaN or inf (no class to read)."""
    _check_model(where, model, call)
    X = table(where, "X", X)
    check_rows(where, X)
    with _backward_state_kept(model):
        out = model.forward(X)
    if not np.all(np.isfinite(out)):       # the small output, not the data: no cost to speak of
        raise ValueError(f"{where}: the model's outputs {shape_text(out.shape)} hold NaN or "
                         "inf, so no class can be read from them: check X for NaN or inf and "
                         "the weights (did training diverge?)")
    return out


def predict(model: Layer, X: Array) -> Array:
    """Predicted class per row of ``X : (n, in)``, shape ``(n,)``: ``argmax`` of the outputs,
    or ``output > 0.5`` for one output.

    Runs ``model.forward`` but keeps what ``backward`` would use: it may be called between a
    ``forward`` and its ``backward``. Refuses an empty ``X`` and NaN or inf outputs.
    """
    return _classes(_outputs("predict", model, X, "predict(model, X)"))


def _classes(out: Array) -> Array:
    """The class each row of the outputs ``out : (n, C)`` predicts: ``argmax``, or
    ``output > 0.5`` for one output."""
    return (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def accuracy(model: Layer, X: Array, y: Array) -> float:
    """Fraction of the rows of ``X : (n, in)`` whose predicted class equals ``y`` (indices
    ``(n,)`` or one-hot ``(n, C)``, checked as ``SoftmaxCrossEntropy`` checks its labels; for a
    model with one output, 0s and 1s as ints, floats or bools, ``(n,)`` or ``(n, 1)``).
    Leaves the model's state as ``predict`` does."""
    out = _outputs("accuracy", model, X, "accuracy(model, X, y)")
    return float(np.mean(_classes(out) == _label_indices("accuracy", y, out)))


def _label_indices(where: str, y: object, out: Array) -> Array:
    """Class indices ``(n,)`` from ``y`` for the model's outputs ``out : (n, C)``: indices in
    ``[0, C)`` or one-hot rows ``(n, C)``; for one output (class 1 when it is > 0.5) 0s and 1s,
    ``(n,)`` or ``(n, 1)``, which may be floats or booleans as regression-style targets are."""
    y = table(where, "y", y)
    n, C = out.shape
    if y.ndim and len(y) != n:
        raise ValueError(f"{where}: X has {n} rows but y has {len(y)} labels")
    if C == 1:
        y = y.reshape(-1) if y.shape == (n, 1) else y
        if y.shape == (n,) and y.dtype.kind in "biuf" and not np.all((y == 0) | (y == 1)):
            raise ValueError(f"{where}: a model with one output predicts class 0 or 1 (output "
                             f"> 0.5), so y must hold 0s and 1s, got values from {y.min()} to "
                             f"{y.max()}")
        C, y = 2, y.astype(int) if y.dtype.kind in "bf" else y
    labels = class_labels(where, y, n, C, f"the model's outputs of shape {shape_text(out.shape)}",
                          "y")
    return labels if labels.ndim == 1 else labels.argmax(axis=1)


class TrainingDiverged(ValueError):
    """The model's output or the loss became NaN or infinite during training.

    ``history`` holds the epochs completed before (``fit`` fills it; ``Trainer.step``
    raises with an empty one), so the run up to the divergence can still be plotted.
    """

    def __init__(self, message: str, history: History | None = None) -> None:
        super().__init__(message)
        self.history = history if history is not None else History()


@dataclass
class History:
    """Per-epoch records of a training run (accuracy only for classification losses)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def _checked_data(where: str, model: Layer, loss: Loss, X: object,
                  y: object) -> tuple[Array, Array]:
    """``X, y`` as arrays, checked against the model's input width and the loss: finite
    numbers, one target per row, ``(n, out)`` targets for ``MSE``."""
    X, y = float_array(where, "X", X), table(where, "y", y)
    if X.ndim != 2:
        hint = " (use X.reshape(-1, 1) for one feature per sample)" if X.ndim == 1 else ""
        raise ValueError(f"{where}: X must have shape (n, features), got {X.shape}{hint}")
    if model.in_features is not None and X.shape[1] != model.in_features:
        raise ValueError(f"{where}: X has {X.shape[1]} features per row, but {model.name} "
                         f"expects {model.in_features}")
    check_rows(where, X)
    for what, arr in (("X", X), ("y", y)):
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: {what} must hold numbers, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{where}: the data {what} must hold finite numbers (a NaN or an "
                             "inf is in it)")
    if len(X) != len(y):
        raise ValueError(f"{where}: X has {len(X)} rows but y has {len(y)}")
    if isinstance(loss, MSE) and y.ndim != 2:
        raise ValueError(f"{where}: MSE compares the model's outputs (n, out) with targets "
                         f"of the same shape, but y has shape {y.shape}"
                         + (": use y.reshape(-1, 1) for one output" if y.ndim == 1 else ""))
    return X, y


class Trainer:
    """One model, loss, data set and optimizer; ``step`` trains on one mini-batch.

    ``X : (n, in)``; ``y`` is what the loss takes as its target: class indices ``(n,)`` or
    one-hot rows ``(n, C)`` for ``SoftmaxCrossEntropy``, ``(n, out)`` for ``MSE``.

    The batches of an epoch come from a permutation drawn from ``np.random.default_rng(seed)``.
    The data and the targets are checked when the trainer is made, on every row, so a label
    out of range stops it before any step, not mid-epoch.
    """

    def __init__(
        self,
        model: Layer,
        loss: Loss,
        X: Array,
        y: Array,
        *,
        optimizer: SGD | None = None,
        lr: float = 0.1,
        momentum: float = 0.0,
        batch_size: int = 32,
        seed: int = 0,
    ) -> None:
        _check_model("Trainer", model)
        if not isinstance(loss, Loss):
            raise TypeError(f"Trainer: loss must be a loss object such as MSE() or "
                            f"SoftmaxCrossEntropy() (with the parentheses), got {loss!r}")
        X, y = _checked_data("Trainer", model, loss, X, y)
        if not positive_whole(batch_size):
            raise ValueError(f"Trainer: batch_size must be a positive whole number, got "
                             f"{batch_size!r}")
        if optimizer is not None:
            if not (hasattr(optimizer, "step") and hasattr(optimizer, "model")):
                raise TypeError(f"Trainer: optimizer must be an optimizer object such as "
                                f"SGD(model, lr=0.1), got {optimizer!r}")
            if optimizer.model is not model:
                raise ValueError("Trainer: the optimizer updates another model than the one "
                                 "being trained: build it from this model, SGD(model, ...)")
        self.model, self.loss, self.X, self.y = model, loss, X, y
        self.optimizer = optimizer or SGD(model, lr=lr, momentum=momentum)
        self.batch_size = batch_size
        self.rng = np.random.default_rng(check_seed("Trainer", seed))
        self.steps = 0
        self._check_targets()

    def _check_targets(self) -> None:
        """The loss's checks of the targets (labels in range, one-hot width, the shape ``MSE``
        needs) on every row now, not in the batch that holds a bad one, mid-training. The
        model's outputs are stood in for by zeros of its output width: no forward pass."""
        width = self.model.out_features
        try:
            with _backward_state_kept(self.model, self.loss):
                outputs = (self.model.forward(self.X) if width is None
                           else np.zeros((len(self.X), width)))
                self.loss.forward(outputs, self.y)
        except ValueError as err:
            raise ValueError(f"Trainer: training set: {err}") from None

    def step(self, Xb: Array, yb: Array) -> float:
        """Forward, loss, backward and one optimizer update on a batch ``Xb : (b, in)``,
        ``yb`` (``b`` rows of ``y``); returns the batch's loss before the update.

        Raises ``TrainingDiverged`` when the output or the loss is NaN or infinite.
        """
        out = self.model.forward(Xb)
        value = self._finite_loss(f"Trainer.step {self.steps + 1}", out, yb)
        backward_parameters_only(self.model, self.loss.backward())  # no ∂L/∂X needed
        self.optimizer.step()
        self.steps += 1
        return value

    def _finite_loss(self, where: str, out: Array, yb: Array) -> float:
        """The loss of the model's output ``out`` on ``yb``; ``TrainingDiverged`` when ``out``
        or the loss is NaN or infinite, naming ``where`` and, after a step, the learning rate."""
        try:
            value = self.loss.forward(out, yb)         # it refuses a NaN or inf in out
        except ValueError:
            if np.all(np.isfinite(out)):
                raise
            value = math.nan
        if math.isfinite(value):
            return value
        what = ("the loss overflowed to inf" if math.isinf(value)
                else "the model's output holds NaN or inf values")
        lr = getattr(self.optimizer, "lr", None)
        rate = f"learning rate {lr:g}" if isinstance(lr, Real) else "the learning rate"
        if not self.steps:
            raise TrainingDiverged(f"{where}: {what} before any training step: check the "
                                   "weights and the data")
        raise TrainingDiverged(f"{where}: {what}: training diverged ({rate} too large?)")

    def epoch(self) -> float:
        """One pass over the shuffled data; returns the batch losses' mean, weighted by
        batch size: the mean over the epoch's samples for a loss that averages over its
        batch (for ``MSE("sum")`` it is not the loss of the whole set; ``evaluate`` gives
        that)."""
        order = self.rng.permutation(len(self.X))
        total = 0.0
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            total += self.step(self.X[idx], self.y[idx]) * len(idx)
        return total / len(order)

    def evaluate(self, X: Array, y: Array) -> tuple[float, float | None]:
        """Loss and (for classification) accuracy on ``X, y``; changes neither the parameters
        nor what the next ``backward`` of the model or the loss uses."""
        with _backward_state_kept(self.model, self.loss):
            steps = f"{self.steps} step" + ("s" if self.steps > 1 else "")
            where = f"Trainer.evaluate after {steps}" if self.steps else "Trainer.evaluate"
            out = self.model.forward(X)
            value = self._finite_loss(where, out, y)
        if not isinstance(self.loss, SoftmaxCrossEntropy):
            return value, None
        labels = np.asarray(y)              # checked by the loss: indices or one-hot rows
        indices = labels.argmax(axis=1) if labels.ndim == 2 else labels
        return value, float(np.mean(_classes(out) == indices))


def _validation_pair(validation: object, trainer: Trainer) -> tuple[Array, Array]:
    """``validation`` as ``(X_val, y_val)``, checked as ``Trainer`` checks the training data
    and evaluated once before any training (labels out of range, say), with errors that name
    the validation set."""
    is_sequence = isinstance(validation, (tuple, list))
    if not is_sequence or len(validation) != 2:
        got = f"a sequence of {len(validation)}" if is_sequence else type(validation).__name__
        raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {got}")
    X_val, y_val = _checked_data("fit: validation set", trainer.model, trainer.loss, *validation)
    try:
        trainer.evaluate(X_val, y_val)
    except ValueError as err:
        raise ValueError(f"fit: validation set: {err}") from None
    return X_val, y_val


def fit(
    model: Layer,
    loss: Loss,
    X: Array,
    y: Array,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.1,
    momentum: float = 0.0,
    optimizer: SGD | None = None,
    validation: tuple[Array, Array] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train ``model`` on ``X : (n, in)`` and ``y`` (class indices ``(n,)``, one-hot rows
    ``(n, C)`` or targets ``(n, out)``, as ``loss`` takes them) with mini-batch SGD and return
    the history.

    Each epoch shuffles with a generator seeded by ``seed``, so a run is reproducible.
    ``progress=False`` turns off the tqdm bar (it adapts to notebooks and terminals).
    A run that diverges (NaN or infinite output or loss) stops with ``TrainingDiverged``,
    which names the epoch and step and keeps the history of the epochs before.
    """
    if not positive_whole(epochs):
        raise ValueError(f"fit: epochs must be a positive whole number, got {epochs!r}")
    check_seed("fit", seed)
    trainer = Trainer(model, loss, X, y, optimizer=optimizer, lr=lr, momentum=momentum,
                      batch_size=batch_size, seed=seed)
    if validation is not None:
        validation = _validation_pair(validation, trainer)
    history = History()
    bar = tqdm(range(epochs), desc="training", disable=not progress, leave=False)
    for epoch in bar:
        try:
            trainer.epoch()
            train_loss, train_acc = trainer.evaluate(trainer.X, trainer.y)
        except TrainingDiverged as err:
            raise TrainingDiverged(f"fit: epoch {epoch + 1} of {epochs}: {err}; the epochs "
                                   "before are in this error's .history", history) from None
        history.loss.append(train_loss)
        if train_acc is not None:
            history.accuracy.append(train_acc)
        postfix = {"loss": f"{train_loss:.4f}"}
        if validation is not None:
            val_loss, val_acc = trainer.evaluate(*validation)
            history.val_loss.append(val_loss)
            if val_acc is not None:
                history.val_accuracy.append(val_acc)
                postfix["val_acc"] = f"{val_acc:.3f}"
        bar.set_postfix(postfix)
    return history
