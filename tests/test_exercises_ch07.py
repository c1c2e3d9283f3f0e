"""Chapter 7's exercise checkers: references checked, typical mistakes named (the contract
every checker keeps is in test_exercise_contract.py)."""

import copy
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.exercises import ch07
from backprop.layers import backward_parameters_only, mlp
from backprop.losses import SoftmaxCrossEntropy
from backprop.optim import SGD
from backprop.train import Trainer


# -- 1. one step of SGD with momentum -----------------------------------------------------------
def test_reference_step_equals_trainer_step():
    """§7.1 compares reference_training_step (the plain step) with Trainer.step."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    a, b = mlp([4, 6, 3], "relu", seed=1), mlp([4, 6, 3], "relu", seed=1)
    value = ch07.reference_training_step(a, SoftmaxCrossEntropy(), X, y, 0.3)
    assert value == Trainer(b, SoftmaxCrossEntropy(), X, y, lr=0.3).step(X, y)
    for (p, _), (q, _) in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_reference_momentum_steps_equal_trainer_with_momentum():
    rng = np.random.default_rng(3)
    a, b = mlp([4, 6, 3], "relu", seed=1), mlp([4, 6, 3], "relu", seed=1)
    velocities = [np.zeros_like(p) for p, _ in a.parameters()]
    X0, y0 = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    trainer = Trainer(b, SoftmaxCrossEntropy(), X0, y0, lr=0.3, momentum=0.9)
    for _ in range(5):
        X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
        value = ch07.reference_momentum_step(a, SoftmaxCrossEntropy(), X, y, 0.3, 0.9,
                                             velocities)
        assert value == trainer.step(X, y)
        for (p, _), (q, _) in zip(a.parameters(), b.parameters(), strict=True):
            np.testing.assert_array_equal(p, q)
    for v, w in zip(velocities, trainer.optimizer._velocity, strict=True):
        np.testing.assert_array_equal(v, w)


def test_momentum_cases_tell_momentum_from_plain_sgd():
    """Every case's steps differ from plain SGD's, the first case starts in the middle of a run
    (velocities built up, no gradients yet) and the second from zero velocities."""
    warm, cold = ch07.MOMENTUM_STEP.cases
    assert all(np.any(v != 0) for v in warm[-1]) and all(np.all(v == 0) for v in cold[-1])
    assert all(grad is None for case in (warm, cold) for _, grad in case[0].parameters())
    plain = ch07._variant(ch07._plain_sgd)
    for case in (warm, cold):
        right = ch07.MOMENTUM_STEP.reference(*copy.deepcopy(case))[0]
        wrong = plain(*copy.deepcopy(case))[0]
        assert right.shape == (ch07.MOMENTUM_STEPS, sum(p.size for p, _ in case[0].parameters()))
        assert not np.allclose(right[1:], wrong[1:], rtol=1e-3)


def _forward_backward(model, loss, X, y):
    value = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    return value


def _momentum(update, loss_after=False):
    """A learner's step whose update of one parameter is ``update(v, p, g, lr, mu)``."""
    def momentum_step(model, loss, X, y, lr, mu, velocities):
        value = _forward_backward(model, loss, X, y)
        for v, (p, g) in zip(velocities, model.parameters(), strict=True):
            update(v, p, g, lr, mu)
        return loss.forward(model.forward(X), y) if loss_after else value
    return momentum_step


def _right(v, p, g, lr, mu):
    v *= mu
    v += g
    p -= lr * v


def _plain(v, p, g, lr, mu):
    p -= lr * g


def _local_v(v, p, g, lr, mu):
    v = mu * v + g  # the learner's slip: a new array, the caller's list keeps the old one
    p -= lr * v


def _minus_g(v, p, g, lr, mu):
    v *= mu
    v -= g
    p -= lr * v


def _alpha_in_v(v, p, g, lr, mu):
    v *= mu
    v += lr * g
    p -= v


def _minus_alpha_in_v(v, p, g, lr, mu):       # CS231n's form
    v[...] = mu * v - lr * g
    p += v


def _w_first(v, p, g, lr, mu):
    p -= lr * v
    v *= mu
    v += g


