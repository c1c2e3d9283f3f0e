"""Exercises of chapter 4, the layer-wise δ recursion (column convention of note 001).

Samples are columns: ``a^l : (N^l, n)``, ``W^l : (N^l, N^{l-1})``, ``δ^l = ∂L/∂z^l : (N^l, n)``,
and the loss is ``L = ½ Σ ‖a^L − y‖²`` summed over the samples. Each ``check_<name>`` runs the
learner's answer on seeded cases and names the typical mistake: a forgotten ``f'(z)``, ``W``
where ``Wᵀ`` belongs, the row convention's ``a δᵀ`` for the column convention's ``δ aᵀ``,
``db`` summed over the wrong axis, a wrong sign. Usage::

    from backprop.exercises import ch04
    ch04.check_delta_step(delta_step)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from backprop.activations import ACTIVATIONS
from backprop.exercises._core import (
    Diagnosis,
    Exercise,
    Result,
    close,
    describe,
    shape_hint,
)
from backprop.network import ColumnNetwork

Array = np.ndarray
_rng = np.random.default_rng(404)
_F = {name: ACTIVATIONS[name].f for name in ACTIVATIONS}
_DF = {name: ACTIVATIONS[name].df for name in ACTIVATIONS}


def _normal(*shape: int) -> Array:
    return _rng.standard_normal(shape)


# -- 1. δ of the output layer --------------------------------------------------------------------
def reference_output_delta(a_L: Array, y: Array, z_L: Array,
                           f_prime: Callable[[Array], Array]) -> Array:
    """``δ^L = ∂L/∂a^L ⊙ f'(z^L) = (a^L − y) ⊙ f'(z^L)`` for ``L = ½ Σ ‖a^L − y‖²``.

    ``a_L, y, z_L : (N^L, n)``; ``f_prime`` is the output activation's derivative.
    """
    return (a_L - y) * f_prime(z_L)


def _output_case(name: str, N: int, n: int) -> tuple:
    z = _normal(N, n)
    return _F[name](z), _normal(N, n), z, _DF[name]


OUTPUT_DELTA = Exercise(
    "output_delta",
    reference_output_delta,
    cases=[_output_case("sigmoid", 3, 4), _output_case("tanh", 2, 5),
           _output_case("identity", 1, 3)],
    diagnoses=[
        Diagnosis("you returned ∂L/∂a^L = a^L − y, which is note 001's δ^L. It equals "
                  "δ^L = ∂L/∂z^L only for an identity output; here the chain rule adds the "
                  "factor f′(z^L): multiply element-wise by f_prime(z_L).",
                  lambda a, y, z, df: a - y),
        Diagnosis("the sign is wrong: ∂(½‖a − y‖²)/∂a = a − y, not y − a (note 001's "
                  "−(y − a^L) is the same as a^L − y).",
                  lambda a, y, z, df: (y - a) * df(z)),
        Diagnosis("f′ is evaluated at the pre-activation z^L, not at the output a^L: use "
                  "f_prime(z_L).", lambda a, y, z, df: (a - y) * df(a)),
        Diagnosis("you used the sigmoid's a(1 − a) for every activation; this case is not a "
                  "sigmoid: use f_prime(z_L).", lambda a, y, z, df: (a - y) * a * (1 - a)),
        Diagnosis("you used the sigmoid's slope σ(z)(1 − σ(z)) for every activation; this "
                  "case is not a sigmoid: multiply by f_prime(z_L), the derivative you are "
                  "given.", lambda a, y, z, df: (a - y) * _DF["sigmoid"](z)),
        Diagnosis("⊙ is the element-wise product (`*` in NumPy), not a matrix product: each "
                  "output unit is scaled by its own f′(z).",
                  lambda a, y, z, df: (a - y) @ df(z).T),
    ],
)


def check_output_delta(fn: Callable[..., Array]) -> Result:
    """Check ``fn(a_L, y, z_L, f_prime) -> δ^L = (a^L − y) ⊙ f'(z^L)``."""
    return shape_hint(OUTPUT_DELTA.check(fn))


