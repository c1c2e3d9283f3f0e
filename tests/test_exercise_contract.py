"""The contract every exercise checker keeps, tested once for all of them.

Every ``check_<name>`` of every chapter module ``backprop.exercises.chNN`` is discovered and
paired with its ``reference_<name>``; a checker without a reference fails here by name. For each
one (ids like ``ch04.output_delta``):

* the reference passes, and the result names the exercise; a checker built on an ``Exercise``
  says "correct on all N test cases" (just "correct." for a single case, such as a number);
* an unfinished answer is "todo" with "not yet implemented": a stub raising
  ``NotImplementedError``, and for an answer that is a number, ``...`` or ``None``;
* an answer that raises is "error", naming the exception's type and message;
* a non-callable, ``None``, an answer returning ``None`` and other garbage give "fail" (never a
  crash), and every result prints a sentence.

What an answer is depends on the reference: a function with parameters means the learner writes
a function; a function without parameters means a number, also accepted as a function without
arguments (by every checker of a number, also one without a reference). The chapter modules
keep the tests of their particular diagnoses.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from exercise_support import stub

import backprop.exercises
from backprop.exercises import Exercise, Result

#: Answers for checkers that have no ``reference_<name>`` in the library, keyed by id. Only
#: for exercises with many right answers: any α at which training diverges passes
#: ``ch07.diverging_lr`` (test_exercises_ch07.py tests its range). Anything else without a
#: reference fails ``test_reference_passes``.
ANSWERS_WITHOUT_REFERENCE: dict[str, Any] = {"ch07.diverging_lr": lambda: 2.0}

#: Test-case counts the chapter tests pinned in the pass message ("correct on all 3 test
#: cases"); the other ``Exercise`` checkers are held to ``len(exercise.cases)``.
PINNED_CASE_COUNTS = {
    **{f"ch04.{name}": 3 for name in ("output_delta", "delta_step", "param_grads", "backward")},
    **{f"ch05.{name}": 3 for name in ("linear_backward", "column_backward", "mse_linear_grads",
                                      "sigmoid_layer", "relu_net_grads")},
    "ch06.equivalent_lr": 9, "ch06.sigmoid_mse_delta": 3,
    "ch06.stable_softmax": 4, "ch06.softmax_ce_grad": 3,
}

@dataclass(frozen=True)
class Case:
    id: str
    name: str
    check: Any
    reference: Any           # a function, or None when the library has none
    exercise: Exercise | None

    @property
    def kind(self) -> str:
        """``"function"`` or ``"value"`` (a number or a function without arguments)."""
        if self.reference is None:
            pytest.fail(f"{self.id}: check_{self.name} has no reference_{self.name}; every "
                        "exercise needs a reference solution")
        return "value" if not inspect.signature(self.reference).parameters else "function"

    @property
    def right_answer(self) -> Any:
        return self.reference() if self.kind == "value" else self.reference

    @property
    def n_outputs(self) -> int:
        """How many values the answer returns (2 when it cannot be told)."""
        if self.exercise is not None and self.exercise.outputs is not None:
            return len(self.exercise.outputs)
        return 2


def chapter_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{backprop.exercises.__name__}.{info.name}")
            for info in pkgutil.iter_modules(backprop.exercises.__path__)
            if not info.name.startswith("_")]


def discover() -> list[Case]:
    cases = []
    for module in chapter_modules():
        chapter = module.__name__.rsplit(".", 1)[1]
        for attr, check in sorted(vars(module).items()):
            if not (attr.startswith("check_") and callable(check)):
                continue
            name = attr.removeprefix("check_")
            case_id = f"{chapter}.{name}"
            reference = getattr(module, f"reference_{name}",
                                ANSWERS_WITHOUT_REFERENCE.get(case_id))
            exercises = [v for v in vars(module).values()
                         if isinstance(v, Exercise) and v.name == name]
            cases.append(Case(case_id, name, check, reference,
                              exercises[0] if exercises else None))
    return cases


CASES = discover()
PARAMS = [pytest.param(case, id=case.id) for case in CASES]


def raising(exc: Exception):
    def answer(*args):
        raise exc
    return answer


def garbage(case: Case) -> list[Any]:
    """Wrong answers of every type: none may crash the checker."""
    k = case.n_outputs
    return ["text", {"a": 1}, [[1, 2], [3]], np.zeros((7, 7)), float("nan"), (None,) * k,
            ("x",) * k, tuple(np.zeros((7, 7)) for _ in range(k)),
            tuple(np.full((1,), np.nan) for _ in range(k))]


def run(case: Case, answer: Any) -> Result:
    """``case.check(answer)``, which must return a result for its exercise that prints."""
    result = case.check(answer)
    assert isinstance(result, Result), result
    assert result.status in ("pass", "fail", "todo", "error"), result
    assert result.exercise == case.name, result
    assert str(result), result
    return result


# -- discovery -----------------------------------------------------------------------------------
def test_every_chapter_module_and_every_checker_is_discovered():
    modules = chapter_modules()
    files = sorted(p.stem for p in Path(backprop.exercises.__path__[0]).glob("*.py")
                   if not p.stem.startswith("_"))
    assert [m.__name__.rsplit(".", 1)[1] for m in modules] == files
    assert {f"ch{i:02d}" for i in range(1, 8)} <= set(files)
    defined = [f"{m.__name__.rsplit('.', 1)[1]}.{name}" for m in modules
               for name in sorted(re.findall(r"^def check_(\w+)", inspect.getsource(m), re.M))]
    assert [case.id for case in CASES] == defined


def test_answers_without_reference_are_only_for_checkers_without_one():
    for case_id in ANSWERS_WITHOUT_REFERENCE:
        chapter, name = case_id.split(".")
        module = importlib.import_module(f"{backprop.exercises.__name__}.{chapter}")
        assert hasattr(module, f"check_{name}"), f"{case_id}: no such checker"
        assert not hasattr(module, f"reference_{name}"), (
            f"{case_id} now has reference_{name}: drop it from ANSWERS_WITHOUT_REFERENCE")
    assert set(PINNED_CASE_COUNTS) <= {case.id for case in CASES}


# -- the contract --------------------------------------------------------------------------------
@pytest.mark.parametrize("case", PARAMS)
def test_reference_passes(case):
    result = run(case, case.right_answer)
    assert result.status == "pass", result
    if case.kind == "value":                    # the number given as a function works too
        assert run(case, case.reference).status == "pass"
    if case.exercise is not None:
        n = PINNED_CASE_COUNTS.get(case.id, len(case.exercise.cases))
        expected = {1: "correct."}.get(n, f"correct on all {n} test cases.")
        assert result.message == expected, result


@pytest.mark.parametrize("case", PARAMS)
def test_unfinished_is_todo_and_an_exception_is_error(case):
    unfinished = [..., None, stub] if case.kind == "value" else [stub]
    for answer in unfinished:
        todo = run(case, answer)
        assert todo.status == "todo" and "not yet implemented" in todo.message, (answer, todo)
    for exc in (KeyError("oops"), ZeroDivisionError("oops")):
        result = run(case, raising(exc))
        assert result.status == "error", result
        assert type(exc).__name__ in result.message and "oops" in result.message, result


@pytest.mark.parametrize("case", PARAMS)
def test_wrong_answers_fail_and_never_crash(case):
    wrong = ["not a function", *garbage(case)]
    if case.kind == "function":
        wrong.append(None)
    results = [(answer, run(case, answer)) for answer in wrong]
    results += [(f"returns {g!r}", run(case, lambda *args, g=g: g)) for g in garbage(case)]
    returns_none = run(case, lambda *args: None)
    assert returns_none.status == "fail", returns_none
    if case.exercise is not None and case.exercise.outputs is None:
        assert "returned None" in returns_none.message, returns_none
    for answer, result in results:
        assert result.status == "fail", (answer, result)
