"""The core of the exercise checkers: run the learner's code safely, compare, diagnose.

A checker calls the learner's function on several cases and compares each result with the
reference solution. When they differ it looks for the *reason*: a known wrong answer of the
exercise (a :class:`Diagnosis`, e.g. "forgot the factor f'(z)") or a generic one (transposed
result, wrong shape, wrong sign, a constant factor such as 2 or 1/n, NaN). The result is a
:class:`Result` that prints one friendly sentence in a notebook and never raises.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RTOL, ATOL = 1e-6, 1e-9

#: plain text symbols (no emoji font needed): tick, cross, pencil, warning sign
_ICONS = {"pass": "✓", "fail": "✗", "todo": "✎", "error": "⚠"}
_COLOURS = {"pass": "#1a7f37", "fail": "#a40e26", "todo": "#57606a", "error": "#9a6700"}


@dataclass(frozen=True)
class Result:
    """The outcome of a check: ``status`` is ``"pass"``, ``"fail"``, ``"todo"`` or ``"error"``."""

    status: str
    message: str
    exercise: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = f"{self.exercise}: " if self.exercise else ""
        return f"{_ICONS[self.status]} {head}{self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = f"<b>{html.escape(self.exercise)}</b>: " if self.exercise else ""
        message = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))
        return (f'<div style="color:{_COLOURS[self.status]};font-family:system-ui,sans-serif">'
                f"{_ICONS[self.status]} {head}{message}</div>")


@dataclass(frozen=True)
class Diagnosis:
    """A typical wrong answer: ``wrong(*args)`` computes it; ``message`` explains it.

    ``output`` names the returned value it concerns when the function returns several
    (e.g. ``"db"``); ``None`` when the function returns a single value.
    """

    message: str
    wrong: Callable[..., Any]
    output: str | None = None


@dataclass
class Exercise:
    """An exercise: a reference solution, test cases and the known wrong answers.

    ``cases`` is a sequence of argument tuples; ``outputs`` names the returned values when
    the function returns a tuple (``("dX", "dW", "db")``), else ``None``. ``reveal``: whether
    a message may quote the expected value; ``False`` where the answer is one number (an
    exercise checked with :meth:`check_number`), which the message would give away.
    """

    name: str
    reference: Callable[..., Any]
    cases: Sequence[tuple]
    outputs: tuple[str, ...] | None = None
    diagnoses: Sequence[Diagnosis] = field(default_factory=tuple)
    rtol: float = RTOL
    atol: float = ATOL
    reveal: bool = True

    def check(self, learner: Callable[..., Any]) -> Result:
        """Run ``learner`` on every case; return the first problem found, or a pass."""
        if not callable(learner):
            return Result("fail", f"expected a function, got {type(learner).__name__}",
                          self.name)
        for case in self.cases:
            expected = self.reference(*copy.deepcopy(case))
            args = copy.deepcopy(case)
            try:
                actual = learner(*args)
            except NotImplementedError:
                return Result("todo", "not yet implemented — fill in the function above and "
                              "run this cell again.", self.name)
            except Exception as exc:  # the learner's bug, reported, never raised
                return Result("error", f"your function raised {type(exc).__name__}: {exc}"
                              + _hint(exc), self.name)
            problem = self._first_problem(actual, expected, case)
            if problem:
                return Result("fail", problem, self.name)
            if not all(_same_inputs(a, b) for a, b in zip(args, case, strict=True)):
                return Result("fail", "the result is right, but your function changed its "
                              "input arrays in place; work on new arrays instead.", self.name)
        n = len(self.cases)
        return Result("pass", f"correct on all {n} test cases." if n > 1 else "correct.",
                      self.name)

    def check_number(self, value: Any) -> Result:
        """Check an answer that is one number (the reference takes no arguments): ``value``
        is the number, or a function returning it; ``...`` or ``None`` while not answered."""
        if value is None or value is Ellipsis:
            return Result("todo", "not yet implemented — replace `...` by your number and run "
                          "this cell again.", self.name)
        return self.check(value if callable(value) else lambda: value)

    def _first_problem(self, actual: Any, expected: Any, case: tuple) -> str | None:
        if self.outputs is None:
            pairs = [(None, actual, expected)]
        else:
            if not isinstance(actual, (tuple, list)) or len(actual) != len(self.outputs):
                return (f"return a tuple of {len(self.outputs)} values "
                        f"({', '.join(self.outputs)}), got {describe(actual)}")
            pairs = list(zip(self.outputs, actual, expected, strict=True))
        for name, got, want in pairs:
            if _close(got, want, self.rtol, self.atol):
                continue
            label = f"{name}: " if name else ""
            for diag in self.diagnoses:
                if diag.output == name and _close(got, _wrong_output(diag, case, self.outputs),
                                                  self.rtol, self.atol):
                    return label + diag.message
            swapped = [other for other, _, value in pairs
                       if other != name and _close(got, value, self.rtol, self.atol)]
            if swapped:
                return (f"{label}this is the value of {swapped[0]}: return the values in the "
                        f"order ({', '.join(self.outputs)}).")
            return label + generic_diagnosis(got, want, reveal=self.reveal)
        return None


def _wrong_output(diag: Diagnosis, case: tuple, outputs: tuple[str, ...] | None) -> Any:
    """The output ``diag.output`` of the wrong answer on ``case``, or ``None`` when that wrong
    answer cannot be computed for this case (``W`` for ``Wᵀ`` fails on a non-square ``W``).

    A wrong answer may return all outputs or just the one it concerns.
    """
    try:
        value = diag.wrong(*copy.deepcopy(case))
    except Exception:  # that mistake is not possible here, so it is not the learner's
        return None
    if outputs is not None and isinstance(value, tuple) and len(value) == len(outputs):
        return value[outputs.index(diag.output)]
    return value


def _hint(exc: Exception) -> str:
    """What an exception usually means in a learner's answer ("" when nothing useful)."""
    if isinstance(exc, TypeError) and "converted to Python scalars" in str(exc):
        return (" — a function of the math module (math.exp, math.tanh, …) takes one number; "
                "NumPy's (np.exp, np.tanh, …) work on whole arrays.")
    return ""


