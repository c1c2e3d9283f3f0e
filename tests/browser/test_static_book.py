"""The built HTML book, as a reader sees it in a browser with no internet.

For every page of ``_toc.yml``, served from 127.0.0.1 and opened from disk (``file://``), with
every request that would leave the machine aborted: the maths is typeset by MathJax (no raw TeX
left in the text), no table, code block or displayed formula scrolls sideways at 1280 px, every
image loads, every widget view renders (sliders visible, ipywidgets sliders showing their
stored value), Chinese text is set in the book's own font, notebook pages have the Binder,
Colab, live-code and download buttons, no request leaves 127.0.0.1, and the page logs no error
other than the known Jupyter Book one. With ``SCREENSHOTS=1``, a full-page screenshot of each
page goes to ``_build/screenshots/``. Without a browser, the book is still built with warnings
as errors and its internal links and images are checked in the HTML files.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_support import FULL_PAGES, SCREENSHOTS, Page, book_pages, guarded_page, store_theme

PAGES = book_pages()
PAGE_IDS = [page.slug for page in PAGES]

#: Raw TeX that MathJax would have replaced (looked for outside code blocks).
RAW_TEX = re.compile(r"\$\$|\\frac|\\\(|\\\[|\\begin\{|\\partial|\\delta")

VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGETS_RENDERED = """() => {
  const views = document.querySelectorAll('VIEW');
  return Array.from(views).every((script) => {
    const area = script.previousElementSibling;
    return area && area.classList.contains("widget-subarea") && (
      area.innerText.trim() !== "" || area.querySelector("svg, canvas, img, input") !== null);
  });
}""".replace("VIEW", VIEW)

PAGE_FACTS = """async () => {
  let mathjax = "absent";
  if (window.MathJax && window.MathJax.startup) {
    await window.MathJax.startup.promise;
    mathjax = "typeset";
  }
  document.querySelectorAll("img[loading=lazy]").forEach((img) => { img.loading = "eager"; });
  await Promise.all(Array.from(document.images).map((img) => img.complete ? null :
    new Promise((done) => { img.onload = img.onerror = done; })));
  const article = document.querySelector("article") || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, mjx-container, .cell_input, .highlight")
    .forEach((el) => el.remove());
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  // Displayed: not inside display:none (a control an explorer hides on purpose).
  const displayed = (el) => el.checkVisibility();
  const views = Array.from(document.querySelectorAll('VIEW'));
  return {
    mathjax,
    math: Array.from(document.querySelectorAll(".math")).map((el) => ({
      tex: el.textContent.slice(0, 80), typeset: el.querySelector("mjx-container") !== null })),
    mjx: document.querySelectorAll("mjx-container").length,
    text: prose.textContent,
    chinese: /[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]/.test(article.textContent),
    bookCjkFont: await document.fonts.ready.then((fonts) => Array.from(fonts)
      .filter((f) => f.family.replace(/"/g, "") === "Book CJK").map((f) => f.status)),
    // at the book's width nothing of the text scrolls sideways: tables, code, displayed maths
    scrolling: Array.from(article.querySelectorAll(
      '.pst-scrollable-table-container, pre, mjx-container[display="true"]'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()} ${el.clientWidth} < ${el.scrollWidth} px: `
        + el.innerText.slice(0, 60)),
    brokenImages: Array.from(document.images)
      .filter((img) => !(img.complete && img.naturalWidth > 0)).map((img) => img.src),
    views: views.map((script) => {
      const area = script.previousElementSibling;
      return {
        model: JSON.parse(script.textContent).model_id,
        text: area ? area.innerText : "",
        error: !area || /Error displaying widget|Could not create|Failed to/.test(area.innerText),
        ranges: area ? Array.from(area.querySelectorAll('input[type="range"]')).map((r) => ({
          displayed: displayed(r), visible: visible(r),
          value: Number(r.value), min: Number(r.min), max: Number(r.max)}))
          : [],
        sliders: area ? Array.from(area.querySelectorAll(".widget-slider")).map((s) => ({
          displayed: displayed(s), visible: visible(s),
          readout: (s.querySelector(".widget-readout") || {}).textContent || ""})) : [],
      };
    }),
    state: Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]')).map((s) => s.textContent),
    launch: {
      binder: Array.from(document.querySelectorAll('a[href*="mybinder.org/v2/"]'))
        .map((a) => a.href),
      colab: Array.from(document.querySelectorAll('a[href*="colab.research.google.com/github/"]'))
        .map((a) => a.href),
      thebe: document.querySelectorAll(".btn-launch-thebe, .thebe-launch-button").length,
      download: Array.from(document.querySelectorAll('a[href$=".ipynb"]')).map((a) => a.href),
      menuVisible: Array.from(document.querySelectorAll(".dropdown-launch-buttons > button"))
        .some(visible),
    },
  };
}""".replace("VIEW", VIEW)


def visit(browser, url: str, has_widgets: bool, screenshot: Path | None = None) -> dict:
    """Open ``url`` with every non-local request aborted; return what the page shows.

    Runs in the browser's thread. Waits for MathJax and, when the page embeds widget views,
    for every view to render (the assertions report those that do not), then collects the
    facts the tests check, the blocked requests and the unexpected page errors.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context, page, guard = guarded_page(browser)
    try:
        page.goto(url, wait_until="load")
        if has_widgets:
            try:
                page.wait_for_function(WIDGETS_RENDERED, timeout=30_000)
            except PlaywrightTimeout:
                pass
        facts = page.evaluate(PAGE_FACTS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot, full_page=True)
    finally:
        context.close()
    return {**facts, "blocked": guard.blocked, "errors": guard.unexpected_errors()}


def slider_models(states: list[str]) -> dict[str, dict]:
    """The embedded state of every ipywidgets slider model, by model id."""
    models = {}
    for text in states:
        for model_id, model in json.loads(text)["state"].items():
            if model["model_name"] in ("IntSliderModel", "FloatSliderModel"):
                models[model_id] = model["state"]
    return models


def check_page(facts: dict, page: Page) -> None:
    """What every page must show, over http:// and from disk."""
    assert not facts["blocked"], f"{page.docname}: requests left the machine: {facts['blocked']}"
    assert not facts["errors"], f"{page.docname}: page errors: {facts['errors']}"
    untypeset = [m["tex"] for m in facts["math"] if not m["typeset"]]
    assert not untypeset, f"{page.docname}: maths not typeset by MathJax: {untypeset[:5]}"
    text = " ".join(facts["text"].split())
    raw = [text[max(m.start() - 50, 0):m.end() + 30] for m in RAW_TEX.finditer(text)]
    assert not raw, f"{page.docname}: raw TeX in the visible text: {raw[:5]}"
    assert not facts["scrolling"], f"{page.docname}: scrolls sideways: {facts['scrolling']}"
    assert not facts["brokenImages"], f"{page.docname}: images not loaded: {facts['brokenImages']}"
    if facts["chinese"]:  # the book's own glyphs, whatever fonts the system has
        assert "loaded" in facts["bookCjkFont"], f"{page.docname}: {facts['bookCjkFont']}"
    for view in facts["views"]:
        assert not view["error"], f"{page.docname}: widget {view['model']}: {view['text'][:200]}"
        for control in view["ranges"] + view["sliders"]:
            assert control["visible"] or not control["displayed"], (
                f"{page.docname}: a slider of widget {view['model']} has no size")
        for r in view["ranges"]:
            assert r["min"] <= r["value"] <= r["max"], f"{page.docname}: range input {r}"
    controls = [c for view in facts["views"] for c in view["ranges"] + view["sliders"]]
    if controls:
        assert any(c["visible"] for c in controls), f"{page.docname}: no slider is visible"
    if facts["math"]:
        assert facts["mathjax"] == "typeset" and facts["mjx"] >= len(facts["math"])
    html = page.html.read_text(encoding="utf-8")
    assert len(facts["views"]) == html.count('type="application/vnd.jupyter.widget-view+json"')
    sliders = slider_models(facts["state"])
    for view in facts["views"]:
        if view["model"] in sliders and view["sliders"]:
            state = sliders[view["model"]]
            stored = format(state["value"], state.get("readout_format", "d"))
            assert view["sliders"][0]["readout"] == stored, (
                f"{page.docname}: slider shows {view['sliders'][0]['readout']!r}, "
                f"stored value {stored!r}")
    if page.is_notebook:
        launch = facts["launch"]
        assert launch["menuVisible"], f"{page.docname}: no launch menu"
        notebook = f"{page.docname}.ipynb"
        assert any("urlpath=lab" in url and notebook in url for url in launch["binder"]), launch
        assert any(url.endswith(notebook) for url in launch["colab"]), launch
        assert launch["thebe"] >= 1, f"{page.docname}: no live-code (Thebe) button"
        assert any(url.endswith(Path(notebook).name) for url in launch["download"]), launch


def has_widgets(page: Page) -> bool:
    """Whether the built page embeds widget views."""
    return "application/vnd.jupyter.widget-view+json" in page.html.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("book_page", PAGES, ids=PAGE_IDS)
def test_page_over_http(chromium, book_server: str, book_page: Page) -> None:
    """A page served on 127.0.0.1 renders maths, images, widgets and buttons with no internet."""
    facts = chromium.run(visit, f"{book_server}/{book_page.docname}.html",
                         has_widgets(book_page),
                         SCREENSHOTS / f"{book_page.slug}.png" if FULL_PAGES else None)
    check_page(facts, book_page)


@pytest.mark.browser
@pytest.mark.parametrize("book_page", PAGES, ids=PAGE_IDS)
def test_page_from_disk(chromium, built_book: Path, book_page: Page) -> None:
    """The same page opened as a file (file://) renders the same with no internet."""
    facts = chromium.run(visit, book_page.html.as_uri(), has_widgets(book_page))
    check_page(facts, book_page)


PHONE_WIDTH = 420


#: JS: whether the inline element ``s`` is broken across lines (more than one line box)
SPLIT = "(s) => Array.from(s.getClientRects()).filter((r) => r.width > 0).length > 1"

PHONE_LAYOUT = f"""() => ({{
  width: document.documentElement.scrollWidth,
  nowrap: document.querySelectorAll(".math-nowrap").length,
  broken: Array.from(document.querySelectorAll(".math-nowrap")).filter({SPLIT})
    .map((s) => s.textContent.slice(0, 60)),
}})"""

GLOSSARY_TERMS = f"""() => {{
  const terms = Array.from(document.querySelectorAll(
    "#glossary-terms ~ section td:first-child span[lang='zh-Hans']"));
  return {{count: terms.length, broken: terms.filter({SPLIT}).map((s) => s.textContent)}};
}}"""


def on_a_phone(browser, url: str, script: str, has_widgets: bool = False) -> dict:
    """``script``'s result on ``url`` in a 420-pixel-wide viewport, once its maths is typeset
    and its widget views (if any) have rendered (runs in the browser's thread)."""
    context, page, _ = guarded_page(browser)
    try:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 900})
        page.goto(url, wait_until="load")
        if has_widgets:
            page.wait_for_function(WIDGETS_RENDERED, timeout=30_000)
        page.evaluate("async () => { if (window.MathJax?.startup?.promise) {"
                      " await window.MathJax.startup.promise; } }")
        return page.evaluate(script)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("book_page", PAGES, ids=PAGE_IDS)
def test_pages_fit_a_phone_screen(chromium, built_book: Path, book_page: Page) -> None:
    """On a phone the page never scrolls sideways (a wide explorer scrolls inside its card),
    and no line starts with the comma after a formula (tools/math_punctuation.py)."""
    # the page's width in CSS pixels, and the inline formulas kept on one line with their
    # punctuation (.math-nowrap) that break across lines all the same
    seen = chromium.run(on_a_phone, book_page.html.as_uri(), PHONE_LAYOUT,
                        has_widgets(book_page))
    assert seen["width"] <= PHONE_WIDTH, f"{book_page.docname} is {seen['width']} px wide"
    assert not seen["broken"], (
        f"{book_page.docname}: formulas split from their punctuation: {seen['broken'][:5]}")
    if "$" in book_page.source.read_text(encoding="utf-8"):
        assert seen["nowrap"] > 0, f"{book_page.docname}: no formula kept with its punctuation"


#: in print, whether each code cell's frame (div.cell_input) and its code block (div.highlight)
#: are each kept on one page
PRINT_BREAKS = """() => Array.from(document.querySelectorAll("div.cell_input"), (cell) => [
  getComputedStyle(cell).breakInside,
  getComputedStyle(cell.querySelector("div.highlight")).breakInside])"""

#: the width of an A4 page's text in CSS pixels, with the 0.4-inch margins of a browser's
#: "minimum" setting: (8.27 - 0.8) in × 96 px/in
A4_TEXT_WIDTH = 717

#: in print, the code blocks and display formulas cut at the page's right edge, the explorers
#: a page break may split, and what the folds show
PRINTED_CHAPTER = """async () => {
  if (window.MathJax?.startup?.promise) { await window.MathJax.startup.promise; }
  const edge = document.documentElement.clientWidth + 1;
  const cut = (el) => el.getBoundingClientRect().right > edge
    || el.scrollWidth > el.clientWidth + 1;
  const shown = (el) => el.getClientRects().length > 0;
  const blocks = Array.from(document.querySelectorAll(
    ".bd-article pre, .bd-article mjx-container[display='true']"));
  const hints = Array.from(document.querySelectorAll("details.bp-hint"));
  const solutions = Array.from(document.querySelectorAll(".cell.tag_solution"));
  return {
    blocks: blocks.length,
    cut: blocks.filter(cut).map((el) => el.textContent.slice(0, 60)),
    explorers: Array.from(document.querySelectorAll(".bd-article .bp-explorer"),
      (el) => getComputedStyle(el).breakInside),
    hints: hints.length,
    folded: hints.filter((d) => !shown(d.querySelector(":scope > :not(summary)")))
      .map((d) => d.querySelector("summary").textContent),
    solutions: solutions.length,
    solutionsShown: solutions.filter(shown).length,
  };
}"""


def printed(browser, url: str, script: str, width: int = 1280, theme: str | None = None,
            has_widgets: bool = False) -> object:
    """``script``'s result on ``url`` laid out for print on paper ``width`` CSS pixels wide,
    opened in ``theme`` if given, once its widget views (if any) have rendered (runs in the
    browser's thread)."""
    context, page, _ = guarded_page(browser, maths=script is not PRINT_BREAKS)
    try:
        if theme:
            store_theme(page, theme)
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(media="print")
        page.goto(url, wait_until="load")
        if has_widgets:
            page.wait_for_function(WIDGETS_RENDERED, timeout=30_000)
        return page.evaluate(script)
    finally:
        context.close()


@pytest.mark.browser
def test_a_printed_code_cell_keeps_its_frame_with_its_code(chromium, built_book: Path) -> None:
    """The download button's PDF is the browser's print. The theme keeps a code block on one
    page; its cell's frame must move with it, not stay empty at the foot of the page before."""
    seen = chromium.run(printed, (built_book / "chapters" / "04_delta_recursion.html").as_uri(),
                        PRINT_BREAKS)
    assert len(seen) > 10, f"only {len(seen)} code cells found"
    assert all(cell == ["avoid", "avoid"] for cell in seen), f"cells that split: {seen}"


@pytest.mark.browser
@pytest.mark.parametrize("chapter", ["01_forward_pass", "06_losses"])
def test_a_printed_chapter_fits_an_a4_page(chromium, built_book: Path, chapter: str) -> None:
    """On A4 no code line or display formula is cut at the right edge (chapter 6's §6.5
    formula lost its last term), no explorer is split by a page break, hints and "What you
    should see" print open, and the folded solutions are left out."""
    seen = chromium.run(printed, (built_book / "chapters" / f"{chapter}.html").as_uri(),
                        PRINTED_CHAPTER, A4_TEXT_WIDTH, None, True)
    assert seen["blocks"] > 20, f"{chapter}: only {seen['blocks']} code blocks and formulas"
    assert not seen["cut"], f"{chapter}: cut at the page's edge: {seen['cut'][:5]}"
    assert seen["explorers"] and set(seen["explorers"]) == {"avoid"}, seen["explorers"]
    assert seen["hints"] >= 5 and not seen["folded"], f"{chapter}: folded: {seen['folded']}"
    assert seen["solutions"] >= 5 and seen["solutionsShown"] == 0, (
        f"{chapter}: {seen['solutionsShown']} of {seen['solutions']} solution cells printed")


@pytest.mark.browser
def test_a_page_read_in_the_dark_theme_prints_in_the_light_one(chromium, built_book: Path) -> None:
    """White text on black paper, or pale grey without background graphics, is unreadable:
    book.js switches to the light theme for print and back afterwards."""
    script = """async () => {
      const before = document.documentElement.dataset.theme;
      window.dispatchEvent(new Event("beforeprint"));
      const during = document.documentElement.dataset.theme;
      window.dispatchEvent(new Event("afterprint"));
      return [before, during, document.documentElement.dataset.theme];
    }"""
    seen = chromium.run(printed, (built_book / "chapters" / "02_chain_rule.html").as_uri(),
                        script, 1280, "dark")
    assert seen == ["dark", "light", "dark"], f"theme before, during and after print: {seen}"


@pytest.mark.browser
def test_glossary_terms_stay_whole_on_a_phone(chromium, built_book: Path) -> None:
    """A Chinese term breaks anywhere by default, and 反向/传播 would read as two words."""
    seen = chromium.run(on_a_phone, (built_book / "chapters" / "B_glossary.html").as_uri(),
                        GLOSSARY_TERMS)
    assert seen["count"] >= 40, f"the glossary's terms tables hold {seen['count']} terms"
    assert not seen["broken"], f"Chinese terms split across lines: {seen['broken']}"


def margin_notes_at(browser, url: str, width: int) -> dict:
    """The page's width and its margin notes' left and right edges at ``width`` (runs in the
    browser's thread)."""
    context, page, _ = guarded_page(browser)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url, wait_until="load")
        return page.evaluate("""() => ({
          page: document.documentElement.scrollWidth,
          notes: Array.from(document.querySelectorAll("aside.margin"), (a) => {
            const r = a.getBoundingClientRect();
            return [Math.round(r.left), Math.round(r.right)];
          }),
        })""")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1150, 1250, 1440])
def test_margin_notes_stay_on_the_screen(chromium, built_book: Path, width: int) -> None:
    """From 1200 px the notes sit beside the text, below it in the flow; at no width does one
    end past the screen's edge (the theme's did from 992 to 1299 px) or widen the page."""
    url = (built_book / "chapters" / "03_loss_to_weight.html").as_uri()
    seen = chromium.run(margin_notes_at, url, width)
    assert len(seen["notes"]) >= 5 and seen["page"] <= width, seen
    off = [note for note in seen["notes"] if note[0] < 0 or note[1] > width]
    assert not off, f"margin notes past the edge of a {width}-px screen: {off}"


def sidebar_after_menu_click(browser, url: str, width: int) -> dict:
    """Click the menu button (≡) of the article header at ``width``; what the chapter list
    then looks like (runs in the browser's thread)."""
    context, page, guard = guarded_page(browser)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url, wait_until="load")
        page.locator(".bd-header-article .primary-toggle").first.click()
        page.wait_for_timeout(500)
        return page.evaluate("""() => {
          const dialog = document.querySelector("#pst-primary-sidebar-modal");
          const sidebar = document.querySelector(".bd-sidebar-primary");
          const links = [...document.querySelectorAll(".bd-sidebar-primary a.reference")]
            .filter((a) => a.checkVisibility() && a.getBoundingClientRect().width > 0);
          return { dialogOpen: dialog.open, visibleChapterLinks: links.length,
                   hidden: sidebar.classList.contains("pst-sidebar-hidden") };
        }""") | {"errors": guard.unexpected_errors()}
    finally:
        context.close()


@pytest.mark.browser
def test_the_menu_button_opens_the_chapter_list_on_a_phone(chromium, built_book: Path) -> None:
    """The visible ≡ button shows the chapters on a phone and folds the sidebar on a desktop."""
    url = next(p for p in PAGES if p.is_notebook).html.as_uri()
    phone = chromium.run(sidebar_after_menu_click, url, PHONE_WIDTH)
    assert phone["dialogOpen"] and phone["visibleChapterLinks"] >= 7, phone
    desktop = chromium.run(sidebar_after_menu_click, url, 1280)
    assert desktop["hidden"] and not desktop["dialogOpen"], desktop
    assert not phone["errors"] and not desktop["errors"]


class _Links(HTMLParser):
    """Collects the local targets (href/src) and the ids of one HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        for name in ("href", "src"):
            value = attributes.get(name)
            if value and tag in ("a", "img", "link", "script", "source", "iframe"):
                self.targets.append((tag, value))


def _parse(path: Path, cache: dict[Path, _Links]) -> _Links:
    if path not in cache:
        cache[path] = _Links()
        cache[path].feed(path.read_text(encoding="utf-8", errors="replace"))
    return cache[path]


@pytest.mark.book
def test_book_builds_with_internal_links_and_images(built_book: Path) -> None:
    """The book builds with -W, and every local link, anchor and image of every page resolves."""
    pages = [p for p in built_book.rglob("*.html")
             if not p.relative_to(built_book).parts[0].startswith(("_", "."))]
    assert pages, "no HTML pages were built"
    parsed: dict[Path, _Links] = {}
    broken = []
    for page in pages:
        links = _parse(page, parsed)
        for tag, target in links.targets:
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("//", "mailto:", "javascript:")):
                continue
            file = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not file.exists():
                broken.append(f"{page.relative_to(built_book)}: <{tag}> {target}")
            elif parts.fragment and file.suffix == ".html":
                ids = _parse(file, parsed).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(built_book)}: <{tag}> {target} (no anchor)")
    assert not broken, "broken internal links or images:\n" + "\n".join(broken[:40])
    for book_page in PAGES:
        assert book_page.html.is_file(), f"{book_page.docname} is in _toc.yml but was not built"


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header (IHDR)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@pytest.mark.book
def test_figures_have_twice_the_pixels_of_their_size_on_the_page(built_book: Path) -> None:
    """Every figure of a chapter is a "retina" PNG: sharp on high-DPI screens, same size."""
    figures = 0
    for book_page in PAGES:
        html = book_page.html.read_text(encoding="utf-8")
        for src, width in re.findall(r'<img [^>]*src="([^"]*_images/[^"]+\.png)" '
                                     r'style="width: (\d+)px;', html):
            pixels, _ = _png_size((book_page.html.parent / unquote(src)).resolve())
            assert abs(pixels - 2 * int(width)) <= 2, (book_page.docname, src, pixels, width)
            figures += 1
    assert figures >= 10, f"only {figures} figures found: did the image markup change?"



MARGIN_ASIDE = re.compile(r'<aside class="margin sidebar">(.*?)</aside>', re.S)


@pytest.mark.book
def test_margin_notes_are_typeset_in_the_margin(built_book: Path) -> None:
    """The notebooks' margin notes are raw HTML asides (JupyterLab shows them as text); on the
    website each one is the theme's margin note, with its Markdown body parsed: maths, links."""
    notes = 0
    for book_page in PAGES:
        if not book_page.is_notebook:
            continue
        source = "".join("".join(cell["source"]) for cell in
                         json.loads(book_page.source.read_text(encoding="utf-8"))["cells"]
                         if cell["cell_type"] == "markdown")
        asides = MARGIN_ASIDE.findall(book_page.html.read_text(encoding="utf-8"))
        # the source's asides open with an inline style, which tools/margin_notes.py drops
        assert len(asides) == source.count('<aside class="margin sidebar"'), book_page.docname
        for body in asides:
            title, *paragraphs = re.findall(r"<p\b[^>]*>(.*?)</p>", body, re.S)
            assert paragraphs or "<ul" in body, f"{book_page.docname}: empty margin note {title}"
            unparsed = [mark for mark in ("$", "](#", "\n- ", ":::") if mark in body]
            assert not unparsed, f"{book_page.docname}: margin note {title} shows {unparsed}"
        notes += len(asides)
    assert notes >= 20, f"only {notes} margin notes in the built chapters"
