"""Learners' wrong answers from the review of the exercise checkers (wrong answers accepted,
right ones rejected, typical mistakes left undiagnosed or misdiagnosed): each must now get
the diagnosis that names it."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.activations import sigmoid
from backprop.exercises import Exercise, _core, ch01, ch02, ch03, ch04, ch05, ch06, ch07
from backprop.losses import MSE


# -- ch06 Ex 1: every (from, to) pair is tested --------------------------------------------------
def _branchy_lr(lr, reduction_from, reduction_to, N):
    """Right for the four pairs the checker used to test, wrong or missing for the others."""
    pairs = {("mean", "half_sum"): lr * 2 / N, ("half_sum", "mean"): lr * N / 2,
             ("mean", "sum"): lr / N, ("sum", "mean"): lr / N,       # wrong: lr * N
             ("sum", "half_sum"): lr * 2, ("half_sum", "sum"): lr * 2}  # wrong: lr / 2
    return pairs.get((reduction_from, reduction_to))    # from == to: None


def test_equivalent_lr_tests_all_nine_pairs():
    reductions = ("mean", "sum", "half_sum")
    tested = {(a, b) for _, a, b, _ in ch06.EQUIVALENT_LR.cases}
    assert tested == {(a, b) for a in reductions for b in reductions}
    message = diagnosis(ch06.check_equivalent_lr, _branchy_lr)
    assert "'sum' → 'mean'" in message or "'half_sum' → 'sum'" in message, message


def test_equivalent_lr_names_the_pair_where_the_same_reduction_falls_through():
    def only_same_missing(lr, a, b, N):
        return None if a == b else ch06.reference_equivalent_lr(lr, a, b, N)

    message = diagnosis(ch06.check_equivalent_lr, only_same_missing)
    assert "'mean' → 'mean'" in message and "None" in message, message
    assert "the rate stays lr" in message, message


# -- ch07 Ex 3: rng ignored; a scale that trains passes ------------------------------------------
@pytest.mark.parametrize("init", [
    lambda i, o, r: (np.random.randn(i, o) * np.sqrt(2 / (i + o)), np.zeros(o)),  # noqa: NPY002
    lambda i, o, r: (np.random.default_rng().standard_normal((i, o)) * np.sqrt(2 / (i + o)),
                     np.zeros(o)),
])
def test_an_init_that_ignores_rng_fails(init):
    message = diagnosis(ch07.check_init_weights, init)
    assert "same seed" in message and "draw" in message and "`rng`" in message, message


def test_an_init_that_trains_passes_even_if_larger_than_xavier():
    result = ch07.check_init_weights(lambda i, o, r: (r.uniform(-1, 1, (i, o)), np.zeros(o)))
    assert result.status == "pass", result
    assert "larger than" in result.message, result


def test_an_init_too_large_to_train_is_named_with_its_accuracy():
    message = diagnosis(ch07.check_init_weights,
                        lambda i, o, r: (r.standard_normal((i, o)), np.zeros(o)))
    assert "too large" in message and "test accuracy" in message, message


# -- ch03 Ex 5: the one-step rate, rounded to three digits ---------------------------------------
@pytest.mark.parametrize("value", [1.30, 1.304, 1.31])
def test_alpha_max_one_step_rate_at_three_digits(value):
    assert "1/L''" in diagnosis(ch03.check_alpha_max, value)


def test_alpha_max_still_rejects_a_wrong_third_digit():
    assert ch03.check_alpha_max(2.61).passed
    assert not ch03.check_alpha_max(2.60).passed
    assert not ch03.check_alpha_max(2.62).passed


# -- ch05 Ex 3: the library's MSE reductions -----------------------------------------------------
def _with_library_mse(reduction):
    def mse_linear_grads(X, W, b, T):
        loss = MSE(reduction)
        loss.forward(X @ W + b, T)
        dY = loss.backward()
        return X.T @ dY, dY.sum(axis=0)
    return mse_linear_grads


def test_library_mse_mean_is_named():
    message = diagnosis(ch05.check_mse_linear_grads, _with_library_mse("mean"))
    assert "MSE(\"mean\")" in message and "n·m" in message, message
    assert "Dividing by 3" not in message


def test_library_mse_sum_is_named():
    message = diagnosis(ch05.check_mse_linear_grads, _with_library_mse("sum"))
    assert "MSE(\"sum\")" in message, message


# -- ch06 Ex 5: a broadcast error that is not one sample's Jacobian ------------------------------
def test_softmax_mse_inner_product_as_matrix_product_shows_the_shapes():
    def wrong(logits, targets):
        p = ch06.reference_stable_softmax(logits)
        g = p - targets
        return p * (g - g @ p.T)

    result = ch06.check_softmax_mse_grad(wrong)
    assert result.status != "pass"
    assert "np.outer" not in result.message and "(4,5) (4,4)" in result.message, result


def test_softmax_mse_outer_product_of_the_batch_is_still_explained():
    def wrong(logits, targets):
        p = ch06.reference_stable_softmax(logits)
        J = np.diag(p.ravel()) - np.outer(p, p)
        return J @ (p - targets)

    assert "np.outer" in diagnosis(ch06.check_softmax_mse_grad, wrong)


# -- ch02 Ex 2: σ′ at the output -----------------------------------------------------------------
def test_sigmoid_gate_slope_at_the_output():
    def wrong(z, upstream):
        s = sigmoid(z)
        return sigmoid(s) * (1 - sigmoid(s)) * upstream

    message = diagnosis(ch02.check_sigmoid_gate, wrong)
    assert "σ′ is evaluated at the output" in message, message


# -- ch02 Ex 5: / 2*eps --------------------------------------------------------------------------
def test_central_gradient_precedence():
    def wrong(f, x, eps=1e-6):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            xp, xm = x.copy(), x.copy()
            xp[i] += eps
            xm[i] -= eps
            g[i] = (f(xp) - f(xm)) / 2*eps   # noqa: E226 (the learner's bug)
        return g

    assert "/ (2 * eps)" in diagnosis(ch02.check_central_gradient, wrong)


# -- the typical mistakes that got only "the values differ" --------------------------------------
def test_weight_grad_overwritten_in_the_loop():
    def wrong(a_prev, dy):
        for i in range(len(a_prev)):
            g = np.outer(a_prev[i], dy[i])
        return g

    message = diagnosis(ch03.check_weight_grad, wrong)
    assert "last sample" in message and "+=" in message, message


def test_linear_backward_overwritten_in_the_loop():
    def wrong(X, W, dY):
        for i in range(len(X)):
            dW = np.outer(X[i], dY[i])
        return dY @ W.T, dW, dY.sum(axis=0)

    message = diagnosis(ch05.check_linear_backward, wrong)
    assert message.startswith("dW:") and "last sample" in message and "+=" in message, message


def test_output_delta_sigmoid_slope_for_every_activation():
    def wrong(a_L, y, z_L, f_prime):
        return (a_L - y) * sigmoid(z_L) * (1 - sigmoid(z_L))

    message = diagnosis(ch04.check_output_delta, wrong)
    assert "sigmoid's slope" in message and "f_prime(z_L)" in message, message


def _backward_with(W_shift=1, z_shift=0):
    def backward(net, X, Y):
        A = net.forward(X)
        L = len(net.W)
        deltas = [None] * L
        deltas[-1] = (A - Y) * net.f[-1].df(net.z[-1])
        for l in range(L - 2, -1, -1):
            deltas[l] = (net.W[l + W_shift].T @ deltas[l + 1]) * net.f[l].df(net.z[l + z_shift])
        dW = [d @ a.T for d, a in zip(deltas, net.a[:-1], strict=True)]
        return deltas, dW, [d.sum(axis=1) for d in deltas]
    return backward


def test_backward_reference_sketch_passes():
    assert ch04.check_backward(_backward_with()).passed


def test_backward_weights_of_the_wrong_layer():
    message = diagnosis(ch04.check_backward, _backward_with(W_shift=0))
    assert "net.W[l + 1]" in message and "own layer" in message, message


def test_backward_z_of_the_wrong_layer():
    message = diagnosis(ch04.check_backward, _backward_with(z_shift=1))
    assert "net.z[l]" in message, message


def test_sigmoid_layer_db_over_the_wrong_axis():
    def wrong(X, W, b, label):
        Z = sigmoid(X @ W + b)
        A = (Z - label) * Z * (1 - Z)
        return X.T @ A, A.sum(axis=1), A @ W.T

    message = diagnosis(ch05.check_sigmoid_layer, wrong)
    assert message.startswith("db:") and "axis 0" in message, message


def test_momentum_step_with_hard_coded_rates():
    def wrong(model, loss, X, y, lr, mu, velocities):
        return ch07.reference_momentum_step(model, loss, X, y, 0.3, 0.9, velocities)

    message = diagnosis(ch07.check_momentum_step, wrong)
    assert "`lr`" in message and "α once" not in message, message


# -- float32: one rule for every checker ---------------------------------------------------------
def _f32(x):
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.astype(np.float32)
    if isinstance(x, float):
        return np.float32(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_f32(v) for v in x)
    return x


_FLOAT32_EXERCISES = [
    getattr(mod, name) for mod in (ch01, ch02, ch03, ch04, ch05, ch06) for name in dir(mod)
    if isinstance(getattr(mod, name), Exercise) and getattr(mod, name).cases
    and getattr(mod, name).cases[0] and getattr(mod, name).name != "backward"]


@pytest.mark.parametrize("exercise", _FLOAT32_EXERCISES, ids=lambda e: e.name)
def test_the_right_computation_in_float32(exercise):
    def learner(*args):
        return exercise.reference(*_f32(args))

    result = exercise.check(learner)
    if exercise.name == "central_gradient":      # ε is lost in float32: rightly rejected
        assert result.status == "fail" and "float32" in result.message, result
    elif exercise.name == "gd_steps":
        # np.array of Python floats and float32 numbers is float64: a float64 answer must be
        # as exact as float64, and is told it was computed in float32
        assert result.status == "fail" and "float32" in result.message, result
    else:
        assert result.passed, result


def test_a_float32_answer_that_is_wrong_still_fails():
    def wrong(z, upstream):
        s = sigmoid(np.float32(z))
        return (sigmoid(s) * (1 - sigmoid(s)) * upstream).astype(np.float32)

    assert not ch02.check_sigmoid_gate(wrong).passed


# -- exotic objects: the checker never raises ----------------------------------------------------
class _BadStr(Exception):
    def __str__(self):
        raise RuntimeError("bad str")


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("bad repr")


def test_an_exception_whose_str_raises_is_reported():
    def raises(X, W, b):
        raise _BadStr()

    result = ch01.check_dense_forward(raises)
    assert result.status == "error" and "_BadStr" in result.message, result


def test_a_result_whose_repr_raises_is_described():
    result = ch01.check_dense_forward(lambda X, W, b: _BadRepr())
    assert result.status == "fail" and "_BadRepr" in result.message, result
    assert "_BadRepr" in _core.describe(_BadRepr())


# -- numbers inside a list argument, changed in place --------------------------------------------
def test_numbers_changed_inside_a_list_are_caught():
    def reverses(n, sizes):
        shapes = ch01.reference_batch_shapes(n, sizes)
        sizes.reverse()
        return shapes

    message = diagnosis(ch01.check_batch_shapes, reverses)
    assert "`sizes` (argument 2) was changed" in message, message
