"""Every text of every explorer in the built book is readable, in the light and the dark theme.

For every page of ``_toc.yml`` that shows explorers, served from 127.0.0.1 with the theme set
as a reader's choice is stored (``localStorage.theme``) and MathJax left out, once the
explorers have drawn: each text of each explorer — HTML and SVG, against the background or
shapes under it — reaches a contrast of 4.5 : 1 (WCAG AA; ``explorer_harness.faint_texts``).
The dark theme colours the browser's own controls and ``<pre>`` text light, which a white
explorer card must override.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import book_pages, guarded_page, store_theme
from explorer_harness import faint_texts

PAGES = [page for page in book_pages() if page.shows_explorers]


def faint_on(browser: Any, url: str, theme: str) -> tuple[str, list[dict]]:
    """Open ``url`` with ``theme``; returns the theme the page applied and its faint texts."""
    context, page, _ = guarded_page(browser, maths=False)
    try:
        store_theme(page, theme)
        page.goto(url, wait_until="load")
        page.wait_for_function(
            "() => { const roots = document.querySelectorAll('.bp-explorer');"
            " return roots.length > 0 && Array.from(roots).every((r) => r.dataset.mode); }",
            timeout=30_000)
        return page.evaluate("document.documentElement.dataset.theme"), faint_texts(page)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES, ids=[p.slug for p in PAGES])
def test_explorer_texts_are_readable(page, theme, book_server, chromium):
    applied, faint = chromium.run(faint_on, f"{book_server}/{page.docname}.html", theme)
    assert applied == theme, f"{page.slug}: the page shows the {applied} theme, not {theme}"
    assert not faint, f"{page.slug} ({theme}): text too faint on its background: {faint[:5]}"
