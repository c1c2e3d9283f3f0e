"""Numerical gradients by central differences, and checks of layers, losses and networks.

``numerical_gradient`` perturbs one entry at a time:
``∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε)``, with an error of order ``ε²``.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np

from backprop.layers import Layer
from backprop.losses import Loss
from backprop.scalar import Value

Array = np.ndarray


def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Central-difference gradient of a scalar function ``f`` at the array ``x``.

    ``g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε)`` for every entry ``i``; error ``O(ε²)``.

    ``x`` is perturbed in place one entry at a time and each entry is restored exactly
    afterwards, even when ``f`` raises (so ``f`` may close over ``x``, e.g. a layer's ``W``).
    ``x`` may be any writeable float array, also a non-contiguous view. Meant for float64:
    in float32 the default ``ε`` is below the resolution of the numbers, so a float32 ``x``
    needs ``ε ≥ 10⁻³`` (a ``ValueError`` otherwise). ``f`` must return one number.

    Returns a float64 array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise ValueError("numerical_gradient: x must be a float NumPy array (it is perturbed "
                         f"in place), got {type(x).__name__} of dtype {getattr(x, 'dtype', '-')}")
    if not x.flags.writeable:
        raise ValueError("numerical_gradient: x must be writeable (it is perturbed in place)")
    if not (isinstance(eps, Real) and np.isfinite(eps) and eps > 0):
        raise ValueError(f"numerical_gradient: eps must be a positive number, got {eps!r} "
                         "(about 1e-6 for float64)")
    if x.dtype != np.float64 and eps < np.sqrt(np.finfo(x.dtype).resolution):
        raise ValueError(f"numerical_gradient: x is {x.dtype}, too coarse for ε = {eps:g} (x ± ε "
                         "rounds back to x): check a float64 copy, or pass eps=1e-2")
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + eps
            f_plus = _scalar(f(x))
            x[i] = original - eps
            f_minus = _scalar(f(x))
        finally:
            x[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _scalar(value: object) -> float:
    """``float(value)`` for a number or a one-element array; a clear error otherwise."""
    if value is None:
        raise TypeError("numerical_gradient: f returned None; it must return the loss (did it "
                        "forget `return`?)")
    if isinstance(value, Value):
        raise TypeError(f"numerical_gradient: f returned a {type(value).__name__}; return its "
                        "number, e.g. `out.data`")
    try:
        number = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"numerical_gradient: f must return one number (a loss), got "
                        f"{value!r:.60}") from None
    if number.size != 1:
        raise ValueError(f"numerical_gradient: f must return one number (a loss), got an array "
                         f"of shape {number.shape}; e.g. sum it against a fixed random "
                         "array, np.vdot(f(x), R)")
    return float(number.reshape(()))


def relative_error(a: Array, b: Array) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, tiny)``: 0 for equal arrays, 1 for opposite ones.

    Norm-based, so entries that are both almost zero do not blow it up. Both arrays are first
    divided by their largest entry (the ratio does not change), so that squaring entries of
    1e-200 or 1e200 inside the norms neither underflows to 0 nor overflows.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ: {a.shape} vs {b.shape}")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    if not 0 < scale < np.inf:
        scale = 1.0
    # the difference is taken before the division: a/scale − b/scale would lose its digits
    denom = np.linalg.norm(a / scale) + np.linalg.norm(b / scale)
    return float(np.linalg.norm((a - b) / scale) / max(denom, np.finfo(np.float64).tiny))


def check_layer(
    layer: Layer, X: Array, *, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Relative error of ``layer``'s analytic gradients against numerical ones, by name.

    Uses the scalar probe ``L = Σ (Y ⊙ R)`` with a fixed random ``R``, so ``dY = R``.
    Returns ``{"X": err, "W": err, "b": err, …}`` (``"layers[0].W"`` etc. for a ``Sequential``),
    each a ``relative_error`` over the whole array; ``max(result.values())`` is the worst.
    """
    X = np.array(X, dtype=np.float64)
    R = np.random.default_rng(seed).standard_normal(layer.forward(X).shape)

    def probe(_: Array) -> float:
        return float(np.vdot(layer.forward(X), R))

    layer.forward(X)
    dX = layer.backward(R)
    analytic = {"X": dX} | {name: grad.copy() for name, _, grad in layer.named_parameters()}
    errors = {"X": relative_error(dX, numerical_gradient(probe, X, eps))}
    for name, param, _ in list(layer.named_parameters()):
        errors[name] = relative_error(analytic[name], numerical_gradient(probe, param, eps))
    return errors


def check_loss(loss: Loss, pred: Array, target: Array, *, eps: float = 1e-6) -> float:
    """Relative error between ``loss.backward()`` and the numerical ``∂L/∂pred``.

    ``pred`` of any shape the loss takes (``(n, out)``, logits ``(n, C)``), copied as
    float64; ``target`` as the loss takes it. The numerical gradient is central differences
    with step ``eps``.
    """
    pred = np.array(pred, dtype=np.float64)
    loss.forward(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda p: loss.forward(p, target), pred, eps)
    return relative_error(analytic, numeric)


def check_network(
    net: Layer, loss: Loss, X: Array, target: Array, *, eps: float = 1e-6
) -> dict[str, float]:
    """Per-parameter relative error of ``net``'s gradients of ``loss(net(X), target)``.

    Returns ``{"layers[0].W": err, "layers[0].b": err, …}``.
    """
    X = np.asarray(X, dtype=np.float64)

    def total(_: Array) -> float:
        return loss.forward(net.forward(X), target)

    total(X)
    net.backward(loss.backward())
    analytic = {name: grad.copy() for name, _, grad in net.named_parameters()}
    return {
        name: relative_error(analytic[name], numerical_gradient(total, param, eps))
        for name, param, _ in list(net.named_parameters())
    }
