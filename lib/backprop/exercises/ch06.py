"""Exercises of chapter 6, losses (row convention: a batch is ``(n, C)``, one sample a row).

Each ``check_<name>`` runs the learner's answer on seeded cases and names the typical mistake:
a learning rate rescaled the wrong way, a forgotten sigmoid ``f'``, ``f'`` evaluated at the
output, a softmax normalised over the wrong axis or that overflows at large logits, a softmax
gradient without the ``− y`` or the ``1/n``, the softmax's Jacobian left out (or only its
diagonal kept) under the squared error, wrong shapes. Usage::

    from backprop.exercises import ch06
    ch06.check_stable_softmax(stable_softmax)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from backprop.activations import sigmoid, softmax
from backprop.exercises._core import Diagnosis, Exercise, Result, shape_hint

Array = np.ndarray
_rng = np.random.default_rng(606)


def _normal(*shape: int) -> Array:
    return _rng.standard_normal(shape)


def _quiet(check: Callable[[Any], Result]) -> Callable[[Any], Result]:
    """Run a check with NumPy's overflow and invalid-value warnings silenced (a learner's
    naive ``exp`` may overflow; the diagnosis says so instead of a wall of warnings)."""
    def quiet(fn: Any) -> Result:
        with np.errstate(all="ignore"):
            return check(fn)
    quiet.__doc__ = check.__doc__
    quiet.__name__ = check.__name__
    return quiet


def _diagnosis(message: str, wrong: Callable[..., Any],
               sizes: Callable[..., dict[str, Any]] | None = None) -> Diagnosis:
    """A :class:`Diagnosis` whose wrong answer gives ``None`` where it cannot be computed
    (a broadcasting mistake raises for some shapes), so the checker never crashes."""
    def safe(*args: Any) -> Any:
        try:
            return wrong(*args)
        except Exception:
            return None
    return Diagnosis(message, safe, sizes=sizes)


def _one_per_row_against_rows(broadcast_error: str) -> bool:
    """Whether NumPy's broadcast error pairs an ``(n,)`` array with an ``(n, C)`` one: one
    number per row (labels, row sums without keepdims) where a row per sample was needed."""
    shapes = [tuple(int(d) for d in dims.split(",") if d.strip())
              for dims in re.findall(r"\(([\d, ]*)\)", broadcast_error)]
    rows = {shape[0] for shape in shapes if len(shape) == 2}
    return any(len(shape) == 1 and shape[0] in rows for shape in shapes)


def _broadcast_explained(result: Result, one_per_row: str, otherwise: str) -> Result:
    """``result``, except that NumPy's broadcast error in the learner's code becomes a "fail"
    that explains it: ``one_per_row`` when an ``(n,)`` array met ``(n, C)`` rows, else
    ``otherwise``."""
    if result.status == "error" and "broadcast" in result.message:
        message = one_per_row if _one_per_row_against_rows(result.message) else otherwise
        return Result("fail", message, result.exercise)
    return result


# -- 1. the same step with another normalisation -------------------------------------------------
def _factor(reduction: str, N: int) -> float:
    """The factor ``c`` of a normalisation: ``∂L/∂ŷ = c (ŷ − y)`` for ``N`` entries."""
    return {"mean": 2.0 / N, "sum": 2.0, "half_sum": 1.0}[reduction]


def reference_equivalent_lr(lr: float, reduction_from: str, reduction_to: str, N: int) -> float:
    """The learning rate for ``reduction_to`` that makes the same step as ``lr`` does for
    ``reduction_from`` (``"mean"``, ``"sum"`` or ``"half_sum"``, over ``N`` entries).

    Each gradient is ``c (ŷ − y)`` with ``c = 2/N, 2, 1``; the step is ``lr · c (ŷ − y)``, so
    ``lr_to = lr · c_from / c_to``.
    """
    return lr * _factor(reduction_from, N) / _factor(reduction_to, N)


EQUIVALENT_LR = Exercise(
    "equivalent_lr",
    reference_equivalent_lr,
    # all nine (from, to) pairs, the same reduction on both sides too: one branch per pair is a
    # natural answer, and a branch that is never run cannot be checked
    cases=[(0.1, "mean", "half_sum", 12), (0.05, "half_sum", "mean", 8),
           (0.3, "mean", "sum", 10), (0.02, "sum", "half_sum", 5),
           (0.01, "sum", "mean", 10), (0.1, "half_sum", "sum", 6),
           (0.2, "mean", "mean", 7), (0.03, "sum", "sum", 4), (0.5, "half_sum", "half_sum", 9)],
    diagnoses=[
        _diagnosis("upside down: a loss whose gradient is c times larger needs a learning rate "
                  "c times smaller. lr_to = lr · c_from / c_to, with c = 2/N (mean), 2 (sum), "
                  "1 (half_sum).",
                  lambda lr, a, b, N: lr * _factor(b, N) / _factor(a, N)),
        _diagnosis("you accounted for the 1/N but not for the factor 2 between the squared "
                  "error and its half: c = 2/N (mean), 2 (sum), 1 (half_sum).",
                  lambda lr, a, b, N: lr * {"mean": 1 / N, "sum": 1.0, "half_sum": 1.0}[a]
                  / {"mean": 1 / N, "sum": 1.0, "half_sum": 1.0}[b]),
        _diagnosis("you accounted for the factor 2 but not for the 1/N of the mean: "
                  "c = 2/N (mean), 2 (sum), 1 (half_sum).",
                  lambda lr, a, b, N: lr * {"mean": 2.0, "sum": 2.0, "half_sum": 1.0}[a]
                  / {"mean": 2.0, "sum": 2.0, "half_sum": 1.0}[b]),
        _diagnosis("the normalisation changes the step, so the learning rate must change too "
                  "(unless both are the same).", lambda lr, a, b, N: lr),
    ],
)


def check_equivalent_lr(fn: Callable[[float, str, str, int], float]) -> Result:
    """Check ``fn(lr, reduction_from, reduction_to, N) -> lr · c_from / c_to``; a wrong
    answer's message names the case (the pair of reductions) it is wrong for."""
    result = EQUIVALENT_LR.check(fn)
    if result.status != "fail":
        return result
    for case in EQUIVALENT_LR.cases:          # the first case it fails: the message's case
        single = dataclasses.replace(EQUIVALENT_LR, cases=[case]).check(fn)
        if single.status == "fail":
            lr, a, b, N = case
            same = (" When both normalisations are the same, so is the step: the rate stays "
                    "lr." if a == b else "")
            return Result("fail", f"for lr = {lr:g}, {a!r} → {b!r}, N = {N}: "
                          f"{single.message}{same}", result.exercise)
    return result