# -- 2. one step of the δ recursion ------------------------------------------------------------
def reference_delta_step(W_next: Array, delta_next: Array, z: Array,
                         f_prime: Callable[[Array], Array]) -> Array:
    """``δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f'(z^l)``.

    ``W_next : (N^{l+1}, N^l)``, ``delta_next : (N^{l+1}, n)``, ``z : (N^l, n)`` -> ``(N^l, n)``.
    """
    return (W_next.T @ delta_next) * f_prime(z)


def _step_case(name: str, N_next: int, N: int, n: int) -> tuple:
    return _normal(N_next, N), _normal(N_next, n), _normal(N, n), _DF[name]


DELTA_STEP = Exercise(
    "delta_step",
    reference_delta_step,
    cases=[_step_case("sigmoid", 3, 3, 4), _step_case("tanh", 2, 4, 3),
           _step_case("relu", 4, 3, 1)],
    diagnoses=[
        Diagnosis("you returned (W^{l+1})ᵀ δ^{l+1} = ∂L/∂a^l and stopped: δ^l = ∂L/∂z^l also "
                  "passes through a^l = f(z^l), so multiply element-wise by f_prime(z).",
                  lambda W, d, z, df: W.T @ d),
        Diagnosis("you multiplied by W^{l+1} instead of its transpose. Unit i of layer l "
                  "collects Σ_k W_ki δ_k over the units k it feeds: that is row i of "
                  "(W^{l+1})ᵀ δ^{l+1}. (A square W hides the mistake in the shapes.)",
                  lambda W, d, z, df: (W @ d) * df(z)),
        Diagnosis("you used the sigmoid's slope for every layer; this layer's activation "
                  "is another one: multiply by f_prime(z), the derivative you are given.",
                  lambda W, d, z, df: (W.T @ d) * _DF["sigmoid"](z)),
        Diagnosis("you applied f′(z^l) to δ^{l+1} before the product; f′(z^l) belongs to "
                  "layer l: first (W^{l+1})ᵀ δ^{l+1}, then ⊙ f′(z^l).",
                  lambda W, d, z, df: W.T @ (d * df(z))),
        Diagnosis("your result has the samples as rows, (n, N^l): that is the row convention's "
                  "dZ = (dZ_next W_row) ⊙ f′(Z). This chapter's column convention keeps samples "
                  "as columns: δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f′(z^l), of shape (N^l, n).",
                  lambda W, d, z, df: (d.T @ W) * df(z).T),
    ],
)


def check_delta_step(fn: Callable[..., Array]) -> Result:
    """Check ``fn(W_next, delta_next, z, f_prime) -> δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f'(z^l)``."""
    return shape_hint(DELTA_STEP.check(fn))


# -- 3. ∂L/∂W and ∂L/∂b from δ -------------------------------------------------------------------
def reference_param_grads(delta: Array, a_prev: Array) -> tuple[Array, Array]:
    """``∂L/∂W^l = δ^l (a^{l-1})ᵀ`` and ``∂L/∂b^l = δ^l 1`` (summed over the batch).

    ``delta : (N^l, n)``, ``a_prev : (N^{l-1}, n)`` -> ``dW : (N^l, N^{l-1})``, ``db : (N^l,)``.
    """
    return delta @ a_prev.T, delta.sum(axis=1)


