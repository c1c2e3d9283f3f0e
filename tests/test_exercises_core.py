"""The exercise-checker core: passes, stubs, exceptions and generic diagnoses."""

import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from exercise_support import diagnosis

from backprop.exercises import Diagnosis, Exercise, Result, _core, generic_diagnosis
from backprop.layers import Layer

rng = np.random.default_rng(0)
CASES = [(rng.standard_normal((4, 3)), rng.standard_normal((4, 2))) for _ in range(3)]


def reference(X, dY):
    return X.T @ dY


@pytest.fixture
def exercise():
    return Exercise(
        "dW", reference, CASES,
        diagnoses=[Diagnosis("you computed dYᵀ X: swap the factors", lambda X, dY: dY.T @ X)],
    )


def stub(X, dY):
    raise NotImplementedError


def test_reference_passes(exercise):
    result = exercise.check(reference)
    assert result.passed and result.status == "pass" and "3 test cases" in result.message


def test_stub_is_not_yet_implemented(exercise):
    result = exercise.check(stub)
    assert result.status == "todo" and not result
    assert "not yet implemented" in str(result)


def test_exception_is_reported_not_raised(exercise):
    result = exercise.check(lambda X, dY: X @ dY)
    assert result.status == "error" and "ValueError" in result.message


def test_a_function_with_other_parameters_is_told_how_it_is_called(exercise):
    result = exercise.check(lambda X: X.T)
    assert result.status == "error"
    assert "takes 1 positional argument but 2 were given" in result.message
    assert result.message.endswith("given — the checker calls fn(X, dY): your function must "
                                   "take these parameters, in this order.")
    number = Exercise("lr", lambda: 2.5, [()]).check_number(lambda alpha: alpha)
    assert number.message.endswith("the checker calls fn(): your function must take no "
                                   "parameters.")


def test_a_type_error_inside_the_function_gets_no_call_hint(exercise):
    def helper(a):
        return a

    for answer in (lambda X, dY: helper(X, dY), lambda X, dY: len(X.shape[0])):
        result = exercise.check(answer)
        assert result.status == "error" and "TypeError" in result.message
        assert "the checker calls" not in result.message


def test_a_type_error_naming_the_function_from_inside_it_gets_no_call_hint(exercise):
    # the TypeError names the learner's own function, yet its call from the checker went in:
    # the wrong call is the learner's recursive one, not the checker's
    def grad(X, dY):
        if X.ndim == 2:
            return grad(X[0])           # grad() missing 1 required positional argument: 'dY'
        return X

    result = exercise.check(grad)
    assert result.status == "error" and "grad() missing 1 required positional" in result.message
    assert "the checker calls" not in result.message


def test_exit_is_reported_not_raised(exercise):
    def leaves(X, dY):
        raise SystemExit
    result = exercise.check(leaves)
    assert result.status == "error"
    assert result.message == ("your function raised SystemExit — exit() or sys.exit() ends the "
                              "program; return your answer instead.")


def test_text_for_a_number_asks_for_the_number():
    assert "return the number itself" in generic_diagnosis("0.5", 0.5)


def test_named_diagnosis_wins_over_generic(exercise):
    assert exercise.check(lambda X, dY: dY.T @ X).message == "you computed dYᵀ X: swap the factors"


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda X, dY: -(X.T @ dY), "sign is wrong"),
        (lambda X, dY: 2 * (X.T @ dY), "your result is 2 times"),
        (lambda X, dY: (X.T @ dY) / 4, "1/4 times"),
        (lambda X, dY: np.einsum("ni,nj->nij", X, dY), "sum over the batch"),
        (lambda X, dY: (X.T @ dY).ravel(), "wrong shape"),
        (lambda X, dY: None, "forget `return`"),
        (lambda X, dY: "dW", "expected an array, got the string 'dW': return the array itself"),
        (lambda X, dY: X.T @ dY + np.nan, "NaN"),
    ],
)
def test_generic_diagnoses(exercise, answer, fragment):
    message = diagnosis(exercise.check, answer)
    assert fragment in message, message


def test_the_argument_changed_in_place_is_named(exercise):
    def changes_dY(X, dY):
        out = X.T @ dY
        dY[0] = 0
        return out

    def changes_both(X, dY):
        out = X.T @ dY
        X *= 0
        dY += 1
        return out

    assert exercise.check(changes_dY).message == (
        "the result is right, but your function changed its input arrays in place: `dY` "
        "(argument 2) was changed (the array itself, or an array or a number inside the list or "
        "the object); work on new arrays (or a copy of the list) instead.")
    assert "`X` (argument 1) and `dY` (argument 2) were changed" in exercise.check(
        changes_both).message


