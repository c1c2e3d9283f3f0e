"""Optimizers that update a model's parameters in place."""

from __future__ import annotations

from numbers import Real

import numpy as np

from backprop.layers import Layer


class SGD:
    """Stochastic gradient descent, optionally with momentum.

    Without momentum: ``w ← w − α ∂L/∂w``. With momentum ``μ``:
    ``v ← μ v + ∂L/∂w``, ``w ← w − α v`` (PyTorch's form).
    Reads ``model.parameters()`` at every step, so it always sees the latest gradients.
    """

    def __init__(self, model: Layer, lr: float = 0.01, momentum: float = 0.0) -> None:
        if not isinstance(model, Layer):
            raise TypeError(f"SGD: expected the model (a Layer such as a Sequential), got "
                            f"{type(model).__name__}; PyTorch's SGD(model.parameters()) is "
                            "SGD(model) here")
        if isinstance(lr, bool) or not isinstance(lr, Real) or not 0 < lr < np.inf:
            raise ValueError(f"SGD: learning rate must be a positive finite number, got {lr!r}")
        if isinstance(momentum, bool) or not isinstance(momentum, Real) or not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be a number in [0, 1), got {momentum!r}")
        if not list(model.parameters()):
            raise ValueError(f"SGD: {model.name} has no parameters to optimise")
        self.model, self.lr, self.momentum = model, lr, momentum
        self._velocity: list[np.ndarray] | None = None

    def step(self) -> None:
        """Apply one update, in place, to every parameter of the model.

        Raises ``RuntimeError`` when a parameter has no gradient yet (no ``backward``
        so far) and ``ValueError`` when a gradient has another shape than its parameter
        (a layer of one's own; NumPy would broadcast it).
        """
        pairs = list(self.model.parameters())
        if any(grad is None or np.shape(grad) != param.shape for param, grad in pairs):
            self._explain_gradients()
        if self.momentum == 0:
            for param, grad in pairs:
                param -= self.lr * grad
            return
        if self._velocity is None:
            self._velocity = [np.zeros_like(param) for param, _ in pairs]
        for v, (param, grad) in zip(self._velocity, pairs, strict=True):
            v *= self.momentum
            v += grad
            param -= self.lr * v

    def _explain_gradients(self) -> None:
        """Raise the error for the first parameter whose gradient is missing or misshapen."""
        for name, param, grad in self.model.named_parameters():
            if grad is None:
                raise RuntimeError(f"SGD.step: {self.model.name} parameter {name} has no "
                                   "gradient yet: call backward before step")
            if np.shape(grad) != param.shape:
                raise ValueError(f"SGD.step: the gradient of {self.model.name} parameter {name} "
                                 f"has shape {np.shape(grad)}, the parameter {param.shape}")
