"""Sphinx extension: an empty HTML element with an id above a heading labels its section.

A notebook labels a section with a line ``<div id="ch02-rule"></div>`` and a blank line above
its heading, not with MyST's ``(ch02-rule)=``: JupyterLab shows MyST's line as text above every
heading, but an empty ``div`` shows nothing, and a link ``[§2.3](#ch02-rule)`` to a section of
the same notebook jumps to it there. (A ``div``, not an ``a``: Markdown reads a line that opens
with ``<div`` as a block of HTML, but ``<a …></a>`` as a paragraph, which takes room.) On the
website each such block, a raw HTML node, becomes
the target that MyST makes of ``(ch02-rule)=``, before docutils moves targets onto the
sections that follow them, so that ``{ref}``, ``[text](#label)`` from any page and the
labels' checks work as with MyST's syntax.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

#: a raw HTML block that is one empty div with an id
ANCHOR = re.compile(r'<div id="([\w-]+)"></div>\n*')


class AnchorsToLabels(SphinxTransform):
    """Replace each raw HTML block ``<div id="label"></div>`` by an explicit target ``label``."""

    #: before docutils' PropagateTargets (260), which gives a target's id to the section after it
    default_priority = 200

    def apply(self, **kwargs: Any) -> None:
        for raw in list(self.document.findall(nodes.raw)):
            anchor = ANCHOR.fullmatch(raw.astext())
            if anchor is None or "html" not in raw.get("format", "").split():
                continue
            target = nodes.target(anchor[1], names=[nodes.fully_normalize_name(anchor[1])])
            target.source, target.line = raw.source, raw.line
            self.document.note_explicit_target(target, raw.parent)
            raw.replace_self(target)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(AnchorsToLabels)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
