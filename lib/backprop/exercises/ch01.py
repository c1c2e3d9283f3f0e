"""Exercises of chapter 1, the forward pass in matrix form.

Each ``check_<name>(learner_fn)`` runs the learner's function on seeded cases, compares it
with the reference solution and, when they differ, names the typical mistake (a transposed
``W``, a forgotten bias, a bias broadcast along the wrong axis, a forgotten activation, a
wrong shape). Usage in the notebook::

    from backprop.exercises import ch01
    ch01.check_dense_forward(dense_forward)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from backprop.activations import relu, sigmoid, tanh
from backprop.exercises._core import Diagnosis, Exercise, Result, describe

Array = np.ndarray
_rng = np.random.default_rng(101)


def _normal(*shape: int) -> Array:
    return _rng.standard_normal(shape)


def _first_row_only(Y: Array, b: Array) -> Array:
    """``Y`` with ``b`` added to its first row only (a typical wrong answer)."""
    Y = Y.copy()
    Y[0] += b
    return Y


# -- 1. one layer, row convention --------------------------------------------------------------
def reference_dense_forward(X: Array, W: Array, b: Array) -> Array:
    """``Z = X W + b`` for ``X : (n, in)``, ``W : (in, out)``, ``b : (out,)`` -> ``(n, out)``."""
    return X @ W + b


DENSE_FORWARD = Exercise(
    "dense_forward",
    reference_dense_forward,
    cases=[
        # square first, so that a transposed W or a bias per row still has a result to diagnose
        (_normal(3, 3), _normal(3, 3), _normal(3)),
        (_normal(1, 2), _normal(2, 3), _normal(3)),
        (_normal(5, 2), _normal(2, 4), _normal(4)),
    ],
    diagnoses=[
        Diagnosis("you forgot the bias: Z = X W + b.", lambda X, W, b: X @ W),
        Diagnosis("you multiplied by Wᵀ. In the row convention W has shape (in, out), one row "
                  "per input, and Z = X W + b needs no transpose.",
                  lambda X, W, b: X @ W.T + b),
        Diagnosis("you computed W X, the column convention's order (or your parameters are "
                  "not in the order X, W, b). In the row convention samples are rows and come "
                  "first: Z = X W + b.",
                  lambda X, W, b: W @ X + b),
        Diagnosis("* multiplies entry by entry. A layer needs the matrix product X @ W: each "
                  "output adds up the products of all the sample's inputs with its weights.",
                  lambda X, W, b: X * W + b),
        Diagnosis("you added b_i to row i, i.e. to sample i (b[:, None] or b.reshape(-1, 1)). "
                  "b has one entry per output column: add b of shape (out,) and NumPy adds it "
                  "to every row.",
                  lambda X, W, b: X @ W + b[:, None]),
        Diagnosis("you added b to the first sample only: every row (sample) gets the same b.",
                  lambda X, W, b: _first_row_only(X @ W, b)),
        Diagnosis("you returned Zᵀ, the column-convention layout. In the row convention samples "
                  "are rows: Z has shape (n, out).",
                  lambda X, W, b: (X @ W + b).T),
        *(Diagnosis("you applied an activation. This exercise asks only for the linear part "
                    "Z = X W + b (the pre-activation).", lambda X, W, b, f=f: f(X @ W + b))
          for f in (tanh, sigmoid, relu)),
    ],
)


def check_dense_forward(fn: Callable[[Array, Array, Array], Array]) -> Result:
    """Check ``fn(X, W, b) -> Z = X W + b`` (row convention, a batch of rows)."""
    return DENSE_FORWARD.check(fn)


# -- 2. one layer, column convention (note 001, with its bias) ---------------------------------
def reference_column_forward(A: Array, W: Array, b: Array) -> Array:
    """``Z = W A + b 1ᵀ`` for ``A : (N^{l-1}, n)`` (samples as columns), ``W : (N^l, N^{l-1})``,
    ``b : (N^l,)`` -> ``(N^l, n)``."""
    return W @ A + b[:, None]


COLUMN_FORWARD = Exercise(
    "column_forward",
    reference_column_forward,
    cases=[
        (_normal(3, 3), _normal(3, 3), _normal(3)),
        (_normal(2, 4), _normal(3, 2), _normal(3)),
        (_normal(4, 1), _normal(2, 4), _normal(2)),
    ],
    diagnoses=[
        Diagnosis("you forgot the bias. Note 001's compact form z^l = W^l a^{l-1} leaves it "
                  "out, but its element form has it: z^l = W^l a^{l-1} + b^l.",
                  lambda A, W, b: W @ A),
        Diagnosis("b went along the wrong axis: NumPy lines up b (shape (N^l,)) with the last "
                  "axis, which here counts samples. Make b a column, b[:, None] or "
                  "b.reshape(-1, 1), so that it is added to every column (sample).",
                  lambda A, W, b: W @ A + b),
        Diagnosis("you multiplied by Wᵀ. In the column convention W^l has shape "
                  "(N^l, N^{l-1}) and multiplies from the left: Z = W A + b.",
                  lambda A, W, b: W.T @ A + b[:, None]),
        Diagnosis("you computed A W, the row convention's order (or your parameters are not "
                  "in the order A, W, b). In the column convention W^l multiplies from the "
                  "left: Z = W A + b.",
                  lambda A, W, b: A @ W + b[:, None]),
        Diagnosis("you returned the row-convention layout (samples as rows). In the column "
                  "convention samples are columns: Z has shape (N^l, n).",
                  lambda A, W, b: (W @ A + b[:, None]).T),
    ],
)


def check_column_forward(fn: Callable[[Array, Array, Array], Array]) -> Result:
    """Check ``fn(A, W, b) -> Z = W A + b`` (column convention, samples as columns)."""
    return COLUMN_FORWARD.check(fn)


# -- 3. the shapes of a batch through a network ------------------------------------------------
def reference_batch_shapes(n: int, sizes: list[int]) -> list[tuple[tuple[int, int], ...]]:
    """For each layer ``l = 1 … L``: ``((N^{l-1}, N^l), (n, N^l))``, the shapes of ``W^l``
    and of ``Y^l = Y^{l-1} W^l`` for a batch of ``n`` rows through widths ``sizes``."""
    return [((n_in, n_out), (n, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                 strict=False)]


def _plain(x: Any) -> Any:
    """A learner's shapes as nested tuples of Python numbers (strings kept), for a message."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return tuple(_plain(v) for v in x)
    return x.item() if isinstance(x, np.generic) else x


