"""Exercises of chapter 3, from the loss back to one weight.

Each ``check_<name>`` runs the learner's answer on seeded cases, compares it with the reference
solution and, when they differ, names the typical mistake (a missing factor 2 or 1/n, a wrong
sign in the update, a forgotten activation derivative, a transposed outer product). Usage::

    from backprop.exercises import ch03
    ch03.check_chain_grads(chain_grads)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from backprop.exercises._core import Diagnosis, Exercise, Result

Array = np.ndarray
_rng = np.random.default_rng(303)


def _normal(*shape: int) -> Array:
    return _rng.standard_normal(shape)


# -- 1. the two gradients of a two-weight chain --------------------------------------------------
def reference_chain_grads(x: Array, t: Array, w1: float, w2: float) -> tuple[float, float]:
    """``∂L/∂w1, ∂L/∂w2`` for ``z1 = w1 x``, ``a1 = tanh(z1)``, ``y = w2 a1`` and
    ``L = (1/n) Σ_i (y_i − t_i)²`` over the ``n`` samples ``x, t : (n,)``.

    ``∂L/∂y_i = 2 (y_i − t_i)/n``; ``∂L/∂w2 = Σ_i ∂L/∂y_i a1_i``;
    ``∂L/∂w1 = Σ_i ∂L/∂y_i w2 (1 − a1_i²) x_i``.
    """
    a1 = np.tanh(w1 * x)
    dy = 2 * (w2 * a1 - t) / x.size
    return float(np.sum(dy * w2 * (1 - a1**2) * x)), float(np.sum(dy * a1))


def _chain_variant(*, dy: str = "mean", act: str = "tanh'", w2_factor: bool = True,
                   input_w2: str = "a1") -> Callable[..., tuple[float, float]]:
    """A wrong ``chain_grads``: ``dy`` ("mean", "no2", "sum", "half"), the factor used for f′(z1)
    (``"tanh'"``, ``"none"``, ``"a1"``, ``"1-z1^2"``), and what ``∂y/∂w2`` uses."""
    def wrong(x: Array, t: Array, w1: float, w2: float) -> tuple[float, float]:
        z1 = w1 * x
        a1 = np.tanh(z1)
        scale = {"mean": 2 / x.size, "no2": 1 / x.size, "sum": 2.0, "half": 1.0}[dy]
        g = scale * (w2 * a1 - t)
        fprime = {"tanh'": 1 - a1**2, "none": 1.0, "a1": a1, "1-z1^2": 1 - z1**2}[act]
        return (float(np.sum(g * (w2 if w2_factor else 1.0) * fprime * x)),
                float(np.sum(g * (a1 if input_w2 == "a1" else x))))
    return wrong


def _both(message: str, wrong: Callable[..., Any]) -> list[Diagnosis]:
    return [Diagnosis(message, wrong, "dw1"), Diagnosis(message, wrong, "dw2")]


CHAIN_GRADS = Exercise(
    "chain_grads",
    reference_chain_grads,
    cases=[(_normal(3), _normal(3), 0.7, -1.3), (_normal(5), _normal(5), -1.1, 0.4),
           (np.array([0.8]), np.array([0.5]), 1.2, 2.0)],
    outputs=("dw1", "dw2"),
    diagnoses=[
        *_both("you forgot the 2 of the square: for L = (1/n) Σ (y − t)², "
               "∂L/∂y = 2 (y − t)/n.", _chain_variant(dy="no2")),
        *_both("you forgot the 1/n of the mean: L averages over the n samples, so "
               "∂L/∂y = 2 (y − t)/n.", _chain_variant(dy="sum")),
        *_both("y − t is the gradient of ½ Σ (y − t)², the notes' loss; for this chapter's "
               "mean L = (1/n) Σ (y − t)² it is ∂L/∂y = 2 (y − t)/n.", _chain_variant(dy="half")),
        Diagnosis("∂y/∂w2 is a1 = tanh(w1 x), the input of the weight w2, not x.",
                  _chain_variant(input_w2="x"), "dw2"),
        Diagnosis("you forgot the activation's derivative: between a1 and z1 the chain picks "
                  "up f′(z1) = 1 − tanh²(z1).", _chain_variant(act="none"), "dw1"),
        Diagnosis("you multiplied by tanh(z1) = a1 where the derivative tanh′(z1) = 1 − a1² "
                  "belongs.", _chain_variant(act="a1"), "dw1"),
        Diagnosis("tanh′(z) = 1 − tanh²(z), not 1 − z²: square the activation a1, not z1.",
                  _chain_variant(act="1-z1^2"), "dw1"),
        Diagnosis("you left out w2: on the way from y down to a1 the chain picks up "
                  "∂y/∂a1 = w2.", _chain_variant(w2_factor=False), "dw1"),
    ],
)


def check_chain_grads(fn: Callable[[Array, Array, float, float], tuple[float, float]]) -> Result:
    """Check ``fn(x, t, w1, w2) -> (∂L/∂w1, ∂L/∂w2)`` for the chain ``y = w2 tanh(w1 x)``
    and ``L = (1/n) Σ (y − t)²``."""
    return CHAIN_GRADS.check(fn)


# -- 2. the MSE gradient in each normalisation ---------------------------------------------------
def reference_mse_grad(y: Array, t: Array, reduction: str) -> Array:
    """``∂L/∂y`` for ``y, t : (n, k)``: ``"mean"`` ``L = (1/N) Σ (y − t)²`` over all
    ``N = n k`` entries gives ``2 (y − t)/N``; ``"sum"`` gives ``2 (y − t)``; ``"half_sum"``
    ``L = ½ Σ (y − t)²`` gives ``y − t``."""
    scale = {"mean": 2 / y.size, "sum": 2.0, "half_sum": 1.0}[reduction]
    return scale * (y - t)


_RIGHT_SCALES: dict[str, Callable[[Array], float]] = {
    "mean": lambda y: 2 / y.size, "sum": lambda y: 2.0, "half_sum": lambda y: 1.0}


def _mse_variant(scales: dict[str, Callable[[Array], float]]) -> Callable[..., Array]:
    """A wrong ``mse_grad``: ``scales`` overrides the right factor for some reductions."""
    def wrong(y: Array, t: Array, reduction: str) -> Array:
        return (_RIGHT_SCALES | scales)[reduction](y) * (y - t)
    return wrong

MSE_GRAD = Exercise(
    "mse_grad",
    reference_mse_grad,
    cases=[(_normal(4, 2), _normal(4, 2), "mean"), (_normal(3, 1), _normal(3, 1), "half_sum"),
           (_normal(5, 3), _normal(5, 3), "sum"), (_normal(2, 3), _normal(2, 3), "mean")],
    diagnoses=[
        Diagnosis("for the mean divide by the number of entries N = n·k (y.size), not by the "
                  "number of rows n: L = (1/N) Σ over every entry.",
                  _mse_variant({"mean": lambda y: 2 / y.shape[0]})),
        Diagnosis("you forgot the 2 of the square: d(y − t)²/dy = 2 (y − t).",
                  _mse_variant({"mean": lambda y: 1 / y.size, "sum": lambda y: 1.0})),
        Diagnosis("for reduction='mean' the gradient has the 1/N of the mean: 2 (y − t)/N.",
                  _mse_variant({"mean": lambda y: 2.0})),
        Diagnosis("with L = ½ Σ (y − t)² the ½ cancels the 2: ∂L/∂y = y − t (the notes' "
                  "form).", _mse_variant({"half_sum": lambda y: 2.0})),
        Diagnosis("you used the mean's 2 (y − t)/N for reduction='half_sum': the notes' "
                  "½ Σ (y − t)² has no 1/N, its gradient is y − t.",
                  _mse_variant({"half_sum": lambda y: 2 / y.size})),
        Diagnosis("'half_sum' has no 1/N: L = ½ Σ (y − t)² sums over the entries, "
                  "∂L/∂y = y − t.", _mse_variant({"half_sum": lambda y: 1 / y.size})),
        Diagnosis("you used the mean's 2 (y − t)/N for reduction='sum': L = Σ (y − t)² has "
                  "∂L/∂y = 2 (y − t).", _mse_variant({"sum": lambda y: 2 / y.size})),
    ],
)


def check_mse_grad(fn: Callable[[Array, Array, str], Array]) -> Result:
    """Check ``fn(y, t, reduction) -> ∂L/∂y`` for ``reduction`` in ``"mean"``, ``"sum"``,
    ``"half_sum"``."""
    return MSE_GRAD.check(fn)


# -- 3. gradient descent -------------------------------------------------------------------------
def reference_gd_steps(grad_fn: Callable[[float], float], w0: float, lr: float,
                       steps: int) -> Array:
    """The iterates ``w⁽⁰⁾ = w0``, ``w⁽ˢ⁺¹⁾ = w⁽ˢ⁾ − α ∂L/∂w(w⁽ˢ⁾)`` as an array of
    ``steps + 1`` numbers (``grad_fn(w)`` gives ``∂L/∂w``)."""
    ws = [float(w0)]
    for _ in range(steps):
        ws.append(ws[-1] - lr * grad_fn(ws[-1]))
    return np.array(ws)


def _gd_variant(update: Callable[[float, float, float, float], float], *,
                first: bool = True) -> Callable[..., Array]:
    """A wrong ``gd_steps``: ``update(w, g, g0, lr)`` gives the next ``w``."""
    def wrong(grad_fn: Callable[[float], float], w0: float, lr: float, steps: int) -> Array:
        ws, g0 = [float(w0)], grad_fn(w0)
        for _ in range(steps):
            ws.append(update(ws[-1], grad_fn(ws[-1]), g0, lr))
        return np.array(ws if first else ws[1:])
    return wrong


def _quadratic_grad(w: float) -> float:
    """``∂L/∂w`` of ``L(w) = (w − 1.5)²``."""
    return 2 * (w - 1.5)


def _chain_grad(w: float) -> float:
    """``∂L/∂w`` of ``L(w) = (1.5 tanh(w) − 0.5)²``."""
    a = np.tanh(w)
    return float(2 * (1.5 * a - 0.5) * 1.5 * (1 - a * a))


GD_STEPS = Exercise(
    "gd_steps",
    reference_gd_steps,
    cases=[(_quadratic_grad, -1.0, 0.3, 5), (_chain_grad, 0.8, 0.5, 8),
           (_quadratic_grad, 2.0, 1.2, 4)],
    diagnoses=[
        Diagnosis("your steps go uphill: the update subtracts the gradient, "
                  "w ← w − α ∂L/∂w.", _gd_variant(lambda w, g, g0, lr: w + lr * g)),
        Diagnosis("you forgot the learning rate: w ← w − α ∂L/∂w (note 003's w* = w − g is "
                  "the special case α = 1).", _gd_variant(lambda w, g, g0, lr: w - g)),
        Diagnosis("you used the gradient at w0 for every step: recompute ∂L/∂w at each new w.",
                  _gd_variant(lambda w, g, g0, lr: w - lr * g0)),
        Diagnosis("start the list with w0 itself: steps + 1 values w⁽⁰⁾, …, w⁽ˢ⁾.",
                  _gd_variant(lambda w, g, g0, lr: w - lr * g, first=False)),
        Diagnosis("return every iterate (an array of steps + 1 values), not just the last "
                  "one.", lambda grad_fn, w0, lr, steps:
                  reference_gd_steps(grad_fn, w0, lr, steps)[-1]),
    ],
)


def check_gd_steps(fn: Callable[[Callable[[float], float], float, float, int], Array]) -> Result:
    """Check ``fn(grad_fn, w0, lr, steps) -> [w⁽⁰⁾, …, w⁽ˢ⁾]`` (plain gradient descent)."""
    return GD_STEPS.check(fn)


# -- 4. the outer-product gradient of a layer ----------------------------------------------------
def reference_weight_grad(a_prev: Array, dy: Array) -> Array:
    """``∂L/∂W = a_prevᵀ dy`` for ``y = a_prev W`` with ``a_prev : (n, in)``,
    ``dy = ∂L/∂y : (n, out)``; ``(in, out)``, the shape of ``W``. For one sample (``n = 1``)
    it is the outer product ``g_jk = a_j ∂L/∂y_k`` of note 000; a batch sums over samples."""
    return a_prev.T @ dy


LAST_SAMPLE = ("you kept the last sample's outer product only: in a loop over the samples, "
               "g = np.outer(...) overwrites the sum so far. Start from zeros and accumulate, "
               "g += np.outer(a_prev[i], dy[i]), or let the matrix product a_prevᵀ dy sum "
               "them.")

WEIGHT_GRAD = Exercise(
    "weight_grad",
    reference_weight_grad,
    # square first, so that a transposed or element-wise answer still has a diagnosis
    cases=[(_normal(3, 3), _normal(3, 3)), (_normal(1, 3), _normal(1, 2)),
           (_normal(4, 3), _normal(4, 2)), (_normal(5, 2), _normal(5, 4))],
    diagnoses=[
        Diagnosis("you computed dyᵀ a_prev, the transpose: ∂L/∂W must have the shape of W, "
                  "(in, out), with g_jk = Σ_i a_ij ∂L/∂y_ik, so it is a_prevᵀ dy.",
                  lambda a, dy: dy.T @ a),
        Diagnosis("you averaged over the batch: ∂L/∂W sums the samples' outer products "
                  "(any 1/n of the loss is already inside dy).",
                  lambda a, dy: a.T @ dy / a.shape[0]),
        Diagnosis("that is the element-wise product a_prev * dy; ∂L/∂W_jk = Σ_i a_ij dy_ik is "
                  "a matrix product, a_prevᵀ dy.", lambda a, dy: a * dy),
        Diagnosis("you used the first sample only: a batch sums the outer products of all "
                  "its samples, a_prevᵀ dy.", lambda a, dy: np.outer(a[0], dy[0])),
        Diagnosis(LAST_SAMPLE, lambda a, dy: np.outer(a[-1], dy[-1])),
        Diagnosis("you returned one outer product per sample, shape (n, in, out): sum them "
                  "over the batch, a_prevᵀ dy.", lambda a, dy: np.einsum("ij,ik->ijk", a, dy)),
    ],
)


def check_weight_grad(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(a_prev, dy) -> ∂L/∂W = a_prevᵀ dy`` (row convention)."""
    return WEIGHT_GRAD.check(fn)


