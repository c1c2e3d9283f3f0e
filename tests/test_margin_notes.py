"""``tools/margin_notes.py``: the inline style that frames a margin note in JupyterLab is
dropped from the raw HTML of the website's pages, and nothing else is. (The browser tests check
on the built pages that every note is unframed and sits in the margin.)"""

from __future__ import annotations

import margin_notes
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

TITLE = '\n<p class="sidebar-title"><strong>Correction to note 001</strong></p>\n'


def document(*raws: nodes.raw) -> nodes.document:
    doc = new_document("<test>", get_default_settings(Parser))
    for raw in raws:
        doc += raw
    return doc


def test_the_chapters_opening_tag_loses_its_style_and_keeps_the_rest() -> None:
    framed = margin_notes.OPENING + TITLE
    assert 'style="' in margin_notes.OPENING
    assert margin_notes.unframe(framed) == '<aside class="margin sidebar">' + TITLE


def test_any_inline_style_on_a_margin_note_is_dropped() -> None:
    framed = '<aside class="margin sidebar" style="border: 1px solid red">'
    assert margin_notes.unframe(framed) == '<aside class="margin sidebar">'


def test_other_tags_keep_their_style() -> None:
    for html in ('<div class="margin sidebar" style="color: red">',
                 '<aside class="note" style="color: red">',
                 '<span style="color: red">x</span>'):
        assert margin_notes.unframe(html) == html


def test_raw_html_nodes_of_a_page_are_rewritten_in_place() -> None:
    framed = nodes.raw("", margin_notes.OPENING + TITLE, format="html")
    closing = nodes.raw("", "</aside>", format="html")
    latex = nodes.raw("", margin_notes.OPENING, format="latex")
    doc = document(framed, closing, latex)
    margin_notes.unframe_margin_notes(None, doc)
    texts = [raw.astext() for raw in doc.findall(nodes.raw)]
    assert texts == ['<aside class="margin sidebar">' + TITLE, "</aside>", margin_notes.OPENING]
    assert [raw["format"] for raw in doc.findall(nodes.raw)] == ["html", "html", "latex"]
