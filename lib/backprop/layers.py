"""Layers with explicit ``forward`` and ``backward`` (row convention).

A layer maps a batch ``X`` of shape ``(n, in)`` to ``Y`` of shape ``(n, out)``. ``forward``
keeps what ``backward`` needs; ``backward(dY)`` takes ``dY = ∂L/∂Y`` and returns
``dX = ∂L/∂X`` as a new array, assigning the gradients of the layer's own parameters.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from inspect import signature

import numpy as np

from backprop import activations as act
from backprop._arrays import (
    check_rows,
    check_seed,
    float_array,
    positive_whole,
    shape_text,
    table,
)

Array = np.ndarray


def _generator(where: str, rng: object, seed: int | None) -> np.random.Generator:
    """``rng`` if given, else ``np.random.default_rng(seed)`` (``seed``: ``None`` or a whole
    number ≥ 0); a seed passed as ``rng`` is refused with the keyword to use instead."""
    if rng is None:
        return np.random.default_rng(check_seed(where, seed))
    if isinstance(rng, (int, np.integer)):
        raise TypeError(f"{where}: rng must be a NumPy Generator such as "
                        f"np.random.default_rng(0), got {rng!r}; for a seed write seed={rng!r}")
    if not hasattr(rng, "standard_normal"):
        raise TypeError(f"{where}: rng must be a NumPy Generator such as "
                        f"np.random.default_rng(0), got {rng!r}")
    return rng


def _float_dtype(where: str, dtype: object) -> np.dtype:
    """``np.dtype(dtype)`` when it is a float type, else an error naming ``where``: a
    ``TypeError`` for what is no dtype at all ('bogus', a list), a ``ValueError`` for
    another kind (int64)."""
    advice = "(use np.float64, the default, or np.float32)"
    try:
        checked = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype must be a float type, got {dtype!r} {advice}") from None
    if checked.kind != "f":
        raise ValueError(f"{where}: dtype must be a float type, got {checked} {advice}")
    return checked


class Layer:
    """Base class: ``forward``, ``backward`` and ``parameters``.

    Subclasses implement ``_forward(X)`` and ``_backward(dY)``; the base class checks the
    shapes and the order of calls so that every layer reports mistakes the same way.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or type(self).__name__
        self._X: Array | None = None
        self._Y_shape: tuple[int, ...] | None = None

    # -- public API ------------------------------------------------------------------------
    def forward(self, X: Array) -> Array:
        """Compute the layer's output for a batch ``X : (n, in)``.

        Integer or boolean inputs are converted to float64 (``Linear`` converts to the
        dtype of its parameters). The output is a new array; the layer keeps a reference
        to ``X`` for ``backward``, so do not modify ``X`` in place in between.
        Raises ``ValueError`` for an input of the wrong shape or an empty batch (``n = 0``),
        ``TypeError`` for one that does not hold numbers.
        """
        self._X = self._Y_shape = None    # a forward that fails leaves nothing for backward
        X = self._check_input(X)
        Y = self._forward(X)
        if not isinstance(Y, np.ndarray):
            raise TypeError(f"{self.name}._forward returned {type(Y).__name__}, not an array "
                            "(did it forget `return`?)")
        self._X = X
        self._Y_shape = Y.shape
        return Y

    def backward(self, dY: Array, *, input_grad: bool = True) -> Array | None:
        """Given ``dY = ∂L/∂Y : (n, out)``, return ``dX = ∂L/∂X : (n, in)``.

        ``dY`` is never modified; ``dX`` is a new array of the dtype of the last input.
        With ``input_grad=False`` only the parameters' gradients are computed and ``None``
        is returned: the first layer of a network needs no gradient for the data, and
        skipping it saves a matrix product (PyTorch skips it too).
        Raises ``RuntimeError`` before any ``forward`` (or after one that failed),
        ``ValueError`` when ``dY`` does not have the shape of the last output and
        ``TypeError`` when it does not hold numbers.
        """
        dY = self._check_grad(dY).astype(self._X.dtype, copy=False)
        if not input_grad:
            self._parameter_gradients(dY)
            return None
        dX = self._backward(dY)
        if np.shape(dX) != self._X.shape:  # a layer of one's own that got dX wrong
            raise ValueError(f"{self.name}._backward returned dX of shape "
                             f"{shape_text(np.shape(dX))}; it must have the shape of the input X, "
                             f"{shape_text(self._X.shape)}")
        return dX

    __call__ = forward

    def parameters(self) -> Iterator[tuple[Array, Array | None]]:
        """Yield ``(parameter, gradient)`` pairs; the gradient is ``None`` before backward."""
        yield from ()

    def named_parameters(self) -> Iterator[tuple[str, Array, Array | None]]:
        """Yield ``(name, parameter, gradient)`` triples, e.g. ``("W", W, dW)``."""
        yield from ()

    @property
    def in_features(self) -> int | None:
        """Width of the input, or ``None`` when the layer accepts any width."""
        return None

    @property
    def out_features(self) -> int | None:
        """Width of the output, or ``None`` when it equals the input width."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- for subclasses --------------------------------------------------------------------
    def _check_input(self, X: Array) -> Array:
        X = table(f"{self.name}.forward", "X", X)
        if X.ndim != 2:
            hint = ""
            if X.ndim == 1 and self.in_features == 1:
                hint = " (use X.reshape(-1, 1): one feature per sample)"
            elif X.ndim == 1:
                hint = " (use X.reshape(1, -1) for a single sample)"
            expected = f"(n, {self.in_features})" if self.in_features else "(n, features)"
            raise ValueError(
                f"{self.name}.forward: expected X of shape {expected}, got {shape_text(X.shape)}"
                f"{hint}"
            )
        if self.in_features is not None and X.shape[1] != self.in_features:
            raise ValueError(
                f"{self.name}.forward: expected X of shape (n, {self.in_features}), "
                f"got {shape_text(X.shape)}"
            )
        check_rows(f"{self.name}.forward", X)
        return float_array(f"{self.name}.forward", "X", X)   # numbers, int and bool as float

    def _check_grad(self, dY: Array) -> Array:
        if self._Y_shape is None:
            raise RuntimeError(f"{self.name}.backward called before forward (or after a forward "
                               "that failed): run forward(X) first")
        dY = table(f"{self.name}.backward", "dY", dY)
        if dY.shape != self._Y_shape:
            raise ValueError(
                f"{self.name}.backward: expected dY of shape {shape_text(self._Y_shape)} "
                f"(the shape of the last forward output), got {shape_text(dY.shape)}"
            )
        if dY.dtype.kind not in "biuf":
            raise TypeError(f"{self.name}.backward: dY must hold real numbers, got dtype "
                            f"{dY.dtype}")
        return dY

    def _forward(self, X: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} defines no _forward(X): a layer "
                                  "computes its output there (and backward in _backward(dY))")

    def _backward(self, dY: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} defines no _backward(dY): a layer "
                                  "returns dX = ∂L/∂X there and sets its parameters' gradients")

    def _parameter_gradients(self, dY: Array) -> None:
        """Assign the parameters' gradients only (by default: run ``_backward``)."""
        self._backward(dY)


