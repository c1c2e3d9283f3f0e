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
import inspect
import math
import numbers
import os
import re
import site
import sys
import sysconfig
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from backprop.scalar import Value

RTOL, ATOL = 1e-6, 1e-9

#: plain text symbols (no emoji font needed): tick, cross, pencil, warning sign
_ICONS = {"pass": "✓", "fail": "✗", "todo": "✎", "error": "⚠"}
#: one colour per status, at least 6 : 1 against the message's own light card (WCAG AA: 4.5)
_COLOURS = {"pass": "#116329", "fail": "#a40e26", "todo": "#57606a", "error": "#7d4e00"}
#: the message is a light card of its own, as the explorers are: the dark themes of the book
#: and of JupyterLab put outputs on a grey or black ground, and colour inline code light
_CARD = ("background:#fff;color:{colour};border-left:4px solid {colour};border-radius:4px;"
         "padding:4px 8px;font-family:system-ui,sans-serif")
_CODE = '<code style="color:inherit;background:#f0f2f4;padding:0 3px;border-radius:3px">'


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
        message = re.sub(r"`([^`]+)`", _CODE + r"\1</code>", html.escape(self.message))
        card = _CARD.format(colour=_COLOURS[self.status])
        return (f'<div class="bp-check bp-check-{self.status}" style="{card}">'
                f"{_ICONS[self.status]} {head}{message}</div>")


@dataclass(frozen=True)
class Diagnosis:
    """A typical wrong answer: ``wrong(*args)`` computes it; ``message`` explains it.

    ``output`` names the returned value it concerns when the function returns several
    (e.g. ``"db"``); ``None`` when the function returns a single value. A wrong answer that
    is all zeros on a case tells that mistake from no other (an answer of zeros matches it),
    so it is skipped there, unless ``zeros_are_evidence``: the mistake is what makes the
    answer zero (e.g. a step that changes nothing). ``sizes`` fills the ``{}`` fields of
    ``message`` from the case it failed on (``lambda z, t: {"n": len(z)}``).
    """

    message: str
    wrong: Callable[..., Any]
    output: str | None = None
    zeros_are_evidence: bool = False
    sizes: Callable[..., dict[str, Any]] | None = None

    def text(self, case: tuple) -> str:
        """The message for ``case``, its ``{}`` fields filled in."""
        return self.message.format(**self.sizes(*case)) if self.sizes else self.message


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
    #: the relative tolerance at which an answer matches a known wrong answer (``None``: the
    #: same as ``rtol``); wider where the text asks for a rounded number, so that a mistake
    #: rounded as the text asks is still recognised
    diagnosis_rtol: float | None = None

    def check(self, learner: Callable[..., Any]) -> Result:
        """Run ``learner`` on every case; return the first problem found, or a pass."""
        if not callable(learner):
            return Result("fail", f"expected a function, got {type(learner).__name__}",
                          self.name)
        parameters = self._parameters()
        shown = [str(p.replace(annotation=p.empty)) for p in parameters.values()]
        for case in self.cases:
            expected = self.reference(*copy.deepcopy(case))
            args = copy.deepcopy(case)
            actual = call_learner(learner, args, self.name, shown)
            if isinstance(actual, Result):
                return actual
            try:
                problem = self._first_problem(actual, expected, case)
            except Exception as exc:  # an object no comparison can handle: never raise
                problem = (f"your result, {describe(actual)}, cannot be compared with the "
                           f"expected one ({_safe_str(exc) or type(exc).__name__}).")
            if problem:
                return Result("fail", problem, self.name)
            changed = self._inputs_changed(args, case)
            if changed:
                return Result("fail", "the result is right, but your function changed its "
                              f"input arrays in place: {self._arguments(changed)} (the array "
                              "itself, or an array or a number inside the list or the "
                              "object); work on new arrays (or a copy of the list) instead.",
                              self.name)
        n = len(self.cases)
        return Result("pass", f"correct on all {n} test cases." if n > 1 else "correct.",
                      self.name)

    def check_number(self, value: Any) -> Result:
        """Check an answer that is one number (the reference takes no arguments): ``value``
        is the number, or a function returning it; ``...`` or ``None`` while not answered."""
        number = learner_number(value, self.name)
        return number if isinstance(number, Result) else self.check(lambda: number)

    def _inputs_changed(self, args: tuple, case: tuple) -> list[int]:
        """The positions of the arguments ``args`` (copies of ``case``) that the learner's
        call changed; an argument that can no longer be compared (made ragged, say) has."""
        return [i for i, (a, b) in enumerate(zip(args, case, strict=True))
                if not _unchanged(a, b)]

    def _parameters(self) -> Mapping[str, inspect.Parameter]:
        """The reference's parameters, which the learner's function must take too."""
        return inspect.signature(inspect.unwrap(self.reference)).parameters

    def _arguments(self, positions: list[int]) -> str:
        """The arguments at ``positions``, by name: "`b` (argument 3) was changed"."""
        names = list(self._parameters())
        named = [f"`{names[i]}` (argument {i + 1})" if i < len(names) else f"argument {i + 1}"
                 for i in positions]
        return f"{' and '.join(named)} {'was' if len(named) == 1 else 'were'} changed"

    def _first_problem(self, actual: Any, expected: Any, case: tuple) -> str | None:
        if self.outputs is None:
            pairs = [(None, actual, expected)]
        else:
            if not isinstance(actual, (tuple, list)) or len(actual) != len(self.outputs):
                return (f"return a tuple of {len(self.outputs)} values "
                        f"({', '.join(self.outputs)}), got {describe(actual)}")
            pairs = list(zip(self.outputs, actual, expected, strict=True))
        for name, got, want in pairs:
            if close(got, want, self.rtol, self.atol):
                continue
            label = f"{name}: " if name else ""
            diagnosis_rtol = self.rtol if self.diagnosis_rtol is None else self.diagnosis_rtol
            for diag in self.diagnoses:
                if diag.output != name:
                    continue
                wrong = _wrong_output(diag, case, self.outputs)
                if (close(got, wrong, diagnosis_rtol, self.atol)
                        and (diag.zeros_are_evidence or not _all_zero(wrong, self.atol))):
                    return label + diag.text(case)
            swapped = [other for other, _, value in pairs
                       if other != name and close(got, value, self.rtol, self.atol)]
            if swapped:
                return self._swapped(name, swapped[0], actual, expected)
            return label + generic_diagnosis(got, want, reveal=self.reveal)
        return None

    def _swapped(self, name: str, other: str, actual: Any, expected: Any) -> str:
        """The message for the output ``name`` of ``actual`` that holds the value of the
        output ``other`` (``expected``: the right outputs)."""
        return (f"{name}: this is the value of {other}: return the values in the order "
                f"({', '.join(self.outputs)}).")


