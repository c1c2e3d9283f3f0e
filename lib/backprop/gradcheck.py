"""Numerical gradients by central differences, and checks of layers, losses and networks.

``numerical_gradient`` perturbs one entry at a time:
``∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε)``, with an error of order ``ε²``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop.layers import Layer
from backprop.losses import Loss

Array = np.ndarray


def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Central-difference gradient of a scalar function ``f`` at the array ``x``.

    ``x`` is perturbed in place one entry at a time and restored exactly afterwards (so ``f``
    may close over ``x``, e.g. a layer's ``W``). Returns an array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise ValueError("numerical_gradient: x must be a float NumPy array (it is perturbed "
                         f"in place), got {type(x).__name__} of dtype {getattr(x, 'dtype', '-')}")
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)  # a view: writing to it perturbs x
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient: x must be contiguous so it can be perturbed")
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = float(f(x))
        flat[i] = original - eps
        f_minus = float(f(x))
        flat[i] = original
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a: Array, b: Array) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, tiny)``: 0 for equal arrays, 1 for opposite ones.

    Norm-based, so entries that are both almost zero do not blow it up.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ: {a.shape} vs {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, np.finfo(np.float64).tiny))


def check_layer(
    layer: Layer, X: Array, *, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Worst relative error of ``layer``'s analytic gradients, per quantity, by name.

    Uses the scalar probe ``L = Σ (Y ⊙ R)`` with a fixed random ``R``, so ``dY = R``.
    Returns ``{"X": err, "W": err, "b": err, …}`` (``"layers[0].W"`` etc. for a ``Sequential``).
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
    """Relative error between ``loss.backward()`` and the numerical ``∂L/∂pred``."""
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
