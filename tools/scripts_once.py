"""Sphinx extension: each page lists every script once.

sphinx-thebe adds its inline configuration (``const THEBE_JS_URL = …``) at every
``env-before-read-docs``, and a Jupyter Book build reads the sources more than once, so the
pages carried two copies; the second redeclares the constant and the browser logged
"Identifier 'THEBE_JS_URL' has already been declared" on every page. Files added twice are
already merged by Sphinx; this does the same for inline scripts, keeping the first copy.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _identity(script: Any) -> tuple:
    """What makes two script entries the same tag: an inline script may come with the file
    name ``None`` once and ``""`` the other time (the builder's copy and the registry's)."""
    attributes = getattr(script, "attributes", {})
    return (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))


def drop_repeated_scripts(app: Sphinx, pagename: str, templatename: str,
                          context: dict[str, Any], doctree: Any) -> None:
    """Keep the first of the page's ``script_files`` that would write the same tag."""
    scripts = context.get("script_files")
    if scripts:
        first = {}
        for script in scripts:
            first.setdefault(_identity(script), script)
        context["script_files"] = list(first.values())


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