def learner_number(value: Any, exercise: str) -> float | Result:
    """The learner's answer to an exercise whose answer is one number, as a float: ``value``
    itself, or what ``value`` returns when it is a function. When there is no such number, the
    result to give instead: "todo" while ``value`` is ``...`` or ``None``, "error" when the
    function raises, "fail" when the answer is not one real number (see :func:`number_problem`).
    """
    if value is None or value is Ellipsis:
        return Result("todo", "not yet implemented — replace `...` by your number and run "
                      "this cell again.", exercise)
    got = call_learner(value, (), exercise, []) if callable(value) else value
    if isinstance(got, Result):
        return got
    problem = number_problem(got)
    return Result("fail", problem, exercise) if problem else float(as_array(got))


def number_problem(got: Any) -> str | None:
    """Why ``got`` is not one real number, or ``None`` when it is one: a Python or NumPy
    number, a ``Fraction`` or a ``Decimal`` (an integer too large for a float is infinite)."""
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, np.ndarray) and got.ndim == 0
                                              and got.dtype.kind == "b"):
        return f"expected a number, got the truth value {bool(got)}"   # True is no 1.0 here
    arr = None if got is None else as_array(got)       # as_array(None) is NaN
    if arr is not None and arr.ndim == 0:
        return None
    return generic_diagnosis(got, np.float64(0.0))


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


def _all_zero(x: Any, atol: float) -> bool:
    """Whether ``x`` is numbers that are all (about) zero."""
    arr = as_array(x)
    return arr is not None and arr.size > 0 and bool(np.all(np.abs(arr) <= atol))


