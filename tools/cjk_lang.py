"""Sphinx extension: the Chinese quoted from the notes is marked as Chinese.

The pages are ``lang="en"``; a screen reader reads an untagged Chinese term (the glossary's
中文 column, the errata's quotations) with its English voice, letter by letter or not at all
(WCAG 2.1, 3.1.2 "Language of Parts"). After each page's references are resolved, every run of
CJK characters in its text becomes ``<span lang="zh-Hans">…</span>`` (an inline node with the
class ``language-zh-Hans``, which docutils writes as that ``lang`` attribute), inline code
included. Maths is left to MathJax, whose MathML copy is what screen readers read. The CJK
ranges are those of the book's Chinese font (``tools/cjk_font.py``), so what is tagged is what
that font draws.
"""

from __future__ import annotations

import re
from typing import Any

from cjk_font import RANGES
from docutils import nodes
from sphinx.application import Sphinx

#: a run of CJK characters, with the spaces between two of them (一 / 二 stays two runs)
CJK_RUN = re.compile("[{0}](?:[{0} ]*[{0}])?".format(
    "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in RANGES)))
#: docutils writes the first ``language-`` class of a node as its ``lang`` attribute
CHINESE = "language-zh-Hans"
#: where text is not written out node by node: raw HTML, code blocks (highlighted from their
#: whole text), maths (typeset from its source)
SKIP = (nodes.raw, nodes.comment, nodes.FixedTextElement, nodes.math)


def tagged(text: str) -> list[nodes.Node]:
    """``text`` as plain text nodes and, for each CJK run, an inline node marked Chinese."""
    pieces: list[nodes.Node] = []
    end = 0
    for run in CJK_RUN.finditer(text):
        if run.start() > end:
            pieces.append(nodes.Text(text[end:run.start()]))
        pieces.append(nodes.inline(run.group(), run.group(), classes=[CHINESE]))
        end = run.end()
    if end < len(text):
        pieces.append(nodes.Text(text[end:]))
    return pieces


def in_skipped(node: nodes.Node) -> bool:
    """Whether ``node`` lies inside a ``SKIP`` element."""
    while node.parent is not None:
        node = node.parent
        if isinstance(node, SKIP):
            return True
    return False


def tag_chinese(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace every text node of ``doctree`` that holds CJK characters by ``tagged`` pieces."""
    if app.builder.format != "html":
        return
    for text in list(doctree.findall(nodes.Text)):
        if CJK_RUN.search(text) and not in_skipped(text):
            text.parent.replace(text, tagged(str(text)))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", tag_chinese)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