def _p_rebound(v, p, g, lr, mu):
    v *= mu
    v += g
    p = p - lr * v  # noqa: F841 -- the learner's slip: the layer keeps its old array


def _new_zeros_each_call(model, loss, X, y, lr, mu, velocities):
    value = _forward_backward(model, loss, X, y)
    velocities = [np.zeros_like(p) for p, _ in model.parameters()]
    for v, (p, g) in zip(velocities, model.parameters(), strict=True):
        _right(v, p, g, lr, mu)
    return value


def _new_optimizer_each_call(model, loss, X, y, lr, mu, velocities):
    value = _forward_backward(model, loss, X, y)
    SGD(model, lr=lr, momentum=mu).step()
    return value


def _new_list(model, loss, X, y, lr, mu, velocities):
    value = _forward_backward(model, loss, X, y)
    velocities = [mu * v + g for v, (_, g) in zip(velocities, model.parameters(), strict=True)]
    for v, (p, _) in zip(velocities, model.parameters(), strict=True):
        p -= lr * v
    return value


PLAIN = "your parameters moved as plain SGD moves them"
REBOUND = "every step started again from the velocities it was given"


@pytest.mark.parametrize("fn, message", [
    (_momentum(_plain), PLAIN),
    (_new_zeros_each_call, PLAIN),
    (_new_optimizer_each_call, PLAIN),
    (_momentum(_local_v), REBOUND),
    (_new_list, REBOUND),
    (_momentum(_minus_g), "you subtracted the gradient in v (v ← μ v − ∂L/∂w)"),
    (_momentum(_alpha_in_v), "your v is the step itself, the other convention: "
                             "v ← μ v + α ∂L/∂w, w ← w − v"),
    (_momentum(_minus_alpha_in_v), "your v is minus the step, the other convention with both "
                                   "signs flipped"),
    (_momentum(_w_first), "you moved w with the old v and updated v afterwards"),
    (_momentum(_p_rebound), "no parameter changed — did you update in place"),
    (_momentum(_right, loss_after=True), "loss: return the loss computed before the update"),
])
def test_momentum_step_mistakes_are_named(fn, message):
    assert message in diagnosis(ch07.check_momentum_step, fn)


def test_the_other_convention_is_called_equivalent_for_a_constant_rate_only():
    message = diagnosis(ch07.check_momentum_step, _momentum(_alpha_in_v))
    assert "Equivalent for a constant α" in message
    assert "v ← μ v + ∂L/∂w, w ← w − α v" in message


def test_a_step_that_ignores_its_lr_and_mu_fails():
    def constants(model, loss, X, y, lr, mu, velocities):
        value = _forward_backward(model, loss, X, y)
        for v, (p, g) in zip(velocities, model.parameters(), strict=True):
            v *= 0.9
            v += g
            p -= 0.3 * v
        return value

    assert not ch07.check_momentum_step(constants).passed


def test_momentum_step_with_hard_coded_rates():
    def wrong(model, loss, X, y, lr, mu, velocities):
        return ch07.reference_momentum_step(model, loss, X, y, 0.3, 0.9, velocities)

    message = diagnosis(ch07.check_momentum_step, wrong)
    assert "`lr`" in message and "α once" not in message, message


def test_momentum_step_variants_that_are_right_pass():
    def assigns_items(model, loss, X, y, lr, mu, velocities):
        value = _forward_backward(model, loss, X, y)
        for i, (p, g) in enumerate(model.parameters()):
            velocities[i] = mu * velocities[i] + g
            p -= lr * velocities[i]
        return value

    def library_backward(model, loss, X, y, lr, mu, velocities):
        value = loss.forward(model.forward(X), y)
        backward_parameters_only(model, loss.backward())
        for v, (p, g) in zip(velocities, model.parameters(), strict=True):
            _right(v, p, g, lr, mu)
        return value

    for fn in (assigns_items, library_backward, _momentum(_right)):
        assert ch07.check_momentum_step(fn).status == "pass", fn


def _stores_the_gradient(v, p, g, lr, mu):
    p -= lr * (mu * v + g)
    v[...] = g


def _weights_only(v, p, g, lr, mu):
    if p.ndim == 2:
        _right(v, p, g, lr, mu)


