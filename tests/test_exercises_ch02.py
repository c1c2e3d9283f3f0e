"""Chapter 2 exercise checkers: the references agree with central differences, typical wrong
answers get their diagnosis (the contract every checker keeps is in test_exercise_contract.py)."""

import math

import numpy as np
from exercise_support import diagnosis

from backprop.activations import sigmoid
from backprop.exercises import ch02
from backprop.gradcheck import numerical_gradient


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
