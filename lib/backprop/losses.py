"""Losses with ``forward(pred, target) -> float`` and ``backward() -> ∂L/∂pred``."""

from __future__ import annotations

import numpy as np

from backprop._arrays import float_array, shape_text, table
from backprop.activations import log_softmax

Array = np.ndarray


def _summable(arr: Array) -> Array:
    """``arr`` itself when float32 or wider, else a float64 copy to sum the loss in: a float16
    sum overflows past 65504 and keeps only three digits (the gradient keeps the dtype)."""
    return arr if arr.dtype.itemsize >= 4 else arr.astype(np.float64)


def _check_finite(where: str, what: str, arr: Array) -> None:
    """A ``ValueError`` naming ``where`` when ``arr`` holds NaN or inf; for the network's
    output (``pred``, ``logits``) the usual cause, a diverging learning rate, is named,
    otherwise the data."""
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        cause = ("a diverging learning rate is the usual cause, or NaN in the weights or the "
                 "input" if what in ("pred", "logits") else f"check the data given as {what}")
        raise ValueError(f"{where}: {what} contains {bad} NaN or inf value(s); the loss "
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
            raise RuntimeError(f"{self.name}.backward called before forward (or after a "
                               f"forward that failed): run forward({self.forward_args}) first")
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
    The gradient has the dtype of ``pred`` (float64 for integer ``pred``); the loss is summed
    in float64 for ``pred`` narrower than float32 (float16).
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
        _check_finite(where, "pred", pred)
        _check_finite(where, "target", target)
        diff = pred - target.astype(pred.dtype, copy=False)
        summable = _summable(diff)
        sq = float(np.vdot(summable, summable))
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
    logits (float64 for integer logits); the loss is summed in float64 for logits narrower
    than float32 (float16).
    """

    name = "SoftmaxCrossEntropy"
    forward_args = "logits, labels"

    def __init__(self) -> None:
        super().__init__()
        self.probs: Array | None = None

    def forward(self, logits: Array, labels: Array) -> float:
        """Mean cross-entropy of ``logits : (n, C)`` against ``labels``."""
        self._grad = None  # a forward that fails leaves no stale gradient for backward
        where = f"{self.name}.forward"
        logits = float_array(where, "logits", logits)
        if logits.ndim != 2 or logits.size == 0:
            raise ValueError(f"SoftmaxCrossEntropy.forward: expected logits of shape (n, C) "
                             f"with n, C >= 1, got {shape_text(logits.shape)}")
        if logits.shape[1] == 1:
            raise ValueError("SoftmaxCrossEntropy.forward: one logit per sample: a softmax over "
                             "one class is always 1 and learns nothing; give the network one "
                             "output per class (two for a yes/no problem)")
        _check_finite(where, "logits", logits)
        n, C = logits.shape
        labels = class_labels(where, labels, n, C, f"logits of shape ({n}, {C})")
        if labels.ndim == 1:
            onehot = np.zeros((n, C), dtype=logits.dtype)
            onehot[np.arange(n), labels] = 1
        else:
            onehot = labels.astype(logits.dtype, copy=False)
        logp = log_softmax(logits)
        # "0.0 -": 0.0, not -0.0, for a perfect fit
        value = 0.0 - float(np.vdot(_summable(onehot), _summable(logp))) / n
        self.probs = np.exp(logp)
        self._grad = (self.probs - onehot) / n
        return value

    __call__ = forward


def class_labels(where: str, labels: object, n: int, C: int, against: str,
                 what: str = "labels") -> Array:
    """``labels`` checked as the classes of ``n`` samples among ``C``: class indices ``(n,)``,
    integers in ``[0, C)``, returned as an integer array, or one-hot rows ``(n, C)`` (soft
    labels too: non-negative, each row summing to 1), returned as a float array. Errors name
    ``where``, the argument as ``what`` and, for a wrong shape, ``against``: what fixes ``n``
    and ``C``, "logits of shape (n, C)"."""
    labels = table(where, what, labels)
    if labels.shape == (n,):
        if labels.dtype.kind not in "biuf":
            raise TypeError(f"{where}: {what} must hold class indices or one-hot rows, got "
                            f"dtype {labels.dtype}")
        if labels.dtype.kind not in "iu":
            fix = ("they hold non-whole values, as regression targets do: pass class indices"
                   if labels.dtype.kind == "f" and np.any(labels % 1) else
                   f"use {what}.astype(int)")
            raise ValueError(f"{where}: class-index {what} must be integers, got dtype "
                             f"{labels.dtype} ({fix}, or pass one-hot rows (n, C))")
        if labels.min() < 0 or labels.max() >= C:
            raise ValueError(f"{where}: {what} must lie in [0, {C - 1}] for {C} classes, got "
                             f"values from {labels.min()} to {labels.max()}")
        return labels
    if labels.shape == (n, C):
        labels = float_array(where, what, labels)
        _check_finite(where, what, labels)
        # one pass for the sign, one for the sums (called on every training step)
        if labels.min() < 0 or np.abs(labels.sum(axis=1) - 1.0).max() > 1e-5:
            raise ValueError(f"{where}: one-hot {what} of shape ({n}, {C}) must be "
                             "non-negative with rows that sum to 1")
        return labels
    raise ValueError(f"{where}: {what} must have shape ({n},) (class indices) or ({n}, {C}) "
                     f"(one-hot) for {against}, got {shape_text(labels.shape)}")
