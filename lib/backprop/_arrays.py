"""Small checks shared by the layers and the losses for the arrays they are given."""

from __future__ import annotations

from numbers import Real

import numpy as np

Array = np.ndarray


def shape_text(shape: tuple[int, ...]) -> str:
    """``(5, 4)``, ``(3,)``: a shape as Python prints a tuple of ints."""
    return str(tuple(int(s) for s in shape))


def numbers_from_objects(where: str, what: str, arr: Array) -> Array:
    """A float64 copy of an object array that holds only real numbers (a mixed table, say),
    else a ``TypeError`` naming ``where`` and ``what`` (NumPy would turn ``None`` into NaN)."""
    for value in arr.flat:                # an unusual input: a loop over it costs nothing
        if not isinstance(value, Real):
            raise TypeError(f"{where}: {what} must hold real numbers, but it holds {value!r} "
                            "(dtype object)")
    return arr.astype(np.float64)
