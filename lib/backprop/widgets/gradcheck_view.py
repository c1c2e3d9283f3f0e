"""``GradCheckExplorer``: a layer's analytic gradient next to central differences.

Chapter 5's second explorer. A layer (``Linear``, ``Sigmoid``, ``Tanh``, ``ReLU`` or the
``Sequential`` of ``Linear`` and ``Tanh``) sees a seeded random batch ``X : (n, in)``; the
scalar probe is ``L = Σ Y ⊙ R`` with a seeded random ``R`` of the output's shape, so
``∂L/∂Y = R``. The state holds the gradient that the layer's ``backward(R)`` returns (``dW``
for layers with weights, ``dX`` for the others), the central-difference gradient of
``backprop.gradcheck.numerical_gradient`` with step ``ε = 10^log_eps``, their relative error
(``backprop.gradcheck.relative_error``), the errors of every array at that ``ε``, and the
relative error of the shown gradient for ``ε = 10⁻¹⁰ … 10⁻¹`` (the curve: truncation error
∝ ε² on the right, rounding error ∝ 1/ε on the left).

The random numbers come from ``mulberry32_normals`` (chapter 4), the twin of ``rngFrom`` in
``mlmath.js``; the front end recomputes the same state without a kernel (``gradcheckState``).
"""

from __future__ import annotations

import numpy as np
import traitlets

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from backprop.widgets._base import Explorer
from backprop.widgets.delta_norms import mulberry32_normals

#: the layer types, in the order of the front end's selector
LAYERS = ("linear", "sigmoid", "tanh", "relu", "linear+tanh")
#: log10 of the steps ε of the curve: −10, −9.5, …, −1
CURVE = tuple(k / 2 for k in range(-20, -1))
#: largest batch and widths (a heatmap cell per entry must stay readable)
MAX_SIZE = 6


def random_case(layer: str, n: int, n_in: int, n_out: int, seed: int) -> dict:
    """The seeded arrays of the explorer, drawn in this order, row by row.

    ``X : (n, in)``; for ``"linear"`` and ``"linear+tanh"`` then ``W : (in, out)`` (standard
    normals / √in) and ``b : (out,)``; last ``R`` of the output's shape, ``(n, out)`` or
    ``(n, in)`` for an activation layer.
    """
    has_w = layer in ("linear", "linear+tanh")
    width = n_out if has_w else n_in
    count = n * n_in + (n_in * n_out + n_out if has_w else 0) + n * width
    g = mulberry32_normals(seed, count)
    out, k = {}, 0

    def take(rows: int, cols: int) -> np.ndarray:
        nonlocal k
        block = g[k:k + rows * cols].reshape(rows, cols)
        k += rows * cols
        return block.copy()

    out["X"] = take(n, n_in)
    if has_w:
        out["W"] = take(n_in, n_out) / np.sqrt(n_in)
        out["b"] = take(1, n_out)[0]
    out["R"] = take(n, width)
    return out


def build_layer(layer: str, arrays: dict) -> Linear | Sequential | Sigmoid | Tanh | ReLU:
    """The library layer of the explorer holding ``arrays["W"]``, ``arrays["b"]`` itself."""
    if layer in ("linear", "linear+tanh"):
        lin = Linear.from_weights(arrays["W"], arrays["b"])
        lin.W, lin.b = arrays["W"], arrays["b"]          # perturbing them perturbs the layer
        return lin if layer == "linear" else Sequential(lin, Tanh())
    return {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}[layer]()