def _lr_twice(v, p, g, lr, mu):
    v *= mu
    v += g
    p -= lr * lr * v


@pytest.mark.parametrize("fn, message", [
    (_momentum(_stores_the_gradient), "step 1 moved the parameters as it should, step 2 did "
                                      "not: what your function leaves in `velocities`"),
    (_momentum(_weights_only), "in the first step layers[0].b did not change"),
    (_momentum(_lr_twice), "in the first step layers[0].W moved 0.3 times as far"),
])
def test_momentum_step_other_mistakes_are_located(fn, message):
    assert message in diagnosis(ch07.check_momentum_step, fn)


def _float32_step(v, p, g, lr, mu):
    v *= mu
    v += g.astype(np.float32)
    p -= (lr * v).astype(np.float32)


def test_momentum_step_in_float32_is_almost_right():
    # the right step, rounded to float32: it used to be blamed on the velocities ("step 2
    # moved the parameters as it should, step 3 did not…")
    message = diagnosis(ch07.check_momentum_step, _momentum(_float32_step))
    assert message.startswith("parameters: almost right") and "float32" in message
    assert "velocities" not in message


def test_momentum_step_before_backward_is_explained():
    def no_backward(model, loss, X, y, lr, mu, velocities):
        value = loss.forward(model.forward(X), y)
        for v, (p, g) in zip(velocities, model.parameters(), strict=True):
            _right(v, p, g, lr, mu)
        return value

    result = ch07.check_momentum_step(no_backward)
    assert result.status == "error" and "TypeError" in result.message, result
    assert "a gradient is None: call model.backward(loss.backward())" in result.message


def test_momentum_step_other_type_errors_are_reported_as_they_are():
    def typo(model, loss, X, y, lr, mu, velocities):
        ch07.reference_momentum_step(model, loss, X, y, lr, mu, velocities)
        return len(lr)                            # TypeError with every gradient set

    result = ch07.check_momentum_step(typo)
    assert result.status == "error" and "has no len()" in result.message, result
    assert "gradient is None" not in result.message


def test_momentum_step_return_value_and_inputs():
    def returns_the_model(model, loss, X, y, lr, mu, velocities):
        ch07.reference_momentum_step(model, loss, X, y, lr, mu, velocities)
        return model

    def no_return(model, loss, X, y, lr, mu, velocities):
        ch07.reference_momentum_step(model, loss, X, y, lr, mu, velocities)

    def scales_X(model, loss, X, y, lr, mu, velocities):
        value = ch07.reference_momentum_step(model, loss, X, y, lr, mu, velocities)
        X *= 2
        return value

    def grows_the_list(model, loss, X, y, lr, mu, velocities):
        value = _forward_backward(model, loss, X, y)
        for v, (p, g) in zip(velocities, model.parameters()):  # noqa: B905 -- on purpose
            _right(v, p, g, lr, mu)
        velocities.append(np.zeros(1))
        return value

    message = diagnosis(ch07.check_momentum_step, returns_the_model)
    assert message.startswith("loss: return the loss value (a number")
    assert "Sequential" in message and "\n" not in message
    assert "forget `return`" in diagnosis(ch07.check_momentum_step, no_return)
    assert "changed its input arrays in place" in diagnosis(ch07.check_momentum_step, scales_X)
    message = diagnosis(ch07.check_momentum_step, grows_the_list)
    assert message.startswith("velocities: keep `velocities` the list it was"), message
    assert ch07.check_momentum_step(42).status == "fail"


# -- 2. a diverging learning rate -------------------------------------------------------------
def test_full_batch_losses_converge_then_diverge():
    small, large = ch07.full_batch_losses(0.5), ch07.full_batch_losses(2.0)
    assert len(small) == ch07.DIVERGE_STEPS + 1
    assert small[-1] < 0.2 * small[0] and large[-1] > 10 * large[0]


