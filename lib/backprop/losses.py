"""Losses with ``forward(pred, target) -> float`` and ``backward() -> ∂L/∂pred``."""

from __future__ import annotations

import numpy as np

from backprop._arrays import float_array, shape_text
from backprop.activations import log_softmax

Array = np.ndarray


def _check_finite(name: str, what: str, arr: Array) -> None:
    """A ``ValueError`` when ``arr`` holds NaN or inf; for the network's output (``pred``,
    ``logits``) the usual cause, a diverging learning rate, is named, otherwise the data."""
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        cause = ("a diverging learning rate is the usual cause, or NaN in the weights or the "
                 "input" if what in ("pred", "logits") else f"check the data given as {what}")
        raise ValueError(f"{name}.forward: {what} contains {bad} NaN or inf value(s); the loss "
                         f"would be undefined ({cause})")


class Loss:
    """Base class: ``forward`` returns a float and keeps what ``backward`` needs."""

    name = "Loss"
    #: the arguments of ``forward``, for the error of a ``backward`` before it
    forward_args = "pred, target"

    def __init__(self) -> None:
        self._grad: Array | None = None

    def backward(self) -> Array:
        """``∂L/∂pred``, of the shape of the last ``pred``."""
        if self._grad is None:
            raise RuntimeError(f"{self.name}.backward called before forward: "
                               f"run forward({self.forward_args}) first")
        return self._grad.copy()


class MSE(Loss):
    """Mean squared error with a choice of normalisation.

    ``reduction``:
      - ``"mean"`` (default, as PyTorch): ``L = (1/N) Σ (ŷ − y)²`` over all ``N`` elements,
        ``∂L/∂ŷ = 2 (ŷ − y) / N``;
      - ``"sum"``: ``L = Σ (ŷ − y)²``, ``∂L/∂ŷ = 2 (ŷ − y)``;
      - ``"half_sum"`` (the notes'): ``L = ½ Σ (ŷ − y)²``, ``∂L/∂ŷ = ŷ − y``.

    ``pred`` and ``target`` must have the same shape, e.g. ``(n, out)`` (no broadcasting:
    ``(n, 1)`` against ``(n,)`` is an error, not an ``(n, n)`` table of differences).
    The gradient has the dtype of ``pred`` (float64 for integer ``pred``).
    """

    name = "MSE"
    REDUCTIONS = ("mean", "sum", "half_sum")

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in self.REDUCTIONS:
            raise ValueError(f"MSE: unknown reduction {reduction!r}; expected one of "
                             f"{', '.join(repr(r) for r in self.REDUCTIONS)}")
        super().__init__()
        self.reduction = reduction

    def forward(self, pred: Array, target: Array) -> float:
        """Loss value for ``pred`` and ``target`` of the same shape."""
        self._grad = None  # a forward that fails leaves no stale gradient for backward
        where = f"{self.name}.forward"
        pred, target = float_array(where, "pred", pred), float_array(where, "target", target)
        if pred.shape != target.shape:
            hint = ""
            if target.ndim == 2 and target.T.shape == pred.shape:
                hint = " (is target transposed? target.T has pred's shape)"
            elif pred.size == target.size:
                hint = f" (use target.reshape{shape_text(pred.shape)})"
            raise ValueError(f"MSE.forward: pred has shape {shape_text(pred.shape)} but target "
                             f"has shape {shape_text(target.shape)}; they must match{hint}")
        if pred.size == 0:
            raise ValueError(f"MSE.forward: pred and target are empty, shape "
                             f"{shape_text(pred.shape)}")
        _check_finite(self.name, "pred", pred)
        _check_finite(self.name, "target", target)
        diff = pred - target.astype(pred.dtype, copy=False)
        sq = float(np.vdot(diff, diff))
        if self.reduction == "mean":
            value, self._grad = sq / diff.size, diff * (2.0 / diff.size)
        elif self.reduction == "sum":
            value, self._grad = sq, 2.0 * diff
        else:
            value, self._grad = 0.5 * sq, diff
        return value

    __call__ = forward

    def __repr__(self) -> str:
        return f"MSE(reduction={self.reduction!r})"


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, averaged over the batch.

    ``L = −(1/n) Σ_i Σ_c y_ic log softmax(z_i)_c`` for logits ``z : (n, C)`` and labels that
    are either class indices ``(n,)`` (integers in ``[0, C)``) or one-hot rows ``(n, C)``.
    Backward: ``∂L/∂z = (softmax(z) − y) / n`` — the famous ``ŷ − y``.
    Stable for logits of any size (log-softmax with the max subtracted). One-hot rows may
    also be soft labels (non-negative, summing to 1). The gradient has the dtype of the
    logits (float64 for integer logits).
    """

    name = "SoftmaxCrossEntropy"
    forward_args = "logits, labels"

    def __init__(self) -> None:
        super().__init__()
        self.probs: Array | None = None

    def forward(self, logits: Array, labels: Array) -> float:
        """Mean cross-entropy of ``logits : (n, C)`` against ``labels``."""
        self._grad = None  # a forward that fails leaves no stale gradient for backward
        logits = float_array(f"{self.name}.forward", "logits", logits)
        if logits.ndim != 2 or logits.size == 0:
            raise ValueError(f"SoftmaxCrossEntropy.forward: expected logits of shape (n, C) "
                             f"with n, C >= 1, got {shape_text(logits.shape)}")
        if logits.shape[1] == 1:
            raise ValueError("SoftmaxCrossEntropy.forward: one logit per sample: a softmax over "
                             "one class is always 1 and learns nothing; give the network one "
                             "output per class (two for a yes/no problem)")
        _check_finite(self.name, "logits", logits)
        n, C = logits.shape
        onehot = self._one_hot(np.asarray(labels), n, C, logits.dtype)
        logp = log_softmax(logits)
        value = 0.0 - float(np.vdot(onehot, logp)) / n  # "0.0 -": 0.0, not -0.0, for a perfect fit
        self.probs = np.exp(logp)
        self._grad = (self.probs - onehot) / n
        return value

    __call__ = forward

    def _one_hot(self, labels: Array, n: int, C: int, dtype: np.dtype) -> Array:
        if labels.shape == (n,):
            if labels.dtype.kind not in "iu":
                raise ValueError(
                    f"SoftmaxCrossEntropy.forward: class-index labels must be integers, got "
                    f"dtype {labels.dtype} (use labels.astype(int), or pass one-hot rows (n, C))"
                )
            if labels.size and (labels.min() < 0 or labels.max() >= C):
                raise ValueError(
                    f"SoftmaxCrossEntropy.forward: labels must lie in [0, {C - 1}] for {C} "
                    f"classes, got values from {labels.min()} to {labels.max()}"
                )
            onehot = np.zeros((n, C), dtype=dtype)
            onehot[np.arange(n), labels] = 1
            return onehot
        if labels.shape == (n, C):
            labels = float_array(f"{self.name}.forward", "labels", labels)
            _check_finite(self.name, "labels", labels)
            if np.any(labels < 0) or not np.allclose(labels.sum(axis=1), 1.0):
                raise ValueError(f"SoftmaxCrossEntropy.forward: one-hot labels of shape "
                                 f"({n}, {C}) must be non-negative with rows that sum to 1")
            return labels.astype(dtype, copy=False)
        raise ValueError(
            f"SoftmaxCrossEntropy.forward: labels must have shape ({n},) (class indices) or "
            f"({n}, {C}) (one-hot) for logits of shape ({n}, {C}), got {shape_text(labels.shape)}"
        )
