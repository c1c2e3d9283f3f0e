"""Sphinx extension: inline maths keeps the punctuation that touches it on its line.

A browser may break a line between inline maths (MathJax's ``<mjx-container>``, an atomic
inline box) and the text beside it, even before a comma or after an opening bracket: lines of
the book began with ", the mean of …" or ended with "(". After each page's references are
resolved, every inline ``math`` node goes into one ``<span class="math-nowrap">`` together with
what is written right against it, up to the nearest space: an opening bracket or quote before
it, and closing ones, punctuation or a suffix ("-th") after it (``_static/book.css`` sets
``white-space: nowrap`` on the span). Spaces, and Chinese, which breaks between any two
characters, are left alone.

Punctuation against a bold, italic or linked phrase that ends (or starts) with maths is a
sibling of the phrase, not of the maths, and wrapping the whole phrase would keep a long
phrase from wrapping at all: the extension warns instead (an error under ``-W``), and the
sentence is reworded so that the phrase ends with a word.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: what is written against the maths, up to a space: before it (an opening bracket, "non-")
#: and after it (closing brackets, punctuation, "-th"). Chinese stays out: it breaks anywhere.
_ATTACHED = r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
OPENING = re.compile(_ATTACHED + "+$")
CLOSING = re.compile("^" + _ATTACHED + "+")
NOWRAP = "math-nowrap"
#: inline phrases whose edge may be a formula
PHRASES = (nodes.strong, nodes.emphasis, nodes.reference)


def _cut(parent: nodes.Element, index: int, pattern: re.Pattern, at_end: bool) -> str:
    """Cut what ``pattern`` matches off the text node ``parent[index]`` (at its end if
    ``at_end``, else at its start) and return it; ``""`` if it is no text or nothing matches.
    (By position: text nodes are strings, and ``parent.index`` finds an equal one.)"""
    if not 0 <= index < len(parent) or not isinstance(parent[index], nodes.Text):
        return ""
    text = str(parent[index])
    found = pattern.search(text)
    if found is None:
        return ""
    rest = text[:found.start()] if at_end else text[found.end():]
    if rest:
        parent[index] = nodes.Text(rest)
    else:
        del parent[index]
    return found.group()


def keep_with_punctuation(math: nodes.math) -> None:
    """Wrap ``math`` and the punctuation against it in a ``math-nowrap`` inline node."""
    parent = math.parent
    index = parent.index(math)               # an element: found by identity
    closing = _cut(parent, index + 1, CLOSING, at_end=False)
    opening = _cut(parent, index - 1, OPENING, at_end=True)
    if not (opening or closing):
        return
    wrapper = nodes.inline(classes=[NOWRAP])
    parent.replace(math, wrapper)
    if opening:
        wrapper += nodes.Text(opening)
    wrapper += math
    if closing:
        wrapper += nodes.Text(closing)


def punctuation_beside_phrase(math: nodes.math) -> str:
    """The punctuation written against a bold, italic or linked phrase that ``math`` ends
    or starts (``**… $j$**:`` gives ``":"``); ``""`` if there is none."""
    edge = math.parent if NOWRAP in math.parent.get("classes", []) else math
    phrase = edge.parent
    if not isinstance(phrase, PHRASES) or not isinstance(phrase.parent, nodes.Element):
        return ""
    outer, index = phrase.parent, phrase.parent.index(phrase)
    beside = []
    if phrase[-1] is edge and index + 1 < len(outer) and isinstance(outer[index + 1], nodes.Text):
        beside.append(CLOSING.search(str(outer[index + 1])))
    if phrase[0] is edge and index > 0 and isinstance(outer[index - 1], nodes.Text):
        beside.append(OPENING.search(str(outer[index - 1])))
    return "".join(found.group() for found in beside if found)


def wrap_inline_maths(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Apply ``keep_with_punctuation`` to every inline maths of an HTML page, and warn of
    punctuation against a phrase that ends or starts with maths."""
    if app.builder.format != "html":
        return
    for math in list(doctree.findall(nodes.math)):
        if isinstance(math.parent, nodes.TextElement):
            keep_with_punctuation(math)
        punctuation = punctuation_beside_phrase(math)
        if punctuation:
            logger.warning(f"{punctuation!r} is written against a bold, italic or linked "
                           f"phrase that ends or starts with ${math.astext()}$: a line may "
                           "break between them; reword so that the phrase ends with a word",
                           location=math)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", wrap_inline_maths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
