"""Exercises of chapter 5, matrix forms and the layer API.

Row convention unless an exercise says otherwise: a batch ``X : (n, in)``, ``W : (in, out)``,
``Y = X W + b : (n, out)``. Each ``check_<name>`` runs the learner's answer on seeded cases
(the first one square, so that a missing transpose still has a shape) and names the typical
mistake: ``W`` where ``Wᵀ`` belongs, the column convention's ``δ aᵀ`` where the row
convention's ``Xᵀ δ`` belongs (or the other way round), ``db`` summed over the wrong axis, a
missing ``1/n``, the sigmoid's slope at the wrong argument, ``A₁`` where ``dW₁`` needs ``X``.
A function that fails on a shape mismatch gets a hint on the shapes. Usage::

    from backprop.exercises import ch05
    ch05.check_linear_backward(linear_backward)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop.activations import sigmoid, sigmoid_prime
from backprop.exercises._core import Diagnosis, Exercise, Result, shape_hint

Array = np.ndarray
_rng = np.random.default_rng(505)


def _normal(*shape: int) -> Array:
    return _rng.standard_normal(shape)


# -- 1. the backward pass of Y = X W + b -------------------------------------------------------
def reference_linear_backward(X: Array, W: Array, dY: Array) -> tuple[Array, Array, Array]:
    """``∂L/∂X = ∂L/∂Y Wᵀ``, ``∂L/∂W = Xᵀ ∂L/∂Y``, ``∂L/∂b = 1ᵀ ∂L/∂Y``.

    ``X : (n, in)``, ``W : (in, out)``, ``dY : (n, out)`` -> ``(n, in)``, ``(in, out)``,
    ``(out,)``.
    """
    return dY @ W.T, X.T @ dY, dY.sum(axis=0)


LINEAR_BACKWARD = Exercise(
    "linear_backward",
    reference_linear_backward,
    cases=[(_normal(4, 3), _normal(3, 3), _normal(4, 3)),
           (_normal(5, 3), _normal(3, 2), _normal(5, 2)),
           (_normal(1, 4), _normal(4, 3), _normal(1, 3))],
    outputs=("dX", "dW", "db"),
    diagnoses=[
        Diagnosis("you multiplied by W instead of Wᵀ. Input j of sample i reaches every output "
                  "t through w_jt, so ∂L/∂x_ij = Σ_t ∂L/∂y_it w_jt: row i of ∂L/∂Y times "
                  "column j of Wᵀ. (Only a square W makes dY @ W computable at all.)",
                  lambda X, W, dY: dY @ W, "dX"),
        Diagnosis("you computed W ∂L/∂Yᵀ, of shape (in, n): the column convention's "
                  "Wᵀ ∂L/∂Y (note 002 §8.3) written for this layer, i.e. samples as columns. "
                  "In the row convention the samples are rows: ∂L/∂X = ∂L/∂Y Wᵀ, (n, in).",
                  lambda X, W, dY: W @ dY.T, "dX"),
        Diagnosis("you computed ∂L/∂Yᵀ X, of shape (out, in): the column convention's δ aᵀ "
                  "(note 001, ∂L/∂W = δ aᵀ for W of shape (out, in)). This layer's W is "
                  "(in, out) (row convention), and ∂L/∂W = Xᵀ ∂L/∂Y.",
                  lambda X, W, dY: dY.T @ X, "dW"),
        Diagnosis("the order of the factors is swapped: ∂L/∂Y Xᵀ is not even defined for "
                  "every batch; ∂L/∂w_jt = Σ_i x_ij ∂L/∂y_it, so ∂L/∂W = Xᵀ ∂L/∂Y.",
                  lambda X, W, dY: dY @ X.T, "dW"),
        Diagnosis("you divided by the batch size n: the gradients of the layer sum over the "
                  "batch; a 1/n belongs to the loss (its ∂L/∂Y), not to the layer.",
                  lambda X, W, dY: X.T @ dY / X.shape[0], "dW"),
        Diagnosis("you summed ∂L/∂Y over axis 1, the output units. The bias b_t is added to "
                  "every sample's output t, so ∂L/∂b = 1ᵀ ∂L/∂Y sums over the batch, axis 0: "
                  "dY.sum(axis=0), shape (out,).", lambda X, W, dY: dY.sum(axis=1), "db"),
        Diagnosis("∂L/∂b has the shape of b, (out,): sum ∂L/∂Y over the batch (axis 0) — "
                  "every sample's output uses the same b.", lambda X, W, dY: dY, "db"),
        Diagnosis("you averaged over the batch: ∂L/∂b = 1ᵀ ∂L/∂Y is a sum, dY.sum(axis=0).",
                  lambda X, W, dY: dY.mean(axis=0), "db"),
        Diagnosis("you kept the last sample's outer product only: in a loop over the samples, "
                  "dW = np.outer(X[i], dY[i]) overwrites the sum so far. Start from zeros and "
                  "accumulate, dW += np.outer(X[i], dY[i]), or let Xᵀ ∂L/∂Y sum them.",
                  lambda X, W, dY: np.outer(X[-1], dY[-1]), "dW"),
        Diagnosis("you kept the last sample's ∂L/∂Y only: in a loop over the samples, "
                  "db = dY[i] overwrites the sum so far. Accumulate, db += dY[i], or sum over "
                  "the batch, dY.sum(axis=0).", lambda X, W, dY: dY[-1].copy(), "db"),
    ],
)


def check_linear_backward(fn: Callable[..., tuple]) -> Result:
    """Check ``fn(X, W, dY) -> (dX, dW, db)`` for ``Y = X W + b``."""
    return shape_hint(LINEAR_BACKWARD.check(fn))


# -- 2. the column convention Y = W X of note 002 §8.4 -------------------------------------------
def reference_column_backward(W: Array, X: Array, dY: Array) -> tuple[Array, Array]:
    """``Y = W X``: ``∂L/∂W = ∂L/∂Y Xᵀ`` and ``∂L/∂X = Wᵀ ∂L/∂Y``.

    ``W : (m, p)``, ``X : (p, n)``, ``dY : (m, n)`` -> ``(m, p)``, ``(p, n)`` (§5.1's letters;
    note 002 calls the sizes ``p``, ``q`` and ``r``).
    """
    return dY @ X.T, W.T @ dY


COLUMN_BACKWARD = Exercise(
    "column_backward",
    reference_column_backward,
    cases=[(_normal(3, 3), _normal(3, 3), _normal(3, 3)),
           (_normal(2, 3), _normal(3, 5), _normal(2, 5)),
           (_normal(4, 2), _normal(2, 1), _normal(4, 1))],
    outputs=("dW", "dX"),
    diagnoses=[
        Diagnosis("you computed X ∂L/∂Yᵀ, of shape (p, m): that is the row convention's "
                  "Xᵀ ∂L/∂Y written for samples as columns — the gradient of Wᵀ. In the column "
                  "convention Y = WX, ∂L/∂w_ij = Σ_t ∂L/∂y_it x_jt, so ∂L/∂W = ∂L/∂Y Xᵀ.",
                  lambda W, X, dY: X @ dY.T, "dW"),
        Diagnosis("you used the row convention's Xᵀ ∂L/∂Y: here the samples are columns "
                  "(Y = WX), and ∂L/∂W = ∂L/∂Y Xᵀ (note 002 §8.3, with n columns).",
                  lambda W, X, dY: X.T @ dY, "dW"),
        Diagnosis("you forgot the transpose: ∂L/∂w_ij = Σ_t ∂L/∂y_it x_jt, so "
                  "∂L/∂W = ∂L/∂Y Xᵀ.", lambda W, X, dY: dY @ X, "dW"),
        Diagnosis("∂L/∂W = ∂L/∂W Xᵀ, as note 002 §8.4 prints it, is circular; the factor on the "
                  "left is ∂L/∂Y: ∂L/∂W = ∂L/∂Y Xᵀ.", lambda W, X, dY: W @ X.T, "dW"),
        Diagnosis("you multiplied by W instead of Wᵀ: x_jt reaches every y_it through w_ij, so "
                  "∂L/∂x_jt = Σ_i w_ij ∂L/∂y_it = (Wᵀ ∂L/∂Y)_jt.",
                  lambda W, X, dY: W @ dY, "dX"),
        Diagnosis("you computed ∂L/∂Yᵀ W, of shape (n, p): the row convention's ∂L/∂Y Wᵀ "
                  "transposed. With samples as columns, ∂L/∂X = Wᵀ ∂L/∂Y, of shape (p, n).",
                  lambda W, X, dY: dY.T @ W, "dX"),
    ],
)


def check_column_backward(fn: Callable[..., tuple]) -> Result:
    """Check ``fn(W, X, dY) -> (dW, dX)`` for ``Y = W X`` (note 002 §8.4)."""
    return shape_hint(COLUMN_BACKWARD.check(fn))


# -- 3. a linear layer with the mean squared error over a batch --------------------------------
def reference_mse_linear_grads(X: Array, W: Array, b: Array, T: Array) -> tuple[Array, Array]:
    """``L = 1/(2n) Σ_s ‖x_s W + b − t_s‖²``: ``∂L/∂W = Xᵀ (Y − T)/n``, ``∂L/∂b = 1ᵀ (Y − T)/n``.

    ``X : (n, in)``, ``W : (in, out)``, ``b : (out,)``, ``T : (n, out)``.
    """
    dY = (X @ W + b - T) / X.shape[0]
    return X.T @ dY, dY.sum(axis=0)


MSE_LINEAR = Exercise(
    "mse_linear_grads",
    reference_mse_linear_grads,
    cases=[(_normal(4, 3), _normal(3, 3), _normal(3), _normal(4, 3)),
           (_normal(6, 2), _normal(2, 3), _normal(3), _normal(6, 3)),
           (_normal(3, 4), _normal(4, 1), _normal(1), _normal(3, 1))],
    outputs=("dW", "db"),
    diagnoses=[
        Diagnosis("the 1/n is missing: the loss is the mean over the n samples, so "
                  "∂L/∂Y = (Y − T)/n, and every gradient carries the 1/n.",
                  lambda X, W, b, T: X.T @ (X @ W + b - T), "dW"),
        Diagnosis("the 1/n is missing: ∂L/∂b = 1ᵀ (Y − T)/n, the mean of Y − T over the batch.",
                  lambda X, W, b, T: (X @ W + b - T).sum(axis=0), "db"),
        Diagnosis("a factor 2 too many: the ½ in L = 1/(2n) Σ ‖y − t‖² cancels the 2 of the "
                  "square's derivative.", lambda X, W, b, T: 2 * X.T @ (X @ W + b - T) / len(X),
                  "dW"),
        Diagnosis("the sign is wrong: ∂L/∂Y = (Y − T)/n, not (T − Y)/n.",
                  lambda X, W, b, T: X.T @ (T - X @ W - b) / len(X), "dW"),
        Diagnosis("you summed (Y − T)/n over axis 1, the output units; the bias is shared by "
                  "the samples, so sum over axis 0.",
                  lambda X, W, b, T: ((X @ W + b - T) / len(X)).sum(axis=1), "db"),
        *(Diagnosis("you left out the bias: Y = X W + b, so ∂L/∂Y = (X W + b − T)/n.",
                    wrong, name) for name, wrong in (
            ("dW", lambda X, W, b, T: X.T @ (X @ W - T) / len(X)),
            ("db", lambda X, W, b, T: (X @ W - T).sum(axis=0) / len(X)))),
        *(Diagnosis("that is MSE(\"mean\")'s gradient, 2 (Y − T)/(n·m): it averages over all "
                    "n·m entries and keeps the 2 of the square. This loss is 1/(2n) Σ ‖y − t‖², "
                    "the mean over the n samples of the half sum: ∂L/∂Y = (Y − T)/n. None of "
                    "the library's three reductions is it.", wrong, name) for name, wrong in (
            ("dW", lambda X, W, b, T: X.T @ (2 * (X @ W + b - T) / T.size)),
            ("db", lambda X, W, b, T: (2 * (X @ W + b - T) / T.size).sum(axis=0)))),
        *(Diagnosis("that is MSE(\"sum\")'s gradient, 2 (Y − T): it has neither the ½ nor "
                    "the 1/n. This loss is 1/(2n) Σ ‖y − t‖², so ∂L/∂Y = (Y − T)/n.",
                    wrong, name) for name, wrong in (
            ("dW", lambda X, W, b, T: X.T @ (2 * (X @ W + b - T))),
            ("db", lambda X, W, b, T: (2 * (X @ W + b - T)).sum(axis=0)))),
        Diagnosis("you divided by n twice (or by n²): once in ∂L/∂Y = (Y − T)/n is enough; "
                  "Xᵀ ∂L/∂Y then sums over the batch.",
                  lambda X, W, b, T: X.T @ (X @ W + b - T) / len(X) ** 2, "dW"),
    ],
)


def check_mse_linear_grads(fn: Callable[..., tuple]) -> Result:
    """Check ``fn(X, W, b, T) -> (dW, db)`` for ``L = 1/(2n) Σ ‖XW + b − T‖²``."""
    return shape_hint(MSE_LINEAR.check(fn))


# -- 4. note 004's sigmoid layer -----------------------------------------------------------------
def reference_sigmoid_layer(X: Array, W: Array, b: Array, label: Array
                            ) -> tuple[Array, Array, Array]:
    """``Z = σ(XW + b)``, ``loss = ½ Σ (Z − label)²``: ``(∂/∂W, ∂/∂b, ∂/∂X)``.

    ``A = (Z − label) ⊙ Z ⊙ (1 − Z)`` = ∂loss/∂Y; ``∂W = Xᵀ A``, ``∂b = 1ᵀ A``,
    ``∂X = A Wᵀ``.
    """
    Z = sigmoid(X @ W + b)
    A = (Z - label) * Z * (1 - Z)
    return X.T @ A, A.sum(axis=0), A @ W.T


def _sigmoid_variant(*, at_output: bool = False, of_y: bool = False, formula4: bool = False,
                     no_slope: bool = False, transpose: bool = True,
                     bias: bool = True, db_axis: int = 0) -> Callable[..., tuple]:
    def wrong(X: Array, W: Array, b: Array, label: Array) -> tuple:
        Y = X @ W + (b if bias else 0.0)
        Z = sigmoid(Y)
        if no_slope:
            slope = 1.0
        elif at_output:      # note 004's σ′ evaluated at Z
            slope = sigmoid_prime(Z)
        elif of_y:           # Y(1 − Y): the formula written with the pre-activation
            slope = Y * (1 - Y)
        else:
            slope = Z * (1 - Z)
        A = (Z - label) * slope
        dW = A if formula4 else X.T @ A
        dX = A @ W.T if transpose else A @ W
        return dW, A.sum(axis=db_axis), dX
    return wrong


SIGMOID_LAYER = Exercise(
    "sigmoid_layer",
    reference_sigmoid_layer,
    cases=[(_normal(3, 3), _normal(3, 3), _normal(3), _rng.uniform(size=(3, 3))),
           (_normal(1, 3), _normal(3, 2), _normal(2), _rng.uniform(size=(1, 2))),
           (_normal(4, 2), _normal(2, 3), _normal(3), _rng.uniform(size=(4, 3)))],
    outputs=("dW", "db", "dX"),
    diagnoses=[
        Diagnosis("you evaluated the sigmoid's slope at the output: sigmoid(Z)(1 − sigmoid(Z)), "
                  "as note 004 writes it. The slope belongs at the pre-activation Y, and "
                  "σ′(Y) = σ(Y)(1 − σ(Y)) = Z(1 − Z).", _sigmoid_variant(at_output=True), "dW"),
        *(Diagnosis("you wrote the slope as Y(1 − Y), with the pre-activation; σ′(Y) = "
                    "σ(Y)(1 − σ(Y)) = Z(1 − Z), with the sigmoid's output Z.",
                    _sigmoid_variant(of_y=True), name) for name in ("dW", "db", "dX")),
        Diagnosis("the sigmoid's slope is missing: ∂loss/∂Y = (Z − label) ⊙ Z ⊙ (1 − Z).",
                  _sigmoid_variant(no_slope=True), "dW"),
        *(Diagnosis("you left out the bias in the forward pass: Z = σ(XW + b).",
                    _sigmoid_variant(bias=False), name) for name in ("dW", "db", "dX")),
        Diagnosis("you returned ∂loss/∂Y itself, as note 004's formula [4] does: ∂loss/∂W also "
                  "needs the input, Xᵀ @ ((Z − label) ⊙ Z ⊙ (1 − Z)), of W's shape.",
                  _sigmoid_variant(formula4=True), "dW"),
        Diagnosis("you evaluated the sigmoid's slope at the output Z instead of at Y "
                  "(note 004's sigmoid(z_j)(1 − sigmoid(z_j))).",
                  _sigmoid_variant(at_output=True), "db"),
        Diagnosis("the sigmoid's slope is missing in ∂loss/∂b.",
                  _sigmoid_variant(no_slope=True), "db"),
        Diagnosis("you summed over axis 1, the output units. The bias b_i is added to every "
                  "sample's output i, so ∂loss/∂b sums over the samples, axis 0: "
                  "A.sum(axis=0), shape (out,).", _sigmoid_variant(db_axis=1), "db"),
        Diagnosis("you multiplied by W instead of Wᵀ: ∂loss/∂x_j = Σ_i a_i w_ji, a sum over "
                  "all outputs i (note 004's [6]: A @ Wᵀ).",
                  _sigmoid_variant(transpose=False), "dX"),
        Diagnosis("you evaluated the sigmoid's slope at the output Z instead of at Y.",
                  _sigmoid_variant(at_output=True), "dX"),
    ],
)


def check_sigmoid_layer(fn: Callable[..., tuple]) -> Result:
    """Check ``fn(X, W, b, label) -> (dW, db, dX)`` for note 004's sigmoid layer."""
    return shape_hint(SIGMOID_LAYER.check(fn))