def _same_inputs(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    return True


def as_array(x: Any) -> np.ndarray | None:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def _close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    a, b = as_array(got), as_array(want)
    if a is None or b is None or a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)} values"
    if x is None:
        return "None (did you forget `return`?)"
    return f"{type(x).__name__} {x!r}"[:80]


def generic_diagnosis(got: Any, want: Any, *, reveal: bool = True) -> str:
    """One sentence on how ``got`` differs from ``want`` (shape, transpose, sign, factor).

    ``reveal=False``: a single number is only called too large or too small.
    """
    if got is None:
        return "your function returned None — did you forget `return`?"
    a, b = as_array(got), as_array(want)
    if a is None:
        if isinstance(got, Iterator):
            return "you returned a generator (or another iterator); return a list: list(...)"
        return f"expected a number or an array, got {describe(got)}"
    if a.shape != b.shape:
        if isinstance(got, (list, tuple)) and b.ndim >= 1 and len(got) != len(b):
            return f"your {type(got).__name__} has {len(got)} entries, expected {len(b)}"
        if b.ndim == 0:
            return f"expected a single number, got {describe(got)}"
        if a.ndim == 2 and a.T.shape == b.shape:
            if np.allclose(a.T, b, rtol=RTOL, atol=ATOL):
                return (f"your result has shape {a.shape} and is the transpose of the right "
                        f"answer, of shape {b.shape}: check the order of the matrix product")
            return (f"shape {a.shape} is the transpose of the expected {b.shape}, and the "
                    "values are wrong too")
        if a.size == b.size and np.allclose(a.reshape(b.shape), b, rtol=RTOL, atol=ATOL):
            return f"right numbers, wrong shape: expected {b.shape}, got {a.shape} (reshape)"
        if a.ndim == b.ndim + 1 and a.shape[1:] == b.shape:
            return (f"shape {a.shape} has an extra leading axis: did you forget to sum over "
                    f"the batch (axis 0)? expected {b.shape}")
        return f"wrong shape: expected {b.shape}, got {a.shape}"
    if not np.all(np.isfinite(a)):
        return "your result contains NaN or inf"
    if np.allclose(a, -b, rtol=RTOL, atol=ATOL) and np.any(np.abs(b) > ATOL):
        return "the sign is wrong: your result is the negative of the right one"
    factor = constant_factor(a, b)
    # any two numbers differ by "a factor": for a single number, name only a telling one
    if factor is not None and (a.size > 1 or (factor > 0 and _is_simple_factor(factor))):
        return (f"off by a constant factor: your result is {factor_text(factor)} times the "
                "right one (check the normalisation: a factor 2, ½ or 1/n?)")
    if not reveal and a.ndim == 0:
        return f"{float(a):.6g} is too {'large' if a > b else 'small'}"
    diff = np.abs(a - b)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    where = f" at index {tuple(int(i) for i in idx)}" if idx else ""
    return (f"the values differ: largest difference {diff.max():.3g}{where} "
            f"(expected {b[idx]:.6g}, got {a[idx]:.6g})")


def constant_factor(a: np.ndarray, b: np.ndarray) -> float | None:
    mask = np.abs(b) > 1e-12
    if not mask.any() or np.any(np.abs(a[~mask]) > 1e-12):
        return None
    ratios = a[mask] / b[mask]
    c = float(np.median(ratios))
    if abs(c - 1) > 1e-6 and np.allclose(ratios, c, rtol=1e-6) and c != 0:
        return c
    return None


def _is_simple_factor(c: float) -> bool:
    """True for ±n and ±1/n with a whole n up to 1000 (what a forgotten 2, ½ or 1/n gives)."""
    return any(abs(v - round(v)) < 1e-9 and 1 <= abs(round(v)) <= 1000 for v in (c, 1 / c))


def factor_text(c: float) -> str:
    sign, c = ("−" if c < 0 else ""), abs(c)
    if abs(c - round(c)) < 1e-9:
        return f"{sign}{int(round(c))}"
    inv = 1 / c
    if abs(inv - round(inv)) < 1e-9:
        return f"{sign}1/{int(round(inv))}"
    return f"{sign}{c:.4g}"
