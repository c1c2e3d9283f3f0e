"""The notes' fully connected network in the column convention, with the explicit δ recursion.

Samples are *columns*: ``a^0 = X : (N^0, n)``. Layer ``l = 1 … L`` holds ``W^l : (N^l, N^{l-1})``
and ``b^l : (N^l,)`` and computes

    z^l = W^l a^{l-1} + b^l,        a^l = f_l(z^l).

Backward, from ``∂L/∂a^L`` (shape ``(N^L, n)``):

    δ^L = ∂L/∂a^L ⊙ f_L'(z^L)
    δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f_l'(z^l)
    ∂L/∂W^l = δ^l (a^{l-1})ᵀ,       ∂L/∂b^l = δ^l 1   (summed over the batch's columns)

This module exists to teach note 001 and to cross-check ``backprop.layers`` (row convention),
where the same weights appear transposed: ``W_row = (W^l)ᵀ``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop._arrays import float_array, shape_text
from backprop.activations import Activation, get_activation
from backprop.layers import ACTIVATION_LAYERS, ActivationLayer, Linear, Sequential

Array = np.ndarray


@dataclass
class BackwardResult:
    """Everything the backward pass computes, indexed by layer ``l = 1 … L`` (list index l−1).

    deltas[l-1] : (N^l, n)   δ^l = ∂L/∂z^l
    dW[l-1]     : (N^l, N^{l-1})
    db[l-1]     : (N^l,)
    """

    deltas: list[Array]
    dW: list[Array]
    db: list[Array]


class ColumnNetwork:
    """A column-convention MLP ``z^l = W^l a^{l-1} + b^l``, ``a^l = f_l(z^l)``.

    Parameters
    ----------
    weights : list of ``W^l : (N^l, N^{l-1})``.
    biases : list of ``b^l : (N^l,)`` (zeros when omitted).
    activations : one name per layer (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``),
        or a single name for every layer.
    """

    def __init__(
        self,
        weights: list[Array],
        biases: list[Array] | None = None,
        activations: str | list[str] = "sigmoid",
    ) -> None:
        if isinstance(weights, np.ndarray):
            raise TypeError(f"ColumnNetwork: weights is one array of shape {weights.shape}; "
                            "pass a list of weight matrices [W^1, …, W^L], e.g. [W]")
        self.W = [np.array(float_array("ColumnNetwork", f"W^{l}", W), dtype=np.float64,
                           order="C") for l, W in enumerate(weights, start=1)]
        if not self.W:
            raise ValueError("ColumnNetwork needs at least one weight matrix")
        if biases is None:
            biases = [np.zeros(W.shape[:1]) for W in self.W]
        self.b = [np.array(float_array("ColumnNetwork", f"b^{l}", b), dtype=np.float64,
                           order="C").reshape(-1) for l, b in enumerate(biases, start=1)]
        if isinstance(activations, str):
            activations = [activations] * len(self.W)
        if not isinstance(activations, list | tuple):
            raise TypeError("ColumnNetwork: activations must be one name or a list of one name "
                            "per layer (e.g. 'sigmoid' or ['tanh', 'sigmoid']), got "
                            f"{activations!r}")
        try:
            self.f: list[Activation] = [get_activation(name) for name in activations]
        except ValueError as err:
            raise ValueError(f"ColumnNetwork: {err}") from None
        self._check_parameters("ColumnNetwork")
        self.z: list[Array] = []
        self.a: list[Array] = []

    def _check_parameters(self, where: str) -> None:
        """Check that ``W``, ``b`` and ``f`` (which a learner may reassign after ``__init__``)
        still make a network: per layer one ``W^l : (N^l, N^{l-1})``, a non-empty 2-D array of
        numbers, with widths that chain, one ``b^l : (N^l,)`` and one activation. Something
        that is not an array of numbers is a ``TypeError``, a wrong shape a ``ValueError``."""
        named = ([(f"W^{l}", f"(N^{l}, N^{l - 1})", W) for l, W in enumerate(self.W, start=1)]
                 + [(f"b^{l}", f"(N^{l},)", b) for l, b in enumerate(self.b, start=1)])
        for name, shape, p in named:
            if not isinstance(p, np.ndarray):
                raise TypeError(f"{where}: {name} must be a NumPy array of shape {shape}, got "
                                f"{type(p).__name__}; assign an array, e.g. np.array(...)")
            if p.dtype.kind not in "biuf":
                raise TypeError(f"{where}: {name} must hold real numbers, got dtype {p.dtype}")
        for l, W in enumerate(self.W, start=1):
            if W.ndim != 2 or W.size == 0:
                raise ValueError(f"{where}: W^{l} must be a non-empty 2-D array "
                                 f"(N^{l}, N^{l - 1}), got shape {shape_text(W.shape)}")
        for l, (W_prev, W) in enumerate(zip(self.W[:-1], self.W[1:], strict=True), start=2):
            if W.shape[1] != W_prev.shape[0]:
                raise ValueError(
                    f"{where}: W^{l} has shape {shape_text(W.shape)}, so it expects N^{l - 1} = "
                    f"{W.shape[1]} inputs, but W^{l - 1} has shape {shape_text(W_prev.shape)} "
                    f"(N^{l - 1} = {W_prev.shape[0]})"
                )
        if len(self.b) != len(self.W):
            raise ValueError(f"{where}: {len(self.W)} weight matrices but {len(self.b)} bias "
                             "vectors")
        for l, (W, b) in enumerate(zip(self.W, self.b, strict=True), start=1):
            if b.shape != W.shape[:1]:
                hint = " (a column bias: use b.ravel())" if b.shape == (W.shape[0], 1) else ""
                raise ValueError(f"{where}: b^{l} must have shape ({W.shape[0]},), "
                                 f"got {shape_text(b.shape)}{hint}")
        if len(self.f) != len(self.W):
            raise ValueError(f"{where}: {len(self.W)} layers but {len(self.f)} activations")

    @property
    def sizes(self) -> list[int]:
        """``[N^0, N^1, …, N^L]``."""
        return [self.W[0].shape[1]] + [W.shape[0] for W in self.W]

    def forward(self, X: Array) -> Array:
        """``X : (N^0, n)`` (one sample per column) -> ``a^L : (N^L, n)``; keeps every z and a.

        A 1-D ``X : (N^0,)`` is one sample and is treated as the column ``(N^0, 1)``. ``W`` and
        ``b`` are checked first: they may have been reassigned since ``__init__``.
        """
        self.a, self.z = [], []           # a forward that fails leaves nothing for backward
        self._check_parameters("ColumnNetwork.forward")
        X = float_array("ColumnNetwork.forward", "X", X).astype(np.float64, copy=False)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[0] != self.sizes[0]:
            rows = X.ndim == 2 and X.shape[1] == self.sizes[0]
            raise ValueError(f"ColumnNetwork.forward: expected X of shape ({self.sizes[0]}, n) "
                             f"(samples as columns), got {X.shape}"
                             + ("; samples as rows? pass X.T" if rows else ""))
        a, z = [X], []
        for W, b, f in zip(self.W, self.b, self.f, strict=True):
            z.append(W @ a[-1] + b[:, None])
            a.append(f.f(z[-1]))
        self.a, self.z = a, z
        return a[-1]

    def backward(self, dL_daL: Array) -> BackwardResult:
        """δ recursion from ``∂L/∂a^L : (N^L, n)``.

        Returns every ``δ^l``, ``∂L/∂W^l`` and ``∂L/∂b^l``.
        """
        dL_daL = self._checked_output_gradient(dL_daL)
        L = len(self.W)
        deltas: list[Array] = [np.empty(0)] * L
        deltas[L - 1] = dL_daL * self.f[L - 1].df(self.z[L - 1])
        for l in range(L - 2, -1, -1):
            deltas[l] = (self.W[l + 1].T @ deltas[l + 1]) * self.f[l].df(self.z[l])
        dW = [delta @ a_prev.T for delta, a_prev in zip(deltas, self.a[:-1], strict=True)]
        db = [delta.sum(axis=1) for delta in deltas]
        return BackwardResult(deltas=deltas, dW=dW, db=db)

    def _checked_output_gradient(self, dL_daL: object) -> Array:
        """``dL_daL`` as float64 after a forward, with the shape of its output ``a^L``."""
        if not self.z:
            raise RuntimeError("ColumnNetwork.backward called before forward (or after a "
                               "forward that failed): run forward(X) first")
        dL_daL = float_array("ColumnNetwork.backward", "∂L/∂a^L", dL_daL)
        if dL_daL.shape != self.a[-1].shape:
            raise ValueError(f"ColumnNetwork.backward: expected ∂L/∂a^L of shape "
                             f"{self.a[-1].shape}, got {dL_daL.shape}")
        return dL_daL.astype(np.float64, copy=False)

    def to_sequential(self) -> Sequential:
        """The same network in the row convention (``W_row = (W^l)ᵀ``) as ``backprop.layers``."""
        layers = []
        for W, b, f in zip(self.W, self.b, self.f, strict=True):
            layers.append(Linear.from_weights(W.T, b))
            layers.append(ACTIVATION_LAYERS[f.name]())
        return Sequential(*layers)

    @classmethod
    def from_sequential(cls, net: Sequential) -> ColumnNetwork:
        """Read a ``Sequential`` of ``Linear`` layers, each followed by at most one activation."""
        if not isinstance(net, Sequential):
            raise TypeError("ColumnNetwork.from_sequential: net must be a Sequential of Linear "
                            f"and activation layers, got {type(net).__name__}; wrap the layers: "
                            "Sequential(Linear(…), Sigmoid(), …)")
        weights, biases, names = [], [], []
        for layer in net.layers:
            if isinstance(layer, Linear):
                weights.append(layer.W.T)
                biases.append(layer.b)
                names.append("identity")
            elif isinstance(layer, ActivationLayer) and weights and names[-1] == "identity":
                names[-1] = layer.activation.name
            else:
                raise ValueError(f"ColumnNetwork.from_sequential: cannot place {layer!r}; "
                                 "expected Linear layers each followed by at most one activation")
        return cls(weights, biases, names)