def _has_text(x: Any) -> bool:
    return isinstance(x, str) or (isinstance(x, tuple) and any(_has_text(v) for v in x))


def _whole(x: Any) -> bool:
    """Whether the plain shapes ``x`` hold whole numbers (``int``) only, no ``2.0``."""
    if isinstance(x, tuple):
        return all(_whole(v) for v in x)
    return isinstance(x, int) and not isinstance(x, bool)


class _ShapesExercise(Exercise):
    """The shapes of a batch, explained layer by layer when no known mistake matches."""

    def _first_problem(self, actual: Any, expected: Any, case: tuple) -> str | None:
        problem = super()._first_problem(actual, expected, case)
        if problem is None:
            return _not_whole(actual)
        known = {d.message for d in self.diagnoses}
        if (problem in known or not isinstance(actual, (list, tuple))
                or len(actual) != len(expected)):
            return problem
        try:
            return _layer_problem(actual, expected) or problem
        except Exception:  # never raise from a checker: keep the generic diagnosis
            return problem


def _layer_problem(actual: list, expected: list) -> str | None:
    """The first layer whose pair of shapes in ``actual`` is wrong, explained."""
    for l, (got, want) in enumerate(zip(actual, expected, strict=True), start=1):
        got = _plain(got)
        if got == want:
            continue
        shown = repr(got) if len(repr(got)) <= 60 and "\n" not in repr(got) else describe(got)
        message = f"layer {l}: expected (W^{l} shape, Y^{l} shape) = {want}, got {shown}"
        if _has_text(got):
            return message + ": shapes are numbers, not text (no quotes)."
        if got == want[::-1]:
            return message + ": the two are swapped; give W's shape first, then Y's."
        if got in want:
            return message + ": give both shapes for each layer, a pair (W shape, Y shape)."
        return message + "."
    return None


