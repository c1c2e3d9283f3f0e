"""What the built pages carry, read from the HTML files (no browser, a second or so).

- The widget manager's scripts are deferred, in their order, so they do not hold back the
  first paint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from browser_support import ROOT, book_pages

PAGES = book_pages()

WIDGET_SCRIPTS = list(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
                      ["sphinx"]["config"]["nb_ipywidgets_js"])


@pytest.mark.book
def test_widget_scripts_are_deferred_in_their_order(built_book: Path) -> None:
    for page in PAGES:
        html = page.html.read_text(encoding="utf-8")
        if "widget-view+json" not in html:
            continue
        tags = [tag for tag in re.findall(r"<script [^>]*>", html)
                if any(f"/_static/{path}?" in tag for path in WIDGET_SCRIPTS)]
        assert [next(p for p in WIDGET_SCRIPTS if f"/{p}?" in t) for t in tags] == WIDGET_SCRIPTS
        blocking = [tag for tag in tags if 'defer="defer"' not in tag]
        assert not blocking, f"{page.docname}: scripts that block the first paint: {blocking}"