def gradient_check(layer: str, n: int, n_in: int, n_out: int, seed: int,
                   log_eps: float) -> dict:
    """Analytic against numerical gradient of the probe ``L = Σ Y ⊙ R`` for one layer.

    Returns ``layer``, ``param`` (``"W"`` or ``"X"``, the array shown), ``shape``, ``eps``,
    ``loss`` (the probe's value), ``analytic`` and ``numerical`` (nested lists of that shape),
    ``rel_error`` between them, ``errors`` (relative error of every array: ``X``, and ``W``,
    ``b`` for a layer with weights) and ``curve`` (``log_eps`` and ``rel_error`` of the shown
    gradient over :data:`CURVE`).
    """
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, got {layer!r}")
    for label, size in (("n", n), ("in", n_in), ("out", n_out)):
        if not isinstance(size, (int, np.integer)) or not 1 <= size <= MAX_SIZE:
            raise ValueError(f"{label} must be an integer from 1 to {MAX_SIZE}, got {size!r}")
    if not -12 <= log_eps <= 0:
        raise ValueError(f"log_eps must be between −12 and 0, got {log_eps}")
    arrays = random_case(layer, n, n_in, n_out, seed)
    net = build_layer(layer, arrays)
    X, R = arrays["X"], arrays["R"]

    def probe(_: np.ndarray) -> float:
        return float(np.sum(net.forward(X) * R))

    loss = probe(X)
    grads = {"X": net.backward(R)}
    if "W" in arrays:
        lin = net if layer == "linear" else net[0]
        grads |= {"W": lin.dW.copy(), "b": lin.db.copy()}
    param = "W" if "W" in arrays else "X"
    eps = 10.0 ** log_eps
    numerical = {name: numerical_gradient(probe, arrays[name], eps) for name in grads}
    errors = {name: relative_error(grads[name], numerical[name]) for name in grads}
    curve = [relative_error(grads[param], numerical_gradient(probe, arrays[param], 10.0 ** k))
             for k in CURVE]
    return {
        "layer": layer,
        "param": param,
        "shape": list(grads[param].shape),
        "eps": eps,
        "loss": loss,
        "analytic": grads[param].tolist(),
        "numerical": numerical[param].tolist(),
        "rel_error": errors[param],
        "errors": errors,
        "curve": {"log_eps": list(CURVE), "rel_error": curve},
    }


GRADCHECK_CSS = """
/* ---- GradCheckExplorer (gradcheck_view.js, chapter 5) ---- */
.bp-gc-controls { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 4px 28px; }
.bp-gc-col { display: flex; flex-direction: column; gap: 6px; min-width: 230px; }
.bp-gc-sel, .bp-gc-select { font-size: 13px; }
.bp-gc-seed { font: 12px ui-monospace, monospace; color: #57606a; }
.bp-gc-maps { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 10px 18px; }
svg.bp-gc-map { height: auto; max-width: 100%; background: #fff; }
.bp-gc-map-title { font: 600 12px ui-monospace, monospace; margin-bottom: 3px; }
.bp-gc-num { font: 10px ui-monospace, monospace; text-anchor: middle; fill: #222; }
.bp-gc-light { fill: #fff; }
.bp-gc-bottom { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 10px 18px;
  align-items: flex-start; }
.bp-gc-readout { min-width: 280px; }
svg.bp-gc-curve { max-width: 330px; }
"""


class GradCheckExplorer(Explorer):
    """Layer type, sizes, seed and ``ε`` → analytic and numerical gradient side by side.

    Controls (also constructor keywords): ``layer`` (one of :data:`LAYERS`), ``batch``
    (``n``), ``n_in``, ``n_out`` (1 to :data:`MAX_SIZE`; ``n_out`` is ignored by activation
    layers), ``seed`` and ``log_eps`` (``ε = 10^log_eps``). ``state`` is
    :func:`gradient_check`.
    """

    _front_end = "gradcheck_view.js"
    _css = Explorer._css + GRADCHECK_CSS
    _controls = ("layer", "batch", "n_in", "n_out", "seed", "log_eps")

    layer = traitlets.Unicode("linear").tag(sync=True)
    batch = traitlets.Int(4).tag(sync=True)
    n_in = traitlets.Int(3).tag(sync=True)
    n_out = traitlets.Int(2).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    log_eps = traitlets.Float(-5.0).tag(sync=True)

    def compute(self) -> dict:
        return gradient_check(self.layer, self.batch, self.n_in, self.n_out, self.seed,
                              self.log_eps)