PARAM_GRADS = Exercise(
    "param_grads",
    reference_param_grads,
    cases=[(_normal(2, 5), _normal(3, 5)), (_normal(4, 3), _normal(2, 3)),
           (_normal(3, 1), _normal(4, 1))],
    outputs=("dW", "db"),
    diagnoses=[
        Diagnosis("you computed a^{l−1} (δ^l)ᵀ, of shape (N^{l−1}, N^l): that is the row "
                  "convention's ∂L/∂W = Xᵀ ∂L/∂Y, the gradient of W_row = (W^l)ᵀ. In this "
                  "chapter's column convention W^l is (N^l, N^{l−1}) and "
                  "∂L/∂W^l = δ^l (a^{l−1})ᵀ.", lambda d, a: a @ d.T, "dW"),
        Diagnosis("you divided by the batch size: the loss ½ Σ ‖a^L − y‖² sums over the "
                  "samples, and so do the gradients.", lambda d, a: d @ a.T / d.shape[1], "dW"),
        Diagnosis("you used only the first sample: over a batch, ∂L/∂W^l = Σ_samples δ aᵀ, "
                  "which the product δ^l (a^{l−1})ᵀ of the whole matrices computes.",
                  lambda d, a: d[:, :1] @ a[:, :1].T, "dW"),
        Diagnosis("you summed over axis 0, the units of the layer. Samples are columns here "
                  "(column convention), so ∂L/∂b^l sums δ^l over axis 1: δ.sum(axis=1).",
                  lambda d, a: d.sum(axis=0), "db"),
        Diagnosis("∂L/∂b^l = δ^l for one sample; over a batch sum the columns: "
                  "δ.sum(axis=1), of shape (N^l,).", lambda d, a: d, "db"),
        Diagnosis("you averaged over the batch: the loss sums over the samples, so "
                  "∂L/∂b^l = δ.sum(axis=1), not the mean.", lambda d, a: d.mean(axis=1), "db"),
    ],
)


def check_param_grads(fn: Callable[[Array, Array], tuple[Array, Array]]) -> Result:
    """Check ``fn(delta, a_prev) -> (dW, db)`` with ``dW = δ aᵀ`` and ``db = δ 1``."""
    return shape_hint(PARAM_GRADS.check(fn))


# -- 4. the whole backward pass of a ColumnNetwork -----------------------------------------------
LAYERS = 3
BACKWARD_OUTPUTS = tuple(f"{kind}^{l}" for kind in ("δ", "dW", "db")
                         for l in range(LAYERS, 0, -1))


def reference_backward(net: ColumnNetwork, X: Array, Y: Array) -> tuple[list, list, list]:
    """Every ``δ^l``, ``∂L/∂W^l``, ``∂L/∂b^l`` of ``net`` for ``L = ½ Σ ‖a^L − Y‖²``.

    ``X : (N^0, n)``, ``Y : (N^L, n)``. Returns three lists indexed ``l − 1`` for
    ``l = 1 … L`` (as ``ColumnNetwork.backward``).
    """
    A = net.forward(X)
    result = net.backward(A - Y)
    return result.deltas, result.dW, result.db


def _variant(*, out_fprime: bool = True, hidden_fprime: bool = True, transpose: bool = True,
             output_df_everywhere: bool = False, dW_row: bool = False, dW_output: bool = False,
             db_axis: int = 1, sign: float = 1.0, reversed_lists: bool = False,
             W_shift: int = 1, z_shift: int = 0) -> Callable[..., tuple[list, list, list]]:
    """A wrong whole backward pass (the default arguments give the right one)."""
    def wrong(net: ColumnNetwork, X: Array, Y: Array) -> tuple[list, list, list]:
        A = net.forward(X)
        L = len(net.W)
        deltas: list[Array] = [np.empty(0)] * L
        deltas[-1] = sign * (A - Y) * (net.f[-1].df(net.z[-1]) if out_fprime else 1.0)
        for l in range(L - 2, -1, -1):
            W = net.W[l + W_shift].T if transpose else net.W[l + W_shift]
            f = net.f[-1] if output_df_everywhere else net.f[l]
            z = net.z[l + z_shift]
            deltas[l] = (W @ deltas[l + 1]) * (f.df(z) if hidden_fprime else 1.0)
        inputs = net.a[1:] if dW_output else net.a[:-1]
        dW = [a @ d.T if dW_row else d @ a.T for d, a in zip(deltas, inputs, strict=True)]
        db = [d.sum(axis=db_axis) for d in deltas]
        if reversed_lists:
            return deltas[::-1], dW[::-1], db[::-1]
        return deltas, dW, db
    return wrong


def _flat(result: Any) -> tuple:
    """``(deltas, dW, db)`` (or a ``BackwardResult``) as one tuple in BACKWARD_OUTPUTS order."""
    if hasattr(result, "deltas") and hasattr(result, "dW") and hasattr(result, "db"):
        result = (result.deltas, result.dW, result.db)
    if not (isinstance(result, tuple | list) and len(result) == 3
            and all(isinstance(p, tuple | list) and len(p) == LAYERS for p in result)):
        raise TypeError("return (deltas, dW, db): three lists with one array per layer, "
                        f"l = 1 … {LAYERS}")
    return tuple(part[l] for part in result for l in range(LAYERS - 1, -1, -1))


