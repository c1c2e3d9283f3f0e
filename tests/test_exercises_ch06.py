"""Chapter 6 exercise checkers: references checked, typical mistakes diagnosed (the contract
every checker keeps is in test_exercise_contract.py)."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.exercises import ch06
from backprop.gradcheck import numerical_gradient
from backprop.losses import MSE, SoftmaxCrossEntropy


# -- the references are right: against the library and central differences ----------------------
def test_references_agree_with_library_and_numerical_gradients(rng):
    logits, targets = rng.standard_normal((4, 3)), np.eye(3)[[0, 2, 2, 1]]

    def half_sq_of_softmax(v):
        e = np.exp(v)
        return 0.5 * np.sum((e / e.sum(axis=1, keepdims=True) - targets) ** 2)

    assert np.allclose(ch06.reference_softmax_mse_grad(logits, targets),
                       numerical_gradient(half_sq_of_softmax, logits.copy()),
                       rtol=1e-6, atol=1e-10)

    z, y = 2 * rng.standard_normal((3, 2)), rng.uniform(0, 1, (3, 2))

    def half_sq(v):
        return 0.5 * np.sum((1 / (1 + np.exp(-v)) - y) ** 2)

    assert np.allclose(ch06.reference_sigmoid_mse_delta(z, y),
                       numerical_gradient(half_sq, z.copy()), rtol=1e-6, atol=1e-10)

    logits, labels = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    ce = SoftmaxCrossEntropy()
    num = numerical_gradient(lambda v: ce.forward(v, labels), logits.copy())
    assert np.allclose(ch06.reference_softmax_ce_grad(logits, labels), num, rtol=1e-6)

    p = ch06.reference_stable_softmax(np.array([[1e4, -1e4, 0.0], [1.0, 2.0, 3.0]]))
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(p, [[1, 0, 0], e / e.sum()]) and np.all(np.isfinite(p))


@pytest.mark.parametrize(("frm", "to"), [("mean", "half_sum"), ("sum", "mean"),
                                         ("half_sum", "sum")])
def test_equivalent_lr_makes_the_same_step(rng, frm, to):
    pred, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    lr_to = ch06.reference_equivalent_lr(0.1, frm, to, pred.size)
    steps = []
    for reduction, lr in ((frm, 0.1), (to, lr_to)):
        loss = MSE(reduction)
        loss.forward(pred, target)
        steps.append(lr * loss.backward())
    assert np.allclose(steps[0], steps[1], rtol=1e-12)


# -- 2. equivalent_lr -------------------------------------------------------------------------
F = {"mean": lambda N: 2 / N, "sum": lambda N: 2.0, "half_sum": lambda N: 1.0}


@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda lr, a, b, N: lr * F[b](N) / F[a](N), "upside down"),
    (lambda lr, a, b, N: lr * (1 / N if a == "mean" else 1) / (1 / N if b == "mean" else 1),
     "not for the factor 2"),
    (lambda lr, a, b, N: lr * (1 if a == "half_sum" else 2) / (1 if b == "half_sum" else 2),
     "not for the 1/N"),
    (lambda lr, a, b, N: lr, "must change too"),
])
def test_equivalent_lr_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch06.check_equivalent_lr, answer)


def test_equivalent_lr_as_text_is_no_number():
    def as_text(lr, a, b, N):
        return str(ch06.reference_equivalent_lr(lr, a, b, N))

    assert "not text" in diagnosis(ch06.check_equivalent_lr, as_text)


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


# -- 3. sigmoid_mse_delta ---------------------------------------------------------------------
def sig(v):
    return 1 / (1 + np.exp(-v))


@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda z, y: sig(z) - y, "forgot the sigmoid's f′"),
    (lambda z, y: (sig(z) - y) * sig(sig(z)) * (1 - sig(sig(z))), "applies the sigmoid twice"),
    (lambda z, y: (sig(z) - y) * z * (1 - z), "z(1 − z)"),
    (lambda z, y: (z - y) * sig(z) * (1 - sig(z)), "you used z − y"),
    (lambda z, y: (y - sig(z)) * sig(z) * (1 - sig(z)), "sign is wrong"),
    (lambda z, y: ((sig(z) - y) * sig(z) * (1 - sig(z)))[0], "wrong shape"),
])
def test_sigmoid_mse_delta_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch06.check_sigmoid_mse_delta, answer)


# -- 4. softmax -------------------------------------------------------------------------------
def naive(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("answer", "fragment"), [
    (naive, "overflows at large logits"),
    (lambda z: naive(z - z.max()), "each row its own max"),
    (lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "over axis 0"),
    (lambda z: np.exp(z) / np.exp(z).sum(), "whole batch"),
    (lambda z: np.exp(z) / np.exp(z).sum(axis=1), "keepdims=True"),
    (lambda z: (lambda e: e / e.sum(axis=1))(np.exp(z - z.max(axis=1, keepdims=True))),
     "keepdims=True"),
    (lambda z: z / z.sum(axis=1, keepdims=True), "forgot the exponential"),
    # the stable version with one slip: the shifted exponentials get the same diagnoses
    (lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(z - z.max(axis=1))),
     "subtract z.max(axis=1, keepdims=True)"),
    (lambda z: (lambda e: e / e.sum(axis=0, keepdims=True))(
        np.exp(z - z.max(axis=1, keepdims=True))), "over axis 0"),
    (lambda z: (lambda e: e / e.sum())(np.exp(z - z.max(axis=1, keepdims=True))),
     "whole batch"),
    (lambda z: naive(z)[0], "wrong shape"),
])
def test_softmax_diagnoses(answer, fragment):
    message = diagnosis(ch06.check_stable_softmax, answer)
    assert fragment.lower() in message.lower(), message


def test_softmax_checker_keeps_numpy_quiet():
    with np.errstate(all="raise"):                 # the check silences the learner's overflow
        result = ch06.check_stable_softmax(naive)
    assert result.status == "fail" and "overflows" in result.message


# -- 5. softmax_ce_grad -----------------------------------------------------------------------
def onehot(z, t):
    y = np.zeros_like(z)
    y[np.arange(len(t)), t] = 1
    return y


def sm(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda z, t: sm(z) / len(z), "left out the − y"),
    (lambda z, t: sm(z) - onehot(z, t), "forgot the 1/n"),
    (lambda z, t: (onehot(z, t) - sm(z)) / len(z), "sign is wrong"),
    (lambda z, t: -onehot(z, t) / sm(z) / len(z), "softmax Jacobian"),
    (lambda z, t: (sm(z, axis=0) - onehot(z, t)) / len(z), "over axis 0"),
    (lambda z, t: ((sm(z) - onehot(z, t)) / len(z)).T, "transpose"),
    (lambda z, t: (sm(z)[np.arange(len(t)), t] - 1) / len(z), "wrong shape"),
    (lambda z, t: (sm(z) - onehot(z, t)) / z.size,
     "you divided by n·C = 15, the number of entries, instead of n = 5"),
    (lambda z, t: (sm(z) - onehot(z, t)) / z.shape[1],
     "you divided by C = 3, the number of classes, instead of n = 5, the number of samples"),
    (lambda z, t: (sm(z) - onehot(z, t)) / (len(z) - 1), "a normalisation by the wrong count"),
    (lambda z, t: (sm(z) - t) / len(z), "class indices of shape (n,)"),
    (lambda z, t: (sm(z) - np.eye(len(z))[t]) / len(z), "one-hot rows have the wrong shape"),
    (lambda z, t: (np.exp(z) / np.exp(z).sum(axis=1) - onehot(z, t)) / len(z), "keepdims=True"),
])
def test_softmax_ce_grad_diagnoses(answer, fragment):
    assert fragment in diagnosis(ch06.check_softmax_ce_grad, answer)


def test_softmax_ce_grad_broadcast_error_names_both_causes():
    # a row sum without keepdims and labels used directly raise the same broadcast error
    for answer in (lambda z, t: (np.exp(z) / np.exp(z).sum(1) - onehot(z, t)) / len(z),
                   lambda z, t: (sm(z) - t) / len(z)):
        message = diagnosis(ch06.check_softmax_ce_grad, answer)
        assert "Either the labels were used directly" in message
        assert "Or a sum without keepdims=True" in message


def test_transposed_results_blame_no_matrix_product():
    for check, answer in (
            (ch06.check_sigmoid_mse_delta,
             lambda z, y: ch06.reference_sigmoid_mse_delta(z, y).T),
            (ch06.check_softmax_ce_grad,
             lambda z, t: ch06.reference_softmax_ce_grad(z, t).T),
            (ch06.check_softmax_mse_grad,
             lambda z, y: ch06.reference_softmax_mse_grad(z, y).T)):
        message = diagnosis(check, answer)
        assert "transpose of the right answer" in message and "matrix product" not in message


# -- 5. softmax_mse_grad ----------------------------------------------------------------------
def softmax_rows(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def jacobian_route(inner, axis=1):
    """p ⊙ (g − inner(g ⊙ p)) with g = p − y: the right formula when inner is the row sum."""
    def answer(z, y):
        p = softmax_rows(z, axis)
        return p * (p - y - inner((p - y) * p))
    return answer


@pytest.mark.parametrize(("answer", "fragment"), [
    (lambda z, y: softmax_rows(z) - y, "treat softmax as y = x"),
    (lambda z, y: (lambda p: p * (1 - p) * (p - y))(softmax_rows(z)), "only the diagonal"),
    (lambda z, y: (lambda p: p * (p - y))(softmax_rows(z)), "dropped − p pᵀ"),
    (jacobian_route(np.sum), "not over the whole batch"),
    (jacobian_route(lambda gp: gp.sum(axis=0, keepdims=True)), "not axis 0"),
    (jacobian_route(lambda gp: gp.sum(axis=1)), "keepdims=True"),
    (jacobian_route(lambda gp: gp.sum(axis=1, keepdims=True), axis=0), "softmax over axis 1"),
    (lambda z, y: ch06.reference_softmax_mse_grad(z, y) / len(z), "you divided by n"),
    (lambda z, y: 2 * ch06.reference_softmax_mse_grad(z, y), "cancels the 2"),
    (lambda z, y: ch06.reference_softmax_mse_grad(z, y).T, "transpose"),
    # one sample's Jacobian applied to the batch: np.diag of (n, C) is its diagonal
    (lambda z, y: (lambda p: (np.diag(p) - np.outer(p, p)) @ (p - y))(softmax_rows(z)),
     "belongs to one sample"),
])
def test_softmax_mse_grad_diagnoses(answer, fragment):
    message = diagnosis(ch06.check_softmax_mse_grad, answer)
    assert fragment in message, message


def test_softmax_mse_inner_product_as_matrix_product_gets_the_shape_hint_not_np_outer():
    # g @ p.T is (n, n), not each row's inner product: NumPy's broadcast error, which is no
    # sign of one sample's Jacobian applied to the batch (the np.outer hint)
    def wrong(logits, targets):
        p = ch06.reference_stable_softmax(logits)
        g = p - targets
        return p * (g - g @ p.T)

    result = ch06.check_softmax_mse_grad(wrong)
    assert result.status == "error", result
    assert "np.outer" not in result.message and "a shape mismatch" in result.message, result


def test_softmax_mse_outer_product_of_the_batch_is_still_explained():
    def wrong(logits, targets):
        p = ch06.reference_stable_softmax(logits)
        J = np.diag(p.ravel()) - np.outer(p, p)
        return J @ (p - targets)

    assert "np.outer" in diagnosis(ch06.check_softmax_mse_grad, wrong)


def test_softmax_mse_grad_accepts_the_jacobian_written_out():
    # one (C, C) Jacobian per sample, as the text writes it, is slower but right
    def with_jacobians(z, y):
        return np.stack([(np.diag(p) - np.outer(p, p)).T @ (p - t)
                         for p, t in zip(softmax_rows(z), y, strict=True)])

    assert ch06.check_softmax_mse_grad(with_jacobians).passed
