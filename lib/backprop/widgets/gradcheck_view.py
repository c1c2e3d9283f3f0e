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
Because a central difference at small ε magnifies every rounding, the probe and the backward
pass are computed here with element-wise operations in the browser's order and an ``exp`` of
their own (``*_twin``), and checked against the library's layers on every refresh.
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
#: log10 of the steps ε of the curve: −10, −9, …, −1
CURVE = tuple(range(-10, 0))
#: largest batch and widths (a heatmap cell per entry must stay readable)
MAX_SIZE = 6
#: the activation after the (optional) linear part of each layer type
_ACT = {"linear": "identity", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
        "linear+tanh": "tanh"}

# ---- the bit-for-bit twin of gradcheckState (mlmath.js) ------------------------------------
# A central difference at ε = 10⁻¹⁰ amplifies every rounding of the probe by 10¹⁰, so the
# browser can only show the same numbers if it rounds the same way. These functions use
# element-wise IEEE operations (each rounded once, in the same order as mlmath.js) and an
# exp of their own (range reduction and a Taylor polynomial), never BLAS or libm; compute()
# checks them against the library's layers.
_LN2 = 0.6931471805599453
_EXP_COEF = [1.0]
for _k in range(1, 18):
    _EXP_COEF.append(_EXP_COEF[-1] / _k)


def exp_twin(x: np.ndarray) -> np.ndarray:
    """``e^x`` for ``|x| ≤ 60`` (clipped beyond): ``2^k · Σ r^m / m!`` with ``r = x − k ln 2``."""
    x = np.clip(np.asarray(x, dtype=np.float64), -60.0, 60.0)
    k = np.floor(x / _LN2 + 0.5)
    r = x - k * _LN2
    p = np.full_like(r, _EXP_COEF[-1])
    for c in reversed(_EXP_COEF[:-1]):
        p = p * r + c
    return np.ldexp(p, k.astype(np.int64))


def act_twin(name: str, z: np.ndarray) -> np.ndarray:
    """The activation ``name`` with :func:`exp_twin` (sigmoid, tanh), element-wise."""
    if name == "sigmoid":
        return 1.0 / (1.0 + exp_twin(-z))
    if name == "tanh":
        t = exp_twin(-2.0 * np.abs(z))
        v = (1.0 - t) / (1.0 + t)
        return np.where(z < 0, -v, v)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    return z


def forward_twin(layer: str, X: np.ndarray, W: np.ndarray | None, b: np.ndarray | None
                 ) -> np.ndarray:
    """``f(X W + b)`` (or ``f(X)``) summing over ``p`` in order; leading axes broadcast."""
    if W is None:
        return act_twin(_ACT[layer], X)
    Y = np.zeros(np.broadcast_shapes(X.shape[:-1] + (1,), W.shape[:-2] + (1, W.shape[-1])))
    for p in range(X.shape[-1]):
        Y = Y + X[..., :, p:p + 1] * W[..., p:p + 1, :]
    return act_twin(_ACT[layer], Y + b[..., None, :])


def probe_twin(Y: np.ndarray, R: np.ndarray) -> np.ndarray:
    """``Σ Y ⊙ R`` over the last two axes, added entry by entry in row-major order."""
    s = np.zeros(Y.shape[:-2])
    for i in range(R.shape[0]):
        for j in range(R.shape[1]):
            s = s + Y[..., i, j] * R[i, j]
    return s


def backward_twin(layer: str, arrays: dict) -> dict:
    """``∂L/∂X`` (and ``∂L/∂W``, ``∂L/∂b``) of the probe, sums in the order of mlmath.js."""
    X, R, W, b = arrays["X"], arrays["R"], arrays.get("W"), arrays.get("b")
    A = forward_twin(layer, X, W, b)
    name = _ACT[layer]
    if name == "sigmoid":
        dZ = R * (A * (1.0 - A))
    elif name == "tanh":
        dZ = R * (1.0 - A * A)
    elif name == "relu":
        dZ = np.where(X > 0, R, 0.0)                  # ReLU is never after a Linear here
    else:
        dZ = R.copy()
    if W is None:
        return {"X": dZ}
    n, n_in, n_out = X.shape[0], W.shape[0], W.shape[1]
    dW, db, dX = np.zeros((n_in, n_out)), np.zeros(n_out), np.zeros((n, n_in))
    for i in range(n):
        dW = dW + X[i][:, None] * dZ[i][None, :]
        db = db + dZ[i]
    for j in range(n_out):
        dX = dX + dZ[:, j:j + 1] * W[:, j][None, :]
    return {"X": dX, "W": dW, "b": db}


def curve_twin(layer: str, arrays: dict, param: str, analytic: np.ndarray) -> list[float]:
    """Relative error of ``analytic`` against central differences at every ε of
    :data:`CURVE`, all perturbed copies at once (the same numbers as ``numerical_gradient``)."""
    base = arrays[param]
    E = base.size
    eps = np.array([float(f"1e{k}") for k in CURVE])
    stack = np.broadcast_to(base, (len(CURVE), 2, E) + base.shape).copy()
    flat = stack.reshape(len(CURVE), 2, E, E)
    idx = np.arange(E)
    orig = base.reshape(-1)
    flat[:, 0, idx, idx] = orig[None, :] + eps[:, None]
    flat[:, 1, idx, idx] = orig[None, :] - eps[:, None]
    args = {k: arrays.get(k) for k in ("X", "W", "b")}
    args[param] = stack
    L = probe_twin(forward_twin(layer, args["X"], args["W"], args["b"]), arrays["R"])
    num = (L[:, 0] - L[:, 1]) / (2.0 * eps[:, None])
    return [relative_error(analytic, g.reshape(base.shape)) for g in num]