def _flattened(fn: Callable[..., Any]) -> Callable[..., tuple]:
    return lambda net, X, Y: _flat(fn(net, X, Y))


class _WrongStructure:
    """What the learner's backward returned when it is not ``(deltas, dW, db)``."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _structure_problem(value: Any) -> str:
    """Why ``value`` is not ``(deltas, dW, db)``: three lists with one array per layer."""
    if value is None:
        return "your function returned None — did you forget `return`?"
    wanted = f"return (deltas, dW, db): three lists with one array per layer, l = 1 … {LAYERS}"
    if not isinstance(value, tuple | list) or len(value) != 3:
        return f"{wanted}; got {describe(value)}"
    for name, part in zip(("deltas", "dW", "db"), value, strict=True):
        if not (isinstance(part, tuple | list) and len(part) == LAYERS):
            return f"{wanted}; your {name} is {'None' if part is None else describe(part)}"
    return wanted


def _filled(cache: Any) -> bool:
    """Whether a cache such as ``net.z`` holds something (a list, or whatever the learner put
    there)."""
    try:
        return len(cache) > 0
    except TypeError:
        return cache is not None


def _index_hint(net: ColumnNetwork) -> str:
    """What an IndexError in the learner's backward pass on ``net`` most likely means."""
    if not (_filled(getattr(net, "z", None)) and _filled(getattr(net, "a", None))):
        return "net.z and net.a stay empty until net.forward(X) has run: call it first."
    return (f"an index is out of range: net.W, net.z and net.f have one entry per layer "
            f"(indices 0 … {LAYERS - 1}); the hidden layers run l = L − 2, …, 0 and use "
            "net.W[l + 1].")


