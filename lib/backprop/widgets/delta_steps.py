"""``BackwardStepper``: walk the backward pass of a small network one layer at a time.

Chapter 4's explorer. A small column-convention network (note 001, ``ColumnNetwork``) sees
one sample ``x`` with target ``y`` and the loss ``L = ½ ‖a^L − y‖²``. The state holds every
number of the forward and backward pass; the front end shows one *step* at a time:

    step 0        the forward pass: z^l, a^l, f'(z^l) and L
    step 1        δ^L = ∂L/∂a^L ⊙ f'(z^L)
    step 2        ∂L/∂W^L = δ^L (a^{L-1})ᵀ,  ∂L/∂b^L = δ^L
    step 2k+1     δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f'(z^l)          for l = L − k
    step 2k+2     ∂L/∂W^l = δ^l (a^{l-1})ᵀ,  ∂L/∂b^l = δ^l

The weights are sliders in the front end; without a kernel it recomputes the same state with
``mlmath.js`` (``mlpForward`` / ``mlpBackward`` on the transposed weights).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from backprop.losses import MSE
from backprop.network import ColumnNetwork
from backprop.widgets._base import Explorer, with_weight

#: the default network 2-3-2-1: W^l of shape (N^l, N^{l-1}), two decimals so sliders land on them
DEFAULT_WEIGHTS = [
    [[0.5, -0.8], [1.2, 0.3], [-0.6, 0.9]],
    [[0.7, -1.1, 0.4], [-0.5, 0.8, 1.3]],
    [[1.5, -1.2]],
]
DEFAULT_BIASES = [[0.1, -0.2, 0.05], [0.2, -0.1], [0.1]]
DEFAULT_X = [1.0, -0.5]
DEFAULT_Y = [0.2]


def _tolist(value: Any) -> list:
    return np.asarray(value, dtype=np.float64).tolist()


def _columns(arrays: list[np.ndarray]) -> list[list[float]]:
    """The one column of each ``(N, 1)`` array, as plain lists."""
    return [_tolist(v[:, 0]) for v in arrays]


def backward_steps(network: ColumnNetwork, x: np.ndarray, y: np.ndarray) -> dict:
    """Every number of one forward and backward pass of ``network`` on one sample.

    Parameters
    ----------
    network : ColumnNetwork with ``L`` layers, sizes ``[N^0, …, N^L]``.
    x : (N^0,) the sample; y : (N^L,) its target. The loss is ``L = ½ ‖a^L − y‖²``.

    Returns
    -------
    dict of plain lists, indexed by layer ``l = 1 … L`` at list index ``l − 1``
    (``a`` also holds ``a^0 = x`` at index 0): ``z``, ``a``, ``fprime = f'(z^l)``,
    ``upstream = ∂L/∂a^l`` (``(W^{l+1})ᵀ δ^{l+1}``, or ``a^L − y`` for the output),
    ``deltas``, ``dW`` (``(N^l, N^{l-1})``), ``db``, the ``loss`` and the list of ``steps``.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    sizes = network.sizes
    if y.shape != (sizes[-1],):
        raise ValueError(f"the target y must have N^L = {sizes[-1]} entries, got {y.size}")
    a_L = network.forward(x[:, None])
    loss = MSE(reduction="half_sum")
    value = loss.forward(a_L.T, y[None, :])
    dL_daL = loss.backward().T
    result = network.backward(dL_daL)
    L = len(network.W)
    upstream = [network.W[l + 1].T @ result.deltas[l + 1] for l in range(L - 1)] + [dL_daL]
    steps = [{"kind": "forward", "layer": L}]
    for l in range(L, 0, -1):
        steps += [{"kind": "delta", "layer": l}, {"kind": "grads", "layer": l}]
    return {
        "sizes": sizes,
        "activations": [f.name for f in network.f],
        "x": _tolist(x),
        "y": _tolist(y),
        "z": _columns(network.z),
        "a": _columns(network.a),
        "fprime": _columns([f.df(z) for f, z in zip(network.f, network.z, strict=True)]),
        "loss": float(value),
        "upstream": _columns(upstream),
        "deltas": _columns(result.deltas),
        "dW": [_tolist(dW) for dW in result.dW],
        "db": [_tolist(db) for db in result.db],
        "steps": steps,
    }


class BackwardStepper(Explorer):
    """Step through the backward pass of a small network, layer by layer, with live numbers.

    Controls (each is also a constructor keyword): ``weights`` (list of ``W^l`` as nested
    lists ``(N^l, N^{l-1})``), ``biases`` (list of ``b^l``), the sample ``x`` and target ``y``,
    ``activation`` (hidden layers), ``output_activation`` and ``step`` (0 = forward pass,
    then δ and gradients from the output layer down, ``2L`` steps in all).
    ``network=`` (a ``ColumnNetwork``) sets weights, biases and activations at once.

    ``state`` is :func:`backward_steps` of the network (see there for the keys).
    """

    _front_end = "delta_steps.js"
    _controls = ("weights", "biases", "x", "y", "activation", "output_activation", "step")

    weights = traitlets.List(DEFAULT_WEIGHTS).tag(sync=True)
    biases = traitlets.List(DEFAULT_BIASES).tag(sync=True)
    x = traitlets.List(DEFAULT_X).tag(sync=True)
    y = traitlets.List(DEFAULT_Y).tag(sync=True)
    activation = traitlets.Unicode("sigmoid").tag(sync=True)
    output_activation = traitlets.Unicode("sigmoid").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)

    def __init__(self, network: ColumnNetwork | None = None, **kwargs: Any) -> None:
        if network is not None:
            names = [f.name for f in network.f]
            if len(set(names[:-1])) > 1:
                raise ValueError("BackwardStepper: the hidden layers must share one activation, "
                                 f"got {names[:-1]}")
            kwargs.setdefault("weights", [_tolist(W) for W in network.W])
            kwargs.setdefault("biases", [_tolist(b) for b in network.b])
            kwargs.setdefault("activation", names[0] if len(names) > 1 else "sigmoid")
            kwargs.setdefault("output_activation", names[-1])
            if "x" not in kwargs:
                kwargs["x"] = [1.0] + [0.0] * (network.sizes[0] - 1)
            if "y" not in kwargs:
                kwargs["y"] = [0.0] * network.sizes[-1]
        super().__init__(**kwargs)

    def network(self) -> ColumnNetwork:
        """The ``ColumnNetwork`` of the current controls."""
        L = len(self.weights)
        return ColumnNetwork(self.weights, self.biases,
                             [self.activation] * (L - 1) + [self.output_activation])

    def set_weight(self, l: int, i: int, j: int, value: float) -> None:
        """Set ``W^l_{ij}`` (1-based ``l``, ``i``, ``j`` as in the notes) and recompute;
        ``ValueError`` out of range (``l = 0`` too: it is not the last layer)."""
        self.weights = with_weight("BackwardStepper.set_weight",
                                   "l, i, j are 1-based, as in the notes", self.weights,
                                   ("l", "i", "j"), 1, lambda k: f"W^{k}", l, i, j, value)

    def compute(self) -> dict:
        net = self.network()
        state = backward_steps(net, np.asarray(self.x, dtype=np.float64), self.y)
        last = len(state["steps"]) - 1
        if not 0 <= self.step <= last:
            raise ValueError(f"step must be between 0 and {last}, got {self.step}")
        return state