def not_implemented(exc: NotImplementedError, learner: Any, exercise: str) -> Result:
    """The result for a ``NotImplementedError`` raised while running ``learner``.

    Usually the learner's function is the stub: "todo". When the traceback shows that the
    error was raised in another function that the learner's (finished) function called, such
    as a helper of an earlier exercise, the message names that function instead; raised inside
    a library (NumPy, this book's ``backprop``), it is an error in how the library was used.
    """
    usual = "not yet implemented — fill in the function above and run this cell again."
    own = getattr(inspect.unwrap(learner), "__code__", None) if callable(learner) else None
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    if own is None or not any(code is own for code in frames) or frames[-1] is own:
        return Result("todo", usual, exercise)
    helper = frames[-1]
    if _in_library(helper.co_filename):
        return Result("error", f"your function raised NotImplementedError in "
                      f"`{helper.co_name}` of the library ({Path(helper.co_filename).name})"
                      f"{': ' + _safe_str(exc) if _safe_str(exc) else ''}", exercise)
    return Result("todo", f"not yet implemented: your function calls `{helper.co_name}`, "
                  f"which raised NotImplementedError. Finish `{helper.co_name}` first and run "
                  "its cell, then run this cell again.", exercise)


#: where library code lives: the standard library, installed packages, this book's package
_LIBRARY_DIRS = tuple(os.path.join(Path(d).resolve(), "") for d in {
    *(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")),
    *site.getsitepackages(), site.getusersitepackages(), "/usr/lib/python3/dist-packages",
    Path(__file__).resolve().parents[1]})


def _in_library(filename: str) -> bool:
    """Whether code from ``filename`` belongs to a library rather than to the learner."""
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return path.startswith(_LIBRARY_DIRS)


#: what a learner's code may raise that a checker reports instead of raising: any error, and
#: an ``exit()`` (which would otherwise end the checker's cell, in a script the program)
LEARNER_ERRORS = (Exception, SystemExit)


def _safe_str(exc: BaseException) -> str:
    """``str(exc)``, or ``""`` when even that raises (a learner's exception class with a broken
    ``__str__``): a message about an error must not raise one."""
    try:
        return str(exc)
    except Exception:
        return ""


def raised(who: str, exc: BaseException) -> str:
    """``"<who> raised ValueError: <message>"``, and what such an error usually means."""
    text = f": {_safe_str(exc)}" if _safe_str(exc) else ""
    return f"{who} raised {type(exc).__name__}{text}" + _hint(exc)


def call_learner(fn: Callable[..., Any], args: tuple, exercise: str,
                 parameters: Sequence[str]) -> Any:
    """``fn(*args)``, the learner's answer; or, when ``fn`` raises, the :class:`Result` that
    says so: "todo" for a stub's ``NotImplementedError``, "error" for a bug in it (with
    :func:`call_hint`, ``parameters`` being how the checker calls ``fn``)."""
    try:
        return fn(*args)
    except NotImplementedError as exc:
        return not_implemented(exc, fn, exercise)
    except LEARNER_ERRORS as exc:  # the learner's bug, reported, never raised
        return Result("error", raised("your function", exc) + call_hint(fn, exc, parameters),
                      exercise)


def call_hint(learner: Any, exc: BaseException, parameters: Sequence[str]) -> str:
    """How the checker calls ``learner`` (``parameters`` as a signature shows them, defaults
    included), when ``exc`` is the TypeError of that call itself (``learner`` takes other
    parameters), not one raised inside it; else ``""``."""
    own = getattr(inspect.unwrap(learner), "__code__", None) if callable(learner) else None
    if (not isinstance(exc, TypeError) or own is None
            or f"{own.co_name}()" not in _safe_str(exc)):
        return ""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is own:         # the call went in: the error is from inside
            return ""
        tb = tb.tb_next
    defaults = ", with these defaults" if any("=" in p for p in parameters) else ""
    return (f" — the checker calls fn({', '.join(parameters)}): your function must take "
            f"{'these parameters, in this order' + defaults if parameters else 'no parameters'}.")


def shape_hint(result: Result) -> Result:
    """``result``, with a hint on shapes when the learner's function failed on a matrix
    product or a broadcast (a shape mismatch)."""
    numpy_shape_error = "raised ValueError:" in result.message and any(
        word in result.message for word in ("matmul", "broadcast", "shapes"))
    if result.status == "error" and numpy_shape_error:
        return Result("error", result.message + " — a shape mismatch: write the shape of each "
                      "factor under the formula; the inner sizes must agree and the result must "
                      "have the shape of the array whose gradient it is.", result.exercise)
    return result


def _hint(exc: BaseException) -> str:
    """What an exception usually means in a learner's answer ("" when nothing useful)."""
    if isinstance(exc, SystemExit):
        return " — exit() or sys.exit() ends the program; return your answer instead."
    if isinstance(exc, TypeError) and "converted to Python scalars" in _safe_str(exc):
        return (" — a function of the math module (math.exp, math.tanh, …) takes one number; "
                "NumPy's (np.exp, np.tanh, …) work on whole arrays.")
    return ""


def _unchanged(after: Any, before: Any) -> bool:
    """``_same_inputs``, where an argument that can no longer be compared has changed."""
    try:
        return _same_inputs(after, before)
    except Exception:
        return False


def _same_inputs(after: Any, before: Any, depth: int = 0) -> bool:
    """Whether the argument ``after`` (the learner's copy) still equals ``before``: its arrays,
    also those inside lists, tuples, dicts and the attributes of an object (such as a
    network's ``W``), are unchanged.

    An object's attribute that was empty or ``None`` before is a cache that a method may fill
    (``net.forward`` sets ``net.z`` and ``net.a``), and is not compared.
    """
    if isinstance(after, np.ndarray) or isinstance(before, np.ndarray):
        return np.array_equal(np.asarray(after), np.asarray(before), equal_nan=True)
    if isinstance(before, (numbers.Number, str, bytes)):   # sizes[0] = …, sizes.reverse()
        return bool(after == before) or (after != after and before != before)   # NaN
    if depth > 4:
        return True
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(after) == len(before)
                and all(_same_inputs(a, b, depth + 1) for a, b in zip(after, before,
                                                                      strict=True)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and after.keys() == before.keys()
                and all(_same_inputs(after[k], before[k], depth + 1) for k in before))
    if _has_state(before):
        for key, value in vars(before).items():
            if value is None or (isinstance(value, (list, tuple, dict)) and not value):
                continue                   # a cache, filled by a method such as forward
            missing = object()
            if not _same_inputs(getattr(after, key, missing), value, depth + 1):
                return False
    return True


def _has_state(x: Any) -> bool:
    """Whether ``x`` is an object whose attributes hold data (not a function, class, module)."""
    return (hasattr(x, "__dict__") and not inspect.isroutine(x) and not inspect.isclass(x)
            and not inspect.ismodule(x))


def as_array(x: Any) -> np.ndarray | None:
    """``x`` as an array of floats, or ``None`` when it is not real numbers (text, complex
    numbers and ragged lists are not)."""
    if isinstance(x, (str, bytes)):
        return None
    if isinstance(x, numbers.Rational) and abs(x) > sys.float_info.max:
        return np.array(math.inf if x > 0 else -math.inf)   # 10**400, Fraction(10**400)
    try:
        arr = np.asarray(x)
        if arr.dtype.kind in "USVc":       # "2.5" would convert, 2+0j lose its imaginary part
            return None
        if arr.dtype == object and any(isinstance(v, (str, bytes)) for v in arr.flat):
            return None
        arr = np.asarray(arr, dtype=np.float64)
    except Exception:                      # ragged lists, objects, …: not an array of numbers
        return None
    return arr


#: the tolerances for an answer computed in float32 (about 1.2e-7 per operation): relative,
#: and absolute as a fraction of the largest value (an entry near 0 made of larger terms)
FLOAT32_RTOL, FLOAT32_SCALE_ATOL = 2e-5, 2e-6


def _is_float32(x: Any) -> bool:
    """Whether ``x`` is float32 numbers (an array, a NumPy scalar, or a list of them)."""
    if isinstance(x, (np.ndarray, np.floating)):
        return x.dtype == np.float32
    if isinstance(x, (list, tuple)) and x:
        try:
            return np.asarray(x).dtype == np.float32
        except Exception:               # ragged lists and the like
            return False
    return False


def close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    """Whether ``got`` and ``want`` read as arrays of one shape, equal within the tolerances.

    The one rule for float32: an answer computed in float32 (``got`` of that dtype) is right
    when it is as close as float32 rounding allows, ``FLOAT32_RTOL`` relative and
    ``FLOAT32_SCALE_ATOL`` times the largest value absolute, where that is looser than
    ``rtol`` and ``atol``; NumPy computes in float64 unless asked, so float32 is a choice.
    """
    a, b = as_array(got), as_array(want)
    if a is None or b is None or a.shape != b.shape:
        return False
    if _is_float32(got) and b.size and np.all(np.isfinite(b)):
        rtol = max(rtol, FLOAT32_RTOL)
        atol = max(atol, FLOAT32_SCALE_ATOL * float(np.abs(b).max()))
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _is_complex(x: Any) -> bool:
    """Whether ``x`` is complex numbers (an array of them, or one)."""
    try:
        return np.asarray(x).dtype.kind == "c"
    except Exception:                      # ragged lists and the like
        return False


def _holds_nodes(x: Any, depth: int = 0) -> bool:
    """Whether ``x`` is, or holds, ``Value`` nodes of an autograd graph, in a list, a tuple
    or an array of Python objects."""
    if isinstance(x, Value):
        return True
    if isinstance(x, np.ndarray) and x.dtype == object:
        return any(_holds_nodes(v, depth + 1) for v in x.flat)
    return (isinstance(x, (list, tuple)) and depth < 4
            and any(_holds_nodes(v, depth + 1) for v in x))


def describe(x: Any) -> str:
    """A short description of a value for a message: one line, whatever its repr (even one
    that raises)."""
    try:
        return _describe(x)
    except Exception:
        return f"an object of type {type(x).__name__}"


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        kind = "an array of Python objects" if x.dtype == object else "an array"
        return f"{kind} of shape {x.shape}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)} value{'' if len(x) == 1 else 's'}"
    if x is None:
        return "None (did you forget `return`?)"
    if isinstance(x, dict):
        keys = ", ".join(repr(k) for k in list(x)[:4]) + (", …" if len(x) > 4 else "")
        return f"a dict with keys {keys}" if x else "an empty dict"
    text = repr(x)
    if isinstance(x, (str, bytes)):
        kind = "string" if isinstance(x, str) else "bytes"
        return f"the {kind} {text if len(text) <= 40 else text[:39] + '…'}"
    if "\n" in text or len(text) > 60:
        return f"an object of type {type(x).__name__}"
    return f"{type(x).__name__} {text}"


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
        if isinstance(got, str):
            kind = "number" if b is not None and b.ndim == 0 else "array"
            return (f"expected {'a' if kind == 'number' else 'an'} {kind}, got {describe(got)}: "
                    f"return the {kind} itself, not text (no quotes, no str(...))")
        if _is_complex(got):
            return "your result holds complex numbers; the answer is real numbers"
        if isinstance(got, Value):
            return "you returned a Value object; return its .grad, the number"
        if _holds_nodes(got):
            return ("you returned Value objects; return their .grad, the numbers: "
                    "[v.grad for v in values], or an array of them")
        return f"expected a number or an array, got {describe(got)}"
    if a.shape != b.shape:
        if isinstance(got, (list, tuple)) and b.ndim >= 1 and len(got) != len(b):
            return f"your {type(got).__name__} has {len(got)} entries, expected {len(b)}"
        if b.ndim == 0:
            return f"expected a single number, got {describe(got)}"
        if a.ndim == 2 and a.T.shape == b.shape:
            if np.allclose(a.T, b, rtol=RTOL, atol=ATOL):
                return (f"your result has shape {a.shape} and is the transpose of the right "
                        f"answer, of shape {b.shape}")
            return (f"shape {a.shape} is the transpose of the expected {b.shape}, and the "
                    "values are wrong too")
        if a.size == b.size and np.allclose(a.reshape(b.shape), b, rtol=RTOL, atol=ATOL):
            return f"right numbers, wrong shape: expected {b.shape}, got {a.shape} (reshape)"
        if a.ndim == b.ndim + 1 and a.shape[1:] == b.shape:
            if isinstance(got, (list, tuple)):
                return (f"you returned a {type(got).__name__} of {len(got)} arrays of shape "
                        f"{b.shape}; expected one array of shape {b.shape}")
            return (f"your result has an extra leading axis of length {a.shape[0]}: shape "
                    f"{a.shape}, expected {b.shape}. Several results stacked, or a missing "
                    "sum over the batch (axis 0)?")
        return f"wrong shape: expected {b.shape}, got {a.shape}"
    if not np.all(np.isfinite(a)):
        return "your result contains NaN or inf"
    if np.allclose(a, -b, rtol=RTOL, atol=ATOL) and np.any(np.abs(b) > ATOL):
        return "the sign is wrong: your result is the negative of the right one"
    if a.ndim == 2 and a.shape[0] == a.shape[1] and np.allclose(a.T, b, rtol=RTOL, atol=ATOL):
        return (f"your result is the transpose of the right one (both are {a.shape[0]}×"
                f"{a.shape[1]}, so the shape does not show it)")
    factor = constant_factor(a, b)
    # any two numbers differ by "a factor": for a single number, name only a telling one,
    # and none where the number is the answer (the factor would give it away)
    single = a.size == 1
    if (factor is not None and _is_simple_factor(factor)
            and (not single or (factor > 0 and reveal))):
        return (f"off by a constant factor: your result is {factor_text(factor)} times the "
                "right one (check the normalisation: a factor 2, ½ or 1/n?)")
    ratio = _ratio(factor) if factor is not None and a.size > 1 else None
    if ratio:
        return (f"off by a constant factor: every entry is {ratio[0]}/{ratio[1]} times the "
                "right one, a ratio of whole numbers: a normalisation by the wrong count? "
                f"(Dividing by {ratio[1]} where {ratio[0]} belongs gives it.)")
    if factor is not None and a.size > 1 and abs(factor - 1) > 1e-4:
        return (f"off by a constant factor: every entry is {factor_text(factor)} times the "
                "right one. That is no normalisation such as 2 or 1/n: a factor that every "
                "entry shares is wrong.")
    if not reveal and a.ndim == 0:
        return f"{float(a):.6g} is too {'large' if a > b else 'small'}"
    diff = np.abs(a - b)
    scale = float(np.abs(b).max())
    if almost_equal(a, b) and _is_float32(got):
        return (f"almost right, but your result is float32 and off by more than float32 "
                f"rounding explains (the largest error is {diff.max():.2g}, for values up to "
                f"{scale:.3g}): compute in float64, NumPy's default (no .astype(np.float32), "
                "no dtype=np.float32).")
    if almost_equal(a, b):
        return (f"almost right: every value is off by a tiny amount (the largest error is "
                f"{diff.max():.2g}, for values up to {scale:.3g}), more than rounding in "
                "float64 gives. Did you compute in float32, round a result, or add a small "
                "constant such as an ε?")
    # the entry that misses the tolerance by most, so that its two numbers differ as shown
    excess = diff - RTOL * np.abs(b)
    idx = np.unravel_index(int(np.argmax(excess)), diff.shape) if diff.ndim else ()
    worst = f"; the worst entry is at index {tuple(int(i) for i in idx)}" if idx else ""
    # + 0.0 shows −0.0 as 0
    return f"the values differ{worst} (expected {b[idx] + 0.0:.6g}, got {a[idx] + 0.0:.6g})"


def almost_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` differs from ``b`` (not all zero) by no more than a computation in
    float32 would: a relative error of about 1e-7, on an entry near 0 an absolute one of
    1e-7 times the size of the terms summed (the largest value stands for them)."""
    scale = float(np.abs(b).max())
    return 0 < scale < np.inf and bool(np.all(np.abs(a - b) <= 1e-4 * np.abs(b) + 1e-6 * scale))


def constant_factor(a: np.ndarray, b: np.ndarray) -> float | None:
    """The factor ``c`` with ``a = c b`` in every entry, or ``None`` when there is none; a
    factor that is not finite or whose inverse is not (a ratio of 1e-310, say) is none."""
    mask = np.abs(b) > 1e-12
    if not mask.any() or np.any(np.abs(a[~mask]) > 1e-12):
        return None
    with np.errstate(over="ignore"):
        ratios = a[mask] / b[mask]
    c = float(np.median(ratios))
    if c == 0 or not (np.isfinite(c) and np.isfinite(1 / c)):
        return None
    if abs(c - 1) > 1e-6 and np.allclose(ratios, c, rtol=1e-6):
        return c
    return None


def _is_simple_factor(c: float) -> bool:
    """True for ±n and ±1/n with a whole n up to 1000 (what a forgotten 2, ½ or 1/n gives)."""
    return any(abs(v - round(v)) < 1e-9 and 1 <= abs(round(v)) <= 1000 for v in (c, 1 / c))


def _ratio(c: float) -> tuple[int, int] | None:
    """``(p, q)`` when ``c = p/q > 0`` for small whole numbers ``p, q`` (up to 12: one count
    where another belongs, such as n/C), else ``None``."""
    ratio = Fraction(c).limit_denominator(12)
    if 0 < ratio.numerator <= 12 and abs(c - float(ratio)) <= 1e-9 * abs(c):
        return ratio.numerator, ratio.denominator
    return None


def factor_text(c: float) -> str:
    sign, c = ("−" if c < 0 else ""), abs(c)
    if abs(c - round(c)) < 1e-9:
        return f"{sign}{int(round(c))}"
    inv = 1 / c
    if abs(inv - round(inv)) < 1e-9:
        return f"{sign}1/{int(round(inv))}"
    # close to 1 (a tiny uniform error), four digits would print "1"
    return f"{sign}{c:.7g}" if abs(c - 1) < 1e-3 else f"{sign}{c:.4g}"