def _not_whole(actual: list) -> str | None:
    """The first layer whose (right) shapes in ``actual`` are not whole numbers, explained."""
    for l, got in enumerate(actual, start=1):
        got = _plain(got)
        if not _whole(got):
            return (f"layer {l}: you gave {got}, but shapes are whole numbers: write "
                    f"{_plain(np.rint(np.asarray(got, dtype=float)).astype(int))} (int(...), "
                    "or // rather than /).")
    return None


def _shapes_with(w_shape: Callable[[int, int], tuple], y_shape: Callable[[int, int, int], tuple]):
    def wrong(n: int, sizes: list[int]) -> list:
        return [(w_shape(a, b), y_shape(n, a, b)) for a, b in zip(sizes[:-1], sizes[1:],
                                                                  strict=False)]
    return wrong


BATCH_SHAPES = _ShapesExercise(
    "batch_shapes",
    reference_batch_shapes,
    cases=[(5, [2, 4, 3, 1]), (4, [2, 3, 3, 3]), (1, [3, 2]), (7, [4, 6, 5])],
    diagnoses=[
        Diagnosis("your W shapes are (N^l, N^{l-1}), the column convention of note 001. In the "
                  "row convention W^l has one row per input: (N^{l-1}, N^l).",
                  _shapes_with(lambda a, b: (b, a), lambda n, a, b: (n, b))),
        Diagnosis("your Y shapes are (N^l, n): samples are rows in the row convention, so "
                  "Y^l has shape (n, N^l).",
                  _shapes_with(lambda a, b: (a, b), lambda n, a, b: (b, n))),
        Diagnosis("you gave the shapes of the column convention for both W and Y; in the row "
                  "convention W^l is (N^{l-1}, N^l) and Y^l is (n, N^l).",
                  _shapes_with(lambda a, b: (b, a), lambda n, a, b: (b, n))),
        Diagnosis("your Y^l has the width of the layer's input. Y^l = Y^{l-1} W^l takes the "
                  "number of columns of W^l: (n, N^l).",
                  _shapes_with(lambda a, b: (a, b), lambda n, a, b: (n, a))),
        Diagnosis("your Y^l has one row, as for a single sample; a batch of n samples gives "
                  "n rows: (n, N^l).",
                  _shapes_with(lambda a, b: (a, b), lambda n, a, b: (1, b))),
    ],
)


def check_batch_shapes(fn: Callable[[int, list[int]], Any]) -> Result:
    """Check ``fn(n, sizes) -> [(W^l shape, Y^l shape) for l = 1 … L]``."""
    return BATCH_SHAPES.check(fn)


# -- 4. the forward pass of a whole network ----------------------------------------------------
def reference_network_forward(X: Array, params: list[tuple[Array, Array]]) -> Array:
    """``a^0 = X``; ``a^l = tanh(a^{l-1} W^l + b^l)`` for hidden layers and a linear output
    ``ŷ = a^{L-1} W^L + b^L``. ``X : (n, N^0)`` -> ``(n, N^L)``."""
    a = X
    for l, (W, b) in enumerate(params, start=1):
        z = a @ W + b
        a = z if l == len(params) else np.tanh(z)
    return a


def _forward_variant(*, act_hidden: bool = True, act_out: bool = False, act_first: bool = False,
                     bias: bool = True, out_bias: bool = True, transpose: bool = False,
                     f: Callable[[Array], Array] = np.tanh):
    """A wrong forward pass (the default arguments give the right one); ``f``: the
    activation used in place of tanh."""
    def wrong(X: Array, params: list[tuple[Array, Array]]) -> Array:
        a = X
        for l, (W, b) in enumerate(params, start=1):
            last = l == len(params)
            if act_first:
                a = f(a)
            with_b = bias and (out_bias or not last)
            z = a @ (W.T if transpose else W) + (b if with_b else 0.0)
            a = f(z) if not act_first and (act_out if last else act_hidden) else z
        return a
    return wrong


