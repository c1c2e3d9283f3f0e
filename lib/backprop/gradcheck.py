"""Numerical gradients by central differences, and checks of layers, losses and networks.

``numerical_gradient`` perturbs one entry at a time:
``∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε)``, with an error of order ``ε²``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

import numpy as np

from backprop._arrays import float_array, shape_text
from backprop.layers import Layer
from backprop.losses import Loss
from backprop.scalar import Value

Array = np.ndarray


def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Central-difference gradient of a scalar function ``f`` at the array ``x``.

    ``g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε)`` for every entry ``i``; error ``O(ε²)``.

    ``x`` is perturbed in place one entry at a time and each entry is restored exactly
    afterwards, even when ``f`` raises (so ``f`` may close over ``x``, e.g. a layer's ``W``).
    ``x`` may be any writeable, non-empty, finite float array, also a non-contiguous view.
    Meant for float64: in a coarser dtype the default ``ε`` leaves the difference mostly
    rounding, so a float32 ``x`` needs ``ε ≥ 10⁻³`` and a float16 one ``ε ≥ 0.03`` (the square
    root of the dtype's resolution; a ``ValueError`` otherwise); in any dtype, an ``ε`` so small
    that ``x_i ± ε`` rounds back to ``x_i`` is refused. A non-float ``x`` is a ``TypeError``,
    a read-only one a ``ValueError``. ``f`` must return one finite number.

    Returns a float64 array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("numerical_gradient: x must be a float NumPy array (it is perturbed "
                        f"in place), got {type(x).__name__} of dtype {getattr(x, 'dtype', '-')}")
    if not x.flags.writeable:
        raise ValueError("numerical_gradient: x must be writeable (it is perturbed in place)")
    if x.size == 0:
        raise ValueError(f"numerical_gradient: x is empty (shape {shape_text(x.shape)}): there "
                         "is no entry to perturb; pass the array that f depends on")
    _require_finite("numerical_gradient", "x", x, "the gradient is taken at finite numbers")
    if not (isinstance(eps, Real) and np.isfinite(eps) and eps > 0):
        raise ValueError(f"numerical_gradient: eps must be a positive number, got {eps!r} "
                         "(about 1e-6 for float64)")
    if x.dtype != np.float64 and eps < _coarsest_step(x.dtype):
        raise ValueError(f"numerical_gradient: x is {x.dtype}, too coarse for ε = {eps:g}: "
                         f"a step below √resolution = {_coarsest_step(x.dtype):.2g} leaves "
                         f"f(x + ε) − f(x − ε) mostly rounding; check a float64 copy, or pass "
                         f"eps={_resolvable_step(x):g}")
    stuck = np.argwhere((x + eps == x) | (x - eps == x))
    if len(stuck):
        i = tuple(stuck[0])
        raise ValueError(f"numerical_gradient: ε = {eps:g} is too small for {_entry('x', i)} = "
                         f"{x[i]:g}: in {x.dtype} x ± ε rounds back to x, so the difference "
                         f"would be 0; pass eps={_resolvable_step(x):g}")
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + eps
            f_plus = _scalar(f(x))
            x[i] = original - eps
            f_minus = _scalar(f(x))
        finally:
            x[i] = original
        if not (math.isfinite(f_plus) and math.isfinite(f_minus)):
            raise ValueError(f"numerical_gradient: f returned {f_plus} at x + ε and {f_minus} "
                             f"at x − ε when perturbing {_entry('x', i)} = {original:g}; f must "
                             "return a finite number: look for an overflow, a log of 0 or a "
                             "division by 0 in f")
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _coarsest_step(dtype: np.dtype) -> float:
    """``√resolution`` of ``dtype``: the smallest ``ε`` that keeps about half its digits in
    ``x ± ε`` for ``|x| ≤ 1`` (10⁻³ for float32, 0.03 for float16)."""
    return math.sqrt(float(np.finfo(dtype).resolution))


def _resolvable_step(x: Array) -> float:
    """A step to suggest for ``x``: the power of ten at or above ``√resolution · max(1, |x|)``,
    and at least the default 10⁻⁶; it passes both checks of ``numerical_gradient``."""
    smallest = _coarsest_step(x.dtype) * max(1.0, float(np.abs(x).max()))
    return max(1e-6, 10.0 ** math.ceil(math.log10(smallest)))


def _entry(name: str, index: tuple[int, ...]) -> str:
    """``x[1, 2]``: the entry ``index`` of the array ``name`` (``x`` itself when 0-d)."""
    return f"{name}[{', '.join(str(int(k)) for k in index)}]" if index else name


def _require_finite(where: str, what: str, arr: Array, why: str) -> None:
    """A ``ValueError`` naming the first NaN or inf in ``arr`` (called ``what``), unless none."""
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        i = tuple(bad[0])
        raise ValueError(f"{where}: {what} must hold finite numbers, but {_entry(what, i)} is "
                         f"{arr[i]} ({len(bad)} NaN or inf in all); {why}")


def _scalar(value: object) -> float:
    """``float(value)`` for a number or a one-element array; a clear error otherwise."""
    if value is None:
        raise TypeError("numerical_gradient: f returned None; it must return the loss (did it "
                        "forget `return`?)")
    if isinstance(value, Value):
        raise TypeError(f"numerical_gradient: f returned a {type(value).__name__}; return its "
                        "number, e.g. `out.data`")
    try:
        number = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"numerical_gradient: f must return one number (a loss), got "
                        f"{value!r:.60}") from None
    if number.size != 1:
        raise ValueError(f"numerical_gradient: f must return one number (a loss), got an array "
                         f"of shape {number.shape}; e.g. sum it against a fixed random "
                         "array, np.vdot(f(x), R)")
    return float(number.reshape(()))


def relative_error(a: Array, b: Array) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, tiny)``: 0 for equal arrays, 1 for opposite ones.

    ``a`` and ``b`` are finite arrays of one shape. Norm-based, so entries that are both
    almost zero do not blow it up. Both arrays are first divided by their largest entry (the
    ratio does not change), so that squaring entries of 1e-200 or 1e200 inside the norms
    neither underflows to 0 nor overflows.
    """
    a = float_array("relative_error", "a", a).astype(np.float64, copy=False)
    b = float_array("relative_error", "b", b).astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ: {a.shape} vs {b.shape}")
    for what, arr in (("a", a), ("b", b)):
        _require_finite("relative_error", what, arr, "a NaN or inf gradient has no error to "
                        "measure: find where it comes from (the forward pass, the loss, ε)")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)) or 1.0
    # the difference is taken before the division: a/scale − b/scale would lose its digits
    denom = np.linalg.norm(a / scale) + np.linalg.norm(b / scale)
    return float(np.linalg.norm((a - b) / scale) / max(denom, np.finfo(np.float64).tiny))


