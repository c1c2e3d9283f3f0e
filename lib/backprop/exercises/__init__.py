"""Checkers for the chapters' exercises: one module per chapter, a shared core.

Usage in a notebook::

    from backprop.exercises import ch05
    ch05.check_linear_backward(linear_backward)   # prints ✓ / ✗ with a diagnosis
"""

from backprop.exercises._core import Diagnosis, Exercise, Result, generic_diagnosis

__all__ = ["Diagnosis", "Exercise", "Result", "generic_diagnosis"]