# -- 2. a sigmoid output with the squared error --------------------------------------------------
def reference_sigmoid_mse_delta(z: Array, y: Array) -> Array:
    """``∂L/∂z = (a − y) ⊙ σ'(z) = (a − y) ⊙ a (1 − a)`` with ``a = σ(z)`` and
    ``L = ½ Σ (a − y)²`` (note 004's output layer). ``z, y : (n, C)`` -> ``(n, C)``."""
    a = sigmoid(z)
    return (a - y) * a * (1.0 - a)


SIGMOID_DELTA = Exercise(
    "sigmoid_mse_delta",
    reference_sigmoid_mse_delta,
    cases=[(2.0 * _normal(4, 2), _rng.uniform(0, 1, (4, 2))),
           (np.array([[6.0, -5.0, 0.3]]), np.array([[0.0, 1.0, 1.0]])),
           (3.0 * _normal(3, 3), (_rng.uniform(0, 1, (3, 3)) > 0.5).astype(float))],
    diagnoses=[
        _diagnosis("you returned ∂L/∂a = a − y and forgot the sigmoid's f′: z reaches the loss "
                  "through a = σ(z), so multiply by σ′(z) = a(1 − a).",
                  lambda z, y: sigmoid(z) - y),
        _diagnosis("σ′ is evaluated at the output: σ(a)(1 − σ(a)) with a = σ(z) applies the "
                  "sigmoid twice (note 004's slip). Use σ′(z) = σ(z)(1 − σ(z)) = a(1 − a).",
                  lambda z, y: (sigmoid(z) - y) * sigmoid(sigmoid(z))
                  * (1 - sigmoid(sigmoid(z)))),
        _diagnosis("z(1 − z) is σ′ written with the pre-activation in place of the output: "
                  "σ′(z) = a(1 − a) with a = σ(z).", lambda z, y: (sigmoid(z) - y) * z * (1 - z)),
        _diagnosis("you used z − y: the loss compares the output a = σ(z) with y, not the "
                  "pre-activation.", lambda z, y: (z - y) * sigmoid(z) * (1 - sigmoid(z))),
        _diagnosis("the sign is wrong: ∂(½(a − y)²)/∂a = a − y, not y − a.",
                  lambda z, y: (y - sigmoid(z)) * sigmoid(z) * (1 - sigmoid(z))),
    ],
)


