"""Chapter 4 exercise checkers: references checked, typical mistakes diagnosed (the contract
every checker keeps is in test_exercise_contract.py)."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.activations import sigmoid, sigmoid_prime
from backprop.exercises import ch04
from backprop.gradcheck import numerical_gradient
from backprop.network import ColumnNetwork


# -- the references are right: against central differences -------------------------------------
def test_references_agree_with_numerical_gradients(rng):
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    b1, b2 = rng.standard_normal(4), rng.standard_normal(2)
    X, Y = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))

    def loss(W1, b1, W2, b2):
        Z1 = W1 @ X + b1[:, None]
        A2 = sigmoid(W2 @ np.tanh(Z1) + b2[:, None])
        return 0.5 * np.sum((A2 - Y) ** 2)

    net = ColumnNetwork([W1, W2], [b1, b2], ["tanh", "sigmoid"])
    deltas, dW, db = ch04.reference_backward(net, X, Y)
    assert np.allclose(dW[0], numerical_gradient(lambda W: loss(W, b1, W2, b2), W1.copy()))
    assert np.allclose(dW[1], numerical_gradient(lambda W: loss(W1, b1, W, b2), W2.copy()))
    assert np.allclose(db[0], numerical_gradient(lambda b: loss(W1, b, W2, b2), b1.copy()))
    assert np.allclose(db[1], numerical_gradient(lambda b: loss(W1, b1, W2, b), b2.copy()))
    # δ^2 by exercise 1, δ^1 by exercise 2, dW, db by exercise 3: the same numbers
    d2 = ch04.reference_output_delta(net.a[2], Y, net.z[1], sigmoid_prime)
    d1 = ch04.reference_delta_step(W2, d2, net.z[0], lambda z: 1 - np.tanh(z) ** 2)
    assert np.allclose(d2, deltas[1]) and np.allclose(d1, deltas[0])
    for l, d in enumerate((d1, d2)):
        g_W, g_b = ch04.reference_param_grads(d, net.a[l])
        assert np.allclose(g_W, dW[l]) and np.allclose(g_b, db[l])
    assert ch04.reference_largest_product() == 0.25 ** 5 == sigmoid_prime(0.0) ** 5


# -- 1. output_delta --------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda a, y, z, df: a - y, "only for an identity output"),
    (lambda a, y, z, df: (y - a) * df(z), "the sign is wrong"),
    (lambda a, y, z, df: (a - y) * df(a), "not at the output a^L"),
    (lambda a, y, z, df: (a - y) * a * (1 - a), "the sigmoid's a(1 − a)"),
    (lambda a, y, z, df: (a - y) @ df(z).T, "element-wise product"),
    (lambda a, y, z, df: 2 * (a - y) * df(z), "constant factor"),
])
def test_output_delta_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch04.check_output_delta, answer)


def test_output_delta_sigmoid_slope_for_every_activation():
    def wrong(a_L, y, z_L, f_prime):
        return (a_L - y) * sigmoid(z_L) * (1 - sigmoid(z_L))

    message = diagnosis(ch04.check_output_delta, wrong)
    assert "sigmoid's slope" in message and "f_prime(z_L)" in message, message


def test_output_delta_transposed_blames_no_matrix_product():
    message = diagnosis(ch04.check_output_delta, lambda a, y, z, df: ((a - y) * df(z)).T)
    assert "is the transpose of the right answer" in message
    assert "matrix product" not in message


# -- 2. delta_step ----------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda W, d, z, df: W.T @ d, "multiply element-wise by f_prime(z)"),
    (lambda W, d, z, df: (W @ d) * df(z), "instead of its transpose"),
    (lambda W, d, z, df: W.T @ (d * df(z)), "before the product"),
    (lambda W, d, z, df: (d.T @ W) * df(z).T, "row convention"),
    (lambda W, d, z, df: -(W.T @ d) * df(z), "sign is wrong"),
    # right for the sigmoid first case, wrong for the tanh layer after it (this answer made
    # the checker itself raise while it tried the known W-for-Wᵀ mistake on non-square W)
    (lambda W, d, z, df: (W.T @ d) * sigmoid_prime(z), "the sigmoid's slope for every layer"),
])
def test_delta_step_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch04.check_delta_step, answer)


def test_delta_step_row_convention_message_names_both_conventions():
    message = diagnosis(ch04.check_delta_step, lambda W, d, z, df: (d.T @ W) * df(z).T)
    assert "row convention" in message and "column convention" in message


# -- 3. param_grads ---------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda d, a: (a @ d.T, d.sum(axis=1)), "dW: you computed a^{l−1} (δ^l)ᵀ"),
    (lambda d, a: (d @ a.T / d.shape[1], d.sum(axis=1)), "dW: you divided by the batch size"),
    (lambda d, a: (d[:, :1] @ a[:, :1].T, d.sum(axis=1)), "only the first sample"),
    (lambda d, a: (d @ a.T, d.sum(axis=0)), "db: you summed over axis 0"),
    (lambda d, a: (d @ a.T, d), "db: ∂L/∂b^l = δ^l for one sample"),
    (lambda d, a: (d @ a.T, d.mean(axis=1)), "db: you averaged"),
    (lambda d, a: (-(d @ a.T), d.sum(axis=1)), "dW: the sign is wrong"),
    (lambda d, a: d @ a.T, "return a tuple of 2 values"),
])
def test_param_grads_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch04.check_param_grads, answer)


def test_param_grads_row_convention_message_names_the_conventions():
    message = diagnosis(ch04.check_param_grads, lambda d, a: (a @ d.T, d.sum(axis=1)))
    assert "row convention" in message and "column convention" in message


# -- 4. backward ------------------------------------------------------------------------------
def learner_backward(*, out_fprime=True, hidden_fprime=True, transpose=True, row=False,
                     output_a=False, db_axis=1, sign=1.0, W_shift=1, z_shift=0):
    """A learner's whole backward pass, written independently of the checker's variants.

    ``deltas[l]`` takes ``net.W[l + W_shift]`` and ``net.z[l + z_shift]``: 1 and 0 are right."""
    def backward(net, X, Y):
        A = net.forward(X)
        L = len(net.W)
        deltas = [None] * L
        g = sign * (A - Y)
        deltas[L - 1] = g * net.f[L - 1].df(net.z[L - 1]) if out_fprime else g
        for l in range(L - 2, -1, -1):
            W = net.W[l + W_shift]
            back = (W.T if transpose else W) @ deltas[l + 1]
            deltas[l] = back * net.f[l].df(net.z[l + z_shift]) if hidden_fprime else back
        dW, db = [], []
        for l, d in enumerate(deltas):
            a = net.a[l + 1] if output_a else net.a[l]
            dW.append(a @ d.T if row else d @ a.T)
            db.append(d.sum(axis=db_axis))
        return deltas, dW, db
    return backward


def test_backward_accepts_lists_tuples_and_a_backward_result():
    assert ch04.check_backward(learner_backward()).passed
    assert ch04.check_backward(
        lambda net, X, Y: tuple(map(tuple, learner_backward()(net, X, Y)))).passed
    assert ch04.check_backward(lambda net, X, Y: net.backward(net.forward(X) - Y)).passed


@pytest.mark.parametrize(("kwargs", "fragment"), [
    (dict(out_fprime=False), "δ^3: δ^L = (a^L − y) ⊙ f′(z^L): you left out f′(z^L)"),
    (dict(sign=-1.0), "δ^3: the sign is wrong"),
    (dict(hidden_fprime=False), "δ^2: you forgot f′(z^l) in the hidden layers"),
    (dict(transpose=False), "δ^2: you multiplied δ^{l+1} by W^{l+1}, not by its transpose"),
    (dict(row=True), "dW^3: your ∂L/∂W^l is a^{l−1} (δ^l)ᵀ, the row convention's"),
    (dict(output_a=True), "dW^3: ∂L/∂W^l multiplies δ^l by the input of layer l"),
    (dict(db_axis=0), "db^3: ∂L/∂b^l sums δ^l over the samples, which are the columns"),
    (dict(W_shift=0), "δ^2: you used the weights of δ's own layer (net.W[l] for deltas[l])"),
    (dict(z_shift=1), "δ^2: you took f′ at the pre-activation of the layer above, "
                      "net.z[l + 1]; δ^l needs its own layer's f′(z^l)"),
])
def test_backward_diagnoses(kwargs, fragment):
    assert fragment in diagnosis(ch04.check_backward, learner_backward(**kwargs))


def test_backward_with_the_output_activation_everywhere():
    # right where every layer is a sigmoid (the first case), wrong for tanh hidden layers
    def output_df(net, X, Y):
        deltas, dW, db = learner_backward()(net, X, Y)
        deltas[1] = (net.W[2].T @ deltas[2]) * net.f[-1].df(net.z[1])
        deltas[0] = (net.W[1].T @ deltas[1]) * net.f[-1].df(net.z[0])
        dW = [d @ a.T for d, a in zip(deltas, net.a[:-1], strict=True)]
        return deltas, dW, [d.sum(axis=1) for d in deltas]
    assert "δ^2: you used the output layer's f′ in every layer" in diagnosis(
        ch04.check_backward, output_df)


def test_backward_lists_in_the_wrong_order_are_named():
    def reversed_lists(net, X, Y):
        return tuple(part[::-1] for part in learner_backward()(net, X, Y))
    message = diagnosis(ch04.check_backward, reversed_lists)
    assert "run from the output layer down" in message and "deltas[0] is δ^1" in message


def _rearranged(arrange):
    """The right backward pass with its lists rearranged by ``arrange(deltas, dW, db)``."""
    return lambda net, X, Y: arrange(*learner_backward()(net, X, Y))


@pytest.mark.parametrize(("arrange", "message"), [
    (lambda d, w, b: (d, w[::-1], b),
     "`dW[2]` holds ∂L/∂W^1: index each list by l − 1, as ColumnNetwork.backward does "
     "(dW[0] is ∂L/∂W^1, dW[2] is ∂L/∂W^3)."),
    (lambda d, w, b: (d, [w[1], w[0], w[2]], b), "`dW[1]` holds ∂L/∂W^1: index each list"),
    (lambda d, w, b: (w, b, d),
     "your first list holds the dW values: return (deltas, dW, db)."),
    (lambda d, w, b: (d, b, w),
     "your second list holds the db values: return (deltas, dW, db)."),
    (lambda d, w, b: list(zip(d, w, b, strict=True)),
     "return three lists (deltas, dW, db), not one (δ, dW, db) per layer"),
])
def test_backward_values_in_the_wrong_place_are_named_by_list_and_index(arrange, message):
    # the checker's own flattened order (δ^3, δ^2, δ^1, dW^3, …) is not what the learner wrote
    got = diagnosis(ch04.check_backward, _rearranged(arrange))
    assert got.startswith(message) and "δ^3, δ^2" not in got


def test_backward_without_a_forward_pass_is_explained():
    result = ch04.check_backward(lambda net, X, Y: net.backward(net.a[-1] - Y))
    assert result.status == "error" and "call it first" in result.message


def test_backward_wrong_structure_is_explained():
    # the learner's function returned something else: a wrong answer, not an exception
    message = diagnosis(ch04.check_backward, lambda net, X, Y: [np.zeros(1)])
    assert "return (deltas, dW, db)" in message and "got a list of 1 value" in message
    message = diagnosis(ch04.check_backward, lambda net, X, Y: ([0, 0], [0, 0], [0, 0]))
    assert "one array per layer" in message and "your deltas is a list of 2 values" in message

    def two_lists(net, X, Y):
        deltas, dW, _ = learner_backward()(net, X, Y)
        return deltas, dW

    def no_return(net, X, Y):
        learner_backward()(net, X, Y)

    assert "got a tuple of 2 values" in diagnosis(ch04.check_backward, two_lists)
    assert "returned None — did you forget `return`?" in diagnosis(ch04.check_backward,
                                                                   no_return)
    as_dict = diagnosis(ch04.check_backward, lambda net, X, Y: dict(
        zip(("deltas", "dW", "db"), learner_backward()(net, X, Y), strict=True)))
    assert "got a dict with keys 'deltas', 'dW', 'db'" in as_dict


def test_backward_index_error_after_the_forward_pass_is_no_missing_forward():
    def off_by_one(net, X, Y):
        deltas, dW, db = learner_backward()(net, X, Y)
        for l in range(len(net.W) - 1, -1, -1):           # l = L − 1 is one too far
            deltas[l] = (net.W[l + 1].T @ deltas[l + 1]) * net.f[l].df(net.z[l])
        return deltas, dW, db

    result = ch04.check_backward(off_by_one)
    assert result.status == "error" and "IndexError" in result.message
    assert "call it first" not in result.message
    assert "use net.W[l + 1]" in result.message


def test_backward_transposed_square_dW_is_named():
    def dW1_transposed(net, X, Y):
        deltas, dW, db = learner_backward()(net, X, Y)
        return deltas, [dW[0].T, *dW[1:]], db

    assert "dW^1: your result is the transpose of the right one" in diagnosis(
        ch04.check_backward, dW1_transposed)


def test_backward_calling_an_unfinished_helper_names_it():
    def output_delta(a_L, y, z_L, f_prime):
        raise NotImplementedError

    def finished(net, X, Y):
        A = net.forward(X)
        output_delta(A, Y, net.z[-1], net.f[-1].df)

    result = ch04.check_backward(finished)
    assert result.status == "todo" and "your function calls `output_delta`" in result.message
    assert ch04.check_backward(lambda net, X, Y: output_delta(0, 0, 0, 0)).status == "todo"


def test_backward_must_not_change_the_inputs():
    def in_place(net, X, Y):
        out = learner_backward()(net, X, Y)
        X *= 2
        return out

    def takes_a_step(net, X, Y):                # the weights inside net are inputs too
        deltas, dW, db = learner_backward()(net, X, Y)
        for W, g in zip(net.W, dW, strict=True):
            W -= 0.1 * g
        return deltas, dW, db

    assert "changed its input arrays in place: `X` (argument 2) was changed" in diagnosis(
        ch04.check_backward, in_place)
    assert "changed its input arrays in place: `net` (argument 1) was changed" in diagnosis(
        ch04.check_backward, takes_a_step)


# -- 5. largest_product ------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "fragment"), [
    (0.25 ** 6, "you counted 6 factors"),
    (0.5 ** 5, "σ(0) = 1/2"),
    (0.25, "one layer's factor"),
    (1.25, "multiply, they do not add"),
    (4.0 ** 5, "upside down"),
    (0.25 ** 4, "one factor too few"),
    (0.0015, "0.0015 is too large"),
])
def test_largest_product_diagnoses(value, fragment):
    assert fragment in diagnosis(ch04.check_largest_product, value)


def test_largest_product_twice_the_answer_does_not_give_it_away():
    # it said "your result is 2 times the right one (check the normalisation …)"
    message = diagnosis(ch04.check_largest_product, 2 * 0.25**5)
    assert message == f"{2 * 0.25**5:.6g} is too large"


def test_largest_product_value_forms():
    assert ch04.check_largest_product(...).status == "todo"
    assert ch04.check_largest_product(None).status == "todo"
    assert ch04.check_largest_product(0.000977).passed          # three significant digits
    assert ch04.check_largest_product(0.00098).passed           # two are close enough
    assert ch04.check_largest_product(lambda: 1 / 1024).passed
    assert ch04.check_largest_product("1/1024").status == "fail"


def test_backward_index_error_with_an_array_in_net_z_keeps_its_hint():
    def z_as_array(net, X, Y):
        net.forward(X)
        net.z = np.zeros(3)                      # not a list any more
        return [None] * 3, [None] * 3, [net.W[5]] * 3

    result = ch04.check_backward(z_as_array)
    assert result.status == "error" and "IndexError" in result.message
    assert "use net.W[l + 1]" in result.message


@pytest.mark.parametrize(("check", "answer"), [
    (ch04.check_output_delta, lambda a, y, z, df: (a - y) * df(z).T),
    (ch04.check_param_grads, lambda d, a: (d @ a, d.sum(axis=1))),
    (ch04.check_backward, lambda net, X, Y: net.backward(net.forward(X) - Y.T)),
])
def test_a_shape_mismatch_gets_the_shape_hint(check, answer):
    result = check(answer)
    hint = "— a shape mismatch: write the shape of each factor under the formula"
    assert result.status == "error" and hint in result.message, result