class Linear(Layer):
    """Fully connected layer ``Y = X W + b``.

    Parameters
    ----------
    in_features, out_features : widths; ``W : (in, out)``, ``b : (out,)``.
    rng, seed : where the initial weights come from (``rng`` wins when both are given).
    init : ``"he"`` (``N(0, 2/in)``, for ReLU), ``"xavier"`` (``N(0, 2/(in+out))``, for
        sigmoid/tanh) or ``"zeros"``. Biases start at zero.
    dtype : float dtype of the parameters (float64 by default).

    Backward, for ``dY : (n, out)``: ``dW = Xᵀ dY``, ``db = 1ᵀ dY`` (sum over the batch),
    ``dX = dY Wᵀ``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
        init: str = "he",
        dtype: np.dtype | type = np.float64,
        name: str | None = None,
    ) -> None:
        for label, size in (("in_features", in_features), ("out_features", out_features)):
            if not positive_whole(size):
                raise ValueError(f"Linear: {label} must be a positive integer, got {size!r}")
        dtype = _float_dtype("Linear", dtype)
        super().__init__(name or f"Linear({in_features}→{out_features})")
        rng = _generator("Linear", rng, seed)
        if init == "he":
            scale = np.sqrt(2.0 / in_features)
        elif init == "xavier":
            scale = np.sqrt(2.0 / (in_features + out_features))
        elif init == "zeros":
            scale = 0.0
        else:
            raise ValueError(f"Linear: unknown init {init!r}; expected 'he', 'xavier' or 'zeros'")
        self.W: Array = (rng.standard_normal((in_features, out_features)) * scale).astype(dtype)
        self.b: Array = np.zeros(out_features, dtype=dtype)
        self.dW: Array | None = None
        self.db: Array | None = None

    @classmethod
    def from_weights(cls, W: Array, b: Array | None = None, name: str | None = None) -> Linear:
        """A layer holding copies of given ``W : (in, out)`` and ``b : (out,)`` (zeros if omitted).

        The dtype of ``W`` is kept when it is a float type (float64 otherwise).
        """
        W = np.array(float_array("Linear.from_weights", "W", W), order="C")
        if W.ndim != 2:
            raise ValueError(
                f"Linear.from_weights: W must be 2-D (in, out), got {shape_text(W.shape)}"
            )
        layer = cls(W.shape[0], W.shape[1], init="zeros", dtype=W.dtype, name=name)
        layer.W = W
        if b is not None:
            b = np.array(float_array(f"{layer.name}.from_weights", "b", b),
                         dtype=W.dtype).reshape(-1)
            if b.shape != (W.shape[1],):
                raise ValueError(
                    f"{layer.name}.from_weights: expected b of shape ({W.shape[1]},), "
                    f"got {shape_text(b.shape)}"
                )
            layer.b = b
        return layer

    def _check_input(self, X: Array) -> Array:
        self._check_parameters()
        try:
            X = super()._check_input(X)
        except ValueError as error:
            shape = getattr(X, "shape", ())             # (a list may not even be a table)
            if len(shape) == 2 and shape[1] == self.out_features != self.in_features:
                raise ValueError(f"{error}; X has as many columns as the layer has outputs: "
                                 f"were in and out swapped, or is W {shape_text(self.W.shape)} "
                                 "= (in, out) transposed?") from None
            raise
        return X.astype(self.W.dtype, copy=False)

    def _check_parameters(self) -> None:
        """``W`` and ``b`` can be reassigned (an experiment, weights from another convention):
        check before each forward that they still make a layer."""
        W, b = self.W, self.b
        for name, p in (("W", W), ("b", b)):
            if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):
                got = f"dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(f"{self.name}.forward: {name} must be a float NumPy array, got "
                                f"{got}")
        if W.ndim != 2:
            raise ValueError(f"{self.name}.forward: W must be a 2-D float array (in, out), "
                             f"got shape {shape_text(W.shape)}")
        if b.shape != (W.shape[1],):
            got = shape_text(b.shape)
            hint = (" (a column bias: use b.ravel())" if got == f"({W.shape[1]}, 1)"
                    else f" (W is {shape_text(W.shape)} = (in, out): is it transposed?)"
                    if got == f"({W.shape[0]},)" else "")
            raise ValueError(f"{self.name}.forward: expected b of shape ({W.shape[1]},), one "
                             f"bias per column of W, got {got}{hint}")

    @property
    def in_features(self) -> int:
        """``in``, the number of rows of ``W``."""
        return self.W.shape[0]

    @property
    def out_features(self) -> int:
        """``out``, the number of columns of ``W``."""
        return self.W.shape[1]

    def _forward(self, X: Array) -> Array:
        Y = X @ self.W
        Y += self.b
        return Y

    def _backward(self, dY: Array) -> Array:
        self._set_gradients(dY)
        return dY @ self.W.T

    def _parameter_gradients(self, dY: Array) -> None:
        if type(self)._backward is Linear._backward:
            self._set_gradients(dY)
        else:  # a subclass with its own _backward (an exercise, a variant): let it decide
            self._backward(dY)

    def _set_gradients(self, dY: Array) -> None:
        self.dW = self._X.T @ dY
        self.db = dY.sum(axis=0)

    def parameters(self) -> Iterator[tuple[Array, Array | None]]:
        """``(W, dW)`` then ``(b, db)``: the layer's own arrays, so in-place updates stick."""
        yield self.W, self.dW
        yield self.b, self.db

    def named_parameters(self) -> Iterator[tuple[str, Array, Array | None]]:
        """``("W", W, dW)`` then ``("b", b, db)``."""
        yield "W", self.W, self.dW
        yield "b", self.b, self.db

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class ActivationLayer(Layer):
    """Element-wise activation ``A = f(Z)``; backward ``dZ = dA ⊙ f'(Z)``."""

    activation: act.Activation

    def _forward(self, X: Array) -> Array:
        return self.activation.f(X)

    def _backward(self, dY: Array) -> Array:
        return dY * self.activation.df(self._X)

    def _parameter_gradients(self, dY: Array) -> None:
        """No parameters: nothing to do."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(ActivationLayer):
    """``A = σ(Z)``; backward ``dZ = dA ⊙ A (1 − A)`` (uses the stored output)."""

    activation = act.ACTIVATIONS["sigmoid"]

    def _forward(self, X: Array) -> Array:
        self._A = self.activation.f(X)
        return self._A

    def _backward(self, dY: Array) -> Array:
        return dY * (self._A * (1.0 - self._A))


class Tanh(ActivationLayer):
    """``A = tanh(Z)``; backward ``dZ = dA ⊙ (1 − A²)`` (uses the stored output)."""

    activation = act.ACTIVATIONS["tanh"]

    def _forward(self, X: Array) -> Array:
        self._A = np.tanh(X)
        return self._A

    def _backward(self, dY: Array) -> Array:
        return dY * (1.0 - self._A * self._A)


class ReLU(ActivationLayer):
    """``A = max(0, Z)``; backward ``dZ = dA ⊙ [Z > 0]``."""

    activation = act.ACTIVATIONS["relu"]

    def _backward(self, dY: Array) -> Array:
        # a boolean mask keeps dY's dtype (and is faster than np.where)
        return dY * (self._X > 0)


class Identity(ActivationLayer):
    """``A = Z``; backward ``dZ = dA`` (returned as a copy, never the argument itself)."""

    activation = act.ACTIVATIONS["identity"]

    def _forward(self, X: Array) -> Array:
        return X.copy()

    def _backward(self, dY: Array) -> Array:
        return dY.copy()


ACTIVATION_LAYERS: dict[str, type[ActivationLayer]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "identity": Identity,
}


def _with_nested(layer: Layer) -> Iterator[Layer]:
    """``layer`` and, for a ``Sequential``, every layer inside it at any depth."""
    yield layer
    for inner in layer.layers if isinstance(layer, Sequential) else ():
        yield from _with_nested(inner)


class Sequential(Layer):
    """Composition of layers: ``forward`` runs them in order, ``backward`` in reverse.

    The widths of consecutive ``Linear`` layers must chain (``out`` of one is ``in`` of the
    next); activation layers keep the width.
    """

    def __init__(self, *layers: Layer, name: str | None = None) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        used_in: dict[int, int] = {}          # id of every layer, nested ones too -> item
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = f"; did you mean {layer.__name__}()?" if (
                    isinstance(layer, type) and issubclass(layer, Layer)) else ""
                raise TypeError(f"Sequential: item {i} is {layer!r}, not a Layer{hint}")
            for part in _with_nested(layer):
                first = used_in.setdefault(id(part), i)
                if first != i:  # one object keeps one input for backward: the second use wins
                    here = f"layer {i}" if part is layer else f"{part.name} inside layer {i}"
                    there = (f"layer {first}" if part is layers[first]
                             else f"a layer inside layer {first}")
                    raise ValueError(f"Sequential: {here} is the same object as {there} "
                                     f"({part.name}); put a new {type(part).__name__} in "
                                     "one of the two places")
        width, width_from = None, None
        for i, layer in enumerate(layers):
            if layer.in_features is not None and width is not None and layer.in_features != width:
                raise ValueError(
                    f"Sequential: widths do not chain: layer {i} {layer.name} expects inputs "
                    f"of width {layer.in_features}, but layer {width_from} outputs width {width}"
                )
            if layer.out_features is not None:
                width, width_from = layer.out_features, f"{i} {layer.name}"
        super().__init__(name or "Sequential")
        self.layers: tuple[Layer, ...] = tuple(layers)

    @property
    def in_features(self) -> int | None:
        """Input width of the first layer that fixes one (``None`` if no layer does)."""
        for layer in self.layers:
            if layer.in_features is not None:
                return layer.in_features
        return None

    @property
    def out_features(self) -> int | None:
        """Output width of the last layer that fixes one (``None`` if no layer does)."""
        for layer in reversed(self.layers):
            if layer.out_features is not None:
                return layer.out_features
        return None

    def forward(self, X: Array) -> Array:
        """Run every layer in order: ``X : (n, in)`` -> ``(n, out)``."""
        self._Y_shape = None              # until every layer has run
        X = self._check_input(X)
        for layer in self.layers:
            X = layer.forward(X)
        self._Y_shape = X.shape
        return X

    def backward(self, dY: Array, *, input_grad: bool = True) -> Array | None:
        """Run every layer's backward in reverse order and return ``∂L/∂X : (n, in)``.

        ``input_grad=False`` skips ``∂L/∂X`` of the first layer and returns ``None``.
        """
        dY = self._check_grad(dY)
        first, *rest = self.layers
        for layer in reversed(rest):
            dY = layer.backward(dY)
        return first.backward(dY) if input_grad else backward_parameters_only(first, dY)

    __call__ = forward

    def parameters(self) -> Iterator[tuple[Array, Array | None]]:
        """Every layer's ``(param, grad)`` pairs, in order."""
        for layer in self.layers:
            yield from layer.parameters()

    def named_parameters(self) -> Iterator[tuple[str, Array, Array | None]]:
        """Names like ``"layers[0].W"``."""
        for i, layer in enumerate(self.layers):
            for name, param, grad in layer.named_parameters():
                yield f"layers[{i}].{name}", param, grad

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join(textwrap.indent(repr(layer), "  ") for layer in self.layers)
        return f"Sequential(\n{inner}\n)"


