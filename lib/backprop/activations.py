"""Activation functions, each defined once together with its derivative.

Every derivative is written as a function of the pre-activation ``z`` (the notes'
``f'(z)``). The layers ``Sigmoid`` and ``Tanh`` use the cheaper form in terms of their
output ``a = f(z)``: ``σ' = a(1 − a)``, ``tanh' = 1 − a²``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backprop._arrays import shape_text

Array = np.ndarray


def sigmoid(z: Array) -> Array:
    """Logistic function ``σ(z) = 1 / (1 + e^{-z})``, element-wise (output of ``z``'s shape),
    computed without overflow."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: Array) -> Array:
    """``σ'(z) = σ(z) (1 − σ(z))``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: Array) -> Array:
    """Hyperbolic tangent ``tanh(z)``, element-wise (output of ``z``'s shape)."""
    return np.tanh(z)


def tanh_prime(z: Array) -> Array:
    """``tanh'(z) = 1 − tanh(z)²``."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """Rectified linear unit ``max(0, z)``, element-wise (output of ``z``'s shape)."""
    return np.maximum(z, 0)


def relu_prime(z: Array) -> Array:
    """``relu'(z) = 1`` for ``z > 0`` else ``0`` (the subgradient 0 is used at ``z = 0``)."""
    z = np.asarray(z)
    return (z > 0).astype(z.dtype if z.dtype.kind == "f" else np.float64)


def identity(z: Array) -> Array:
    """Identity ``f(z) = z`` (a linear output layer)."""
    return np.asarray(z)


def identity_prime(z: Array) -> Array:
    """``f'(z) = 1``."""
    z = np.asarray(z)
    return np.ones_like(z, dtype=z.dtype if z.dtype.kind == "f" else np.float64)


def softmax(z: Array, axis: int = -1) -> Array:
    """Softmax ``p_i = e^{z_i} / Σ_j e^{z_j}`` along ``axis``, shifted by the max for stability.

    z : (n, C) logits -> (n, C) probabilities whose rows sum to 1.
    """
    z = np.asarray(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(p: Array) -> Array:
    """``J = diag(p) − p pᵀ``, ``J_ij = ∂p_i/∂z_j``, for ``p = softmax(z)`` of shape ``(C,)``.

    Returns ``(C, C)``, symmetric, with rows summing to 0. One sample at a time: a row
    ``(1, C)`` or a batch ``(n, C)`` of ``softmax`` is refused (each row has its own Jacobian),
    and so is a ``p`` that is not a distribution (entries in ``[0, 1]`` summing to 1 within
    ``1e-4``, float32 rounding included): logits ``z`` given in place of ``softmax(z)``.
    """
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"softmax_jacobian: p must be one sample's probabilities, shape (C,), "
                         f"got {shape_text(p.shape)}; pass a row, p[i], for sample i's "
                         "Jacobian")
    if not (np.all((p >= 0) & (p <= 1)) and abs(p.sum() - 1.0) <= 1e-4):
        raise ValueError(f"softmax_jacobian: p must be probabilities, entries in [0, 1] that "
                         f"sum to 1, got entries from {p.min():g} to {p.max():g} summing to "
                         f"{p.sum():g}; pass p = softmax(z), not the logits z")
    return np.diag(p) - np.outer(p, p)


def log_softmax(z: Array, axis: int = -1) -> Array:
    """``log softmax(z) = z − m − log(1 + Σ_{j≠k} e^{z_j − m})``, ``m = z_k = max z``.

    Finite for logits of any size. The term ``e^{z_k − m} = 1`` of the largest logit
    is kept out of the sum and added by ``log1p``, so a confident prediction (every
    other ``e^{z_j−m}`` tiny) still gets a log-probability accurate to full relative
    precision.
    """
    z = np.asarray(z)
    k = np.expand_dims(z.argmax(axis=axis), axis)
    shifted = z - np.take_along_axis(z, k, axis=axis)
    e = np.exp(shifted)
    np.put_along_axis(e, k, 0.0, axis=axis)
    return shifted - np.log1p(e.sum(axis=axis, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """An activation ``f`` and its derivative ``f'``, both functions of ``z``."""

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "tanh": Activation("tanh", tanh, tanh_prime),
    "relu": Activation("relu", relu, relu_prime),
    "identity": Activation("identity", identity, identity_prime),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name (``sigmoid``, ``tanh``, ``relu``, ``identity``)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of: {known}") from None
