"""backprop.timing.best_time: calls, units and arguments."""

import timeit

import numpy as np
import pytest

from backprop.timing import best_time


def test_calls_the_function_repeat_times_number_times():
    calls = []
    best_time(lambda: calls.append(1), repeat=3, number=4)
    assert len(calls) == 12


def test_returns_seconds_per_call_of_the_fastest_run(monkeypatch):
    # three runs of 2 calls that took 80, 20 and 40 ms: the fastest run is 10 ms a call
    monkeypatch.setattr(timeit, "repeat", lambda fn, repeat, number: [0.08, 0.02, 0.04])
    assert best_time(lambda: None, repeat=3, number=2) == pytest.approx(0.01)


def test_accepts_numpy_integers():
    assert best_time(lambda: None, repeat=np.int64(2), number=np.int64(3)) >= 0


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"number": -1}, {"number": 2.5},
                                    {"repeat": True}])
def test_refuses_counts_that_are_not_positive_integers(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        best_time(lambda: None, **kwargs)
