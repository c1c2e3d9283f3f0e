"""Gradient descent on one weight of a chain of one-neuron layers (chapter 3).

The chain ``x → w1 → f → w2 → f → … → wL → y`` has one neuron per layer and no biases:

    z_1 = w_1 x,   a_l = f(z_l),   z_{l+1} = w_{l+1} a_l,   y = z_L,

and the loss is the MSE of ``y`` against targets ``t`` over ``n`` samples. The explorer slides
one weight ``w_k`` with the others fixed and shows the loss curve ``L(w_k)``, the tangent at the
current ``w_k`` (its slope is ``∂L/∂w_k`` from backpropagation), the chain-rule factors whose
product is that slope, and a few gradient-descent steps ``w ← w − α ∂L/∂w`` from there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from backprop.activations import get_activation
from backprop.layers import ACTIVATION_LAYERS, ActivationLayer, Layer, Linear, Sequential
from backprop.losses import MSE
from backprop.widgets._base import Explorer

#: number of points of the loss curve
CURVE_POINTS = 121
#: gradient descent stops (and is reported as diverging) once |w| exceeds this
W_LIMIT = 1e6


def one_neuron_chain(weights: list[float], activation: str = "tanh") -> Sequential:
    """The chain ``Linear(1, 1), f, Linear(1, 1), f, …, Linear(1, 1)`` with the given weights.

    ``weights = [w1, …, wL]``; every ``Linear`` has the weight ``w_l`` as its ``(1, 1)`` matrix
    and a zero bias; ``activation`` (``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"identity"``)
    follows every layer but the last, so ``y = z_L`` (a linear output).
    """
    if len(weights) < 1:
        raise ValueError("one_neuron_chain: give at least one weight")
    get_activation(activation)  # a clear error for an unknown name
    layers: list[Layer] = []
    for l, w in enumerate(weights):
        layers.append(Linear.from_weights([[float(w)]], name=f"w{l + 1}"))
        if l < len(weights) - 1:
            layers.append(ACTIVATION_LAYERS[activation]())
    return Sequential(*layers)


def chain_weights(model: Sequential) -> tuple[list[float], str]:
    """The weights ``[w1, …, wL]`` and the activation name of a one-neuron chain ``model``.

    ``model`` must alternate ``Linear(1, 1)`` layers with zero bias and one kind of
    activation layer, and end with a ``Linear`` (as :func:`one_neuron_chain` builds it).
    """
    layers = list(model)
    linears, acts = layers[0::2], layers[1::2]
    if len(linears) != len(acts) + 1:
        raise ValueError("a one-neuron chain alternates Linear and activation layers and "
                         f"ends with a Linear; got {[layer.name for layer in layers]}")
    for layer in linears:
        if not isinstance(layer, Linear) or layer.W.shape != (1, 1):
            raise ValueError(f"every other layer must be Linear(1, 1), got {layer!r}")
        if np.any(layer.b != 0):
            raise ValueError(f"the chain has no biases, but {layer.name} has b = {layer.b}")
    names = {type(a).__name__ for a in acts}
    if len(names) > 1 or not all(isinstance(a, ActivationLayer) for a in acts):
        raise ValueError(f"the activation layers must all be of one kind, got {sorted(names)}")
    activation = acts[0].activation.name if acts else "identity"
    return [float(layer.W[0, 0]) for layer in linears], activation


class DescentExplorer(Explorer):
    """Slide one weight of a one-neuron chain: loss curve, tangent (the gradient), GD steps.

    Controls
    --------
    weights : ``[w1, …, wL]``, the chain's weights.
    which : index ``k`` (0-based) of the weight that is slid and descended (the others fixed).
    lr : the learning rate ``α`` of ``w ← w − α ∂L/∂w``.
    steps : number of gradient-descent steps drawn.
    activation : hidden activation ``f`` (``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"identity"``).
    reduction : MSE normalisation, ``"mean"`` (``(1/n) Σ (y − t)²``), ``"sum"`` or
        ``"half_sum"`` (``½ Σ (y − t)²``, the notes').
    x, t : the ``n`` inputs and targets (one number each per sample).
    w_range : ``[lo, hi]``, the interval of ``w_k`` the loss curve spans.

    ``model`` may be a learner's :class:`~backprop.layers.Sequential` one-neuron chain; its
    weights and activation are used (see :func:`chain_weights`).

    State
    -----
    ``names``; ``w``, ``loss``, ``grad`` (``∂L/∂w_k`` from ``Sequential.backward``);
    ``nodes`` (``labels`` ``x, z1, a1, …, y`` and ``values[node][sample]``);
    ``factors`` (``labels`` of the chain-rule factors from the loss down to ``w_k``,
    ``values[sample][factor]`` and ``products[sample]``, whose sum is ``grad``);
    ``curve`` and ``tangent`` (``w``, ``loss`` lists); ``path`` (``w``, ``loss``, ``grad`` of
    the iterates ``w⁽⁰⁾ … w⁽ˢ⁾``); ``status`` (``"descends"`` when the last loss is not above
    the first, ``"diverges"`` when it is or ``|w|`` passed ``W_LIMIT``, ``"stuck"`` when the
    gradient is 0 all along, e.g. behind a ReLU that is off; ``""`` for 0 steps);
    ``ylim`` (the plotted loss interval).
    """

    _front_end = "descent.js"
    _controls = ("weights", "which", "lr", "steps", "activation", "reduction", "x", "t",
                 "w_range")

    weights = traitlets.List(traitlets.Float(), default_value=[0.8, -1.2, 1.5],
                             minlen=1).tag(sync=True)
    which = traitlets.Int(0).tag(sync=True)
    lr = traitlets.Float(0.5).tag(sync=True)
    steps = traitlets.Int(8).tag(sync=True)
    activation = traitlets.Unicode("tanh").tag(sync=True)
    reduction = traitlets.Unicode("mean").tag(sync=True)
    x = traitlets.List(traitlets.Float(), default_value=[1.0]).tag(sync=True)
    t = traitlets.List(traitlets.Float(), default_value=[0.5]).tag(sync=True)
    w_range = traitlets.List(traitlets.Float(), default_value=[-3.0, 3.0]).tag(sync=True)

    def __init__(self, model: Sequential | None = None, **kwargs: Any) -> None:
        if model is not None:
            weights, activation = chain_weights(model)
            kwargs = {"weights": weights, "activation": activation} | kwargs
        super().__init__(**kwargs)

    def _check(self) -> None:
        L = len(self.weights)
        if not 0 <= self.which < L:
            raise ValueError(f"which = {self.which}: choose a weight index from 0 to {L - 1}")
        if len(self.x) != len(self.t) or not self.x:
            raise ValueError(f"x and t need the same number (≥ 1) of samples, got "
                             f"{len(self.x)} and {len(self.t)}")
        if not self.lr > 0:   # α = 0 moves nothing: no descent to show (the slider starts at 0.01)
            raise ValueError(f"the learning rate must be > 0, got {self.lr}")
        if not 0 <= self.steps <= 200:
            raise ValueError(f"steps must lie in [0, 200], got {self.steps}")
        if len(self.w_range) != 2 or not self.w_range[0] < self.w_range[1]:
            raise ValueError(f"w_range must be [lo, hi] with lo < hi, got {self.w_range}")

    def compute(self) -> dict:
        self._check()
        k, L = self.which, len(self.weights)
        net = one_neuron_chain(self.weights, self.activation)
        loss = MSE(self.reduction)
        X = np.array(self.x).reshape(-1, 1)
        T = np.array(self.t).reshape(-1, 1)
        W = net[2 * k].W  # the (1, 1) weight that is slid: set in place, read by forward

        def loss_at(w: float) -> float:
            W[0, 0] = w
            return loss.forward(net.forward(X), T)

        def loss_and_grad(w: float) -> tuple[float, float]:
            value = loss_at(w)
            net.backward(loss.backward())
            return value, float(net[2 * k].dW[0, 0])

        lo, hi = self.w_range
        grid = np.linspace(lo, hi, CURVE_POINTS)
        curve = [loss_at(float(w)) for w in grid]

        w0 = float(self.weights[k])
        W[0, 0] = w0
        outs, h = [], X  # outs = z1, a1, z2, a2, …, y (per layer, per sample)
        for layer in net:
            h = layer.forward(h)
            outs.append(h[:, 0])
        value = loss.forward(h, T)
        dLdy = loss.backward()
        net.backward(dLdy)
        grad = float(net[2 * k].dW[0, 0])
        labels, columns = self._factors(k, L, X[:, 0], outs, dLdy[:, 0])
        values = np.column_stack(columns)

        path_w, path_loss, path_grad = [w0], [value], [grad]
        w, g, diverged = w0, grad, False
        for _ in range(self.steps):
            w = w - self.lr * g
            if not abs(w) <= W_LIMIT:
                diverged = True
                break
            v, g = loss_and_grad(w)
            path_w.append(w)
            path_loss.append(v)
            path_grad.append(g)
        status = ""
        if self.steps:
            diverged = diverged or path_loss[-1] > path_loss[0]
            status = ("diverges" if diverged else "stuck" if all(g == 0 for g in path_grad)
                      else "descends")

        top = max(curve)
        flat = top - min(curve) < 0.05 * top      # e.g. behind a ReLU that is off: a level line
        ymax = top * (1.5 if flat else 1.08) or 1.0
        half = 0.12 * (hi - lo)
        if grad != 0:
            half = min(half, 0.3 * ymax / abs(grad))
        node_labels = ["x"] + [f"{s}{l}" for l in range(1, L) for s in ("z", "a")] + ["y"]
        return {
            "names": [f"w{l + 1}" for l in range(L)],
            "w": w0,
            "loss": value,
            "grad": grad,
            "nodes": {"labels": node_labels,
                      "values": [X[:, 0].tolist()] + [o.tolist() for o in outs]},
            "factors": {"labels": labels, "values": values.tolist(),
                        "products": values.prod(axis=1).tolist()},
            "curve": {"w": grid.tolist(), "loss": curve},
            "tangent": {"w": [w0 - half, w0 + half],
                        "loss": [value - grad * half, value + grad * half]},
            "path": {"w": path_w, "loss": path_loss, "grad": path_grad},
            "status": status,
            "ylim": [0.0, ymax],
        }

    def _factors(self, k: int, L: int, x: np.ndarray, outs: list[np.ndarray],
                 dLdy: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
        """Chain-rule factors of ``∂L/∂w_{k+1}``, from the loss down, one value per sample.

        ``∂L/∂y · Π_{m=L}^{k+2} (w_m · f'(z_{m−1})) · a_k`` with ``a_0 = x``.
        """
        fprime = get_activation(self.activation).df
        labels, columns = ["∂L/∂y"], [dLdy]
        for m in range(L, k + 1, -1):  # 1-based layer m above the slid weight
            labels += [f"w{m}", f"f′(z{m - 1})"]
            columns += [np.full_like(x, self.weights[m - 1]), fprime(outs[2 * (m - 2)])]
        labels.append("x" if k == 0 else f"a{k}")
        columns.append(x if k == 0 else outs[2 * k - 1])
        return labels, columns