# -- 5. note 003's ReLU network, all three weight gradients ------------------------------------
def reference_relu_net_grads(X: Array, W1: Array, W2: Array, W3: Array, T: Array
                             ) -> tuple[Array, Array, Array]:
    """Note 003's network without biases: ``A₁ = relu(X W₁)``, ``A₂ = relu(A₁ W₂)``,
    ``Y = A₂ W₃``, ``L = ½ Σ ‖Y − T‖²``; returns ``(dW₁, dW₂, dW₃)``.

    ``dz₃ = Y − T``, ``dW₃ = A₂ᵀ dz₃``, ``dz₂ = dz₃ W₃ᵀ ⊙ [H₂ > 0]``, ``dW₂ = A₁ᵀ dz₂``,
    ``dz₁ = dz₂ W₂ᵀ ⊙ [H₁ > 0]``, ``dW₁ = Xᵀ dz₁``.
    """
    return _relu_variant()(X, W1, W2, W3, T)


def _relu_variant(*, dW1_input: str = "X", mask1: bool = True, mask2: bool = True,
                  transpose: bool = True, dW3_row: bool = True) -> Callable[..., tuple]:
    def grads(X: Array, W1: Array, W2: Array, W3: Array, T: Array) -> tuple:
        H1 = X @ W1
        A1 = np.maximum(H1, 0)
        H2 = A1 @ W2
        A2 = np.maximum(H2, 0)
        dz3 = A2 @ W3 - T
        dW3 = A2.T @ dz3 if dW3_row else dz3.T @ A2
        tr = (lambda M: M.T) if transpose else (lambda M: M)
        dz2 = (dz3 @ tr(W3)) * ((H2 > 0) if mask2 else 1.0)
        dz1 = (dz2 @ tr(W2)) * ((H1 > 0) if mask1 else 1.0)
        first = X if dW1_input == "X" else A1
        return first.T @ dz1, A1.T @ dz2, dW3
    return grads


