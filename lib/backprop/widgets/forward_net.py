"""``ForwardNetworkExplorer``: sliders on the weights of a small network (chapter 1).

The explorer shows one sample ``x`` going forward through a fully connected network in the
row convention of the library: layer ``l = 1 … L`` computes

    z^l = a^{l-1} W^l + b^l,        a^l = f_l(z^l),        a^0 = x,

and the output ``ŷ = a^L`` is compared with a target ``t`` by the mean squared error. Every
weight, bias, input and target entry has a slider; the network is drawn with edge width and
colour by weight and the value of every neuron in its node, and the output and the loss
update as the sliders move. The state is computed by ``backprop.layers`` and
``backprop.losses``; without a kernel the front end recomputes it with ``mlmath.js``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import traitlets

from backprop._arrays import float_array, shape_text
from backprop.layers import ACTIVATION_LAYERS, Linear, Sequential
from backprop.losses import MSE
from backprop.network import ColumnNetwork
from backprop.widgets._base import Explorer, checked_index, first_non_finite, with_weight

#: the default network, 2 → 3 → 2 (tanh hidden layer, linear output), two decimals per number
DEFAULT = {
    "weights": [[[0.5, -0.4, 0.3], [0.2, 0.6, -0.7]],
                [[0.8, -0.5], [-0.3, 0.9], [0.6, 0.4]]],
    "biases": [[0.1, -0.1, 0.0], [0.0, 0.1]],
    "activations": ["tanh", "identity"],
    "x": [1.0, -0.5],
    "target": [0.5, -0.2],
}


def _nested_floats(value: Any) -> Any:
    """Arrays (or nested lists of numbers) as nested lists of Python floats, for syncing."""
    if isinstance(value, (list, tuple)):
        return [_nested_floats(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return value


class _Numbers(traitlets.List):
    """A list trait that also takes NumPy arrays, stored as nested lists of floats."""

    def validate(self, obj: Any, value: Any) -> Any:
        return super().validate(obj, _nested_floats(value))


def _slider_limit(arrays: list) -> float:
    """2, or the smallest integer that covers every finite number (a ragged list counts as 2;
    NaN and infinities are left out: ``compute`` names them in the widget)."""
    try:
        numbers = [np.abs(np.asarray(v, dtype=float)) for v in arrays]
    except ValueError:
        return 2.0
    largest = max((float(np.max(v, where=np.isfinite(v), initial=0.0)) for v in numbers),
                  default=0.0)
    return max(2.0, float(math.ceil(largest)))


class ForwardNetworkExplorer(Explorer):
    """The forward pass of a small network, with a slider on every number.

    Parameters
    ----------
    net : a ``Sequential`` of ``Linear`` layers, each followed by at most one activation
        layer (``Sigmoid``, ``Tanh``, ``ReLU``, ``Identity``), e.g. one you built yourself.
        Its weights are *copied*: the sliders do not change your network (use
        :meth:`to_sequential` to get the network the sliders show). Leave it out to get a
        2 → 3 → 2 network with a tanh hidden layer.
    weights : ``[W^1, …, W^L]`` with ``W^l : (N^{l-1}, N^l)`` (row convention,
        ``weights[k]`` is ``W^{k+1}``); instead of ``net``.
    biases : ``[b^1, …, b^L]`` with ``b^l : (N^l,)`` (zeros when omitted).
    activations : one name per layer, ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``
        (default: tanh on hidden layers, identity on the output layer).
    x : the input sample ``(N^0,)``; target : the target ``(N^L,)``.
    reduction : of the MSE loss: ``"mean"`` (``L = (1/N^L) Σ (ŷ_j − t_j)²``), ``"sum"`` or
        ``"half_sum"`` (``½ Σ``, the notes' choice).
    limit : the sliders span ``[−limit, limit]`` (default: 2, or more to fit the numbers).
    show_controls : ``False`` draws the network and its numbers without sliders (a diagram).
    title : the heading shown above the explorer.

    State (``compute()``)
    ---------------------
    ``sizes`` ``[N^0, …, N^L]``; ``z`` ``[z^1, …, z^L]``; ``a`` ``[a^0 = x, a^1, …, a^L = ŷ]``
    (lists of floats); ``loss`` the MSE of ``ŷ`` against ``target``.
    """

    _front_end = "forward_net.js"
    _controls: ClassVar[tuple[str, ...]] = (
        "weights", "biases", "activations", "x", "target", "reduction")

    weights = _Numbers().tag(sync=True)
    biases = _Numbers().tag(sync=True)
    activations = traitlets.List(traitlets.Unicode()).tag(sync=True)
    x = _Numbers().tag(sync=True)
    target = _Numbers().tag(sync=True)
    reduction = traitlets.Unicode("mean").tag(sync=True)
    limit = traitlets.Float(2.0).tag(sync=True)
    show_controls = traitlets.Bool(True).tag(sync=True)
    title = traitlets.Unicode("Forward pass: move any weight, bias, input or target").tag(
        sync=True)

    def __init__(
        self,
        net: Sequential | None = None,
        *,
        weights: list | None = None,
        biases: list | None = None,
        activations: list[str] | None = None,
        x: list | np.ndarray | None = None,
        target: list | np.ndarray | None = None,
        reduction: str = "mean",
        limit: float | None = None,
        show_controls: bool = True,
        **kwargs: Any,
    ) -> None:
        if net is not None:
            if weights is not None or biases is not None:
                raise ValueError("ForwardNetworkExplorer: give either net or weights/biases, "
                                 "not both")
            if not isinstance(net, Sequential):
                raise ValueError("ForwardNetworkExplorer: net must be a Sequential of Linear "
                                 f"and activation layers, got {type(net).__name__}")
            column = ColumnNetwork.from_sequential(net)
            weights = [W.T for W in column.W]
            biases = column.b
            activations = activations or [f.name for f in column.f]
        elif weights is None:
            weights, biases = DEFAULT["weights"], DEFAULT["biases"]
            activations = activations or DEFAULT["activations"]
            x = DEFAULT["x"] if x is None else x
            target = DEFAULT["target"] if target is None else target
        weights = _nested_floats(list(weights))
        n_layers = len(weights)
        widths = [len(W[0]) if W and isinstance(W[0], list) else 0 for W in weights]
        if biases is None:
            biases = [[0.0] * n for n in widths]
        if activations is None:
            activations = ["tanh"] * (n_layers - 1) + ["identity"]
        n_in = len(weights[0]) if weights else 0
        if x is None:
            x = np.linspace(-1.0, 1.0, n_in) if n_in > 1 else [1.0] * n_in
        if target is None:
            target = [0.0] * (widths[-1] if widths else 0)
        biases, x, target = _nested_floats(list(biases)), _nested_floats(x), _nested_floats(target)
        if limit is None:
            limit = _slider_limit([*weights, *biases, x, target])
        super().__init__(weights=weights, biases=biases, activations=list(activations),
                         x=x, target=target, reduction=reduction, limit=float(limit),
                         show_controls=show_controls, **kwargs)

    # -- the maths, all done by the library --------------------------------------------------
    def _layers(self) -> list[tuple[Linear, Any]]:
        if len(self.weights) == 0:
            raise ValueError("ForwardNetworkExplorer: the network needs at least one weight "
                             "matrix")
        if not (len(self.biases) == len(self.activations) == len(self.weights)):
            raise ValueError(f"ForwardNetworkExplorer: {len(self.weights)} weight matrices, "
                             f"{len(self.biases)} bias vectors and {len(self.activations)} "
                             "activations: give one of each per layer")
        weights = [float_array("ForwardNetworkExplorer", f"weights[{k}]", W)
                   for k, W in enumerate(self.weights)]
        # the weights' shapes first (a bias cannot fit a W^l whose widths are the wrong way
        # round, and the chain's message says how to fix that), then one bias per neuron
        for l, W in enumerate(weights, start=1):
            if W.ndim != 2 or W.size == 0:
                raise ValueError(f"ForwardNetworkExplorer: weights[{l - 1}] (W^{l}) must be a "
                                 f"non-empty matrix (N^{l - 1}, N^{l}), got shape "
                                 f"{shape_text(W.shape)}")
            if l > 1 and W.shape[0] != (W_prev := weights[l - 2]).shape[1]:
                raise ValueError(
                    f"ForwardNetworkExplorer: widths do not chain: W^{l} has shape "
                    f"{shape_text(W.shape)}, so it expects N^{l - 1} = {W.shape[0]} inputs, but "
                    f"W^{l - 1} has shape {shape_text(W_prev.shape)} (N^{l - 1} = "
                    f"{W_prev.shape[1]}); row-convention weights W^l are (N^{{l-1}}, N^l): "
                    "transpose column-convention weights (W.T)")
        for k, (W, b) in enumerate(zip(weights, self.biases, strict=True)):
            if np.shape(b) != (W.shape[1],):
                hint = (f" (is weights[{k}] transposed? its rows are the inputs, its columns "
                        "the neurons)" if np.shape(b) == (W.shape[0],) else "")
                raise ValueError(f"ForwardNetworkExplorer: biases[{k}] has shape "
                                 f"{shape_text(np.shape(b))}, but weights[{k}] "
                                 f"{shape_text(W.shape)} has {W.shape[1]} columns: one bias per "
                                 f"neuron of the layer{hint}")
        layers = []
        for l, (W, b, name) in enumerate(zip(weights, self.biases, self.activations,
                                             strict=True), start=1):
            if name not in ACTIVATION_LAYERS:
                raise ValueError(f"ForwardNetworkExplorer: unknown activation {name!r} in "
                                 f"activations[{l - 1}]; expected one of "
                                 f"{', '.join(sorted(ACTIVATION_LAYERS))}")
            layers.append((Linear.from_weights(W, b, name=f"layer {l}"),
                           ACTIVATION_LAYERS[name]()))
        return layers

    def to_sequential(self) -> Sequential:
        """The network the sliders show, as a ``Sequential`` (a new one; copies of the weights)."""
        return Sequential(*[layer for pair in self._layers() for layer in pair])

    def compute(self) -> dict:
        """Forward ``x`` through the network, then the MSE against ``target``."""
        for name in ("weights", "biases", "x", "target"):
            if where := first_non_finite(getattr(self, name), name):
                raise ValueError(f"ForwardNetworkExplorer: {where}; every weight, bias, input "
                                 "and target must be a finite number")
        layers = self._layers()
        net = Sequential(*[layer for pair in layers for layer in pair])
        x = np.asarray(self.x, dtype=np.float64)
        t = np.asarray(self.target, dtype=np.float64)
        if x.shape != (net.in_features,):
            raise ValueError(f"ForwardNetworkExplorer: x has shape {shape_text(x.shape)} but "
                             f"the network has {net.in_features} inputs")
        if t.shape != (net.out_features,):
            raise ValueError(f"ForwardNetworkExplorer: target has shape {shape_text(t.shape)} "
                             f"but the network has {net.out_features} outputs")
        a, zs, activations = x[None, :], [], [x]
        for linear, f in layers:
            z = linear.forward(a)                 # z^l = a^{l-1} W^l + b^l, shape (1, N^l)
            a = f.forward(z)                      # a^l = f_l(z^l)
            zs.append(z[0])
            activations.append(a[0])
        loss = MSE(self.reduction).forward(a, t[None, :])
        return {
            "sizes": [int(x.size)] + [int(z.size) for z in zs],
            "z": [z.tolist() for z in zs],
            "a": [v.tolist() for v in activations],
            "loss": float(loss),
        }

    # -- conveniences for code ---------------------------------------------------------------
    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        """Set ``W^{layer+1}[i, j]`` (the weight from input ``i`` to neuron ``j``), with 0-based
        ``layer``, ``i``, ``j`` as in ``weights[layer][i][j]``; ``ValueError`` out of range."""
        self.weights = with_weight("ForwardNetworkExplorer.set_weight", "layer, i, j are 0-based",
                                   self.weights, ("layer", "i", "j"), 0,
                                   lambda k: f"weights[{k}]", layer, i, j, value)

    def set_bias(self, layer: int, j: int, value: float) -> None:
        """Set ``b^{layer+1}[j]``, with 0-based ``layer``, ``j`` as in ``biases[layer][j]``;
        ``ValueError`` out of range."""
        where, rule = "ForwardNetworkExplorer.set_bias", "layer, j are 0-based"
        sizes = [len(b) for b in self.biases]
        k = checked_index(where, rule, "layer", layer, len(sizes), 0, "the layer: " + ", ".join(
            f"biases[{n}] ({size},)" for n, size in enumerate(sizes)))
        j = checked_index(where, rule, "j", j, sizes[k], 0,
                          f"an entry of biases[{k}], shape ({sizes[k]},)")
        biases = [list(b) for b in self.biases]
        biases[k][j] = float(value)
        self.biases = biases
