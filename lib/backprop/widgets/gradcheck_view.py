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

A learner's own layer (``GradCheckExplorer(MyLinear(3, 2))``: any object with ``forward(X)``
and ``backward(dY)`` in the row convention) is checked by :func:`learner_gradient_check`
instead, with the same probe, the same seeded ``X`` and ``R`` and the same state keys, but
only in Python: its own ``forward`` and ``backward`` run on a copy of it, and central
differences perturb the copy's own arrays. The front end shows it as "your MyLinear" and
offers no other layer type (as ``GraphExplorer(expr)`` offers only the learner's graph);
without a kernel it cannot recompute, so a static page shows the state computed when the page
was built, with the controls disabled and a note that says so.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import traitlets

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.layers import Linear, ReLU, Sequential, Sigmoid, Tanh
from backprop.widgets._base import Explorer, check_sizes
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


def _check_controls(n: int, n_in: int, n_out: int, log_eps: int) -> None:
    """A ``ValueError`` naming the control (``batch``, ``n_in``, …) that is out of range."""
    check_sizes(MAX_SIZE, batch=n, n_in=n_in, n_out=n_out)
    if log_eps not in CURVE:
        raise ValueError(f"log_eps must be an integer from −10 to −1, got {log_eps}")


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
    _check_controls(n, n_in, n_out, log_eps)
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


# ---- a learner's own layer (Python only) ---------------------------------------------------
class LayerError(Exception):
    """A learner's layer failed or returned something unusable; the message says which call."""


def _who(layer: Any) -> str:
    return f"your {type(layer).__name__}"


def learner_parameters(layer: Any) -> list[tuple[str, np.ndarray]]:
    """``[(name, array)]``: the arrays of ``layer`` that the check perturbs, in order.

    ``layer.named_parameters()`` when it has one (a library ``Layer``: ``"W"``, ``"b"`` of a
    ``Linear``, ``"layers[0].W"``, … of a ``Sequential``), else its attributes ``W`` and ``b``
    (arrays), else none (an activation layer: only ``∂L/∂X`` is checked).
    """
    if callable(getattr(layer, "named_parameters", None)):
        pairs = [(str(name), param) for name, param, _ in layer.named_parameters()]
    else:
        pairs = [(k, getattr(layer, k)) for k in ("W", "b") if hasattr(layer, k)]
    for name, param in pairs:
        if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
            raise LayerError(f"{_who(layer)}: its parameter {name} must be a float NumPy array "
                             f"(it is perturbed in place), got {type(param).__name__}")
        if param.dtype != np.float64:
            raise LayerError(f"{_who(layer)}: its parameter {name} is {param.dtype}; central "
                             f"differences need float64 (build the layer with the default "
                             f"dtype)")
    return pairs


def learner_sizes(layer: Any) -> tuple[int, int] | None:
    """``(in, out)`` fixed by the layer's weights: ``in`` of its first matrix (or its
    ``in_features``) and ``out`` of its last (or its ``out_features``); ``None`` without any."""
    mats = [p for _, p in learner_parameters(layer) if p.ndim == 2]
    if not mats:
        return None

    def width(attr: str, of_weights: int) -> int:
        value = getattr(layer, attr, None)
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        return int(value if whole else of_weights)

    return width("in_features", mats[0].shape[0]), width("out_features", mats[-1].shape[1])


def _gradient_of(layer: Any, name: str) -> Any:
    """The gradient the layer's backward left for its parameter ``name`` (``dW`` for ``W``)."""
    if callable(getattr(layer, "named_parameters", None)):
        return next((g for k, _, g in layer.named_parameters() if k == name), None)
    return getattr(layer, f"d{name}", None)


def _call(layer: Any, what: str, fn: Callable[[], Any], shape: tuple[int, ...],
          meaning: str) -> np.ndarray:
    """``fn()`` (a call into the learner's code) as a finite float array of ``shape``."""
    try:
        out = fn()
    except Exception as exc:
        raise LayerError(f"{_who(layer)}.{what} raised {type(exc).__name__}: {exc}") from exc
    if out is None:
        raise LayerError(f"{_who(layer)}.{what} returned None (did it forget `return`?); "
                         f"expected {meaning}, shape {shape}")
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        raise LayerError(f"{_who(layer)}.{what} returned {type(out).__name__}, not an array "
                         f"of numbers ({meaning}, shape {shape})") from None
    if arr.shape != shape:
        raise LayerError(f"{_who(layer)}.{what} returned shape {arr.shape}; expected {shape} "
                         f"({meaning})")
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        where = tuple(int(i) for i in bad[0])
        raise LayerError(f"{_who(layer)}.{what} returned {arr[where]} at {list(where)} "
                         f"({meaning})")
    return arr


def learner_gradient_check(layer: Any, n: int, n_in: int, n_out: int, seed: int,
                           log_eps: int) -> dict:
    """:func:`gradient_check` for a learner's layer, with its own ``forward`` and ``backward``.

    ``layer`` maps ``X : (n, in)`` to ``Y : (n, out)`` (``(n, in)`` for a layer without
    weights). ``X`` and ``R`` are the seeded arrays the built-in ``"linear"`` layer (without
    weights: the activation layers) sees for these sizes; ``in`` and ``out`` come from the
    layer's weights (:func:`learner_sizes`) when it has any. The probe is
    ``L = Σ layer.forward(X) ⊙ R``; the analytic gradients are what ``layer.backward(R)``
    returns (``∂L/∂X``) and leaves in its parameters' gradients (``dW``, ``db``, …); the
    numerical ones are ``numerical_gradient`` of the probe, perturbing the layer's own arrays
    in place. ``layer`` is changed (its caches, its gradients) but its parameters are restored.

    Returns the keys of :func:`gradient_check`, with ``layer = "custom"``, ``param`` the first
    weight matrix (``"W"``, ``"layers[0].W"`` for a ``Sequential``) or ``"X"``, and ``errors``
    for ``X`` and every parameter. Raises :class:`LayerError` when the layer raises, returns
    an array of the wrong shape or a NaN or infinity, or leaves a gradient unset.
    """
    fixed = learner_sizes(layer)
    if fixed is not None:
        n_in, n_out = fixed
    _check_controls(n, n_in, n_out, log_eps)
    width = n_out if fixed is not None else n_in
    case = random_case("linear" if fixed is not None else "sigmoid", n, n_in, width, seed)
    X, R = case["X"], case["R"]
    params = learner_parameters(layer)
    y_meaning = "Y = forward(X) : (n, out)" if fixed is not None else "Y : (n, in), as X"

    def probe(_: np.ndarray) -> float:
        Y = _call(layer, "forward(X)", lambda: layer.forward(X), R.shape, y_meaning)
        return float(np.sum(Y * R))

    loss = probe(X)
    for name, _ in params:      # zeroed (in the copy), so a backward that adds to them starts at 0
        earlier = _gradient_of(layer, name)
        if isinstance(earlier, np.ndarray) and earlier.flags.writeable:
            earlier[...] = 0
    grads = {"X": _call(layer, "backward(dY)", lambda: layer.backward(R), X.shape,
                        "∂L/∂X : (n, in), the shape of X")}
    for name, param in params:
        g = _gradient_of(layer, name)
        if g is None:
            raise LayerError(f"{_who(layer)}.backward(dY) did not set the gradient of {name} "
                             f"(d{name.rpartition('.')[2]}, shape {param.shape})")
        grads[name] = _call(layer, f"backward(dY)'s gradient of {name}", lambda g=g: g,
                            param.shape, f"∂L/∂{name} has the shape of {name}")
    arrays = {"X": X} | dict(params)
    param = next((name for name, p in params if p.ndim == 2), "X")
    eps = float(f"1e{log_eps}")
    numerical = {name: numerical_gradient(probe, arrays[name], eps) for name in grads}
    errors = {name: relative_error(grads[name], numerical[name]) for name in grads}
    curve = [relative_error(grads[param],
                            numerical_gradient(probe, arrays[param], float(f"1e{k}")))
             for k in CURVE]
    return {
        "layer": "custom",
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
.bp-gc-bottom { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 10px 18px;
  align-items: flex-start; }
.bp-gc-readout { min-width: 280px; }
svg.bp-gc-curve { max-width: 330px; }
.bp-gc-kernel-note { flex: 1 1 100%; font-size: 12px; color: #57606a; }
.bp-gc-select:disabled { opacity: 1; color: inherit; }
"""


class GradCheckExplorer(Explorer):
    """Layer, sizes, seed and ``ε`` → analytic and numerical gradient side by side.

    Parameters
    ----------
    layer : one of :data:`LAYERS` (computed by the twins, also in a page without a kernel),
        or a layer of your own: any object with ``forward(X)`` (``X : (n, in)`` →
        ``Y : (n, out)``) and ``backward(dY)`` (returns ``∂L/∂X : (n, in)`` and sets the
        gradients of its parameters), e.g. a ``Linear``, a ``Sequential`` or a subclass
        of ``Linear`` with a bug. Its parameters are ``named_parameters()`` when it has that
        method (their gradients are the ones it yields after ``backward``), else its arrays
        ``W`` and ``b`` (gradients ``dW``, ``db``). It is *copied*: the explorer never
        changes your object. Its weights fix ``n_in`` and ``n_out``. It runs in Python only:
        the controls need a kernel.
    batch, n_in, n_out : ``n`` and the widths, 1 to :data:`MAX_SIZE` (``n_out`` is ignored by
        activation layers).
    seed : the seeded ``X : (n, in)`` and ``R`` (see :func:`random_case`).
    log_eps : an integer from −10 to −1, ``ε = 10^log_eps``.

    State (``compute()``)
    ---------------------
    For the probe ``L = Σ Y ⊙ R`` (so ``∂L/∂Y = R``): ``param`` the array shown (``"W"``, the
    first weight matrix of your layer, or ``"X"``), ``shape``, ``eps``, ``loss``,
    ``analytic`` (from ``backward(R)``) and ``numerical`` (central differences), nested lists
    of ``shape``; ``rel_error`` between them (``‖a − n‖ / (‖a‖ + ‖n‖)``), ``errors`` (that of
    ``X`` and every parameter) and ``curve`` (``log_eps`` −10 … −1 and ``rel_error``). See
    :func:`gradient_check` and :func:`learner_gradient_check` (``layer = "custom"``).
    ``layer_class`` (a trait, not a control) is your layer's class name, ``""`` otherwise.
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
    #: the class of the learner's layer (``layer == "custom"``); ``""`` for a built-in layer
    layer_class = traitlets.Unicode("").tag(sync=True)
    #: whether the learner's layer fixes ``n_in`` and ``n_out`` (it has weights)
    fixed_sizes = traitlets.Bool(False).tag(sync=True)

    def __init__(self, layer: Any = "linear", **kwargs: Any) -> None:
        self.learner_layer: Any = None
        if isinstance(layer, type):
            raise TypeError(f"GradCheckExplorer(layer=...): {layer.__name__} is a class; pass a "
                            f"layer object, made with the parentheses, such as "
                            f"{layer.__name__}(...), or one of the names {list(LAYERS)}")
        if not isinstance(layer, str):
            missing = [m for m in ("forward", "backward") if not callable(getattr(layer, m, None))]
            if missing:
                raise TypeError(
                    f"GradCheckExplorer(layer=...): a layer of your own needs the methods "
                    f"forward(X) (X : (n, in) → Y : (n, out)) and backward(dY) (returns ∂L/∂X "
                    f"and sets dW, db), in the row convention of backprop.layers; "
                    f"{type(layer).__name__} has no {' and no '.join(missing)}")
            try:
                self.learner_layer = copy.deepcopy(layer)
            except Exception as exc:
                raise TypeError(f"GradCheckExplorer(layer=...): your {type(layer).__name__} "
                                f"cannot be copied with copy.deepcopy ({exc})") from exc
            try:
                sizes = learner_sizes(self.learner_layer)
            except LayerError as exc:
                raise TypeError(f"GradCheckExplorer(layer=...): {exc}") from None
            if sizes is not None and max(sizes) > MAX_SIZE:
                raise ValueError(
                    f"GradCheckExplorer(layer=...): your {type(layer).__name__} maps "
                    f"{sizes[0]} inputs to {sizes[1]} outputs; the explorer shows layers up to "
                    f"{MAX_SIZE} wide (a heatmap cell per weight): try a small one, such as "
                    f"{type(layer).__name__}(3, 2)")
            if sizes is not None:
                kwargs["n_in"], kwargs["n_out"] = sizes
            kwargs |= {"layer_class": type(layer).__name__, "fixed_sizes": sizes is not None}
            layer = "custom"
        super().__init__(layer=layer, **kwargs)

    def compute(self) -> dict:
        if self.learner_layer is None:
            return gradient_check(self.layer, self.batch, self.n_in, self.n_out, self.seed,
                                  self.log_eps)
        who = _who(self.learner_layer)
        if self.layer != "custom":
            raise ValueError(f"this explorer shows {who} (layer 'custom'); for the built-in "
                             f"layer {self.layer!r} make a new GradCheckExplorer(layer="
                             f"{self.layer!r})")
        sizes = learner_sizes(self.learner_layer)
        if sizes is not None and (self.n_in, self.n_out) != sizes:
            raise ValueError(f"n_in and n_out are fixed by the weights of {who}: "
                             f"{sizes[0]} and {sizes[1]}, not {self.n_in} and {self.n_out}")
        return learner_gradient_check(self.learner_layer, self.batch, self.n_in, self.n_out,
                                      self.seed, self.log_eps)