@pytest.mark.parametrize("value, status, message", [
    (2.0, "pass", "up to"),
    (1e6, "pass", "up to"),
    (..., "todo", "not yet"),
    (None, "todo", "not yet"),
    (0.5, "fail", "is still converging"),
    (np.array(2.0), "pass", "up to"),
    (np.float32(2.0), "pass", "up to"),
    (np.array(0.5), "fail", "still fell"),
    (np.array(True), "fail", "expected a number, got the truth value True"),
    (np.array([2.0, 3.0]), "fail", "expected a single number, got an array of shape (2,)"),
    (1e-4, "fail", "orders of magnitude"),
    (-3.0, "fail", "not a learning rate"),
    (0, "fail", "not a learning rate"),
    ("big", "fail", "expected a number, got the string 'big'"),
    (True, "fail", "expected a number, got the truth value True"),
    (float("nan"), "fail", "not a finite number"),
    # the rules of Exercise.check_number: a function returning the number, any real number
    (lambda: 2.0, "pass", "up to"),
    (Decimal("2.5"), "pass", "up to"),
    (Fraction(5, 2), "pass", "up to"),
    pytest.param(10**400, "fail", "α = inf is not a finite number", id="10**400"),
    (lambda: None, "fail", "did you forget `return`?"),
    (lambda: 1 / 0, "error", "raised ZeroDivisionError"),
])
def test_diverging_lr(value, status, message):
    result = ch07.check_diverging_lr(value)
    assert result.status == status and message in result.message, result


# -- 3. repair the initialisation -------------------------------------------------------------
def test_broken_init_really_does_not_learn():
    acc = ch07.train_digits(ch07.network_from_init(ch07.broken_init), epochs=3)
    assert acc < 0.2  # one class for everything: about 1 in 10


@pytest.mark.parametrize("init, message", [
    (ch07.broken_init, "every weight is zero"),
    # random biases do not break the symmetry of zero weights: it is still W that is wrong
    (lambda i, o, r: (np.zeros((i, o)), r.standard_normal(o) * 0.1), "every weight is zero"),
    (lambda i, o, r: (np.full((i, o), 0.1), np.zeros(o)), "symmetry"),
    (lambda i, o, r: (np.tile(r.standard_normal((i, 1)), (1, o)) * 0.2, np.zeros(o)),
     "symmetry"),
    (lambda i, o, r: (r.standard_normal((i, o)) * 1e-4, np.zeros(o)), "too small"),
    (lambda i, o, r: (r.standard_normal((o, i)) * 0.15, np.zeros(o)), "row convention"),
    (lambda i, o, r: (r.standard_normal((i, o)) * 0.15, np.zeros(i)), "expected W of shape"),
    (lambda i, o, r: r.standard_normal((i, o)) * 0.15, "pair (W, b)"),
    (lambda i, o, r: (r.standard_normal((i, o)) * 0.15, np.full(o, 5.0)), "biases are large"),
    (lambda i, o, r: None, "did you forget `return`?"),
    (lambda i, o, r: (r.random((i, o)), np.zeros(o)), "not centred on zero"),
    (lambda i, o, r: (r.random((i, o)) * np.sqrt(2 / (i + o)), np.zeros(o)),
     "not centred on zero"),
    (lambda i, o, r: (np.tile(r.standard_normal((1, o)), (i, 1)) * 0.3, np.zeros(o)),
     "all rows of W are equal"),
    (lambda i, o, r: {"W": r.standard_normal((i, o)) * 0.15, "b": np.zeros(o)},
     "got a dict with keys 'W', 'b'."),
])
def test_init_mistakes_are_named(init, message):
    assert message in diagnosis(ch07.check_init_weights, init)


def test_an_init_too_large_to_train_is_named_with_its_accuracy():
    message = diagnosis(ch07.check_init_weights,
                        lambda i, o, r: (r.standard_normal((i, o)), np.zeros(o)))
    assert "too large" in message and "test accuracy" in message, message


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


def _checkerboard(n_in, n_out, rng):
    i, j = np.indices((n_in, n_out))
    return 0.1 * (-1.0) ** (i + j), np.zeros(n_out)