def _every_layer(X: Array, params: list[tuple[Array, Array]]) -> list[Array]:
    """The outputs of all the layers, ``[a^1, …, ŷ]`` (a typical wrong answer)."""
    hidden = [np.tanh(reference_network_forward(X, params[:l])) for l in range(1, len(params))]
    return [*hidden, reference_network_forward(X, params)]


def _case(n: int, sizes: list[int]) -> tuple[Array, list[tuple[Array, Array]]]:
    params = [(_normal(a, b), _normal(b)) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    return _normal(n, sizes[0]), params


NETWORK_FORWARD = Exercise(
    "network_forward",
    reference_network_forward,
    cases=[_case(3, [3, 3, 3, 3]), _case(4, [2, 3, 3, 3]), _case(1, [3, 5, 2]),
           _case(6, [4, 2])],
    diagnoses=[
        Diagnosis("you forgot the activation: each hidden layer computes a^l = tanh(z^l). "
                  "Without it the whole network is one linear map.",
                  _forward_variant(act_hidden=False)),
        Diagnosis("you applied tanh to the output too; here the output layer is linear: "
                  "ŷ = a^{L-1} W^L + b^L.",
                  _forward_variant(act_out=True)),
        Diagnosis("you forgot tanh on the hidden layers and put it on the output: the "
                  "activation belongs to every layer but the last.",
                  _forward_variant(act_hidden=False, act_out=True)),
        Diagnosis("you applied tanh before the product (tanh(a) W + b). The activation comes "
                  "after it: a^l = tanh(a^{l-1} W^l + b^l).",
                  _forward_variant(act_first=True)),
        Diagnosis("you forgot the biases: z^l = a^{l-1} W^l + b^l.",
                  _forward_variant(bias=False)),
        Diagnosis("you forgot the output layer's bias: ŷ = a^{L-1} W^L + b^L, with b^L too.",
                  _forward_variant(out_bias=False)),
        *(Diagnosis(f"your hidden layers use {name}; this network's hidden activation is "
                    "tanh: a^l = tanh(a^{l-1} W^l + b^l) (np.tanh).", _forward_variant(f=f))
          for name, f in (("the sigmoid", sigmoid), ("ReLU", relu))),
        Diagnosis("you stopped one layer early: your result is the last hidden layer's "
                  "a^{L-1}. Run every layer in params, the last one linear: "
                  "ŷ = a^{L-1} W^L + b^L.",
                  lambda X, params: np.tanh(reference_network_forward(X, params[:-1]))),
        Diagnosis("you stopped one layer early: your result is z^{L-1}, without the last "
                  "layer. Run every layer in params: tanh for all but the last, then "
                  "ŷ = a^{L-1} W^L + b^L.",
                  lambda X, params: reference_network_forward(X, params[:-1])),
        Diagnosis("you multiplied by Wᵀ: in the row convention a^{l-1} W^l needs no transpose.",
                  _forward_variant(transpose=True)),
        Diagnosis("you returned the output of every layer; return only ŷ, the output of the "
                  "last one.", _every_layer),
    ],
)


def check_network_forward(fn: Callable[[Array, list[tuple[Array, Array]]], Array]) -> Result:
    """Check ``fn(X, params) -> ŷ`` for ``params = [(W^1, b^1), …, (W^L, b^L)]`` (tanh hidden
    layers, linear output)."""
    return NETWORK_FORWARD.check(fn)


__all__ = [
    "check_batch_shapes", "check_column_forward", "check_dense_forward",
    "check_network_forward", "reference_batch_shapes", "reference_column_forward",
    "reference_dense_forward", "reference_network_forward",
]