def _require(where: str, what: str, value: object, kind: type, example: str) -> None:
    """A ``TypeError`` unless ``value`` is a ``kind`` object (a layer, a loss), saying what it
    is instead: the class itself (the parentheses forgotten), a function, a list of layers."""
    if isinstance(value, kind):
        return
    if isinstance(value, type) and issubclass(value, kind):
        got = f"the class {value.__name__}: make one, with the parentheses, {value.__name__}(...)"
    elif isinstance(value, (list, tuple)) and kind is Layer:
        got = f"a {type(value).__name__}: put the layers in Sequential(...)"
    elif callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        got = f"the function {name}, which has no backward to check"
    else:
        got = f"{value!r:.60}"
    raise TypeError(f"{where}: {what} must be {example}, got {got}")


_LAYER = "a layer object such as Linear(3, 2), Tanh() or Sequential(...)"
_LOSS = "a loss object such as MSE() or SoftmaxCrossEntropy()"


def _batch(where: str, what: str, value: object) -> Array:
    """``value`` as a new float64 array, refused when empty or not finite."""
    arr = np.array(float_array(where, what, value), dtype=np.float64)
    if arr.size == 0:
        raise ValueError(f"{where}: {what} is empty (shape {shape_text(arr.shape)}): it has no "
                         "entry, so there is no gradient to check and every error would be 0; "
                         "give it at least one row of at least one number")
    _require_finite(where, what, arr, "a gradient check needs finite data")
    return arr


def check_layer(
    layer: Layer, X: Array, *, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Relative error of ``layer``'s analytic gradients against numerical ones, by name.

    Uses the scalar probe ``L = Σ (Y ⊙ R)`` with a fixed random ``R``, so ``dY = R``.
    ``X : (n, in)``, ``n ≥ 1``, finite, copied as float64.
    Returns ``{"X": err, "W": err, "b": err, …}`` (``"layers[0].W"`` etc. for a ``Sequential``),
    each a ``relative_error`` over the whole array; ``max(result.values())`` is the worst.
    """
    _require("check_layer", "layer", layer, Layer, _LAYER)
    X = _batch("check_layer", "X", X)
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
    """Relative error between ``loss.backward()`` and the numerical ``∂L/∂pred``.

    ``pred`` of any shape the loss takes (``(n, out)``, logits ``(n, C)``), non-empty and
    finite, copied as float64; ``target`` as the loss takes it. The numerical gradient is
    central differences with step ``eps``.
    """
    _require("check_loss", "loss", loss, Loss, _LOSS)
    pred = _batch("check_loss", "pred", pred)
    loss.forward(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda p: loss.forward(p, target), pred, eps)
    return relative_error(analytic, numeric)


def check_network(
    net: Layer, loss: Loss, X: Array, target: Array, *, eps: float = 1e-6
) -> dict[str, float]:
    """Per-parameter relative error of ``net``'s gradients of ``loss(net(X), target)``.

    ``X : (n, in)``, ``n ≥ 1``, finite; ``target`` as ``loss`` takes it.
    Returns ``{"layers[0].W": err, "layers[0].b": err, …}``.
    """
    if isinstance(net, Loss) and isinstance(loss, Layer):
        raise TypeError(f"check_network: the network comes first and the loss second, "
                        f"check_network(net, loss, X, target); got the loss "
                        f"{type(net).__name__}() first")
    _require("check_network", "net", net, Layer, _LAYER)
    _require("check_network", "loss", loss, Loss, _LOSS)
    X = _batch("check_network", "X", X)

    def total(_: Array) -> float:
        return loss.forward(net.forward(X), target)

    total(X)
    net.backward(loss.backward())
    analytic = {name: grad.copy() for name, _, grad in net.named_parameters()}
    return {
        name: relative_error(analytic[name], numerical_gradient(total, param, eps))
        for name, param, _ in list(net.named_parameters())
    }
