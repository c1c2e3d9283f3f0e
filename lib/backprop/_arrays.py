"""Small checks shared by the library's modules for the arrays and counts they are given."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

Array = np.ndarray


def positive_whole(value: object) -> bool:
    """True for an integer ≥ 1 (Python's or NumPy's), not for 4.0 or ``True``."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


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


def table(where: str, what: str, value: object) -> Array:
    """``np.asarray(value)``, with an error naming ``where`` and ``what`` for ``None`` and for
    ragged rows."""
    if value is None:
        raise TypeError(f"{where}: {what} is None; pass an array (did a function above return "
                        "nothing?)")
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(f"{where}: {what} must be a rectangular table of numbers (rows of one "
                         "length), but its rows have different lengths") from None


def float_array(where: str, what: str, value: object) -> Array:
    """``value`` as a float64 array (a float array's own dtype is kept), refusing what NumPy
    would quietly turn into NaN or numbers: ``None``, ragged rows, strings, objects."""
    arr = table(where, what, value)
    if arr.dtype.kind == "O":
        return numbers_from_objects(where, what, arr)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {what} must hold real numbers (float, int or bool), got "
                        f"dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def check_seed(where: str, seed: object) -> int | None:
    """``seed`` itself when ``np.random.default_rng`` takes it as a seed (``None`` or a whole
    number ≥ 0), else an error naming ``where``: ``TypeError`` for what is not a whole number,
    ``ValueError`` for a negative one."""
    whole = isinstance(seed, Integral) and not isinstance(seed, bool)
    if seed is None or (whole and seed >= 0):
        return seed
    error = ValueError if whole else TypeError
    raise error(f"{where}: seed must be a whole number ≥ 0 or None, got {seed!r}")


def check_rows(where: str, X: Array) -> None:
    """A ``ValueError`` naming ``where`` when the batch ``X : (n, …)`` has no rows (``n = 0``)."""
    if X.ndim and len(X) == 0:
        raise ValueError(f"{where}: X has no rows (an empty batch), shape {shape_text(X.shape)}; "
                         "pass at least one sample (did a slice or a filter select nothing?)")