def test_tuple_outputs_name_the_wrong_one():
    ex = Exercise("linear", lambda X, dY: (X.T @ dY, dY.sum(axis=0)), CASES,
                  outputs=("dW", "db"),
                  diagnoses=[Diagnosis("sum over axis 0 (the batch)",
                                       lambda X, dY: dY.sum(axis=1), output="db")])
    assert ex.check(lambda X, dY: (X.T @ dY, dY.sum(axis=0))).passed
    wrong = ex.check(lambda X, dY: (X.T @ dY, dY.sum(axis=1)))
    assert wrong.message == "db: sum over axis 0 (the batch)"
    assert "tuple of 2 values" in ex.check(lambda X, dY: X.T @ dY).message


def test_tuple_outputs_accept_a_list_and_name_a_swapped_order():
    ex = Exercise("linear", lambda X, dY: (X.T @ dY, dY.sum(axis=0)), CASES,
                  outputs=("dW", "db"))
    assert ex.check(lambda X, dY: [X.T @ dY, dY.sum(axis=0)]).passed
    swapped = ex.check(lambda X, dY: (dY.sum(axis=0), X.T @ dY))
    assert swapped.message == ("dW: this is the value of db: return the values in the order "
                               "(dW, db).")
    forgot = ex.check(lambda X, dY: None)
    assert "got None (did you forget `return`?)" in forgot.message


def test_result_renders_in_notebooks():
    result = Result("fail", "a < b & c", "ex")
    assert "&lt;" in result._repr_html_() and str(result).startswith("✗ ex:")
    # code in backticks is set as code in the notebook, and stays as typed in plain text
    todo = Result("todo", "replace `...` by your number, a `<` b", "ex")
    code = r"<code[^>]*>{}</code>"
    assert re.search(f"replace {code.format(r'[.]{3}')} by your number, a {code.format('&lt;')} b",
                     todo._repr_html_())
    assert "`...`" in str(todo)


def test_a_single_number_names_only_a_telling_factor():
    # 0.5 vs 0.25: a forgotten ½ is worth naming; 0.731 vs 0.25 is not "2.924 times" anything
    assert "is 2 times" in generic_diagnosis(0.5, 0.25)
    assert "1/4 times" in generic_diagnosis(np.array(0.25), 1.0)
    message = generic_diagnosis(0.731, 0.25)
    assert "factor" not in message and "expected 0.25, got 0.731" in message
    # arrays: a common ratio is telling even when it is not a whole number
    assert "3/2 times" in generic_diagnosis(np.array([1.5, 3.0]), np.array([1.0, 2.0]))


def test_a_diagnosis_impossible_for_a_case_is_skipped_not_raised():
    # the known mistake "W @ dY" cannot be computed for a non-square case; an answer that is
    # right on the square first case and wrong on the next must get a message, not a crash
    square, tall = (np.eye(3), np.ones((3, 2))), (np.ones((4, 3)), np.ones((4, 2)))
    exercise = Exercise("dW", reference, [square, tall],
                        diagnoses=[Diagnosis("W for Wᵀ", lambda X, dY: X @ dY)])
    result = exercise.check(lambda X, dY: X.T @ dY if len(X) == 3 else np.zeros((3, 2)))
    assert result.status == "fail" and "values differ" in result.message


def test_a_number_answer_is_not_given_away():
    exercise = Exercise("lr", lambda: 2.6087, [()], rtol=1e-3, reveal=False)
    assert exercise.check_number(2.6087).passed
    assert exercise.check_number(lambda: 2.6087).passed
    for value in (..., None):
        todo = exercise.check_number(value)
        assert todo.status == "todo" and "replace `...` by your number" in todo.message
    low, high = exercise.check_number(2.28), exercise.check_number(3.1)
    assert low.message == "2.28 is too small" and high.message == "3.1 is too large"
    assert "2.6" not in low.message + high.message
    # a factor would give the answer away too: three times it is only too large
    assert exercise.check_number(3 * 2.6087).message == f"{3 * 2.6087:.6g} is too large"
    single = exercise.check_number([2.6])
    assert single.status == "fail" and "expected a single number" in single.message


def test_a_factor_whose_inverse_overflows_is_no_factor():
    # 1e-310 is a denormal: 1/1e-310 is inf, and round(inf) used to raise OverflowError
    exercise = Exercise("lr", lambda: 2.6087, [()], rtol=1e-3, reveal=False)
    assert exercise.check_number(1e-310).message == "1e-310 is too small"
    assert exercise.check_number(-1e-310).message == "-1e-310 is too small"
    # a ratio that overflows to inf is no factor either
    message = generic_diagnosis(np.array([1e300, 2e300]), np.array([1e-11, 2e-11]))
    assert "factor" not in message and message.startswith("the values differ")


def test_a_negative_factor_of_one_number_is_no_normalisation():
    # -1/3 between two single numbers is a coincidence, not a forgotten 2 or 1/n
    assert "factor" not in generic_diagnosis(-1.0, 3.0)


