"""The student version of the notebooks (``make student``, tools/student_notebooks.py).

Solutions are folded away in the book and collapsed in JupyterLab; a teacher who hands out the
notebooks removes them with ``make student``. These tests check that every solution is tagged,
that the student version holds no solution code, and that its exercises run in a fresh kernel
with every check saying "not yet implemented". Only the set-up cells (those before the first
section) and the Exercises section are executed: the cells between them are the same as in the
chapter, which nbval runs in full.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import student_notebooks
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOKS = sorted(student_notebooks.CHAPTERS.glob("*.ipynb"))
WITH_EXERCISES = [path for path in NOTEBOOKS
                  if any(student_notebooks.is_exercises_heading(cell)
                         for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])]
KERNEL_START_ATTEMPTS = 3


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _tags(cell: dict) -> list[str]:
    return cell["metadata"].get("tags", [])


def _is_section(cell: dict) -> bool:
    return cell["cell_type"] == "markdown" and any(
        line.startswith("## ") for line in _source(cell).splitlines())


def _exercise_count(cells: list[dict]) -> int:
    return sum(_source(cell).count("### Exercise ") for cell in cells
               if cell["cell_type"] == "markdown")


def test_every_chapter_but_the_appendices_has_exercises():
    assert [path.name[:2] for path in WITH_EXERCISES] == [f"0{k}" for k in range(1, 8)]


def test_the_teaching_plan_on_the_landing_page_counts_each_chapters_exercises():
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    plan = dict(re.findall(r"^\| \d \| \{ref\}`ch(\d\d)-[a-z-]+` \| (\d+):", intro, re.M))
    assert plan == {path.name[:2]: str(_exercise_count(_cells(path))) for path in WITH_EXERCISES}


#: the first line of every reference solution
SOLUTION_LINE = "# Reference solution: running this cell replaces your answer above.\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_solutions_are_tagged_and_solutions_and_hints_fold_in_jupyterlab(path):
    for index, cell in enumerate(_cells(path)):
        tags = _tags(cell)
        if "hide-input" in tags:        # the book folds only solutions ("Show the solution")
            assert "solution" in tags, f"{path.name} cell {index}: a hide-input cell untagged"
            # JupyterLab shows a collapsed cell's first line: say what it is, not the answer
            assert _source(cell).startswith(SOLUTION_LINE), f"{path.name} cell {index}"
        if cell["cell_type"] == "code" and {"hide-input", "remove-input"} & set(tags):
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, (
                f"{path.name} cell {index}: hidden in the book but open in JupyterLab")
        if cell["cell_type"] == "markdown" and "Hint" in _source(cell):
            # a MyST dropdown is raw text in JupyterLab; <details> folds in both
            assert ":::{admonition} Hint" not in _source(cell), f"{path.name} cell {index}"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda path: path.stem)
def test_student_version_has_no_solution(path):
    chapter = _cells(path)
    student = student_notebooks.student_version({"cells": chapter})["cells"]
    solutions = [_source(cell) for cell in chapter if "hide-input" in _tags(cell)]
    kept = {_source(cell) for cell in student}
    assert solutions and not any(solution in kept for solution in solutions)
    checks = [cell for cell in student if cell["cell_type"] == "code"
              and re.match(r"ch\d\d\.check_\w+\(", _source(cell))]
    assert len(checks) == _exercise_count(student)  # one check per exercise: the learner's
    assert sum(student_notebooks.NOTICE in _source(cell) for cell in student) == 1
    assert all(cell.get("outputs", []) == [] for cell in student)


def _set_up_and_exercises(cells: list[dict]) -> list[dict]:
    first_section = next(i for i, cell in enumerate(cells) if _is_section(cell))
    exercises = next(i for i, cell in enumerate(cells)
                     if student_notebooks.is_exercises_heading(cell))
    return cells[:first_section] + cells[exercises:]


def _execute(notebook: nbformat.NotebookNode) -> None:
    """Run every cell in a fresh kernel (started again if it dies while starting)."""
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(student_notebooks.CHAPTERS)}})
        kernel = client.setup_kernel()
        try:
            kernel.__enter__()
        except RuntimeError:
            if attempt == KERNEL_START_ATTEMPTS:
                raise
            continue
        try:
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
        finally:
            kernel.__exit__(None, None, None)
        return


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda path: path.stem)
def test_student_exercises_run_and_say_not_yet_implemented(path, tmp_path):
    written = student_notebooks.write_student_book(tmp_path)
    student = nbformat.read(tmp_path / path.name, as_version=4)
    assert len(written) == len(NOTEBOOKS) + len(list(student_notebooks.CHAPTERS.glob("*.md")))
    student.cells = [nbformat.from_dict(cell) for cell in _set_up_and_exercises(student.cells)]
    _execute(student)                   # a cell that raises fails the test here

    outputs = [json.dumps(output) for cell in student.cells if cell.cell_type == "code"
               for output in cell.outputs]
    exercises = _exercise_count(student.cells)
    assert exercises >= 3
    assert sum("not yet implemented" in output for output in outputs) == exercises
    assert not any("bp-check-pass" in output for output in outputs)