def _learner_backward(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``_flattened(fn)`` for the learner's answer: an IndexError gets a hint, and a result
    that is not ``(deltas, dW, db)`` is kept for :class:`_BackwardExercise` to explain."""
    def run(net: ColumnNetwork, X: Array, Y: Array) -> Any:
        try:
            result = fn(net, X, Y)
        except IndexError as exc:
            raise IndexError(f"{exc} — {_index_hint(net)}") from exc
        try:
            return _flat(result)
        except TypeError:
            return _WrongStructure(result)
    run.__wrapped__ = fn            # a stub's message looks through to the learner's fn
    return run


#: the three lists of the answer, and what entry ``l − 1`` of each holds
_LISTS = ("deltas", "dW", "db")
_SYMBOLS = ("δ^{}", "∂L/∂W^{}", "∂L/∂b^{}")
_ORDINALS = ("first", "second", "third")
PER_LAYER = ("return three lists (deltas, dW, db), not one (δ, dW, db) per layer: deltas holds "
             "every δ^l, dW every ∂L/∂W^l, db every ∂L/∂b^l, each list indexed by l − 1.")


def _grid(flat: tuple) -> list[list]:
    """A flattened answer (BACKWARD_OUTPUTS order) as the learner's lists: ``grid[k][i]`` is
    entry ``i`` of list ``k`` of (deltas, dW, db)."""
    return [[flat[k * LAYERS + LAYERS - 1 - i] for i in range(LAYERS)] for k in range(3)]


def _slot(output: str) -> tuple[int, int]:
    """The list and the layer of an output named as in BACKWARD_OUTPUTS ("dW^3": 1, 3)."""
    kind, layer = output.split("^")
    return ("δ", "dW", "db").index(kind), int(layer)


class _BackwardExercise(Exercise):
    """The whole backward pass: an answer that is not ``(deltas, dW, db)`` is a "fail" that
    says what came back, not an error; a value in the wrong place is named by its list and
    index, as the learner wrote them."""

    def _first_problem(self, actual: Any, expected: Any, case: tuple) -> str | None:
        if isinstance(actual, _WrongStructure):
            return _structure_problem(actual.value)
        problem = super()._first_problem(actual, expected, case)
        if not problem:
            return None
        got, want = _grid(actual), _grid(expected)
        if all(close(got[layer][k], want[k][layer], self.rtol, self.atol)
               for k in range(3) for layer in range(LAYERS)):
            return PER_LAYER
        return problem

    def _swapped(self, name: str, other: str, actual: Any, expected: Any) -> str:
        (k, l), (j, m) = _slot(name), _slot(other)
        holds = f"`{_LISTS[k]}[{l - 1}]` holds {_SYMBOLS[j].format(m)}"
        if k == j:
            return (f"{holds}: index each list by l − 1, as ColumnNetwork.backward does "
                    f"({_LISTS[k]}[0] is {_SYMBOLS[k].format(1)}, {_LISTS[k]}[{LAYERS - 1}] is "
                    f"{_SYMBOLS[k].format(LAYERS)}).")
        got, want = _grid(actual)[k], _grid(expected)[j]
        if all(close(g, w, self.rtol, self.atol) for g, w in zip(got, want, strict=True)):
            return (f"your {_ORDINALS[k]} list holds the {_LISTS[j]} values: return "
                    "(deltas, dW, db).")
        return f"{holds}: return (deltas, dW, db), each list indexed by l − 1."


def _backward_case(sizes: list[int], activations: list[str], n: int) -> tuple:
    weights = [_normal(m, k) for k, m in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [0.5 * _normal(m) for m in sizes[1:]]
    net = ColumnNetwork(weights, biases, activations)
    return net, _normal(sizes[0], n), _normal(sizes[-1], n)


def _diagnose(message: str, outputs: tuple[str, ...], **wrong: Any) -> list[Diagnosis]:
    fn = _flattened(_variant(**wrong))
    return [Diagnosis(message, fn, name) for name in outputs]


BACKWARD = _BackwardExercise(
    "backward",
    _flattened(reference_backward),
    cases=[_backward_case([3, 3, 3, 3], ["sigmoid"] * 3, 4),
           _backward_case([2, 4, 3, 1], ["tanh", "tanh", "sigmoid"], 5),
           _backward_case([4, 3, 2, 2], ["relu", "relu", "identity"], 3)],
    outputs=BACKWARD_OUTPUTS,
    diagnoses=[
        *_diagnose("δ^L = (a^L − y) ⊙ f′(z^L): you left out f′(z^L) of the output layer "
                   "(note 001's δ^L = ∂L/∂a^L holds only for an identity output).",
                   ("δ^3",), out_fprime=False),
        *_diagnose("the sign is wrong from the start: ∂L/∂a^L = a^L − y.", ("δ^3",),
                   sign=-1.0),
        *_diagnose("you forgot f′(z^l) in the hidden layers: δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f′(z^l).",
                   ("δ^2",), hidden_fprime=False),
        *_diagnose("you multiplied δ^{l+1} by W^{l+1}, not by its transpose (W^{l+1})ᵀ.",
                   ("δ^2",), transpose=False),
        *_diagnose("you used the weights of δ's own layer (net.W[l] for deltas[l]): "
                   "δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ f′(z^l) takes the weights of the layer above, "
                   "the ones that carried a^l forward. With lists indexed l − 1, "
                   "deltas[l] = (net.W[l + 1].T @ deltas[l + 1]) * net.f[l].df(net.z[l]).",
                   ("δ^2",), W_shift=0),
        *_diagnose("you took f′ at the pre-activation of the layer above, net.z[l + 1]; δ^l "
                   "needs its own layer's f′(z^l): with lists indexed l − 1, "
                   "deltas[l] = (net.W[l + 1].T @ deltas[l + 1]) * net.f[l].df(net.z[l]).",
                   ("δ^2",), z_shift=1),
        *_diagnose("you used the output layer's f′ in every layer: layer l has its own "
                   "activation, net.f[l − 1], so use net.f[l − 1].df(net.z[l − 1]).",
                   ("δ^2",), output_df_everywhere=True),
        *_diagnose("your lists run from the output layer down (l = 3, 2, 1). Index them by "
                   "l − 1, as ColumnNetwork.backward does: deltas[0] is δ^1, deltas[2] is δ^3.",
                   ("δ^3",), reversed_lists=True),
        *_diagnose("your ∂L/∂W^l is a^{l−1} (δ^l)ᵀ, the row convention's Xᵀ dY, of shape "
                   "(N^{l−1}, N^l). In the column convention ∂L/∂W^l = δ^l (a^{l−1})ᵀ, the "
                   "shape of W^l.", ("dW^3",), dW_row=True),
        *_diagnose("∂L/∂W^l multiplies δ^l by the input of layer l, a^{l−1} = net.a[l − 1], "
                   "not by its output a^l.", ("dW^3",), dW_output=True),
        *_diagnose("∂L/∂b^l sums δ^l over the samples, which are the columns: axis 1, not "
                   "axis 0.", ("db^3",), db_axis=0),
    ],
)


def check_backward(fn: Callable[[ColumnNetwork, Array, Array], Any]) -> Result:
    """Check ``fn(net, X, Y) -> (deltas, dW, db)``, the whole backward pass of a
    three-layer ``ColumnNetwork`` for ``L = ½ Σ ‖a^L − Y‖²``."""
    return shape_hint(BACKWARD.check(_learner_backward(fn) if callable(fn) else fn))


# -- 5. how much can the sigmoid's f′ shrink δ? --------------------------------------------------
SIGMOID_DEPTH = 6


def reference_largest_product() -> float:
    """The largest value of the product of the ``f'`` factors met between ``δ^L`` and ``δ^1``
    in a sigmoid network of ``L = SIGMOID_DEPTH`` layers: ``(max σ')^{L−1} = (1/4)^{L−1}``.

    The recursion multiplies by ``f'(z^l)`` once per layer ``l = L−1, …, 1``; ``f'(z^L)`` is
    already inside ``δ^L``.
    """
    return 0.25 ** (SIGMOID_DEPTH - 1)


LARGEST_PRODUCT = Exercise(
    "largest_product",
    reference_largest_product,
    cases=[()],
    rtol=5e-3,  # three significant digits
    reveal=False,
    diagnoses=[
        Diagnosis(f"you counted {SIGMOID_DEPTH} factors; δ^{SIGMOID_DEPTH} already contains "
                  f"f′(z^{SIGMOID_DEPTH}). From δ^{SIGMOID_DEPTH} down to δ^1 the recursion "
                  f"multiplies by f′(z^{SIGMOID_DEPTH - 1}), …, f′(z^1).",
                  lambda: 0.25 ** SIGMOID_DEPTH),
        Diagnosis(f"one factor too few: from δ^{SIGMOID_DEPTH} down to δ^1 the recursion "
                  f"takes {SIGMOID_DEPTH - 1} steps, one factor f′(z^l) each.",
                  lambda: 0.25 ** (SIGMOID_DEPTH - 2)),
        Diagnosis("σ(0) = 1/2 is the sigmoid's value; its largest slope is σ′(0) = "
                  "σ(0)(1 − σ(0)) = 1/4.", lambda: 0.5 ** (SIGMOID_DEPTH - 1)),
        Diagnosis("that is one layer's factor, 1/4; the factors of all the layers passed "
                  "multiply.", lambda: 0.25),
        Diagnosis("the factors multiply, they do not add.",
                  lambda: 0.25 * (SIGMOID_DEPTH - 1)),
        Diagnosis("upside down: each factor is at most 1/4, so their product is a number "
                  "below 1.", lambda: 4.0 ** (SIGMOID_DEPTH - 1)),
    ],
)


def check_largest_product(value: float | Callable[[], float] | None) -> Result:
    """Check the largest value ``(1/4)^{L−1}`` of the product of a sigmoid network's ``f'``
    factors between ``δ^L`` and ``δ^1`` (``L = SIGMOID_DEPTH``; give a number, or ``...`` /
    ``None`` while it is not done yet)."""
    return LARGEST_PRODUCT.check_number(value)


__all__ = [
    "BACKWARD_OUTPUTS", "SIGMOID_DEPTH", "check_backward", "check_delta_step",
    "check_largest_product", "check_output_delta", "check_param_grads", "reference_backward",
    "reference_delta_step", "reference_largest_product", "reference_output_delta",
    "reference_param_grads",
]
