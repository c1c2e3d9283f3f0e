"""The state comparison every explorer test relies on must find what differs."""

import math

import pytest
from explorer_harness import assert_same_state, state_mismatches

EXPECTED = {"loss": 0.5, "sizes": [2, 3], "label": "w₁", "on": True,
            "a": [[1.0, -2.0], [3.0, 1e-3]]}


def test_equal_states_match_and_json_ints_equal_floats():
    shown = {**EXPECTED, "sizes": [2.0, 3.0], "a": [[1, -2], [3, 1e-3 * (1 + 1e-12)]]}
    assert state_mismatches(shown, EXPECTED) == []
    assert_same_state(shown, EXPECTED)


@pytest.mark.parametrize("change, where", [
    ({"loss": 0.5 * (1 + 1e-8)}, "state.loss"),
    ({"a": [[1.0, -2.0], [3.0, 1.1e-3]]}, "state.a[1][1]"),
    ({"a": [[1.0, -2.0]]}, "state.a"),
    ({"label": "w₂"}, "state.label"),
    ({"on": False}, "state.on"),
    ({"sizes": None}, "state.sizes"),
])
def test_each_difference_is_named(change, where):
    wrong = state_mismatches({**EXPECTED, **change}, EXPECTED)
    assert len(wrong) == 1 and wrong[0].startswith(where + ":"), wrong
    with pytest.raises(AssertionError, match=where.replace("[", r"\[")):
        assert_same_state({**EXPECTED, **change}, EXPECTED)


def test_missing_key_and_tolerances():
    assert "keys" in state_mismatches({"loss": 0.5}, {"loss": 0.5, "x": 1})[0]
    assert state_mismatches(0.0, 1e-13, atol=1e-12) == []
    assert state_mismatches(0.0, 1e-13) != []                        # atol 0 by default
    per_place = lambda path: (1e-3, 0) if path.endswith("loss") else (0, 0)  # noqa: E731
    assert state_mismatches({"loss": 1.0005, "w": 2.0}, {"loss": 1.0, "w": 2.0},
                            tol=per_place) == []


def test_json_null_stands_for_a_non_finite_number_only_when_asked():
    assert state_mismatches(None, math.nan) != []
    assert state_mismatches(None, math.inf, null_for_nonfinite=True) == []
    assert state_mismatches(None, 1.0, null_for_nonfinite=True) != []