def _mirrored(n_in, n_out, rng):
    col = rng.standard_normal((n_in, 1)) * np.sqrt(2 / (n_in + n_out))
    return np.hstack([col, -col] * (n_out // 2)), np.zeros(n_out)


def _linspace(n_in, n_out, rng):
    r = np.sqrt(6 / (n_in + n_out))
    sign = rng.choice([-1.0, 1.0])          # it uses rng, and is a pattern all the same
    return sign * np.linspace(-r, r, n_in * n_out).reshape(n_in, n_out), np.zeros(n_out)


def _last_column_the_sum_of_two(n_in, n_out, rng):
    W, b = ch07.reference_init_weights(n_in, n_out, rng)
    W[:, -1] = W[:, 0] + W[:, 1]            # random, but rank deficient by one
    return W, b


def _own_generator(n_in, n_out, rng):
    return ch07.reference_init_weights(n_in, n_out, np.random.default_rng(0))


@pytest.mark.parametrize("init, message", [
    # these used to pass ("random and well scaled") or to be called "reasonable" (21-43 %)
    (lambda i, o, r: (np.eye(i, o), np.zeros(o)), "W comes out the same for two generators "
     "seeded differently: draw it from the rng you are given"),
    (_own_generator, "W comes out the same for two generators seeded differently"),
    (lambda i, o, r: (r.standard_normal((i, o)) * 0.15 + 0j, np.zeros(o)),
     "W or b holds complex numbers"),
    (lambda i, o, r: (r.standard_normal((i, o)) * 0.15, np.zeros(o) + 0j),
     "W or b holds complex numbers"),
    (_checkerboard, "columns 0 and 1 of W are equal up to sign"),
    (_mirrored, "columns 0 and 1 of W are equal up to sign"),
    (_linspace, "W has a pattern, not random entries: its rank is 2, where random weights "
     "have 32"),
    (_last_column_the_sum_of_two, "layer 64→32: W has a pattern, not random entries: its rank "
     "is 31, where random weights have 32"),
])
def test_an_init_that_is_not_random_is_named(init, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no ComplexWarning either
        assert message in diagnosis(ch07.check_init_weights, init)


def _xavier_over_5(n_in, n_out, rng):
    W, b = ch07.reference_init_weights(n_in, n_out, rng)
    return W / 5, b


def _biases_of_2(n_in, n_out, rng):
    W, b = ch07.reference_init_weights(n_in, n_out, rng)
    return W, np.full(n_out, 2.0)


@pytest.mark.parametrize("init, message", [
    (_biases_of_2, "biases are large"),            # trains to about 82 %
    (_xavier_over_5, "the weights look reasonable, but"),   # about 68 %
])
def test_an_init_that_learns_too_little_fails(init, message):
    """Both pass the static checks and learn something, but not the 90 % the book asks for."""
    result = ch07.check_init_weights(init)
    assert result.status == "fail" and message in result.message, result


def test_init_accepts_a_list_and_random_biases_that_learn():
    """The exercise asks for a network that learns: (W, b) as a list passes, and so do biases
    drawn from N(0, 1) (94 % after 10 epochs), with a word on why zero is the usual start."""
    def as_list(n_in, n_out, rng):
        return list(ch07.reference_init_weights(n_in, n_out, rng))

    def random_biases(n_in, n_out, rng):
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2 / (n_in + n_out))
        return W, rng.standard_normal(n_out)

    assert ch07.check_init_weights(as_list).status == "pass"
    result = ch07.check_init_weights(random_biases)
    assert result.status == "pass" and "biases are not zero" in result.message, result


def test_momentum_step_called_wrongly_gets_no_hint_about_backward():
    def forgot_velocities(model, loss, X, y, lr, mu):     # one argument short
        return ch07.reference_momentum_step(model, loss, X, y, lr, mu, [])

    result = ch07.check_momentum_step(forgot_velocities)
    assert result.status == "error" and "positional argument" in result.message, result
    assert "a gradient is None" not in result.message


def test_an_init_without_rng_is_told_how_it_is_called():
    result = ch07.check_init_weights(lambda n_in, n_out: ch07.broken_init(n_in, n_out, None))
    assert result.status == "error" and result.message.endswith(
        "— the checker calls fn(n_in, n_out, rng): your function must take these parameters, "
        "in this order.")


def test_an_init_that_exits_is_reported_not_raised():
    def leaves(n_in, n_out, rng):
        raise SystemExit("bye")

    result = ch07.check_init_weights(leaves)
    assert result.status == "error" and "raised SystemExit: bye" in result.message, result
