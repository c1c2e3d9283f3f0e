"""``backprop.book_check``: the chapters' checks of their numbers stop the build, not a learner."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from test_student_notebooks import _execute

from backprop.book_check import STRICT, book_check

CHAPTER_1 = Path(__file__).resolve().parents[1] / "chapters" / "01_forward_pass.ipynb"


def test_strict_a_failing_check_raises_its_own_error(monkeypatch):
    monkeypatch.setenv(STRICT, "1")
    with pytest.raises(AssertionError, match="re-run"), book_check():
        assert 1 + 1 == 3, "re-run the cell above"


def test_for_a_learner_a_failing_check_says_so_and_the_cell_goes_on(monkeypatch, capsys):
    monkeypatch.delenv(STRICT, raising=False)
    after = []
    with book_check():
        {"a": 1}["b"]                                    # a KeyError, as a changed cell gives
    after.append("ran")
    out = capsys.readouterr().out
    assert after == ["ran"] and "did not hold (KeyError: 'b')" in out and "runs on" in out


def test_a_long_reason_is_wrapped_into_short_lines(monkeypatch, capsys):
    """A notebook's output breaks a long line anywhere, even inside a word."""
    monkeypatch.delenv(STRICT, raising=False)
    with book_check():
        raise AssertionError("the first weight is 1.0 in the text but " + "2.0 " * 40)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 4 and all(len(line) <= 88 for line in lines)
    assert lines[0].startswith("Note:") and lines[-1].endswith("the notebook runs on.")


def test_a_check_that_holds_prints_nothing(monkeypatch, capsys):
    monkeypatch.delenv(STRICT, raising=False)
    with book_check():
        assert 1 + 1 == 2
    assert capsys.readouterr().out == ""


def test_a_learner_who_changes_a_weight_still_reaches_the_exercises(monkeypatch):
    """Chapter 1 invites a change of a weight in §1.7; its check then fails and says so, and
    Run All goes on to the last cell (the exercises' checks run)."""
    monkeypatch.delenv(STRICT, raising=False)
    notebook = nbformat.read(CHAPTER_1, as_version=4)
    changed = [cell for cell in notebook.cells
               if "explorer.set_weight(0, 0, 0, 1.0)" in cell.source]
    assert len(changed) == 1
    changed[0].source = changed[0].source.replace("set_weight(0, 0, 0, 1.0)",
                                                  "set_weight(0, 0, 0, 2.0)")
    _execute(notebook)
    outputs = [json.dumps(output) for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.get("outputs", [])]
    assert not any('"output_type": "error"' in o for o in outputs)
    assert sum("did not hold" in o for o in outputs) >= 1
    assert any("not yet implemented" in o for o in outputs)   # the exercises ran
