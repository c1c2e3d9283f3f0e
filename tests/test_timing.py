"""backprop.timing.best_time: calls, units and arguments."""

import time

import pytest

from backprop.timing import best_time


def test_calls_the_function_repeat_times_number_times():
    calls = []
    best_time(lambda: calls.append(1), repeat=3, number=4)
    assert len(calls) == 12


def test_returns_seconds_per_call_of_the_fastest_run():
    # runs of 2 calls that sleep 40, 10 and 20 ms each: the fastest run is 10 ms a call
    pauses = iter([0.04, 0.04, 0.01, 0.01, 0.02, 0.02])
    seconds = best_time(lambda: time.sleep(next(pauses)), repeat=3, number=2)
    assert 0.01 <= seconds < 0.02


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"number": -1}, {"number": 2.5},
                                    {"repeat": True}])
def test_refuses_counts_that_are_not_positive_integers(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        best_time(lambda: None, **kwargs)