def test_a_negative_factor_of_an_array_is_named_with_a_minus_sign():
    message = generic_diagnosis(np.array([-1.0, -2.0]), np.array([3.0, 6.0]))
    assert "−1/3 times" in message and "-1/3" not in message, message


# -- a diagnosis must name the mistake actually made ---------------------------------------------
def test_a_diagnosis_whose_wrong_answer_is_all_zeros_names_nothing():
    # on this case the known mistake gives zeros, as does any answer of zeros: no evidence
    case = [(np.array([1.0, 2.0]), np.array([0.0, 0.0]))]
    zeros = Diagnosis("you multiplied by y", lambda x, y: x * y)
    ex = Exercise("sum", lambda x, y: x + y, case, diagnoses=[zeros])
    message = ex.check(lambda x, y: np.zeros_like(x)).message
    assert "multiplied" not in message and "values differ" in message
    # unless the mistake is what makes an answer zero (a step that changes nothing)
    evidence = Diagnosis("nothing changed", lambda x, y: x * y, zeros_are_evidence=True)
    ex = Exercise("sum", lambda x, y: x + y, case, diagnoses=[evidence])
    assert ex.check(lambda x, y: np.zeros_like(x)).message == "nothing changed"


def test_a_factor_that_is_no_normalisation_is_not_called_one():
    want = np.array([1.0, -2.0, 0.5])
    message = generic_diagnosis(0.0898 * want, want)
    assert "0.0898 times" in message and "normalisation: a factor 2" not in message
    assert "no normalisation" in message
    assert "normalisation" in generic_diagnosis(2 * want, want)


def test_a_ratio_of_small_whole_numbers_may_be_a_normalisation():
    # 4/3 is n/C for n = 4 samples and C = 3 classes: it used to be called "no normalisation"
    want = np.array([1.0, -2.0, 0.5])
    message = generic_diagnosis(4 / 3 * want, want)
    assert message == ("off by a constant factor: every entry is 4/3 times the right one, a "
                       "ratio of whole numbers: a normalisation by the wrong count? (Dividing "
                       "by 3 where 4 belongs gives it.)")
    assert "6/5 times" in generic_diagnosis(6 / 5 * want, want)
    assert "no normalisation" in generic_diagnosis(40 / 7 * want, want)
    # a single number is no evidence of a ratio
    assert "factor" not in generic_diagnosis(4 / 3 * 0.25, 0.25)


def test_tiny_errors_everywhere_are_called_almost_right():
    want = np.linspace(-3.0, 3.0, 12).reshape(3, 4) + 0.01
    message = generic_diagnosis(want.astype(np.float32) + 1e-7, want)
    assert message.startswith("almost right") and "float32" in message
    assert generic_diagnosis(want + 0.1, want).startswith("the values differ")
    # a few per cent off on one small entry is a wrong value, however large the others are
    got = want.copy()
    got[0, 0] *= 1.02
    assert generic_diagnosis(got, want).startswith("the values differ")


def test_an_error_of_half_a_per_cent_is_not_almost_right():
    # 0.5 % off in every entry, up and down in turn (so no common factor), is a wrong value
    want = np.linspace(-3.0, 3.0, 12).reshape(3, 4) + 0.01
    got = want * (1 + 0.005 * np.array([1.0, -1.0] * 6).reshape(3, 4))
    assert not _core.almost_equal(got, want)
    assert generic_diagnosis(got, want).startswith("the values differ")


def test_ratios_that_differ_by_half_a_per_cent_are_no_constant_factor():
    want = np.array([1.0, -2.0, 0.5])
    got = want * np.array([2.0, 2.01, 2.0])
    assert _core.constant_factor(got, want) is None
    assert "factor" not in generic_diagnosis(got, want)
    assert _core.constant_factor(2 * want, want) == 2.0


def test_a_missing_mean_over_a_batch_of_50_is_called_a_normalisation():
    batch = np.random.default_rng(1)
    cases = [(batch.standard_normal((50, 3)), batch.standard_normal((50, 2)))]
    mean_grad = Exercise("dW", lambda X, dY: X.T @ dY / len(X), cases)
    result = mean_grad.check(lambda X, dY: X.T @ dY)  # forgot the 1/n, n = 50
    assert result.status == "fail"
    assert "your result is 50 times the right one (check the normalisation" in result.message
    assert "1/50 times" in generic_diagnosis(np.array([1.0, -2.0]) / 50, np.array([1.0, -2.0]))


def test_a_list_of_arrays_is_not_blamed_on_a_missing_sum():
    want = np.ones((3, 2))
    message = generic_diagnosis([want, want, want], want)
    assert "list of 3 arrays of shape (3, 2)" in message and "sum" not in message
    assert "extra leading axis of length 4" in generic_diagnosis(np.ones((4, 3, 2)), want)


