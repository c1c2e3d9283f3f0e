"""Checks of the appendices beyond nbval.

Appendix A (``chapters/A_errata.ipynb``): every erratum has a label, a row in the summary table
and a numerical check, and the counts stated in the text match. Appendix B
(``chapters/B_glossary.md``): the conventions it states (row ↔ column mapping, loss
normalisations) hold for the library. Appendix C (``chapters/C_formulas.ipynb``): every section
of the formula sheet ends with the hidden cell that checks its formulas (nbval runs them), and
it links its formulas to their sections.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from backprop.activations import softmax
from backprop.gradcheck import numerical_gradient
from backprop.layers import Linear
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.network import ColumnNetwork

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
ERRATA = CHAPTERS / "A_errata.ipynb"
GLOSSARY = CHAPTERS / "B_glossary.md"
FORMULAS = CHAPTERS / "C_formulas.ipynb"
NUMBER_WORDS = {"Twenty-five": 25, "Twenty-eight": 28}


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return json.loads(ERRATA.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _markdown(cells: list[dict]) -> str:
    return "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")


def test_every_erratum_is_in_the_summary_and_has_a_check(cells):
    text = _markdown(cells)
    labels = re.findall(r'^<div id="(erratum-[\w-]+)"></div>$', text, flags=re.M)
    assert len(labels) == len(set(labels)), "duplicate erratum label"
    summary = next(_source(c) for c in cells
                   if _source(c).startswith("## All errata at a glance"))
    linked = re.findall(r"\]\(#(erratum-[\w-]+)\)", summary)
    assert linked == labels, "the summary table must list every erratum, in page order"
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and re.match(r'<div id="erratum-', _source(cell)):
            check, src = cells[i + 1], _source(cells[i + 1])
            assert check["cell_type"] == "code" and ("confirm(" in src or "assert" in src), (
                f"{_source(cell).splitlines()[0]} has no asserting check cell"
            )


def test_counts_stated_in_the_text_match(cells):
    text = _markdown(cells)
    n_errata = len(re.findall(r'^<div id="erratum-[\w-]+"></div>$', text, flags=re.M))
    slips = re.findall(r"^\| S(\d+) ", text, flags=re.M)
    assert [int(s) for s in slips] == list(range(1, len(slips) + 1))
    closing = next(_source(c) for c in reversed(cells) if c["cell_type"] == "markdown")
    stated = [NUMBER_WORDS[w] for w in re.findall(r"(Twenty-\w+)", closing)]
    assert stated == [n_errata, len(slips)]


def test_glossary_links_only_existing_errata(cells):
    labels = set(re.findall(r'^<div id="(erratum-[\w-]+)"></div>$', _markdown(cells), flags=re.M))
    used = set(re.findall(r"\{ref\}`(erratum-[\w-]+)`", GLOSSARY.read_text(encoding="utf-8")))
    assert used and used <= labels


def test_row_and_column_conventions_map_by_transposes():
    """Appendix B: W_row = (W^l)ᵀ, dZ = (δ^l)ᵀ, dW_row = (∂L/∂W^l)ᵀ, equal bias gradients."""
    rng = np.random.default_rng(1)
    shapes = [(4, 3), (5, 4), (2, 5)]                      # widths 3-4-5-2
    col = ColumnNetwork([rng.standard_normal(s) for s in shapes],
                        [rng.standard_normal(s[0]) for s in shapes], ["tanh", "relu", "sigmoid"])
    seq = col.to_sequential()
    A0 = rng.standard_normal((3, 6))                       # 6 samples as columns
    target = rng.standard_normal((2, 6))
    aL = col.forward(A0)
    assert np.allclose(seq.forward(A0.T), aL.T)
    res = col.backward(aL - target)
    dY, dZ = (aL - target).T, []
    for layer in reversed(seq.layers):
        if isinstance(layer, Linear):
            dZ.insert(0, dY)
        dY = layer.backward(dY)
    linears = [layer for layer in seq.layers if isinstance(layer, Linear)]
    for l, lin in enumerate(linears):
        assert np.allclose(lin.W, col.W[l].T)
        assert np.allclose(dZ[l], res.deltas[l].T)
        assert np.allclose(lin.dW, res.dW[l].T)
        assert np.allclose(lin.db, res.db[l])


@pytest.mark.parametrize(
    ("reduction", "gradient"),
    [("mean", lambda d: 2 * d / d.size), ("sum", lambda d: 2 * d), ("half_sum", lambda d: d)],
)
def test_mse_normalisations_in_the_glossary(reduction, gradient):
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = MSE(reduction=reduction)
    loss.forward(pred, target)
    expected = gradient(pred - target)
    assert np.allclose(loss.backward(), expected)
    assert np.allclose(numerical_gradient(lambda p: loss.forward(p, target), pred), expected)


def test_cross_entropy_gradient_in_the_glossary():
    rng = np.random.default_rng(3)
    logits, labels = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    onehot = np.eye(3)[labels]
    ce = SoftmaxCrossEntropy()
    numeric = numerical_gradient(lambda z: ce.forward(z, labels), logits)
    assert np.allclose(numeric, (softmax(logits) - onehot) / 5)


def test_every_section_of_the_formula_sheet_ends_with_its_check():
    cells = json.loads(FORMULAS.read_text(encoding="utf-8"))["cells"]
    starts = [i for i, cell in enumerate(cells)
              if cell["cell_type"] == "markdown"
              and _source(cell).startswith('<div id="formulas-')]
    assert len(starts) >= 9
    for start, end in zip(starts, [*starts[1:], len(cells)], strict=True):
        heading = _source(cells[start]).splitlines()[2]
        code = [cell for cell in cells[start:end] if cell["cell_type"] == "code"]
        assert len(code) == 1 and code[0] is cells[end - 1], f"{heading}: one check, at the end"
        assert "remove-input" in code[0]["metadata"].get("tags", []), heading
        assert _source(code[0]).startswith("with book_check():") and "assert" in _source(code[0])


def test_formula_sheet_links_each_formula_to_its_section():
    # that each link carries its section's number: test_book_build checks every notebook
    links = re.findall(r"\[§\d+\.\d+\]\(#", _markdown(json.loads(FORMULAS.read_text(
        encoding="utf-8"))["cells"]))
    assert len(links) > 50