# -- 5. the largest stable learning rate for the last weight (a number) --------------------------
#: the last hidden activations a2 of three samples, for exercise 5
LR_A2 = np.array([0.5, -0.9, 0.3])


def reference_alpha_max() -> float:
    """``α* = 2 / L''`` for ``L(w3) = (1/n) Σ (w3 a2_i − t_i)²``: ``L'' = (2/n) Σ a2_i²``.

    Gradient descent multiplies the distance to the minimum by ``1 − α L''`` per step, so it
    converges for ``0 < α < 2 / L''`` and diverges above.
    """
    curvature = 2 * np.mean(LR_A2**2)
    return float(2 / curvature)


_SUM_A2 = float(np.sum(LR_A2**2))
ALPHA_MAX = Exercise(
    "alpha_max",
    reference_alpha_max,
    cases=[()],
    # the text asks for three significant digits: α* = 2.6087 rounded to three is within
    # half a unit of the last digit, 0.005 / 2.6 = 0.19 %; 2.60 and 2.62 are not
    rtol=2e-3,
    diagnosis_rtol=5e-3,  # 1.30 is 1/L''
    reveal=False,
    diagnoses=[
        Diagnosis("that is 1/L'', the rate that lands on the minimum in one step; gradient "
                  "descent still converges (oscillating) up to twice that, α* = 2/L''.",
                  lambda: 0.5 * reference_alpha_max()),
        Diagnosis("that is the curvature L'' itself; the threshold is α* = 2/L''.",
                  lambda: 2 * np.mean(LR_A2**2)),
        Diagnosis("you dropped the 1/n of the mean: L'' = (2/n) Σ a2².",
                  lambda: 2 / (2 * _SUM_A2)),
        Diagnosis("you dropped the 2 of the square: L'' = (2/n) Σ a2², not (1/n) Σ a2².",
                  lambda: 2 * reference_alpha_max()),
    ],
)


def check_alpha_max(value: float | Callable[[], float] | None) -> Result:
    """Check the largest learning rate ``α*`` for which gradient descent on ``w3`` converges,
    with ``a2 = LR_A2`` and ``L = (1/n) Σ (w3 a2 − t)²`` (give a number, or ``...`` / ``None``
    while it is not done yet)."""
    return ALPHA_MAX.check_number(value)


__all__ = [
    "LR_A2", "check_alpha_max", "check_chain_grads", "check_gd_steps", "check_mse_grad",
    "check_weight_grad", "reference_alpha_max", "reference_chain_grads", "reference_gd_steps",
    "reference_mse_grad", "reference_weight_grad",
]