def _relu_case(n: int) -> tuple:
    return (_normal(n, 2), _normal(2, 2), _normal(2, 2), _normal(2, 2), _normal(n, 2))


RELU_NET = Exercise(
    "relu_net_grads",
    reference_relu_net_grads,
    cases=[_relu_case(1), _relu_case(4), _relu_case(3)],
    outputs=("dW1", "dW2", "dW3"),
    diagnoses=[
        Diagnosis("you used A₁ where the first layer's input belongs, as note 003's summary "
                  "does (dW₁ = A₁ᵀ dz₁): layer 1 computes H₁ = X W₁, so dW₁ = Xᵀ dz₁.",
                  _relu_variant(dW1_input="A1"), "dW1"),
        # layer 2's mask first: in the first case every H₁ > 0, so an answer without both
        # masks gives the numbers of one without layer 2's
        *(Diagnosis("the mask of layer 2 is missing: dz₂ = (dz₃ W₃ᵀ) ⊙ [H₂ > 0] — note 003's "
                    "Relu′(Det(h)) is this element-wise mask (a diagonal matrix), not a "
                    "determinant.", _relu_variant(mask2=False), name) for name in ("dW1", "dW2")),
        Diagnosis("the mask of layer 1 is missing: dz₁ = (dz₂ W₂ᵀ) ⊙ [H₁ > 0], the element-wise "
                  "ReLU slopes of layer 1.", _relu_variant(mask1=False), "dW1"),
        Diagnosis("you multiplied by W instead of Wᵀ on the way down: dz₁ = (dz₂ W₂ᵀ) ⊙ "
                  "[H₁ > 0] (row convention: ∂L/∂X = ∂L/∂Y Wᵀ).",
                  _relu_variant(transpose=False), "dW1"),
        Diagnosis("you multiplied by W₃ instead of W₃ᵀ: dz₂ = (dz₃ W₃ᵀ) ⊙ [H₂ > 0].",
                  _relu_variant(transpose=False), "dW2"),
        Diagnosis("you computed dz₃ᵀ A₂, the column convention's δ aᵀ: note 003 lays W₃ out "
                  "as (in, out) (row convention), so dW₃ = A₂ᵀ dz₃.",
                  _relu_variant(dW3_row=False), "dW3"),
    ],
)


def check_relu_net_grads(fn: Callable[..., tuple]) -> Result:
    """Check ``fn(X, W1, W2, W3, T) -> (dW1, dW2, dW3)`` for note 003's ReLU network."""
    return shape_hint(RELU_NET.check(fn))
