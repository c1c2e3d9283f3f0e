"""``tools/html_anchors.py``: a raw HTML block ``<div id="label"></div>`` above a heading
becomes the label of the section below it, as MyST's ``(label)=`` would; other raw HTML is left
alone. (The book's build resolves every ``[§N.N](#label)`` through these labels, with -W.)"""

from __future__ import annotations

import html_anchors
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.transforms.references import PropagateTargets
from docutils.utils import new_document


def page(*body: nodes.Node) -> nodes.document:
    """A document holding ``body`` and then a section titled "2.1 The rule"."""
    doc = new_document("<test>", get_default_settings(Parser))
    for node in body:
        doc += node
    section = nodes.section()
    section += nodes.title("", "2.1 The rule")
    doc += section
    return doc


def labelled(doc: nodes.document) -> nodes.document:
    """``doc`` after the extension's transform and docutils' PropagateTargets, in their order."""
    assert html_anchors.AnchorsToLabels.default_priority < PropagateTargets.default_priority
    html_anchors.AnchorsToLabels(doc).apply()
    PropagateTargets(doc).apply()
    return doc


def test_an_empty_div_labels_the_section_after_it() -> None:
    doc = labelled(page(nodes.raw("", '<div id="ch02-rule"></div>\n', format="html")))
    assert not list(doc.findall(nodes.raw))
    section = next(doc.findall(nodes.section))
    assert "ch02-rule" in section["ids"]
    assert doc.nametypes == {"ch02-rule": True}          # explicit, as Sphinx's labels need
    assert doc.ids[doc.nameids["ch02-rule"]] is section


def test_a_label_keeps_its_capitals_in_the_name_it_was_written_with() -> None:
    doc = labelled(page(nodes.raw("", '<div id="erratum-003-dW1"></div>', format="html")))
    target = next(doc.findall(nodes.target))
    assert target.rawsource == "erratum-003-dW1"
    assert "erratum-003-dw1" in doc.nameids                # docutils' names are lower case


def test_other_raw_html_is_left_alone() -> None:
    kept = ['<div id="ch02-rule">text</div>', '<div class="x"></div>', '<a id="ch02-rule"></a>',
            '<div id="ch02-rule"></div><p>more</p>']
    latex = '<div id="ch02-rule"></div>'
    doc = labelled(page(*(nodes.raw("", html, format="html") for html in kept),
                        nodes.raw("", latex, format="latex")))
    assert [raw.astext() for raw in doc.findall(nodes.raw)] == [*kept, latex]
    assert not doc.nameids