def random_case(layer: str, n: int, n_in: int, n_out: int, seed: int) -> dict:
    """The seeded arrays of the explorer, drawn in this order, row by row.

    Standard normals rounded to multiples of ``2⁻²⁰``: ``X : (n, in)``; for ``"linear"`` and
    ``"linear+tanh"`` then ``W : (in, out)`` (divided by √in) and ``b : (out,)``; last ``R``
    of the output's shape, ``(n, out)`` or ``(n, in)`` for an activation layer.
    """
    has_w = layer in ("linear", "linear+tanh")
    width = n_out if has_w else n_in
    count = n * n_in + (n_in * n_out + n_out if has_w else 0) + n * width
    # on a grid of 2⁻²⁰: NumPy's and the browser's log and cos may differ in the last bit
    g = np.floor(mulberry32_normals(seed, count) * 2.0**20 + 0.5) / 2.0**20
    out, k = {}, 0

    def take(rows: int, cols: int) -> np.ndarray:
        nonlocal k
        block = g[k:k + rows * cols].reshape(rows, cols)
        k += rows * cols
        return block.copy()

    out["X"] = take(n, n_in)
    if has_w:
        out["W"] = take(n_in, n_out) * (1.0 / np.sqrt(n_in))
        out["b"] = take(1, n_out)[0]
    out["R"] = take(n, width)
    return out


def build_layer(layer: str, arrays: dict) -> Linear | Sequential | Sigmoid | Tanh | ReLU:
    """The library layer of the explorer, holding copies of ``arrays["W"]``, ``arrays["b"]``."""
    if layer in ("linear", "linear+tanh"):
        lin = Linear.from_weights(arrays["W"], arrays["b"])
        return lin if layer == "linear" else Sequential(lin, Tanh())
    return {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}[layer]()


def gradient_check(layer: str, n: int, n_in: int, n_out: int, seed: int,
                   log_eps: int) -> dict:
    """Analytic against numerical gradient of the probe ``L = Σ Y ⊙ R`` for one layer.

    The analytic gradients are the layer's ``backward(R)`` (checked against the library's
    ``Linear``/``Sigmoid``/… to 1e-9, computed in the browser's order); the numerical ones are
    ``backprop.gradcheck.numerical_gradient`` of the probe with ``ε = 10^log_eps``, compared by
    ``backprop.gradcheck.relative_error``.

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
    if log_eps not in CURVE:
        raise ValueError(f"log_eps must be an integer from −10 to −1, got {log_eps}")
    arrays = random_case(layer, n, n_in, n_out, seed)
    X, R = arrays["X"], arrays["R"]
    grads = backward_twin(layer, arrays)
    net = build_layer(layer, arrays)                  # the library's layer, for the check
    net.forward(X)
    library = {"X": net.backward(R)}
    if "W" in arrays:
        lin = net if layer == "linear" else net[0]
        library |= {"W": lin.dW, "b": lin.db}
    for name, g in grads.items():
        if not np.allclose(g, library[name], rtol=1e-9, atol=1e-12):
            raise AssertionError(f"the library's ∂L/∂{name} differs from the explorer's")

    def probe(_: np.ndarray) -> float:
        Y = forward_twin(layer, arrays["X"], arrays.get("W"), arrays.get("b"))
        return float(probe_twin(Y, R))

    param = "W" if "W" in arrays else "X"
    eps = float(f"1e{log_eps}")
    numerical = {name: numerical_gradient(probe, arrays[name], eps) for name in grads}
    errors = {name: relative_error(grads[name], numerical[name]) for name in grads}
    return {
        "layer": layer,
        "param": param,
        "shape": list(grads[param].shape),
        "eps": eps,
        "loss": probe(X),
        "analytic": grads[param].tolist(),
        "numerical": numerical[param].tolist(),
        "rel_error": errors[param],
        "errors": errors,
        "curve": {"log_eps": list(CURVE),
                  "rel_error": curve_twin(layer, arrays, param, grads[param])},
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
.bp-gc-bottom { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 10px 18px;
  align-items: flex-start; }
.bp-gc-readout { min-width: 280px; }
svg.bp-gc-curve { max-width: 330px; }
"""


class GradCheckExplorer(Explorer):
    """Layer type, sizes, seed and ``ε`` → analytic and numerical gradient side by side.

    Controls (also constructor keywords): ``layer`` (one of :data:`LAYERS`), ``batch``
    (``n``), ``n_in``, ``n_out`` (1 to :data:`MAX_SIZE`; ``n_out`` is ignored by activation
    layers), ``seed`` and ``log_eps`` (an integer, ``ε = 10^log_eps``). ``state`` is
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
    log_eps = traitlets.Int(-5).tag(sync=True)

    def compute(self) -> dict:
        return gradient_check(self.layer, self.batch, self.n_in, self.n_out, self.seed,
                              self.log_eps)
