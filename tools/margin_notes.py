"""Sphinx extension: a margin note's frame is for JupyterLab only.

A notebook's margin note is raw HTML (README, "Adding a chapter") that opens with ``OPENING``,
an ``<aside class="margin sidebar">`` with an inline style. JupyterLab has no rule for an aside,
so without the style the note would read as one more paragraph of the text; the style frames
it with a coloured bar and a background. On the website the theme places the note in the
margin, and an inline style would win over the theme's rules: the extension drops the style
from every such aside before the page is written.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

#: how a chapter opens a margin note: JupyterLab's sanitizer keeps an inline style but drops
#: declarations that use ``var()``, so the colours are literal, and translucent so that they
#: suit JupyterLab's light and dark themes alike
OPENING = ('<aside class="margin sidebar" style="border-left: 4px solid #ffa726; '
           'background: rgba(255, 167, 38, 0.1); padding: 0.6em 1em; margin: 1em 0">')
#: the opening tag of a margin note with an inline style (any style)
FRAMED_ASIDE = re.compile(r'(<aside class="margin sidebar") style="[^"]*">')


def unframe(text: str) -> str:
    """``text`` with the inline style of every margin note's opening tag removed."""
    return FRAMED_ASIDE.sub(r"\1>", text)


def unframe_margin_notes(app: Sphinx, doctree: nodes.document) -> None:
    """Replace each raw HTML node that opens a framed margin note by its unframed text."""
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and FRAMED_ASIDE.search(raw.astext()):
            raw.replace(raw[0], nodes.Text(unframe(raw.astext())))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", unframe_margin_notes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
