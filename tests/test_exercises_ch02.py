"""Chapter 2 exercise checkers: the references agree with central differences, typical wrong
answers get their diagnosis (the contract every checker keeps is in test_exercise_contract.py)."""

import math

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.activations import sigmoid
from backprop.exercises import ch02
from backprop.gradcheck import numerical_gradient
from backprop.scalar import Value


# -- the references agree with central differences ------------------------------------------
def test_references_agree_with_numerical_gradients():
    rng = np.random.default_rng(5)
    x, y, up = rng.standard_normal(3)
    dx, dy = ch02.reference_multiply_gate(x, y, up)
    g = numerical_gradient(lambda v: v[0] * v[1] * up, np.array([x, y]))
    np.testing.assert_allclose([dx, dy], g, rtol=1e-6)
    z = rng.standard_normal(4)
    dz = ch02.reference_sigmoid_gate(z, 2.0)
    np.testing.assert_allclose(dz, numerical_gradient(lambda v: 2 * sigmoid(v).sum(), z),
                               rtol=1e-6)
    w, xx = rng.standard_normal(3), rng.standard_normal(2)
    dw, dxx = ch02.reference_neuron_backward(w, xx)
    np.testing.assert_allclose(dw, numerical_gradient(
        lambda v: float(sigmoid(v[0] * xx[0] + v[1] * xx[1] + v[2])), w.copy()), rtol=1e-6)
    np.testing.assert_allclose(dxx, numerical_gradient(
        lambda v: float(sigmoid(w[0] * v[0] + w[1] * v[1] + w[2])), xx.copy()), rtol=1e-6)
    a, b = 1.3, -0.7
    da, db = ch02.reference_reuse_gradients(a, b)
    np.testing.assert_allclose([da, db], numerical_gradient(
        lambda v: (v[0] * v[1] + v[0]) * v[0], np.array([a, b])), rtol=1e-6)
    # the worked numbers of the chapter
    dw, dxx = ch02.reference_neuron_backward(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
    assert np.round(dw, 2).tolist() == [-0.2, -0.39, 0.2]
    assert np.round(dxx, 2).tolist() == [0.39, -0.59]
    assert ch02.reference_reuse_gradients(3.0, -3.0) == (-12.0, 9.0)


# -- typical mistakes, with their diagnosis --------------------------------------------------
def test_multiply_gate_mistakes():
    check = ch02.check_multiply_gate
    assert "swapped" in diagnosis(check, lambda x, y, up: (x * up, y * up))
    assert diagnosis(check, lambda x, y, up: (x * up, y * up)).startswith("dx:")
    assert "forgot the upstream" in diagnosis(check, lambda x, y, up: (y, x))
    assert "add gate" in diagnosis(check, lambda x, y, up: (up, up))
    assert "sign is wrong" in diagnosis(check, lambda x, y, up: (-y * up, -x * up))
    msg = diagnosis(check, lambda x, y, up: (y * up, y * up))       # dx right, dy swapped
    assert msg.startswith("dy:") and "swapped" in msg
    assert "tuple of 2" in diagnosis(check, lambda x, y, up: y * up)


def test_sigmoid_gate_mistakes():
    check = ch02.check_sigmoid_gate
    assert "OUTPUT" in diagnosis(check, lambda z, up: z * (1 - z) * up)
    assert "(1 − σ(z)) is missing" in diagnosis(check, lambda z, up: sigmoid(z) * up)
    assert "upstream" in diagnosis(check, lambda z, up: sigmoid(z) * (1 - sigmoid(z)))
    assert "sign is wrong" in diagnosis(check, lambda z, up: sigmoid(z) * (sigmoid(z) - 1) * up)
    assert "instead of its derivative" in diagnosis(check, lambda z, up: sigmoid(z))
    assert "factor" in diagnosis(check, lambda z, up: 2 * sigmoid(z) * (1 - sigmoid(z)) * up)
    # answers that are zero on the first case use no z(1 − z): they are not said to
    for zeros in (lambda z, up: np.zeros_like(z),
                  lambda z, up: (lambda s: s * (1 - s) * up)(np.round(sigmoid(z)))):
        assert "OUTPUT" not in diagnosis(check, zeros)
    # math.exp on the array cases: the error is explained, and the checker does not raise
    math_exp = check(lambda z, up: up * math.exp(-z) / (1 + math.exp(-z)) ** 2)
    assert math_exp.status == "error" and "NumPy's (np.exp" in math_exp.message


def test_sigmoid_gate_slope_at_the_output():
    def wrong(z, upstream):
        s = sigmoid(z)
        return sigmoid(s) * (1 - sigmoid(s)) * upstream

    message = diagnosis(ch02.check_sigmoid_gate, wrong)
    assert "σ′ is evaluated at the output" in message, message


def neuron(w, x):
    s = sigmoid(w[0] * x[0] + w[1] * x[1] + w[2])
    return s, s * (1 - s)


def test_neuron_backward_mistakes():
    check = ch02.check_neuron_backward

    def no_sprime(w, x):
        return np.array([x[0], x[1], 1.0]), w[:2].copy()

    def sigma_not_sprime(w, x):
        s, _ = neuron(w, x)
        return np.array([x[0], x[1], 1.0]) * s, w[:2] * s

    def swapped(w, x):
        _, g = neuron(w, x)
        return np.array([w[0], w[1], 1.0]) * g, x * g

    def no_bias(w, x):
        _, g = neuron(w, x)
        return np.array([x[0], x[1], 0.0]) * g, w[:2] * g

    def wrong_sign(w, x):
        _, g = neuron(w, x)
        return -np.array([x[0], x[1], 1.0]) * g, -w[:2] * g

    def dx_swapped_only(w, x):
        _, g = neuron(w, x)
        return np.array([x[0], x[1], 1.0]) * g, x * g

    assert "σ'(z) = σ(z)(1 − σ(z)) is missing" in diagnosis(check, no_sprime)
    assert "you used σ(z)" in diagnosis(check, sigma_not_sprime)
    assert "swapped" in diagnosis(check, swapped)
    assert "bias gradient" in diagnosis(check, no_bias)
    assert "sign is wrong" in diagnosis(check, wrong_sign)
    msg = diagnosis(check, dx_swapped_only)
    assert msg.startswith("dx:") and "swapped" in msg
    assert "shape" in diagnosis(check, lambda w, x: (np.zeros(2), np.zeros(2)))

    def bias_forgotten(w, x):                  # σ′ taken at the wrong z: no normalisation
        s = sigmoid(w[0] * x[0] + w[1] * x[1])
        return np.array([x[0], x[1], 1.0]) * s * (1 - s), w[:2] * s * (1 - s)

    msg = diagnosis(check, bias_forgotten)
    assert "times the right one" in msg and "check the normalisation" not in msg


def test_reuse_gradients_mistakes():
    check = ch02.check_reuse_gradients

    def overwritten(a, b):                 # each path assigns da = ..., the last one wins
        e = a * b
        s = e + a
        ds, da = a, s                      # f = s·a
        de = ds
        da = ds                            # s = e + a   (should be da += ds)
        da = b * de                        # e = a·b     (should be da += b·de)
        return da, a * de

    def direct_only(a, b):
        return a * b + a, a * a            # only the direct use in f = s·a

    def through_e_and_s(a, b):             # the paths through e and s, not the direct use
        return b * a + a, a * a

    def missed_s(a, b):                    # through e and direct, not through s
        return b * a + (a * b + a), a * a

    def db_no_upstream(a, b):
        return ch02.reference_reuse_gradients(a, b)[0], a

    def db_swapped(a, b):
        return ch02.reference_reuse_gradients(a, b)[0], b * a

    msg = diagnosis(check, overwritten)
    assert msg.startswith("da:") and "overwritten (=) instead of accumulated (+=)" in msg
    for wrong in (direct_only, through_e_and_s):
        assert "only half of it" in diagnosis(check, wrong)
    assert "missed one" in diagnosis(check, missed_s)
    assert "misses the upstream" in diagnosis(check, db_no_upstream)
    assert "swapped multiply gate" in diagnosis(check, db_swapped)
    assert "sign is wrong" in diagnosis(check, lambda a, b: tuple(
        -g for g in ch02.reference_reuse_gradients(a, b)))


# -- 5. a gradient check ------------------------------------------------------------------------
def d_cubic(v):
    return 3 * v**2 + v[[1, 0, 3, 2]]


def d_products_and_sigmoid(X):
    s = sigmoid(X)
    return X[::-1] + s * (1 - s)


def d_exp(v):
    return 1.5 * np.exp(1.5 * v)


def d_neuron(v):
    s = sigmoid(v[0] * v[1] - v[2])
    g = s * (1 - s)
    return np.array([g * v[1] + v[2], g * v[0], -g + v[0]])


def test_numerical_gradient_cases_agree_with_their_analytic_gradients():
    """The reference is the library's numerical_gradient; on the checker's functions it agrees
    with their gradients by hand to the truncation error ε²·f'''/6 of its eps."""
    analytic = {"_cubic": d_cubic, "_products_and_sigmoid": d_products_and_sigmoid,
                "_exp": d_exp, "_neuron": d_neuron}
    cases = ch02.CENTRAL_GRADIENT.cases
    assert [case[0].__name__ for case in cases] == list(analytic)
    assert any(case[1].ndim == 2 for case in cases)
    for f, x, *eps in cases:
        x0 = x.copy()
        g = ch02.reference_central_gradient(f, x, *eps)
        assert g.shape == x.shape and np.array_equal(x, x0)
        np.testing.assert_array_equal(g, numerical_gradient(f, x.copy(), *eps))
        np.testing.assert_allclose(g, analytic[f.__name__](x), rtol=1e-4)
        # and without the truncation error: the same functions at a smaller step
        np.testing.assert_allclose(numerical_gradient(f, x.copy(), 1e-5),
                                   analytic[f.__name__](x), rtol=1e-7, atol=1e-9)


def central(f, x, eps=1e-6):
    """A learner's right answer, written another way: nudged copies, x never touched."""
    grad = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_numerical_gradient_right_answers_pass():
    check = ch02.check_central_gradient
    assert check(central).message == "correct on all 4 test cases."
    assert check(lambda f, x, eps=1e-6: numerical_gradient(f, x, eps)).passed

    def restores_by_assignment(f, x, eps=1e-6):
        grad = np.zeros(x.shape)
        flat = x.reshape(-1)                   # a view: nudging it nudges x
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            f_plus = f(x)
            flat[k] = old - eps
            f_minus = f(x)
            flat[k] = old
            grad.reshape(-1)[k] = (f_plus - f_minus) / (2 * eps)
        return grad

    assert check(restores_by_assignment).passed


def test_numerical_gradient_mistakes():
    check = ch02.check_central_gradient

    def forward(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            xp = x.copy()
            xp[i] += eps
            grad[i] = (f(xp) - f(x)) / eps
        return grad

    def backward(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            xm = x.copy()
            xm[i] -= eps
            grad[i] = (f(x) - f(xm)) / eps
        return grad

    def over_eps(f, x, eps=1e-6):
        return central(f, x, eps) * (2 * eps) / eps

    def never_restored(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            x[i] += eps
            f_plus = f(x)
            x[i] -= 2 * eps
            grad[i] = (f_plus - f(x)) / (2 * eps)
        return grad

    def keeps_nudges(f, x, eps=1e-6):
        x_plus, x_minus = x.copy(), x.copy()
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            x_plus[i] += eps
            x_minus[i] -= eps
            grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
        return grad

    def all_at_once(f, x, eps=1e-6):
        return np.ones_like(x) * (f(x + eps) - f(x - eps)) / (2 * eps)

    def by_rows(f, x, eps=1e-6):
        grad = np.zeros(len(x))
        for i in range(len(x)):
            xp, xm = x.copy(), x.copy()
            xp[i] += eps
            xm[i] -= eps
            grad[i] = (f(xp) - f(xm)) / (2 * eps)
        return grad

    def by_rows_into_x_shape(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for i in range(len(x)):
            xp, xm = x.copy(), x.copy()
            xp[i] += eps
            xm[i] -= eps
            grad[i] = (f(xp) - f(xm)) / (2 * eps)      # broadcast over the row
        return grad

    def flattened(f, x, eps=1e-6):
        return np.array([(f(x + step) - f(x - step)) / (2 * eps)
                         for step in np.eye(x.size).reshape((x.size, *x.shape)) * eps])

    def first_only(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        xp, xm = x.copy(), x.copy()
        xp.flat[0] += eps
        xm.flat[0] -= eps
        grad.flat[0] = (f(xp) - f(xm)) / (2 * eps)
        return grad

    def returns_a_number(f, x, eps=1e-6):
        for i in np.ndindex(*x.shape):         # overwrites one number: the last entry's
            xp, xm = x.copy(), x.copy()
            xp[i] += eps
            xm[i] -= eps
            grad = (f(xp) - f(xm)) / (2 * eps)
        return grad

    def fixed_step(f, x, eps=1e-6):
        return central(f, x, 1e-6)

    def stale_copy(f, x, eps=1e-6):
        x_before = x.copy()
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            old = x[i]
            x[i] = old + eps
            f_plus = f(x_before)
            x[i] = old - eps
            f_minus = f(x_before)
            x[i] = old
            grad[i] = (f_plus - f_minus) / (2 * eps)
        return grad

    def aliases(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            x_plus = x
            x_plus[i] += eps
            x_minus = x
            x_minus[i] -= eps
            grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
        return grad

    def int_copies(f, x, eps=1e-6):
        grad = np.zeros(x.shape)
        for i in np.ndindex(*x.shape):
            xp, xm = x.astype(int), x.astype(int)      # x + 1e-6 rounds back in an int array
            xp[i] += eps
            xm[i] -= eps
            grad[i] = (f(xp) - f(xm)) / (2 * eps)
        return grad

    def undoes_by_subtracting(f, x, eps=1e-6):     # x_i + ε − 2ε + ε: off by rounding
        grad = np.zeros_like(x)
        for i in np.ndindex(*x.shape):
            x[i] += eps
            f_plus = f(x)
            x[i] -= 2 * eps
            f_minus = f(x)
            x[i] += eps
            grad[i] = (f_plus - f_minus) / (2 * eps)
        return grad

    def unrestored_where_the_numbers_do_not_show_it(f, x, eps=1e-6):
        # a shifted point changes nothing where no entry depends on another (ch02's _exp):
        # the numbers are right, x is not
        return never_restored(f, x, eps) if f.__name__ == "_exp" else central(f, x, eps)

    for wrong in (forward, backward):
        assert "one-sided difference" in diagnosis(check, wrong)
    assert "divide the difference by 2ε, not by ε" in diagnosis(check, over_eps)
    assert "you did not put x back" in diagnosis(check, never_restored)
    assert "keep the nudges of the earlier entries" in diagnosis(check, keeps_nudges)
    assert "nudged every entry at once" in diagnosis(check, all_at_once)
    for wrong in (by_rows, by_rows_into_x_shape):
        assert "is a whole row" in diagnosis(check, wrong)
    assert "right numbers, flattened" in diagnosis(check, flattened)
    assert "only the first entry" in diagnosis(check, first_only)
    assert "you returned one number" in diagnosis(check, returns_a_number)
    assert "you returned one number" in diagnosis(check, lambda f, x, eps=1e-6: 0.5)
    assert "fixed step" in diagnosis(check, fixed_step)
    for wrong in (stale_copy, aliases, int_copies):
        assert "all zeros" in diagnosis(check, wrong)
    assert "x is not exactly as before" in diagnosis(check, undoes_by_subtracting)
    msg = diagnosis(check, unrestored_where_the_numbers_do_not_show_it)
    assert msg.startswith("the result is right, but x is changed after your call"), msg


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


def test_numerical_gradient_unfinished_helper_and_errors():
    check = ch02.check_central_gradient

    def nudge(x, i, step):
        raise NotImplementedError

    def uses_nudge(f, x, eps=1e-6):
        return np.array([(f(nudge(x, i, eps)) - f(nudge(x, i, -eps))) / (2 * eps)
                         for i in np.ndindex(*x.shape)])

    todo = check(uses_nudge)
    assert todo.status == "todo" and "your function calls `nudge`" in todo.message
    no_eps = check(lambda f, x: central(f, x))
    assert no_eps.status == "error" and "TypeError" in no_eps.message


# -- Value objects where their gradients belong --------------------------------------------------
def _neuron_nodes(w, x):
    """The neuron's graph, built and run backward: the Value objects, not their gradients."""
    wv, xv = [Value(float(v)) for v in w], [Value(float(v)) for v in x]
    (wv[0] * xv[0] + wv[1] * xv[1] + wv[2]).sigmoid().backward()
    return wv, xv


NODES = "you returned Value objects; return their .grad, the numbers"


@pytest.mark.parametrize(("check", "answer", "message"), [
    (ch02.check_neuron_backward, lambda w, x: tuple(map(np.array, _neuron_nodes(w, x))),
     "dw: " + NODES),
    (ch02.check_neuron_backward, _neuron_nodes, "dw: " + NODES),
    (ch02.check_multiply_gate,
     lambda x, y, up: (np.vectorize(Value, otypes=[object])(x), x * up), "dx: " + NODES),
    (ch02.check_reuse_gradients, lambda a, b: (Value(a), Value(b)),
     "da: you returned a Value object; return its .grad, the number"),
    (ch02.check_neuron_backward, lambda w, x: (np.array([{}, {}, {}]), x),
     "dw: expected a number or an array, got an array of Python objects of shape (3,)"),
])
def test_value_objects_are_told_to_return_their_grad(check, answer, message):
    # it used to say "expected a number or an array, got an array of shape (3,)"
    assert diagnosis(check, answer).startswith(message)



def test_a_broadcast_error_gets_the_shape_hint():
    # (3,) * (2,): the weights times the inputs, without the bias's slot
    result = ch02.check_neuron_backward(lambda w, x: (w * x, x))
    assert result.status == "error" and "could not be broadcast" in result.message
    assert result.message.endswith("— a shape mismatch: write the shape of each factor under "
                                   "the formula; the inner sizes must agree and the result "
                                   "must have the shape of the array whose gradient it is.")


def test_a_parameter_without_its_default_is_told_the_default():
    """A right central_gradient(f, x, eps) without eps's default fails on the case that
    leaves eps out: the hint shows the default the checker relies on."""
    def central_gradient(f, x, eps):
        return numerical_gradient(f, np.array(x, dtype=float), eps)

    result = ch02.check_central_gradient(central_gradient)
    assert result.status == "error"
    assert result.message.endswith("the checker calls fn(f, x, eps=1e-06): your function must "
                                   "take these parameters, in this order, with these defaults.")


def test_an_attribute_error_about_shape_gets_no_shape_mismatch_hint():
    result = ch02.check_reuse_gradients(lambda a, b: (a.shape, b))
    assert result.status == "error" and "has no attribute 'shape'" in result.message
    assert "shape mismatch" not in result.message