def mlp(
    sizes: list[int] | tuple[int, ...],
    activation: str = "relu",
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    dtype: np.dtype | type = np.float64,
) -> Sequential:
    """A multilayer perceptron ``Linear, f, Linear, f, …, Linear`` (no activation at the end).

    ``sizes = [in, h1, …, out]``; ``activation`` names the hidden activation. Weights use He
    initialisation for ReLU and Xavier otherwise.
    """
    if isinstance(sizes, (int, np.integer)) or len(sizes) < 2:
        raise ValueError(f"mlp: sizes is the list of widths [in, hidden…, out], e.g. "
                         f"[2, 8, 1]; got {sizes!r}")
    rng = _generator("mlp", rng, seed)
    act_cls = ACTIVATION_LAYERS.get(activation)
    if act_cls is None:
        raise ValueError(f"mlp: unknown activation {activation!r}; "
                         f"expected one of {sorted(ACTIVATION_LAYERS)}")
    init = "he" if activation == "relu" else "xavier"
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False)):
        layers.append(Linear(n_in, n_out, rng=rng, init=init, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(act_cls())
    return Sequential(*layers)


def _has_input_grad(backward: Callable) -> bool:
    """Whether ``backward`` has an ``input_grad`` parameter (``False`` when it shows no
    signature: it is then called plainly)."""
    try:
        return "input_grad" in signature(backward).parameters
    except (TypeError, ValueError):
        return False


#: ``_has_input_grad`` of the ``backward`` methods of layer classes: reading a signature takes
#: about 20 µs, a tenth of a small network's training step
_CLASS_BACKWARD_HAS_INPUT_GRAD: dict[Callable, bool] = {}


def _takes_input_grad(layer: Layer) -> bool:
    """Whether ``layer.backward`` takes ``input_grad``; remembered per class, not for a
    ``backward`` set on one object (which the memory would then keep alive)."""
    backward = layer.backward
    func = getattr(backward, "__func__", None)
    if func is None or func is not getattr(type(layer), "backward", None):
        return _has_input_grad(backward)
    if func not in _CLASS_BACKWARD_HAS_INPUT_GRAD:
        _CLASS_BACKWARD_HAS_INPUT_GRAD[func] = _has_input_grad(backward)
    return _CLASS_BACKWARD_HAS_INPUT_GRAD[func]


def backward_parameters_only(layer: Layer, dY: Array) -> None:
    """Fill ``layer``'s parameter gradients from ``dY = ∂L/∂Y`` without keeping ``∂L/∂X``.

    Calls ``layer.backward(dY, input_grad=False)``, which skips the matrix product for
    ``∂L/∂X``; a layer of one's own whose ``backward(dY)`` takes no such keyword is called
    plainly and its ``∂L/∂X`` dropped.
    """
    if _takes_input_grad(layer):
        layer.backward(dY, input_grad=False)
    else:
        layer.backward(dY)
