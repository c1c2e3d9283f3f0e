"""Write the student version of the book's notebooks: every chapter without its solutions.

``make student`` runs ``python tools/student_notebooks.py _build/student``. Each chapter's
exercises end with cells tagged ``solution``: the reference solution, its check, the hidden
assertion that it passes, and any cell after it that uses the solved function. This script
copies every notebook of ``chapters/`` (and the glossary) into the output folder without those
cells and without outputs, and adds a line under the Exercises heading that says the solutions
were removed. The result runs top to bottom in a fresh kernel: every check cell then says
"not yet implemented" until the student fills in the function above it.

Standard library only, so that it runs before the virtual environment exists.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SOLUTION_TAG = "solution"
NOTICE = ("*Student version: the solutions that the text below mentions are not included. "
          "Each check cell says \"not yet implemented\" until you fill in the cell above it.*")


def is_solution(cell: dict) -> bool:
    """True for a cell that belongs to an exercise's solution (tagged ``solution``)."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_exercises_heading(cell: dict) -> bool:
    """True for the markdown cell whose heading is the chapter's "Exercises" section."""
    lines = "".join(cell["source"]).splitlines()
    return cell["cell_type"] == "markdown" and "## Exercises" in lines


def student_version(notebook: dict) -> dict:
    """A copy of ``notebook`` without solution cells and outputs, with the notice added."""
    cells = []
    for cell in notebook["cells"]:
        if is_solution(cell):
            continue
        cell = json.loads(json.dumps(cell))
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if is_exercises_heading(cell):
            text = "".join(cell["source"])
            text = text.replace("## Exercises\n", f"## Exercises\n\n{NOTICE}\n", 1)
            cell["source"] = text.splitlines(keepends=True)
        cells.append(cell)
    return {**notebook, "cells": cells}


def write_student_book(out: Path) -> list[Path]:
    """Write every notebook of ``chapters/`` (student versions) and its Markdown pages."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(CHAPTERS.glob("*.ipynb")):
        notebook = json.loads(source.read_text(encoding="utf-8"))
        target = out / source.name
        target.write_text(json.dumps(student_version(notebook), indent=1, ensure_ascii=False)
                          + "\n", encoding="utf-8")
        written.append(target)
    for page in sorted(CHAPTERS.glob("*.md")):
        written.append(Path(shutil.copy2(page, out / page.name)))
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/student_notebooks.py OUTPUT_FOLDER")
    files = write_student_book(Path(sys.argv[1]))
    print(f"{len(files)} files written to {sys.argv[1]} (solutions removed)")