def test_a_square_transposed_result_is_named():
    want = np.arange(9.0).reshape(3, 3)
    assert "transpose of the right one" in generic_diagnosis(want.T, want)
    assert "transpose" not in generic_diagnosis(want.T + 1, want)


def test_a_transposed_result_does_not_blame_a_matrix_product():
    want = np.arange(8.0).reshape(4, 2)
    message = generic_diagnosis(want.T, want)
    assert "transpose of the right answer, of shape (4, 2)" in message
    assert "matrix product" not in message


def test_any_real_number_is_a_number_and_a_truth_value_is_none():
    exercise = Exercise("lr", lambda: 2.5, [()], rtol=1e-3, reveal=False)
    for value in (Decimal("2.5"), Fraction(5, 2), np.float32(2.5), np.array(2.5), lambda: 2.5):
        assert exercise.check_number(value).passed, value
    for value in (True, np.array(True), lambda: True):
        assert exercise.check_number(value).message == ("expected a number, got the truth "
                                                        "value True")
    # an integer too large for a float is infinite, not an OverflowError
    assert "NaN or inf" in exercise.check_number(10**400).message
    assert "NaN or inf" in exercise.check_number(lambda: -(10**400)).message


def test_text_and_complex_numbers_are_not_numbers():
    exercise = Exercise("lr", lambda: 2.6087, [()], rtol=1e-3, reveal=False)
    text = exercise.check_number("2.6087")
    assert text.status == "fail" and "not text" in text.message
    assert exercise.check(lambda: ["2.6087"]).status == "fail"
    assert "complex" in exercise.check_number(2.6087 + 0j).message


def test_descriptions_are_one_line_and_grammatical():
    ex = Exercise("linear", lambda X, dY: (X.T @ dY, dY.sum(axis=0)), CASES,
                  outputs=("dW", "db"))
    assert "got a tuple of 1 value" in ex.check(lambda X, dY: (X.T @ dY,)).message
    long = {"W": np.zeros((40, 40)), "b": np.zeros(40)}
    message = ex.check(lambda X, dY: long).message
    assert "a dict with keys 'W', 'b'" in message and "\n" not in message


class Net:
    """An object holding arrays (its weights) and a cache that a method fills."""

    def __init__(self):
        self.W = [np.ones((4, 2))]
        self.cache = []


def test_arrays_inside_lists_and_objects_are_inputs_too():
    ex = Exercise("dW", lambda X, dY, params, net: X.T @ dY,
                  [(*CASES[0], [(np.ones(2), np.zeros(2))], Net())])

    def zeroes_a_parameter(X, dY, params, net):
        params[0][0][:] = 0
        return X.T @ dY

    def updates_the_weights(X, dY, params, net):
        net.W[0] -= 0.1
        return X.T @ dY

    def fills_the_cache(X, dY, params, net):
        net.cache = [X]
        return X.T @ dY

    for changes in (zeroes_a_parameter, updates_the_weights):
        assert "in place" in ex.check(changes).message
    assert ex.check(fills_the_cache).passed


def helper(X, dY):
    raise NotImplementedError


def test_a_stub_called_by_a_finished_function_is_named(exercise):
    def finished(X, dY):
        return helper(X, dY) + 0.0

    todo = exercise.check(finished)
    assert todo.status == "todo" and "your function calls `helper`" in todo.message
    # the usual stub: the function itself raises
    assert "fill in the function above" in exercise.check(stub).message
    assert "fill in the function above" in exercise.check(helper).message


def test_a_not_implemented_error_inside_the_library_is_an_error(exercise):
    def uses_a_bare_layer(X, dY):             # Layer is abstract: its _forward is not there
        return Layer().forward(X)

    result = exercise.check(uses_a_bare_layer)
    assert result.status == "error" and "NotImplementedError in `_forward`" in result.message


def test_a_uniform_error_of_a_few_parts_in_a_hundred_thousand_is_almost_right():
    want = np.array([[1.0, -2.0], [0.5, 3.0]])
    message = generic_diagnosis(want * 1.00005, want)
    assert message.startswith("almost right") and "times" not in message


def test_a_factor_close_to_one_is_printed_with_the_digits_that_show_it():
    from backprop.exercises._core import factor_text
    assert factor_text(1.0005) == "1.0005" and factor_text(0.25) == "1/4"


def test_an_exact_number_too_large_for_a_float_reads_as_infinite_like_a_huge_int():
    assert _core.as_array(Fraction(10**400)) == np.inf
    assert _core.as_array(-(10**400)) == -np.inf


@pytest.mark.parametrize("text", [np.array("2.5", dtype=object),
                                  np.array([1.0, "2"], dtype=object)])
def test_text_inside_an_object_array_is_not_read_as_a_number(text):
    assert _core.as_array(text) is None
