"""Timing a piece of code as the chapters do: the fastest of several runs."""

from __future__ import annotations

import timeit
from collections.abc import Callable

from backprop._arrays import positive_whole


def best_time(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Seconds per call of ``fn()``: the fastest of ``repeat`` runs of ``number`` calls each.

    Other programs only ever slow a run down, so the fastest run is the one they disturbed
    least; a mean would measure the machine's load along with the code.
    """
    for name, count in (("repeat", repeat), ("number", number)):
        if not positive_whole(count):
            raise ValueError(f"best_time: {name} must be a positive integer, got {count!r}")
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number
