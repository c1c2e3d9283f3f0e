"""The built book for readers who use a keyboard, a screen reader or the dark theme.

- Formulas are not Tab stops: MathJax makes every formula focusable by default, and a page has
  hundreds of them before its first control (``mathjax3_config`` in ``_config.yml``).
- The Chinese quoted from the notes is marked ``lang="zh-Hans"`` (``tools/cjk_lang.py``), so
  that a screen reader switches voice; read from the built files.
- The exercise checkers' messages reach 4.5 : 1 against their background, in the light and
  the dark theme, inline code included (``backprop.exercises._core``).
- Every figure has a description as its alt text, from its cell's metadata
  ``"mystnb": {"image": {"alt": "…"}}`` (Sphinx writes the PNG's path otherwise, and names the
  link around the figure by it); read from the built files.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser_support import book_pages, guarded_page, store_theme
from explorer_harness import contrast

PAGES = book_pages()
NOTEBOOKS = [page for page in PAGES if page.is_notebook]
#: a CJK character: the ranges of the book's Chinese font (tools/cjk_font.py RANGES)
CJK = re.compile("[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
#: elements whose content is not text
NOT_TEXT = {"script", "style", "template"}
#: HTML elements without an end tag
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class LanguageOfText(HTMLParser):
    """Collects the text of a page with the ``lang`` in force where it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = [("", "")]
        self.maths: list[bool] = [False]
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            attributes = dict(attrs)
            lang = attributes.get("lang") or self.stack[-1][1]
            self.stack.append((tag, lang))
            self.maths.append("math" in (attributes.get("class") or "").split())

    @property
    def in_maths(self) -> bool:
        """Inside TeX that MathJax typesets (its MathML copy is what a screen reader reads)."""
        return any(self.maths)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):   # tolerate unclosed elements
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                del self.maths[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack[-1][0] not in NOT_TEXT and not self.in_maths:
            self.texts.append((data, self.stack[-1][1]))


@pytest.mark.book
@pytest.mark.parametrize("book_page", PAGES, ids=[p.slug for p in PAGES])
def test_chinese_text_is_marked_as_chinese(built_book: Path, book_page) -> None:
    parser = LanguageOfText()
    parser.feed(book_page.html.read_text(encoding="utf-8"))
    untagged = [text.strip() for text, lang in parser.texts
                if CJK.search(text) and not lang.startswith("zh")]
    assert not untagged, (f"{book_page.slug}: Chinese text outside any lang=\"zh-…\" element "
                          f"(tools/cjk_lang.py): {untagged[:5]}")


class Images(HTMLParser):
    """The ``(src, alt)`` of every ``<img>`` of a page (``alt`` is None when it is missing)."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            found = dict(attrs)
            self.images.append((found.get("src") or "", found.get("alt")))


#: an alt text that only names the image's file (what Sphinx writes when a cell gives none)
FILE_NAME_ALT = re.compile(r"^\S*_images/|\.(png|svg|jpe?g|gif)$", re.IGNORECASE)


@pytest.mark.book
def test_every_figure_has_a_description_as_alt_text(built_book: Path) -> None:
    """No ``<img>`` of a chapter page has an empty alt or one that is a file path; each figure
    has its own description, at most about 300 characters. A cell's ``mystnb.image.alt``
    applies to every image the cell shows: a cell that draws two figures would give both one
    description, which the last rule catches."""
    bad: list[str] = []
    figures = 0
    for book_page in NOTEBOOKS:
        parser = Images()
        parser.feed(book_page.html.read_text(encoding="utf-8"))
        seen: dict[str, str] = {}
        for src, alt in parser.images:
            where = f"{book_page.slug}: <img src={src!r}>"
            text = (alt or "").strip()
            if not text:
                bad.append(f"{where} has no alt text")
            elif FILE_NAME_ALT.search(text):
                bad.append(f"{where} has a file path as alt text: {text!r}")
            elif len(text) > 320:
                bad.append(f"{where}: alt text of {len(text)} characters (keep it under ~300)")
            elif text in seen and seen[text] != src:
                bad.append(f"{where} has the same alt text as {seen[text]!r}: {text!r}")
            seen.setdefault(text, src)
            figures += "_images/" in src
    assert figures >= 15, f"only {figures} figures found in the chapter pages: markup changed?"
    assert not bad, ("images without a real description (give the cell the metadata "
                     '"mystnb": {"image": {"alt": "..."}}):\n' + "\n".join(bad))


def test_the_language_check_sees_untagged_chinese() -> None:
    parser = LanguageOfText()
    parser.feed('<html lang="en"><p>forward pass (正向传播), <span lang="zh-Hans">误差</span>'
                '<br>残差</p><script>"忽略"</script><span class="math">\\(\\text{其}\\)</span>'
                "</html>")
    assert [(t, lang) for t, lang in parser.texts if CJK.search(t)] == [
        ("forward pass (正向传播), ", "en"), ("误差", "zh-Hans"), ("残差", "en")]


#: focusable formulas, and all formulas, once MathJax has typeset the page
FORMULA_TAB_STOPS = """async () => {
  await window.MathJax.startup.promise;
  const all = document.querySelectorAll("mjx-container");
  return [document.querySelectorAll('mjx-container[tabindex="0"]').length, all.length];
}"""


def formula_tab_stops(browser: Any, url: str) -> list[int]:
    context, page, _ = guarded_page(browser)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.MathJax && window.MathJax.startup", timeout=30_000)
        return page.evaluate(FORMULA_TAB_STOPS)
    finally:
        context.close()


#: the setting is the book's (``_config.yml``), the same on every page: read on the three pages
#: with the most formulas
MATHS_PAGES = [page for page in NOTEBOOKS
               if page.slug in ("05_matrix_forms", "A_errata", "C_formulas")]


@pytest.mark.browser
@pytest.mark.parametrize("book_page", MATHS_PAGES, ids=[p.slug for p in MATHS_PAGES])
def test_formulas_are_not_tab_stops(chromium, book_server: str, book_page) -> None:
    focusable, formulas = chromium.run(formula_tab_stops,
                                       f"{book_server}/{book_page.docname}.html")
    assert formulas > 0, f"{book_page.slug}: no typeset formula found"
    assert focusable == 0, (f"{book_page.slug}: {focusable} of {formulas} formulas are Tab "
                            "stops (mathjax3_config menuOptions.settings.inTabOrder)")


#: every text of the checkers' messages (the card's own text and its inline code) with its
#: colour and the first opaque background at or above it, as [r, g, b]
CHECK_COLOURS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const ground = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll(".bp-check, .bp-check *"))
    .filter((el) => Array.from(el.childNodes).some(
      (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
    .map((el) => ({text: el.textContent.trim().slice(0, 30), tag: el.tagName,
                   fg: rgb(getComputedStyle(el).color).slice(0, 3), bg: ground(el)}));
}"""


def check_colours(browser: Any, url: str, theme: str) -> tuple[str, list[dict]]:
    context, page, _ = guarded_page(browser)
    try:
        store_theme(page, theme)
        page.goto(url, wait_until="load")
        return page.evaluate("document.documentElement.dataset.theme"), \
            page.evaluate(CHECK_COLOURS)
    finally:
        context.close()


#: the page whose messages are read: its stubs' messages quote code (`...`), and its solutions
#: pass; every message of the book is made by the same ``Result._repr_html_``
CHECKER_PAGE = "03_loss_to_weight"


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_checker_messages_are_readable_in_both_themes(chromium, book_server: str,
                                                      theme: str) -> None:
    (book_page,) = [page for page in NOTEBOOKS if page.slug == CHECKER_PAGE]
    url = f"{book_server}/{book_page.docname}.html"
    applied, texts = chromium.run(check_colours, url, theme)
    assert applied == theme, f"{book_page.slug}: the page shows the {applied} theme"
    assert any(t["tag"] == "CODE" for t in texts) and len(texts) > 5, texts
    faint = [t for t in texts if contrast(t["fg"], t["bg"]) < 4.5]
    assert not faint, f"{book_page.slug} ({theme}): checker text too faint: {faint[:4]}"