def check_sigmoid_mse_delta(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(z, y) -> (σ(z) − y) ⊙ σ(z)(1 − σ(z))``."""
    return SIGMOID_DELTA.check(fn)


# -- 3. a numerically stable softmax -------------------------------------------------------------
def reference_stable_softmax(z: Array) -> Array:
    """Row-wise softmax of ``z : (n, C)``, shifted by each row's max: no overflow."""
    return softmax(z, axis=1)


def _shifted_without_keepdims(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1)


def _shifted_exp(z: Array) -> Array:
    return np.exp(z - z.max(axis=1, keepdims=True))


def _sum_without_keepdims(z: Array) -> Array:
    e = _shifted_exp(z)
    return e / e.sum(axis=1)


def _max_without_keepdims(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1, keepdims=True)


OVERFLOW = ("your softmax overflows at large logits: e^z is inf for z > 709, and inf/inf is "
            "NaN. Subtract each row's largest logit first, "
            "z − z.max(axis=1, keepdims=True): softmax(z − m) = softmax(z), and the largest "
            "exponent is then e⁰ = 1. (Each row its own max: one shift for the whole batch "
            "can still leave a row with only e^(−huge) = 0 terms, and 0/0 is NaN too.)")
KEEPDIMS = ("the row sums have shape (n,) and do not line up with the (n, C) rows: sum with "
            "keepdims=True (or add [:, None]) so that each row is divided by its own sum.")
KEEPDIMS_MAX = ("subtract z.max(axis=1, keepdims=True): without keepdims the (n,) row maxima "
                "line up with the columns, and each entry is shifted by another row's max.")
AXIS_0 = ("you normalised over axis 0: the columns of your result sum to 1. Each sample is a "
          "row, so sum over axis 1 (the classes).")
WHOLE_BATCH = ("you divided by the sum over the whole batch: each row (sample) must be "
               "normalised by its own sum, axis=1.")

STABLE_SOFTMAX = Exercise(
    "stable_softmax",
    reference_stable_softmax,
    cases=[(_normal(3, 3),), (_normal(4, 5),), (_normal(2, 3) + 5.0,),
           (np.array([[1000.0, 999.0, 0.0], [-1e4, 1e4, 3.0]]),)],
    diagnoses=[
        *(_diagnosis(AXIS_0, lambda z, exp=exp: exp(z) / exp(z).sum(axis=0, keepdims=True))
          for exp in (np.exp, _shifted_exp)),
        *(_diagnosis(WHOLE_BATCH, lambda z, exp=exp: exp(z) / exp(z).sum())
          for exp in (np.exp, _shifted_exp)),
        _diagnosis(KEEPDIMS_MAX, _max_without_keepdims),
        _diagnosis(KEEPDIMS, lambda z: np.exp(z) / np.exp(z).sum(axis=1)),
        _diagnosis(KEEPDIMS, _shifted_without_keepdims),
        _diagnosis(KEEPDIMS, _sum_without_keepdims),
        _diagnosis("you forgot the exponential: softmax(z)_i = e^{z_i} / Σ_j e^{z_j}; z / Σ z "
                  "is not a probability (it can be negative).",
                  lambda z: z / z.sum(axis=1, keepdims=True)),
    ],
)


@_quiet
def check_stable_softmax(fn: Callable[[Array], Array]) -> Result:
    """Check ``fn(z) -> softmax of each row of z : (n, C)``, also for logits of ±1e4."""
    result = STABLE_SOFTMAX.check(fn)
    if result.status == "fail" and "NaN or inf" in result.message:
        return Result("fail", OVERFLOW, STABLE_SOFTMAX.name)
    return _broadcast_explained(result, KEEPDIMS, KEEPDIMS)


# -- 4. the gradient of softmax + cross-entropy --------------------------------------------------
def reference_softmax_ce_grad(logits: Array, labels: Array) -> Array:
    """``∂L/∂z = (softmax(z) − y) / n`` for ``L = −(1/n) Σ_i log softmax(z_i)_{t_i}``.

    ``logits : (n, C)``, ``labels : (n,)`` integer classes -> ``(n, C)``.
    """
    n = logits.shape[0]
    y = np.zeros_like(logits)
    y[np.arange(n), labels] = 1.0
    return (softmax(logits, axis=1) - y) / n


def _onehot(logits: Array, labels: Array) -> Array:
    y = np.zeros_like(logits)
    y[np.arange(logits.shape[0]), labels] = 1.0
    return y


def _sizes(logits: Array, labels: Array) -> dict[str, int]:
    """The sizes a message on ``logits : (n, C)`` quotes: ``n``, ``C`` and ``nC``."""
    n, C = logits.shape
    return {"n": n, "C": C, "nC": n * C}


CE_GRAD = Exercise(
    "softmax_ce_grad",
    reference_softmax_ce_grad,
    # n − 1 ≠ C in every case: a division by n − 1 is not mistaken for one by C
    cases=[(_normal(5, 3), np.array([0, 2, 1, 2, 0])), (_normal(3, 5), np.array([4, 0, 0])),
           (2.0 * _normal(6, 4), np.array([3, 1, 0, 2, 1, 3]))],
    diagnoses=[
        _diagnosis("you left out the − y: the gradient is (ŷ − y)/n, where y is the one-hot "
                  "row of each label. Without it every entry is positive and the true class "
                  "is pushed down with the others.",
                  lambda z, t: softmax(z, axis=1) / z.shape[0]),
        _diagnosis("you forgot the 1/n: the loss is the mean over the n samples, so its "
                  "gradient is (ŷ − y)/n.", lambda z, t: softmax(z, axis=1) - _onehot(z, t)),
        _diagnosis("you divided by C = {C}, the number of classes, instead of n = {n}, the "
                   "number of samples: the loss is the mean over the samples, so its gradient "
                   "is (ŷ − y)/n, with n = logits.shape[0].",
                   lambda z, t: (softmax(z, axis=1) - _onehot(z, t)) / z.shape[1], _sizes),
        _diagnosis("you divided by n·C = {nC}, the number of entries, instead of n = {n}, the "
                   "number of samples: the loss averages over the samples only (each sample's "
                   "loss sums over its classes), so the gradient is (ŷ − y)/n.",
                   lambda z, t: (softmax(z, axis=1) - _onehot(z, t)) / z.size, _sizes),
        _diagnosis("the sign is wrong: ∂L/∂z = (ŷ − y)/n, not (y − ŷ)/n.",
                  lambda z, t: (_onehot(z, t) - softmax(z, axis=1)) / z.shape[0]),
        _diagnosis("you returned ∂L/∂ŷ = −y/ŷ (over n), the gradient with respect to the "
                  "probabilities. Chain it through the softmax Jacobian diag(ŷ) − ŷŷᵀ: the "
                  "product collapses to (ŷ − y)/n.",
                  lambda z, t: -_onehot(z, t) / softmax(z, axis=1) / z.shape[0]),
        _diagnosis("you normalised the softmax over axis 0 (the batch); each sample is a row: "
                  "softmax over axis 1.",
                  lambda z, t: (softmax(z, axis=0) - _onehot(z, t)) / z.shape[0]),
    ],
)


ONE_HOT_SHAPE = (
    "your one-hot rows have the wrong shape: y must have the logits' shape (n, C), one row per "
    "sample and one column per class: np.eye(C)[labels] with C = logits.shape[1].")
LABELS_ARE_INDICES = (
    "an (n,) array met the (n, C) rows, one number per sample where a row per sample was "
    "needed. Either the labels were used directly: they are class indices of shape (n,), not "
    "one-hot rows, so build y = np.zeros_like(z) and set y[np.arange(n), labels] = 1 before "
    "ŷ − y. Or a sum without keepdims=True: the softmax's row sums need keepdims=True (shape "
    "(n, 1)) to divide each row by its own sum.")


@_quiet
def check_softmax_ce_grad(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(logits, labels) -> (softmax(logits) − onehot(labels)) / n``."""
    # (n,) against (n, C): labels (or row sums) used as they are; else one-hot rows of the
    # wrong shape, such as np.eye(n)[labels]
    return _broadcast_explained(CE_GRAD.check(fn), LABELS_ARE_INDICES, ONE_HOT_SHAPE)


# -- 5. softmax with the squared error: the shortcut that fails ----------------------------------
def reference_softmax_mse_grad(logits: Array, targets: Array) -> Array:
    """``∂L/∂z`` for ``L = ½ Σ_s ‖softmax(z_s) − y_s‖²``, summed over the batch.

    Row by row it is ``J_sᵀ (p_s − y_s)`` with the softmax Jacobian ``J = diag(p) − p pᵀ``
    (symmetric), that is ``p ⊙ (g − (g · p))`` with ``g = p − y`` and the inner product
    ``g · p`` taken per row. ``logits, targets : (n, C)`` -> ``(n, C)``; no ``(C, C)``
    Jacobian is formed.
    """
    p = softmax(logits, axis=1)
    g = p - targets
    return p * (g - np.sum(g * p, axis=1, keepdims=True))


def _softmax_mse_variant(inner: Callable[[Array], Array | float],
                         softmax_axis: int = 1) -> Callable[[Array, Array], Array]:
    """``p ⊙ (g − inner(g ⊙ p))``: the reference with the per-row inner product replaced (and
    the softmax taken over ``softmax_axis``)."""
    def wrong(z: Array, y: Array) -> Array:
        p = softmax(z, axis=softmax_axis)
        g = p - y
        return p * (g - inner(g * p))
    return wrong


def _one_hot_targets(n: int, C: int) -> Array:
    return np.eye(C)[_rng.integers(0, C, n)]


KEEPDIMS_INNER = ("the row sums (p − y) · p lost their axis: with np.sum(..., axis=1) they are "
                  "an (n,) array, which NumPy lines up with the columns. Use keepdims=True to "
                  "keep them (n, 1).")

SOFTMAX_MSE_GRAD = Exercise(
    "softmax_mse_grad",
    reference_softmax_mse_grad,
    # not square first: a transposed answer then shows as one, and a missing keepdims raises
    cases=[(_normal(4, 5), _one_hot_targets(4, 5)), (_normal(3, 3), _one_hot_targets(3, 3)),
           (2.0 * _normal(6, 4), _one_hot_targets(6, 4))],
    diagnoses=[
        _diagnosis("you divided by n: this loss is summed over the batch, ½ Σ_s ‖p_s − y_s‖², "
                   "with no mean, so each row's gradient stands as it is.",
                   lambda z, y: reference_softmax_mse_grad(z, y) / len(z)),
        _diagnosis("twice the gradient: the ½ in L = ½ Σ ‖p − y‖² cancels the 2 of the square, "
                   "so the first factor is p − y, not 2(p − y).",
                   lambda z, y: 2.0 * reference_softmax_mse_grad(z, y)),
        _diagnosis("p − y is the gradient of softmax with the cross-entropy — note 003's "
                   "\"treat softmax as y = x\". Under the squared error the gradient passes "
                   "through the softmax's Jacobian: Jᵀ(p − y) with J = diag(p) − p pᵀ.",
                   lambda z, y: softmax(z, axis=1) - y),
        _diagnosis("you kept only the diagonal of the Jacobian, p_i(1 − p_i), as for a "
                   "sigmoid. Every logit moves every probability: J = diag(p) − p pᵀ, and "
                   "Jᵀ g = p ⊙ (g − (g · p)) for g = p − y.",
                   lambda z, y: (lambda p: p * (1 - p) * (p - y))(softmax(z, axis=1))),
        _diagnosis("you kept diag(p) of the Jacobian J = diag(p) − p pᵀ and dropped − p pᵀ: "
                   "subtract p times each row's inner product (p − y) · p.",
                   lambda z, y: (lambda p: p * (p - y))(softmax(z, axis=1))),
        _diagnosis("the inner product (p − y) · p belongs to each sample: sum over axis=1 "
                   "with keepdims=True, not over the whole batch.",
                   _softmax_mse_variant(np.sum)),
        _diagnosis("the inner product (p − y) · p belongs to each sample, a row: sum over "
                   "axis=1, not axis 0.",
                   _softmax_mse_variant(lambda gp: np.sum(gp, axis=0, keepdims=True))),
        _diagnosis(KEEPDIMS_INNER, _softmax_mse_variant(lambda gp: np.sum(gp, axis=1))),
        _diagnosis("your softmax normalises over axis 0 (the batch); each sample is a row: "
                   "softmax over axis 1.",
                   _softmax_mse_variant(lambda gp: np.sum(gp, axis=1, keepdims=True),
                                        softmax_axis=0)),
    ],
)


ONE_SAMPLE_JACOBIAN = (
    "the shapes do not line up. The Jacobian diag(p) − p pᵀ belongs to one sample: np.diag, "
    "np.outer and softmax_jacobian take one row p of length C (np.diag of an (n, C) array is "
    "its diagonal, and np.outer flattens it). For the batch, use the row-wise form "
    "p ⊙ (g − (g · p)) with g = p − y, or build one Jacobian per row.")


def _one_sample_jacobian(error: str) -> bool:
    """Whether NumPy's error text shows what np.outer or np.diag make of a whole batch: a
    size n·C (np.outer flattens the (n, C) rows), or one sample's (C, C) Jacobian against the
    (n, C) rows; n and C are those of the checker's cases."""
    shapes = [tuple(int(d) for d in dims.split(",") if d.strip())
              for dims in re.findall(r"\(([\d, ]*)\)", error)]
    # a matrix product says "size 4 is different from 20"
    shapes += [(int(a), int(b)) for a, b in
               re.findall(r"size (\d+) is different from (\d+)", error)]
    sizes = [np.shape(logits) for logits, _ in SOFTMAX_MSE_GRAD.cases]
    flat = any(n * C in shape for n, C in sizes for shape in shapes)
    # one sample's (C, C) Jacobian met the batch's (n, C) rows
    square = any((C, C) in shapes and (n, C) in shapes for n, C in sizes if n != C)
    return flat or square


@_quiet
def check_softmax_mse_grad(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(logits, targets) -> Jᵀ (softmax(logits) − targets)`` row by row."""
    result = SOFTMAX_MSE_GRAD.check(fn)
    if result.status == "error" and any(word in result.message
                                        for word in ("broadcast", "matmul", "shapes")):
        # (n,) against (n, C): row sums without keepdims; an n·C or a (C, C): one sample's
        # Jacobian (np.diag, np.outer) applied to the whole batch; else NumPy's own message,
        # with its shapes, and the hint on shapes
        if "broadcast" in result.message and _one_per_row_against_rows(result.message):
            return Result("fail", KEEPDIMS_INNER, result.exercise)
        if _one_sample_jacobian(result.message):
            return Result("fail", ONE_SAMPLE_JACOBIAN, result.exercise)
    return shape_hint(result)


__all__ = [
    "check_equivalent_lr", "check_sigmoid_mse_delta", "check_softmax_ce_grad",
    "check_softmax_mse_grad", "check_stable_softmax", "reference_equivalent_lr",
    "reference_sigmoid_mse_delta", "reference_softmax_ce_grad", "reference_softmax_mse_grad",
    "reference_stable_softmax",
]
