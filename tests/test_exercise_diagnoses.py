"""Rules the checker core applies to every exercise, tested through real checkers: float32
answers, exceptions and results whose ``__str__`` or ``__repr__`` raises, numbers changed inside
a list argument. Each chapter's particular diagnoses are in its test_exercises_chNN.py."""

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.activations import sigmoid
from backprop.exercises import Exercise, _core, ch01, ch02, ch03, ch04, ch05, ch06


# -- float32: one rule for every checker ---------------------------------------------------------
# The right computation done in float32 passes every checker of arrays (two rightly fail, see
# the test). Most checkers' own tolerance already accepts float32 rounding; only dense_forward,
# weight_grad, delta_step, output_delta, linear_backward, relu_net_grads, sigmoid_layer,
# sigmoid_mse_delta and softmax_mse_grad need the float32 rule (_core.FLOAT32_RTOL) to pass it,
# and the wrong answer below is what keeps that rule tight. Left out: ch04's backward and
# chapter 7's momentum_step, whose arguments include a network of float64 parameters: casting
# the other arguments to float32 gives no float32 computation.
def _f32(x):
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.astype(np.float32)
    if isinstance(x, float):
        return np.float32(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_f32(v) for v in x)
    return x


def _holds_float(x):
    """Whether ``_f32`` has something to convert (batch_shapes takes whole numbers only)."""
    if isinstance(x, (list, tuple)):
        return any(_holds_float(v) for v in x)
    return isinstance(x, float) or (isinstance(x, np.ndarray) and x.dtype.kind == "f")


_FLOAT32_EXERCISES = [
    getattr(mod, name) for mod in (ch01, ch02, ch03, ch04, ch05, ch06) for name in dir(mod)
    if isinstance(getattr(mod, name), Exercise) and getattr(mod, name).cases
    and getattr(mod, name).cases[0] and getattr(mod, name).name != "backward"
    and _holds_float(getattr(mod, name).cases[0])]


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


def test_a_float32_answer_just_outside_the_rule_fails():
    # every entry 5e-5 too large: 2.5 times FLOAT32_RTOL = 2e-5, far more than float32
    # rounding (about 1e-7 per operation) explains; a rule loose enough to accept it would
    # accept wrong answers (a fixed number, so that loosening FLOAT32_RTOL fails here)
    def off(z, upstream):
        s = sigmoid(np.float32(z))
        return (s * (1 - s) * upstream * np.float32(1 + 5e-5)).astype(np.float32)

    message = diagnosis(ch02.check_sigmoid_gate, off)
    assert message.startswith("almost right") and "float32" in message, message


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
