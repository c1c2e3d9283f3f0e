"""Tests of backprop.activations: each derivative against central differences, stability."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop.gradcheck import numerical_gradient, relative_error

NAMES = ["sigmoid", "tanh", "relu", "identity"]


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random z with |z| in [0.1, 3]: no entry near ReLU's kink."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name, rng):
    a = act.get_activation(name)
    z = away_from_zero(rng, (4, 5))
    # f acts element-wise, so the gradient of Σ f(z) is f'(z) entry by entry.
    numeric = numerical_gradient(lambda x: a.f(x).sum(), z)
    assert relative_error(a.df(z), numeric) < 1e-8


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 2**32 - 1),
       shape=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_derivative_random(name, seed, shape):
    a = act.get_activation(name)
    z = away_from_zero(np.random.default_rng(seed), shape)
    numeric = numerical_gradient(lambda x: a.f(x).sum(), z)
    assert relative_error(a.df(z), numeric) < 1e-8


def test_known_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(act.sigmoid(0.0), 0.5)
    np.testing.assert_array_equal(act.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu_prime(z), [0.0, 0.0, 1.0])  # 0 at the kink
    np.testing.assert_array_equal(act.identity(z), z)
    np.testing.assert_array_equal(act.identity_prime(z), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(act.tanh_prime(0.0), 1.0)
    np.testing.assert_allclose(act.sigmoid_prime(0.0), 0.25)


def test_sigmoid_stable_for_huge_inputs():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = act.sigmoid(np.array([-1e4, -800.0, 800.0, 1e4]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 1.0, 1.0])
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(act.sigmoid(-z), 1 - act.sigmoid(z), atol=1e-15)


def test_softmax_rows_sum_to_one_and_shift_invariant(rng):
    z = rng.standard_normal((5, 4))
    p = act.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(act.softmax(z + 123.0), p, rtol=1e-12)
    np.testing.assert_allclose(act.log_softmax(z), np.log(p), rtol=1e-12)


def test_softmax_and_log_softmax_stable_for_logits_of_1e4():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = act.softmax(z)
        logp = act.log_softmax(z)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-15)
    np.testing.assert_allclose(logp, [[0.0, -2e4, -1e4], [-np.log(3)] * 3], rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_float32_preserved(name):
    z = np.linspace(-2, 2, 7, dtype=np.float32)
    a = act.get_activation(name)
    assert a.f(z).dtype == np.float32
    assert a.df(z).dtype == np.float32


def test_get_activation_unknown_name():
    with pytest.raises(ValueError, match=r"unknown activation 'softplus'.*relu.*sigmoid"):
        act.get_activation("softplus")


def test_registry_names_match():
    assert set(act.ACTIVATIONS) == set(NAMES)
    for name, a in act.ACTIVATIONS.items():
        assert a.name == name


def test_log_softmax_accurate_for_confident_predictions():
    """log p of the winning class is −log(1 + Σ e^{z_j − z_max}) ≈ −Σ e^{z_j − z_max}: kept
    to full relative precision even when that sum is below float64's resolution near 1."""
    logp = act.log_softmax(np.array([[40.0, 0.0, 1.0], [0.0, 20.0, 20.0]]))
    np.testing.assert_allclose(logp[0, 0], -(np.exp(-40.0) + np.exp(-39.0)), rtol=1e-12)
    lse = 20 + np.log(2 + np.exp(-20))  # a tie for the largest logit
    np.testing.assert_allclose(logp[1], [-lse, 20 - lse, 20 - lse], rtol=1e-15)
    np.testing.assert_allclose(act.log_softmax(np.array([[1.0], [2.0]]), axis=0),
                               np.log(act.softmax(np.array([[1.0], [2.0]]), axis=0)))


def test_softmax_jacobian_matches_central_differences(rng):
    z = rng.standard_normal(4)
    J = act.softmax_jacobian(act.softmax(z))
    for i in range(4):   # row i: the gradient of p_i
        numeric = numerical_gradient(lambda x, i=i: act.softmax(x)[i], z.copy())
        assert relative_error(J[i], numeric) < 1e-7, i
    assert np.allclose(J, J.T) and np.allclose(J.sum(axis=1), 0)


@pytest.mark.parametrize("shape", [(1, 3), (2, 3), ()])
def test_softmax_jacobian_refuses_anything_but_one_sample(shape):
    """A (1, C) row of softmax's output would give diag(first entry) − p pᵀ, silently wrong."""
    p = np.full(shape, 1 / 3)
    expected = r"softmax_jacobian: .*shape \(C,\), got " + re.escape(str(shape))
    with pytest.raises(ValueError, match=expected):
        act.softmax_jacobian(p)
